"""Colour contrast as WCAG 2 measures it, so that an institution's colour keeps pages readable."""

from __future__ import annotations

import re

HEX = re.compile(r"#[0-9a-fA-F]{6}")
# What an institution's accent colour is used against on the pages that wear it: links and
# headings on the page and card backgrounds, and white text on buttons of the colour.
BACKGROUNDS = {"page": "#fbf8f3", "card": "#ffffff"}
TEXT_ON_ACCENT = "#ffffff"
AA_NORMAL_TEXT = 4.5


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def luminance(colour: str) -> float:
    r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast(one: str, other: str) -> float:
    high, low = sorted((luminance(one), luminance(other)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def accent_contrast(colour: str) -> float:
    """The weakest contrast the colour makes where the pages use it."""
    against = [*BACKGROUNDS.values(), TEXT_ON_ACCENT]
    return min(contrast(colour, other) for other in against)


def accent_problem(colour: str) -> str | None:
    """Why the colour cannot be an accent, or None when it keeps every page at WCAG AA."""
    if not HEX.fullmatch(colour or ""):
        return "not a colour written as #rrggbb"
    ratio = accent_contrast(colour)
    if ratio < AA_NORMAL_TEXT:
        return (f"too light: its contrast is {ratio:.2f}:1 where WCAG AA asks for "
                f"{AA_NORMAL_TEXT}:1 (choose a darker shade)")
    return None
