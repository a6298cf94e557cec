"""Helpers for the forms of every blueprint."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from wtforms import StringField


def required_text(field: StringField) -> str:
    """The text of a field whose ``DataRequired`` validator has passed.

    WTForms types a text field's data as optional (it is None until the form has read a
    request); once ``validate_on_submit()`` is true a required field always holds text.
    """
    if field.data is None:
        raise RuntimeError(f"form field {field.name!r} was read before it was validated")
    return field.data
