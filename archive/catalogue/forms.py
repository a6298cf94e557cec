"""Catalogue forms: they only validate what was typed (the rules live in services)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from archive.catalogue.services import REFERENCE
from archive.forms import ArchiveForm


class ItemForm(ArchiveForm):
    identifier = StringField(
        _l("Identifier"), validators=[DataRequired(message=_l("Give the record an identifier.")),
                                  Regexp(REFERENCE, message=_l(
                                      "Use letters, digits, dots, hyphens and underscores "
                                      "(up to 100), starting with a letter or digit."))],
        description=_l("The archive's reference number, e.g. LEO-1234. "
                       "It cannot be changed later."))
    collection = SelectField(_l("Collection"), validators=[DataRequired()], choices=[])
    title = StringField(_l("Title"), validators=[
        DataRequired(message=_l("Give the photograph a title.")), Length(max=500)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=20_000)])
    date_text = StringField(_l("Date"), validators=[Optional(), Length(max=200)],
                            description=_l("As precise as is known: 1934, c. 1930, 1950s."))
    place = StringField(_l("Place"), validators=[Optional(), Length(max=300)])
    people = TextAreaField(_l("People shown"), validators=[Optional(), Length(max=5000)],
                           description=_l("Separate names with semicolons."))
    subjects = TextAreaField(_l("Subjects"), validators=[Optional(), Length(max=5000)],
                             description=_l("Separate subjects with semicolons."))
    creator = StringField(_l("Photographer"), validators=[Optional(), Length(max=300)])
    rights = StringField(_l("Rights"), validators=[Optional(), Length(max=500)])
    needs_help = BooleanField(_l("Ask the public “Can you help?”"))
    help_question = TextAreaField(_l("The question"), validators=[Optional(), Length(max=2000)],
                                  description=_l("What the archive would like to know."))
    image = FileField(_l("Add an image"),
                      description=_l("JPEG, PNG, TIFF or WebP. It is checked before it is kept."))


class ImageRemoveForm(ArchiveForm):
    """Only the CSRF token."""


class ImageMoveForm(ArchiveForm):
    """Where an image goes in its item's order: first (the one the item's page shows first and
    exports give as its thumbnail), one place earlier or one place later."""

    where = SelectField(_l("Move"), choices=["first", "earlier", "later"],  # type: ignore[list-item]
                        validators=[DataRequired()])
