"""Helpers for the forms of every blueprint."""

from __future__ import annotations

import math
import unicodedata
from typing import TYPE_CHECKING, Any

from flask_babel import gettext as _
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import ValidationError

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


# The smallest region, as a fraction of each side (the box drawn on the page is at least 2%).
REGION_MIN_SIZE = 0.01
# Regions are kept to a millionth of each side: finer is below a pixel of any photograph, and
# rounding turns denormal numbers (1e-310) into plain zeros.
REGION_DECIMALS = 6


def _fraction(value: str | None) -> float | None:
    if value in (None, ""):
        return None
    try:
        number = float(value)
    except ValueError as exc:
        raise ValidationError(_("The marked region could not be read.")) from exc
    if not math.isfinite(number):  # "nan", "inf"
        raise ValidationError(_("The marked region could not be read."))
    number = round(number, REGION_DECIMALS)
    if not 0.0 <= number <= 1.0:
        raise ValidationError(_("The marked region must lie within the photograph."))
    return number


def parse_region(*fields: str | None) -> tuple[float, float, float, float] | None:
    """A box on an image from the four values of a form (x, y, width, height as fractions of
    the image); None when all four are empty. Raises ``ValidationError`` with a message fit
    to show a person."""
    values = [_fraction(value) for value in fields]
    if all(v is None for v in values):
        return None
    x, y, w, h = values
    if x is None or y is None or w is None or h is None:
        raise ValidationError(_("The marked region is incomplete."))
    # Within the photograph: nothing past its right or bottom edge (a box starting at its
    # very corner, x = y = 1, has no area of the photograph in it).
    limit = 1.0 + 10.0 ** -REGION_DECIMALS  # what rounding each value may add
    if w <= 0 or h <= 0 or x + w > limit or y + h > limit:
        raise ValidationError(_("The marked region must lie within the photograph."))
    if w < REGION_MIN_SIZE or h < REGION_MIN_SIZE:
        raise ValidationError(_("The marked region is too small: mark an area of at least "
                                "%(percent)s%% of the photograph's width and height.",
                                percent=round(REGION_MIN_SIZE * 100)))
    return x, y, min(w, 1.0 - x), min(h, 1.0 - y)
