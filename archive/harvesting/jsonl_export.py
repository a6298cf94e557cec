"""JSON Lines: one record per line, for dumps too large to load as one JSON document."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator


def jsonl_lines(records: Iterable[dict]) -> Iterator[str]:
    for record in records:
        yield json.dumps(record, ensure_ascii=False) + "\n"
