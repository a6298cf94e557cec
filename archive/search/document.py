"""What an item's search document holds: its record and the public text of its approved notes."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa

from archive.models import Item

# The record fields searched, in the order they are written into the document.
DOCUMENT_FIELDS = ("title", "description", "date_text", "place", "people", "subjects",
                   "creator", "help_question")


def build_document(record: Item | sa.Row[Any], note_texts: Iterable[str]) -> str:
    """The document of ``record`` (an item, or a row holding its ``DOCUMENT_FIELDS``)."""
    parts = [(getattr(record, field) or "").strip() for field in DOCUMENT_FIELDS]
    parts += [text.strip() for text in note_texts]
    return "\n".join(part for part in parts if part)
