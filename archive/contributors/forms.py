"""The registration form for members of the public."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from archive.forms import ArchiveForm


class RegistrationForm(ArchiveForm):
    display_name = StringField(_l("Your name (shown with your notes unless you choose otherwise)"),
                               validators=[DataRequired(), Length(max=200)])
    email = EmailField(_l("Email address (never shown; we write to you about your notes)"),
                       validators=[DataRequired(), Email(check_deliverability=False),
                                   Length(max=320)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=1000)])
    confirm = PasswordField(_l("The password again"), validators=[
        DataRequired(), EqualTo("password", message=_l("The two passwords are not the same."))])
