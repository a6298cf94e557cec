"""One search interface, two engines: SQLite FTS5 and PostgreSQL full-text search.

A backend turns the visitor's words into the values of its query (``params``), and gives the
selectables that use them: ``(item_id, rank)`` rows, lower rank first (``matches``, ``best``),
and public matches found through the index without ranking them, for counting
(``public_matches``). The selectables take their values as named parameters (``:expression``,
``:limit``…), so the statements built on them are built once and reused for every query.
Everything else (facets, paging) is shared in ``services``.
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


def _limit() -> sa.BindParameter:
    return sa.bindparam("limit", type_=sa.Integer)


class SearchBackend:
    name = "base"

    def params(self, terms: list[str]) -> dict[str, str]:  # pragma: no cover - interface
        """The values of the named parameters the selectables below use, for ``terms``."""
        raise NotImplementedError

    def matches(self) -> sa.Subquery:  # pragma: no cover - interface
        """Every item matching ``:expression``, withdrawn ones included, with its rank."""
        raise NotImplementedError

    def matching(self) -> sa.ColumnElement[bool]:  # pragma: no cover - interface
        """A condition on ``items`` true for the matches, withdrawn items included, for the
        shared ``public_matches`` (SQLite answers that with its own SQL instead)."""
        raise NotImplementedError

    def public_matches(self, with_terms: bool) -> sa.Subquery:
        """At most ``:limit`` public items matching ``:expression`` (any, without terms),
        unranked, with the columns the facets count: collection_id, date_earliest,
        needs_help, help_solved_at."""
        items = Item.__table__
        query = (sa.select(*(items.c[name] for name in FACET_COLUMNS))
                 .where(items.c.withdrawn_at.is_(None)))
        if with_terms:
            query = query.where(self.matching())
        return query.limit(_limit()).subquery("matched")

    def best(self) -> sa.Subquery:
        """The ``:limit`` best matches as ``(item_id, rank)``, withdrawn items included,
        ranked and cut inside the index (ties: newest first)."""
        matches = self.matches()
        return (sa.select(matches.c.item_id, matches.c.rank)
                .order_by(matches.c.rank, matches.c.item_id.desc()).limit(_limit())
                .subquery("best"))


class SQLiteBackend(SearchBackend):
    """FTS5 table ``items_fts`` (title, search_document) kept by triggers; BM25 ranking."""

    name = "sqlite"

    FTS = sa.table("items_fts", sa.column("rowid"))

    def params(self, terms: list[str]) -> dict[str, str]:
        # Every word must occur; each is a quoted prefix, so no query syntax reaches FTS5.
        return {"expression": " ".join(f'"{term}"*' for term in terms),
                "titles": " ".join(f'title : "{term}"*' for term in terms)}

    def matches(self) -> sa.Subquery:
        return (
            sa.select(self.FTS.c.rowid.label("item_id"),
                      sa.literal_column("bm25(items_fts, 10.0, 1.0)").label("rank"))
            .select_from(self.FTS)
            .where(sa.literal_column("items_fts").op("MATCH")(sa.bindparam("expression")))
            .subquery("matches")
        )

    def public_matches(self, with_terms: bool) -> sa.Subquery:
        if not with_terms:
            return super().public_matches(with_terms)
        # SQLite's planner looks each match up by rowid in the table, reading whole rows; the
        # narrow index of migration 0008 holds every column needed, at half the cost. SQLAlchemy
        # cannot say INDEXED BY, hence the text.
        return sa.text(
            "SELECT items.collection_id, items.date_earliest, items.needs_help, "
            "items.help_solved_at FROM items_fts "
            "JOIN items INDEXED BY ix_items_search_facets ON items.id = items_fts.rowid "
            "WHERE items_fts MATCH :expression AND items.withdrawn_at IS NULL LIMIT :limit"
        ).columns(*(Item.__table__.c[name] for name in FACET_COLUMNS)).subquery("matched")

    def best(self) -> sa.Subquery:
        # FTS5 works out BM25 for every match before keeping the best: a word found in many
        # thousand items costs a millisecond per thousand. A title weighs ten times the rest of
        # the text, so an item whose title holds every word outranks any whose title does not
        # (short of a title ten times longer than usual). When at least ``:limit`` titles hold
        # every word, the best are among them, and only they are ranked, by the same BM25;
        # otherwise every match is. The unary + keeps the planner from looking each titled item
        # up in the index one by one.
        return sa.text(
            "SELECT rowid AS item_id, bm25(items_fts, 10.0, 1.0) AS rank FROM items_fts "
            "WHERE items_fts MATCH :expression AND ("
            "(SELECT count(*) FROM items_fts WHERE items_fts MATCH :titles) < :limit "
            "OR +rowid IN (SELECT rowid FROM items_fts WHERE items_fts MATCH :titles)) "
            "ORDER BY rank, rowid DESC LIMIT :limit"
        ).columns(item_id=sa.Integer, rank=sa.Float).subquery("best")


# A tsvector column kept by a trigger (migration 0008), with a GIN index: matching and ranking
# both read the stored vector. It is not in the models: only PostgreSQL has it.
PG_VECTOR = "items.search_vector"


class PostgresBackend(SearchBackend):
    name = "postgresql"

    def params(self, terms: list[str]) -> dict[str, str]:
        return {"expression": " & ".join(f"{term}:*" for term in terms)}

    @staticmethod
    def _query() -> sa.ColumnElement:
        return sa.func.to_tsquery(sa.literal_column("'english'::regconfig"),
                                  sa.bindparam("expression", type_=sa.String))

    def matches(self) -> sa.Subquery:
        query, vector = self._query(), sa.literal_column(PG_VECTOR)
        return (
            sa.select(Item.id.label("item_id"),
                      (-sa.func.ts_rank_cd(vector, query)).label("rank"))
            .where(vector.op("@@")(query)).subquery("matches")
        )

    def matching(self) -> sa.ColumnElement[bool]:
        return sa.literal_column(PG_VECTOR).op("@@")(self._query())


def backend_for(dialect_name: str) -> SearchBackend:
    if dialect_name == "sqlite":
        return SQLiteBackend()
    if dialect_name == "postgresql":
        return PostgresBackend()
    raise LookupError(f"no search backend for {dialect_name}")
