from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    EmailField,
    PasswordField,
    SelectField,
    StringField,
    TextAreaField,
    URLField,
)
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # new in 3.3
from wtforms.validators import URL, DataRequired, Email, Length, Optional, Regexp, ValidationError

from archive.colours import AA_NORMAL_TEXT, HEX, accent_contrast
from archive.forms import ArchiveForm
from archive.models import Role

ROLE_CHOICES = [SelectChoice(r.value, _l(r.label)) for r in Role]  # translated when shown


def institution_field() -> SelectField:
    """Where an archivist or a curator works; the choices are the site's institutions."""
    return SelectField(_l("Institution"), choices=[], validate_choice=False,
                       description=_l("For archivists and curators: the institution whose "
                                      "records they work on."))


class AccountForm(ArchiveForm):
    display_name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    role = SelectField(_l("Role"), choices=ROLE_CHOICES, validators=[DataRequired()])
    institution = institution_field()
    active = BooleanField(_l("Active"))


class NewAccountForm(ArchiveForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(), Length(max=320)])
    display_name = StringField(_l("Name shown in the audit log"),
                               validators=[DataRequired(), Length(max=200)])
    role = SelectField(_l("Role"), choices=ROLE_CHOICES, default=Role.ARCHIVIST.value,
                       validators=[DataRequired()])
    institution = institution_field()
    password = PasswordField(
        _l("Initial password"), validators=[DataRequired(), Length(max=1000)],
        description=_l("At least 10 characters and hard to guess; tell it to the person "
                    "privately."))


REASON_LINE = re.compile(r"([a-z0-9_]{1,50})\s*=\s*(\S.*)")


def _reason_lines(form, field) -> None:
    for number, line in enumerate((field.data or "").splitlines(), 1):
        if line.strip() and not REASON_LINE.fullmatch(line.strip()):
            raise ValidationError(_l(
                "Line %(number)d is not “code=Text”: the code is lower-case letters, digits "
                "or _, the text is what the contributor reads.", number=number))


def _accent(form, field) -> None:
    colour = (field.data or "").strip()
    if not HEX.fullmatch(colour):
        raise ValidationError(_l("Write the colour as #rrggbb, for example #1d4f91."))
    ratio = accent_contrast(colour)
    if ratio < AA_NORMAL_TEXT:
        raise ValidationError(_l(
            "This colour is too light for text and buttons: its contrast is %(ratio)s:1 "
            "where WCAG AA asks for 4.5:1. Choose a darker shade.", ratio=f"{ratio:.2f}"))


class NewInstitutionForm(ArchiveForm):
    slug = StringField(_l("Short name in addresses"), validators=[
        DataRequired(), Length(max=100),
        Regexp(r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$",
               message=_l("Use lower-case letters, digits and hyphens."))],
        description=_l("As in /institutions/calderbridge-library; it cannot be changed."))
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=300)])
    name_cy = StringField(_l("Name in Welsh"), validators=[Optional(), Length(max=300)])


class InstitutionForm(ArchiveForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=300)])
    name_cy = StringField(_l("Name in Welsh"), validators=[Optional(), Length(max=300)])
    description = TextAreaField(_l("Short description"),
                                validators=[Optional(), Length(max=2000)])
    description_cy = TextAreaField(_l("Short description in Welsh"),
                                   validators=[Optional(), Length(max=2000)])
    website = URLField(_l("Website"), validators=[
        Optional(), Length(max=500), URL(require_tld=False, message=_l("Give a web address."))])
    contact_email = EmailField(_l("Contact email, shown to the public"),
                               validators=[Optional(), Email(), Length(max=320)])
    accent_colour = StringField(_l("Accent colour"), validators=[DataRequired(), _accent],
                                description=_l("Used for links, headings and buttons on its "
                                               "pages; it must keep them readable."))
    licence_label = StringField(_l("Licence of notes: name"),
                                validators=[Optional(), Length(max=100)],
                                description=_l("For example CC BY-NC 4.0; leave both licence "
                                               "fields empty for the site's licence."))
    licence_uri = URLField(_l("Licence of notes: address"), validators=[
        Optional(), Length(max=500), URL(message=_l("Give the licence's web address."))])
    rejection_reasons = TextAreaField(
        _l("Rejection reasons"), validators=[Optional(), Length(max=5000), _reason_lines],
        description=_l("One a line, as code=Text the contributor reads; empty for the site's "
                       "reasons."))
    standing_questions = TextAreaField(
        _l("Questions you often ask the public"),
        validators=[Optional(), Length(max=5000)],
        description=_l("One a line; offered to your archivists when they ask about a "
                       "photograph."))
    logo = FileField(_l("Logo"), description=_l("A JPEG, PNG or TIFF image; replaces the "
                                                "present one."))
    remove_logo = BooleanField(_l("Remove the logo"))

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if bool(self.licence_label.data) != bool(self.licence_uri.data):
            self.licence_uri.errors = [*self.licence_uri.errors, _l(
                "Give both the licence's name and its address, or neither.")]
            return False
        return valid
