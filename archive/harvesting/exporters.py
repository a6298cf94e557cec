"""The export formats by name: what the page and the command both offer."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from archive.harvesting.csv_export import csv_rows
from archive.harvesting.json_export import json_chunks
from archive.harvesting.jsonl_export import jsonl_lines
from archive.harvesting.records import RecordFilter, iter_records
from archive.i18n_words import N_


@dataclass(frozen=True)
class ExportFormat:
    name: str
    label: str  # English; the page translates it
    mimetype: str
    extension: str
    writer: Callable[[Iterable[dict]], Iterator[str]]


FORMATS = {
    # Werkzeug adds "; charset=utf-8" to text/* types itself.
    "csv": ExportFormat("csv", N_("CSV (spreadsheets)"), "text/csv", "csv", csv_rows),
    "json": ExportFormat("json", "JSON", "application/json", "json", json_chunks),
    "jsonl": ExportFormat("jsonl", N_("JSON Lines (large dumps)"), "application/x-ndjson", "jsonl",
                          jsonl_lines),
}


def export_chunks(fmt: str, *, base_url: str, collection_slug: str | None = None,
                  filters: RecordFilter | None = None,
                  progress: Callable[[int], None] | None = None) -> Iterator[str]:
    """Text chunks of a whole export. Raises LookupError for an unknown collection up front.

    ``progress``, when given, is called with 1 for each record written.
    """
    if filters is None:
        filters = RecordFilter(collection_slug=collection_slug)
    records = iter_records(base_url=base_url, filters=filters)
    first = next(records, None)  # surfaces an unknown collection before anything is sent

    def all_records():
        if first is None:
            return
        for record in itertools.chain((first,), records):
            yield record
            if progress is not None:
                progress(1)

    return FORMATS[fmt].writer(all_records())
