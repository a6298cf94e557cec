"""One search interface, two engines: SQLite FTS5 and PostgreSQL full-text search.

A backend turns the visitor's words into a selectable of ``(item_id, rank)`` rows, lower rank
first: every match (``matches``), or only the best few (``best``), ranked and cut inside the
engine's own index so that nothing else is read for the others. Everything else (public items
only, facets, paging) is shared in ``services``.
"""

from __future__ import annotations

import re

import sqlalchemy as sa

from archive.models import Item

WORD = re.compile(r"\w+", re.UNICODE)
MAX_TERMS = 12


def query_terms(text: str) -> list[str]:
    """The words of a query, lower-cased, without operators: safe to hand to either engine."""
    seen: list[str] = []
    for word in WORD.findall(text or ""):
        word = word.casefold()
        if word not in seen:
            seen.append(word)
    return seen[:MAX_TERMS]


class SearchBackend:
    name = "base"

    def matches(self, terms: list[str]) -> sa.Subquery:  # pragma: no cover - interface
        raise NotImplementedError

    def best(self, terms: list[str], limit: int) -> sa.Subquery:  # pragma: no cover
        """The ``limit`` best matches (ties: newest id first), withdrawn items included."""
        raise NotImplementedError


class SQLiteBackend(SearchBackend):
    """FTS5 table ``items_fts`` (title, search_document) kept by triggers; BM25 ranking."""

    name = "sqlite"

    def _ranked(self, terms: list[str]) -> sa.Select:
        # Every word must occur; each is a quoted prefix, so no query syntax reaches FTS5.
        expression = " ".join(f'"{term}"*' for term in terms)
        fts = sa.table("items_fts", sa.column("rowid"))
        return (
            sa.select(
                fts.c.rowid.label("item_id"),
                sa.literal_column("bm25(items_fts, 10.0, 1.0)").label("rank"),
            )
            .select_from(fts)
            .where(sa.literal_column("items_fts").op("MATCH")(expression))
        )

    def matches(self, terms: list[str]) -> sa.Subquery:
        return self._ranked(terms).subquery("matches")

    def best(self, terms: list[str], limit: int) -> sa.Subquery:
        # Ranked and cut inside FTS5: the items table is read only for the rows kept.
        query = self._ranked(terms)
        return (query.order_by(sa.literal_column("rank"), query.selected_columns.item_id.desc())
                .limit(limit).subquery("best"))


# The same expression as the GIN index of migration 0005: PostgreSQL uses the index only when
# the query's expression is identical.
PG_VECTOR = (
    "(setweight(to_tsvector('english'::regconfig, coalesce(items.title, '')), 'A') || "
    "setweight(to_tsvector('english'::regconfig, coalesce(items.search_document, '')), 'B'))"
)


class PostgresBackend(SearchBackend):
    name = "postgresql"

    def _ranked(self, terms: list[str]) -> sa.Select:
        expression = " & ".join(f"{term}:*" for term in terms)
        query = sa.func.to_tsquery(sa.literal_column("'english'::regconfig"), expression)
        vector = sa.literal_column(PG_VECTOR)
        return (
            sa.select(Item.id.label("item_id"),
                      (-sa.func.ts_rank_cd(vector, query)).label("rank"))
            .where(vector.op("@@")(query))
        )

    def matches(self, terms: list[str]) -> sa.Subquery:
        return self._ranked(terms).subquery("matches")

    def best(self, terms: list[str], limit: int) -> sa.Subquery:
        # The GIN index finds the matches; only they are ranked, and the sort keeps ``limit``.
        return (self._ranked(terms).order_by(sa.literal_column("rank"), Item.id.desc())
                .limit(limit).subquery("best"))


def backend_for(dialect_name: str) -> SearchBackend:
    if dialect_name == "sqlite":
        return SQLiteBackend()
    if dialect_name == "postgresql":
        return PostgresBackend()
    raise LookupError(f"no search backend for {dialect_name}")
