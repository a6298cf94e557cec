"""JSON: an array of records, written one record at a time."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator


def json_chunks(records: Iterable[dict]) -> Iterator[str]:
    yield "[\n"
    first = True
    for record in records:
        yield ("" if first else ",\n") + json.dumps(record, ensure_ascii=False)
        first = False
    yield "\n]\n"
