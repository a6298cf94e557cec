"""One search interface, two engines: SQLite FTS5 and PostgreSQL full-text search.

A backend turns the visitor's words into the values of its query (``params``), and gives the
selectables that use them: ``(item_id, tier, rank)`` rows (``matches``, ``best``), in order of
tier, then rank, lower first — tier 0 for the items whose title holds every word, 1 for the
rest, rank by relevance — and public matches found through the index without ranking them, for
counting (``public_matches``). The selectables take their values as named parameters
(``:expression``, ``:limit``…), so the statements built on them are built once and reused for
every query. Everything else (facets, paging) is shared in ``services``.
"""

from __future__ import annotations

import re
from typing import Any

import sqlalchemy as sa

from archive.models import Item
from archive.queries import IN_PUBLIC_VIEW

WORD = re.compile(r"\w+", re.UNICODE)
# What one query may ask of the index. Each word is a list of items to read and intersect, and a
# prefix ("mi…") is one list per indexed word it starts: a query of many one-letter prefixes
# read most of the index (1.3 to 1.6 s at 100,000 items). Words beyond the first MAX_TERMS are
# left out, and a word shorter than MIN_PREFIX must match a whole word.
MAX_TERMS = 8
MIN_PREFIX = 3
FACET_COLUMNS = ("collection_id", "date_earliest", "needs_help", "help_solved_at")


def query_terms(text: str) -> list[str]:
    """The words of a query, lower-cased, without operators: safe to hand to either engine."""
    seen: list[str] = []
    for word in WORD.findall(text or ""):
        word = word.casefold()
        if word not in seen:
            seen.append(word)
    return seen[:MAX_TERMS]


def is_prefix(term: str) -> bool:
    """Whether ``term`` also finds the longer words it starts ("tram" finds "trams")."""
    return len(term) >= MIN_PREFIX


def limit_param() -> sa.BindParameter:
    return sa.bindparam("limit", type_=sa.Integer)


class SearchBackend:
    name = "base"

    def params(self, terms: list[str]) -> dict[str, str]:  # pragma: no cover - interface
        """The values of the named parameters the selectables below use, for ``terms``."""
        raise NotImplementedError

    def matches(self) -> sa.Subquery:  # pragma: no cover - interface
        """Every item matching ``:expression``, withdrawn ones included, with its tier (0 when
        its title holds every word, ``:titles``) and its rank."""
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
                 .where(IN_PUBLIC_VIEW))
        if with_terms:
            query = query.where(self.matching())
        return query.limit(limit_param()).subquery("found")

    def best(self) -> sa.Subquery:
        """The ``:limit`` best matches as ``(item_id, tier, rank)``, withdrawn items included,
        in order (ties: newest first)."""
        matches = self.matches()
        return (sa.select(matches.c.item_id, matches.c.tier, matches.c.rank)
                .order_by(matches.c.tier, matches.c.rank, matches.c.item_id.desc())
                .limit(limit_param()).subquery("best"))


class SQLiteBackend(SearchBackend):
    """FTS5 table ``items_fts`` (title, search_document) kept by triggers; BM25 ranking."""

    name = "sqlite"

    FTS = sa.table("items_fts", sa.column("rowid"))

    def params(self, terms: list[str]) -> dict[str, str]:
        # Every word must occur; each is quoted, so no query syntax reaches FTS5 (a term is
        # made of word characters only: no quote to escape); long enough ones are prefixes.
        words = [f'"{term}"*' if is_prefix(term) else f'"{term}"' for term in terms]
        return {"expression": " ".join(words),
                "titles": " ".join(f"title : {word}" for word in words)}

    @classmethod
    def _match(cls, name: str) -> sa.ColumnElement[bool]:
        return sa.literal_column("items_fts").op("MATCH")(sa.bindparam(name, type_=sa.String))

    @classmethod
    def _tier(cls) -> sa.ColumnElement[int]:
        """0 when the title holds every word. The unary + keeps the planner from looking each
        match up in the title matches one by one: they are read once."""
        titled = sa.select(cls.FTS.c.rowid).where(cls._match("titles")).correlate(None)
        return sa.cast(sa.literal_column("+items_fts.rowid").not_in(titled), sa.Integer)

    def matches(self) -> sa.Subquery:
        return (
            sa.select(self.FTS.c.rowid.label("item_id"), self._tier().label("tier"),
                      sa.literal_column("bm25(items_fts, 10.0, 1.0)").label("rank"))
            .select_from(self.FTS).where(self._match("expression")).subquery("matches")
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
        ).columns(*(Item.__table__.c[name] for name in FACET_COLUMNS)).subquery("found")

    def best(self) -> sa.Subquery:
        # FTS5 works out BM25 for every match before keeping the best: a word found in many
        # thousand items costs a millisecond per thousand. Items whose title holds every word
        # come first (tier 0): when there are at least ``:limit`` of them, the best are among
        # them, and only they are ranked; otherwise every match is.
        return sa.text(
            "SELECT rowid AS item_id, (+items_fts.rowid NOT IN "
            "(SELECT rowid FROM items_fts WHERE items_fts MATCH :titles)) AS tier, "
            "bm25(items_fts, 10.0, 1.0) AS rank FROM items_fts "
            "WHERE items_fts MATCH :expression AND ("
            "(SELECT count(*) FROM items_fts WHERE items_fts MATCH :titles) < :limit "
            "OR +rowid IN (SELECT rowid FROM items_fts WHERE items_fts MATCH :titles)) "
            "ORDER BY tier, rank, rowid DESC LIMIT :limit"
        ).columns(item_id=sa.Integer, tier=sa.Integer, rank=sa.Float).subquery("best")


# A tsvector column kept by a trigger (migration 0008), with a GIN index: matching and ranking
# both read the stored vector. It is not in the models: only PostgreSQL has it.
PG_VECTOR = "items.search_vector"


class PostgresBackend(SearchBackend):
    name = "postgresql"

    def params(self, terms: list[str]) -> dict[str, str]:
        # The title's words carry weight A (migration 0008): "word:*A" finds them there only.
        # Long enough words are prefixes (":*"); shorter ones match whole words.
        return {"expression": " & ".join(f"{term}:*" if is_prefix(term) else term
                                         for term in terms),
                "titles": " & ".join(f"{term}:*A" if is_prefix(term) else f"{term}:A"
                                     for term in terms)}

    @staticmethod
    def _query(name: str = "expression") -> sa.ColumnElement:
        return sa.func.to_tsquery(sa.literal_column("'english'::regconfig"),
                                  sa.bindparam(name, type_=sa.String))

    def matches(self) -> sa.Subquery:
        query = self._query()
        vector: sa.ColumnClause[Any] = sa.literal_column(PG_VECTOR)
        return (
            sa.select(Item.id.label("item_id"),
                      sa.case((vector.op("@@")(self._query("titles")), 0), else_=1)
                      .label("tier"),
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
