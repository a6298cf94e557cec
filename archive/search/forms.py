"""The search form: validates the query string only (GET, so no CSRF token: nothing changes)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, IntegerField, SearchField, StringField
from wtforms.validators import Length, NumberRange, Optional

from archive.forms import ArchiveForm


class SearchForm(ArchiveForm):
    class Meta:
        csrf = False  # a GET form that changes nothing

    q = SearchField(_l("Search the photographs"), validators=[Optional(), Length(max=200)])
    collection = StringField(validators=[Optional(), Length(max=100)])
    institution = StringField(validators=[Optional(), Length(max=100)])
    decade = IntegerField(validators=[Optional(), NumberRange(min=1000, max=2100)])
    help = BooleanField(_l("Only photographs that need your help"))
    solved = BooleanField(_l("Only photographs whose question was solved with your help"))
    page = IntegerField(validators=[Optional(), NumberRange(min=1, max=10_000)])
