"""Cleaning of text typed by people, before it is stored."""

from __future__ import annotations

import unicodedata


def clean_text(value: str | None, *, multiline: bool = True) -> str:
    """Trim, normalise line ends and Unicode form, and drop NUL and other control characters.

    Right-to-left text, emoji and every printable character are kept exactly.
    """
    if not value:
        return ""
    value = unicodedata.normalize("NFC", value.replace("\r\n", "\n").replace("\r", "\n"))
    allowed = {"\n", "\t"} if multiline else set()
    kept = "".join(
        ch for ch in value if ch in allowed or unicodedata.category(ch) != "Cc"
    )
    return kept.strip()
