"""A word-by-word comparison of the contributor's text and the archivist's edit."""

from __future__ import annotations

import re
from difflib import SequenceMatcher

_TOKENS = re.compile(r"\s+|[^\s]+")


def word_diff(original: str, edited: str) -> list[tuple[str, str]]:
    """(kind, text) pieces, kind one of "same", "removed", "added", in reading order."""
    before, after = _TOKENS.findall(original or ""), _TOKENS.findall(edited or "")
    pieces: list[tuple[str, str]] = []
    matcher = SequenceMatcher(a=before, b=after, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            pieces.append(("same", "".join(before[a1:a2])))
            continue
        if a2 > a1:
            pieces.append(("removed", "".join(before[a1:a2])))
        if b2 > b1:
            pieces.append(("added", "".join(after[b1:b2])))
    return pieces
