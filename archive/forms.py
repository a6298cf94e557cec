"""Helpers for the forms of every blueprint."""

from __future__ import annotations

import unicodedata
from typing import TYPE_CHECKING, Any

from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField

if TYPE_CHECKING:
    from wtforms import Field


def normalise_input(value: Any) -> Any:
    """Text as it will be stored: browsers' line breaks as one character, Unicode in NFC.

    Applied before any validator, so that a length is checked on the text that is stored. NFC
    can make text longer ("\\u0958" is two characters in NFC, "\\ufb2c" three): checked before,
    such text passed the form and was then refused by the database.
    """
    if not isinstance(value, str):
        return value
    return unicodedata.normalize("NFC", value.replace("\r\n", "\n").replace("\r", "\n"))


class ArchiveForm(FlaskForm):
    """The base of every form: each text field (passwords aside) is normalised first."""

    class Meta(FlaskForm.Meta):
        def bind_field(self, form, unbound_field, options):
            field_class = unbound_field.field_class
            if issubclass(field_class, StringField) and not issubclass(field_class,
                                                                        PasswordField):
                own = unbound_field.kwargs.get("filters", ()) or ()
                options = {**options, "filters": [normalise_input, *own]}
            return super().bind_field(form, unbound_field, options)


def required_text(field: StringField | Field) -> str:
    """The text of a field whose ``DataRequired`` validator has passed.

    WTForms types a text field's data as optional (it is None until the form has read a
    request); once ``validate_on_submit()`` is true a required field always holds text.
    """
    if field.data is None:
        raise RuntimeError(f"form field {field.name!r} was read before it was validated")
    return field.data
