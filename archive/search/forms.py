"""The search form: validates the query string only (GET, so no CSRF token: nothing changes)."""

from __future__ import annotations

from flask import current_app
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, IntegerField, SearchField, StringField
from wtforms.validators import Length, NumberRange, Optional, ValidationError

from archive.forms import ArchiveForm
from archive.search import services


class SearchForm(ArchiveForm):
    class Meta:
        csrf = False  # a GET form that changes nothing

    q = SearchField(_l("Search the photographs"), validators=[Optional(), Length(max=200)])
    collection = StringField(validators=[Optional(), Length(max=100)])
    institution = StringField(validators=[Optional(), Length(max=100)])
    decade = IntegerField(validators=[Optional(), NumberRange(min=1000, max=2100)])
    help = BooleanField(_l("Only photographs that need your help"))
    solved = BooleanField(_l("Only photographs whose question was solved with your help"))
    page = IntegerField(validators=[Optional(), NumberRange(min=1)])

    def validate_page(self, field: IntegerField) -> None:
        last = services.deepest_page(current_app.config["ITEMS_PER_PAGE"])
        if field.data is not None and field.data > last:
            raise ValidationError(gettext(
                "A search shows its first %(num)d results, up to page %(page)d. To find "
                "others, add a word or choose a filter.", num=services.MAX_RESULTS, page=last))
