"""Reading the year range out of the ways catalogues write dates."""

from __future__ import annotations

import re

_YEAR = r"(1[5-9]\d\d|20\d\d)"


def year_range(text: str | None) -> tuple[int | None, int | None]:
    """``"c. 1905"`` → (1905, 1905); ``"1930s"`` → (1930, 1939); ``"1950-1955"`` → (1950, 1955).

    Unreadable or empty text gives (None, None).
    """
    if not text:
        return None, None
    value = text.strip().lower()
    decade = re.search(r"\b(1[5-9]\d|20\d)0'?s\b", value)
    if decade:
        start = int(decade.group(1)) * 10
        return start, start + 9
    years = [int(y) for y in re.findall(rf"\b{_YEAR}\b", value)]
    if not years:
        return None, None
    return min(years), max(years)
