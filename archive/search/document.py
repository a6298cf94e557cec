"""What an item's search document holds: its record and the public text of its approved notes."""

from __future__ import annotations

from collections.abc import Iterable

from archive.models import Item

# The record fields searched, in the order they are written into the document.
DOCUMENT_FIELDS = ("title", "description", "date_text", "place", "people", "subjects",
                   "creator", "help_question")


def build_document(item: Item, note_texts: Iterable[str]) -> str:
    parts = [(getattr(item, field) or "").strip() for field in DOCUMENT_FIELDS]
    parts += [text.strip() for text in note_texts]
    return "\n".join(part for part in parts if part)
