"""CSV: one row per item; notes and enrichments as JSON in their own columns."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator

COLUMNS = (
    "identifier", "url", "collection", "institution", "institution_name", "title", "description",
    "date_text", "date_earliest", "date_latest", "place", "people", "subjects", "creator",
    "rights", "needs_help", "help_question", "solved", "solved_at", "solved_by", "images",
    "notes_count", "notes", "enrichments",
)
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: str) -> str:
    """Stop spreadsheets from running a cell as a formula (CSV injection)."""
    return "'" + value if value.startswith(_FORMULA_STARTS) else value


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return neutralise(str(value))


def csv_rows(records: Iterable[dict]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow(COLUMNS)
    yield "\ufeff" + flush()  # a BOM, so spreadsheet programs read UTF-8 as UTF-8
    for record in records:
        row = dict(record, notes_count=len(record["notes"]),
                   images=" | ".join(record["images"]),
                   solved_by="; ".join(record["solved_by"]))
        writer.writerow([_cell(row[c]) for c in COLUMNS])
        yield flush()
