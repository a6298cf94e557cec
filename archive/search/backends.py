"""One search interface, two engines: SQLite FTS5 and PostgreSQL full-text search.

A backend turns the visitor's words into a selectable of ``(item_id, rank)`` rows, lower rank
first (``matches``, ``best``), or into at most so many public matches found through the index
without ranking them, for counting (``public_matches``). Everything else (facets, paging) is
shared in ``services``.
"""

from __future__ import annotations

import re

import sqlalchemy as sa

from archive.models import Item

WORD = re.compile(r"\w+", re.UNICODE)
MAX_TERMS = 12
FACET_COLUMNS = ("collection_id", "date_earliest", "needs_help", "help_solved_at")


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

    def matching(self, terms: list[str]) -> sa.ColumnElement[bool]:  # pragma: no cover
        """A condition on ``items`` true for the matches, withdrawn items included, for the
        shared ``public_matches`` (SQLite answers that with its own SQL instead)."""
        raise NotImplementedError

    def public_matches(self, terms: list[str], limit: int) -> sa.Subquery:
        """At most ``limit`` public items matching ``terms`` (any, without terms), unranked,
        with the columns the facets count: collection_id, date_earliest, needs_help,
        help_solved_at."""
        items = Item.__table__
        query = (sa.select(*(items.c[name] for name in FACET_COLUMNS))
                 .where(items.c.withdrawn_at.is_(None)))
        if terms:
            query = query.where(self.matching(terms))
        return query.limit(limit).subquery("matched")

    def best(self, terms: list[str], limit: int) -> sa.Subquery:
        """The ``limit`` best matches as ``(item_id, rank)``, withdrawn items included, ranked
        and cut inside the index (ties: newest first)."""
        matches = self.matches(terms)
        return (sa.select(matches.c.item_id, matches.c.rank)
                .order_by(matches.c.rank, matches.c.item_id.desc()).limit(limit).subquery("best"))


class SQLiteBackend(SearchBackend):
    """FTS5 table ``items_fts`` (title, search_document) kept by triggers; BM25 ranking."""

    name = "sqlite"

    FTS = sa.table("items_fts", sa.column("rowid"))

    @staticmethod
    def _expression(terms: list[str]) -> str:
        # Every word must occur; each is a quoted prefix, so no query syntax reaches FTS5.
        return " ".join(f'"{term}"*' for term in terms)

    @classmethod
    def _match(cls, terms: list[str]) -> sa.ColumnElement[bool]:
        return sa.literal_column("items_fts").op("MATCH")(cls._expression(terms))

    def matches(self, terms: list[str]) -> sa.Subquery:
        return (
            sa.select(self.FTS.c.rowid.label("item_id"),
                      sa.literal_column("bm25(items_fts, 10.0, 1.0)").label("rank"))
            .select_from(self.FTS).where(self._match(terms)).subquery("matches")
        )

    def public_matches(self, terms: list[str], limit: int) -> sa.Subquery:
        if not terms:
            return super().public_matches(terms, limit)
        # SQLite's planner looks each match up by rowid in the table, reading whole rows; the
        # narrow index of migration 0008 holds every column needed, at half the cost. SQLAlchemy
        # cannot say INDEXED BY, hence the text.
        return sa.text(
            "SELECT items.collection_id, items.date_earliest, items.needs_help, "
            "items.help_solved_at FROM items_fts "
            "JOIN items INDEXED BY ix_items_search_facets ON items.id = items_fts.rowid "
            "WHERE items_fts MATCH :expression AND items.withdrawn_at IS NULL LIMIT :limit"
        ).bindparams(expression=self._expression(terms), limit=limit).columns(
            *(Item.__table__.c[name] for name in FACET_COLUMNS)).subquery("matched")


# A tsvector column kept by a trigger (migration 0008), with a GIN index: matching and ranking
# both read the stored vector. It is not in the models: only PostgreSQL has it.
PG_VECTOR = "items.search_vector"


class PostgresBackend(SearchBackend):
    name = "postgresql"

    @staticmethod
    def _query(terms: list[str]) -> sa.ColumnElement:
        expression = " & ".join(f"{term}:*" for term in terms)
        return sa.func.to_tsquery(sa.literal_column("'english'::regconfig"), expression)

    def matches(self, terms: list[str]) -> sa.Subquery:
        query, vector = self._query(terms), sa.literal_column(PG_VECTOR)
        return (
            sa.select(Item.id.label("item_id"),
                      (-sa.func.ts_rank_cd(vector, query)).label("rank"))
            .where(vector.op("@@")(query)).subquery("matches")
        )

    def matching(self, terms: list[str]) -> sa.ColumnElement[bool]:
        return sa.literal_column(PG_VECTOR).op("@@")(self._query(terms))


def backend_for(dialect_name: str) -> SearchBackend:
    if dialect_name == "sqlite":
        return SQLiteBackend()
    if dialect_name == "postgresql":
        return PostgresBackend()
    raise LookupError(f"no search backend for {dialect_name}")
