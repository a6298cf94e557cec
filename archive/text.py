"""Cleaning of text typed by people, before it is stored."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable


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


def without_mentions(text: str, mentions: Iterable[str], placeholder: str) -> str:
    """``text`` with every occurrence of each of ``mentions`` (in any case) replaced by
    ``placeholder``, longest first."""
    for mention in sorted(set(mentions), key=len, reverse=True):
        text = re.sub(re.escape(mention), placeholder, text, flags=re.IGNORECASE)
    return text


def counted(number: int, singular: str, plural: str | None = None) -> str:
    """``1 row``, ``2 rows``: a number and its noun, for the English of commands."""
    return f"{number} {singular if number == 1 else (plural or singular + 's')}"
