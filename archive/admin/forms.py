from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # new in 3.3
from wtforms.validators import DataRequired, Email, Length

from archive.forms import ArchiveForm
from archive.models import Role

ROLE_CHOICES = [SelectChoice(r.value, _l(r.label)) for r in Role]  # translated when shown


class AccountForm(ArchiveForm):
    display_name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    role = SelectField(_l("Role"), choices=ROLE_CHOICES, validators=[DataRequired()])
    active = BooleanField(_l("Active"))


class NewAccountForm(ArchiveForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(), Length(max=320)])
    display_name = StringField(_l("Name shown in the audit log"),
                               validators=[DataRequired(), Length(max=200)])
    role = SelectField(_l("Role"), choices=ROLE_CHOICES, default=Role.ARCHIVIST.value,
                       validators=[DataRequired()])
    password = PasswordField(
        _l("Initial password"), validators=[DataRequired(), Length(max=1000)],
        description=_l("At least 10 characters and hard to guess; tell it to the person "
                    "privately."))
