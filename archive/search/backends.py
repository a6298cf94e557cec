"""One search interface, two engines: SQLite FTS5 and PostgreSQL full-text search.

A backend turns the visitor's words into the values of its query (``params``), and gives the
selectables that use them: ``(item_id, tier, rank)`` rows (``matches``) in order of tier, then
rank, lower first — tier 0 for the items whose title holds every word, 1 for the rest, rank by
relevance — and public matches found through the index without ranking them, for counting
(``public_matches``). Each reads a bounded number of matches, the first the index finds
(``:cap``, ``:limit``): a word found in most of the archive costs what a thousand matches cost,
not what all of them would.
The selectables take their values as named parameters (``:expression``, ``:limit``…), so the
statements built on them are built once and reused for every query. Everything else (facets,
paging) is shared in ``services``.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Collection
from typing import Any

import sqlalchemy as sa

from archive.models import Item
from archive.queries import IN_PUBLIC_VIEW

WORD = re.compile(r"\w+", re.UNICODE)
# What one query may ask of the index. Each word is a list of items to read and intersect, and a
# prefix ("mill…") is one list per indexed word it starts: a query of many one-letter prefixes
# read most of the index (1.3 to 1.6 s at 100,000 items), eight 3-letter ones still 51 times an
# ordinary query. Words beyond the first MAX_TERMS are left out, and only the last word, of at
# least MIN_PREFIX letters, is a prefix (``prefix_of``).
MAX_TERMS = 8
MIN_PREFIX = 4
FACET_COLUMNS = ("collection_id", "date_earliest", "needs_help", "help_solved_at")


def query_terms(text: str) -> list[str]:
    """The words of a query, lower-cased, without operators: safe to hand to either engine."""
    seen: list[str] = []
    for word in WORD.findall(text or ""):
        word = word.casefold()
        if word not in seen:
            seen.append(word)
    return seen[:MAX_TERMS]


def prefix_of(terms: list[str], common: Collection[str] = ()) -> str | None:
    """The one word of a query that also finds the longer words it starts ("tram" finds
    "trams"): its last, as a visitor is typing it, when it is long enough and does not find
    ``:cap`` items or more (``common``): it would find more than a search shows anyway.

    A prefix is read as one list of matches per indexed word it starts, every one of them
    gathered before the first match is returned (FTS5), so one is all a query may hold."""
    if terms and len(terms[-1]) >= MIN_PREFIX and terms[-1] not in common:
        return terms[-1]
    return None


def limit_param() -> sa.BindParameter:
    return sa.bindparam("limit", type_=sa.Integer)


def cap_param() -> sa.BindParameter:
    """How many matches a query ranks at most: the first the index finds."""
    return sa.bindparam("cap", type_=sa.Integer)


class SearchBackend:
    name = "base"

    def params(self, terms: list[str],
               common: Collection[str] = ()) -> dict[str, str]:  # pragma: no cover
        """The values of the named parameters the selectables below use, for ``terms``, of
        which ``common`` were found to be words of at least ``:cap`` items each."""
        raise NotImplementedError

    @staticmethod
    def word_counts(size: int) -> sa.TextClause:  # pragma: no cover - interface
        """One row ``(n, count)`` for each of ``:word0`` … ``:word{size-1}`` (``word_values``):
        how many items it finds, counted up to ``:cap`` through the index (cheap for a whole
        word: the index stops there; a prefix is gathered once)."""
        raise NotImplementedError

    def word_values(self, terms: list[str]) -> dict[str, str]:  # pragma: no cover
        """Each term as a whole word, but the one that may be a prefix (``prefix_of``) as one:
        a prefix that finds ``:cap`` items or more is searched as a whole word."""
        raise NotImplementedError

    def matches(self) -> sa.Subquery:  # pragma: no cover - interface
        """The first ``:cap`` items the index finds matching ``:expression`` (every match when
        there are no more), withdrawn ones included, with their tier (0 when the title holds
        every word, ``:titles``) and rank: only they are ranked."""
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


class SQLiteBackend(SearchBackend):
    """FTS5 table ``items_fts`` (title, search_document) kept by triggers; BM25 ranking."""

    name = "sqlite"

    FTS = sa.table("items_fts", sa.column("rowid"))

    def params(self, terms: list[str], common: Collection[str] = ()) -> dict[str, str]:
        # Every word must occur; each is quoted, so no query syntax reaches FTS5 (a term is
        # made of word characters only: no quote to escape); long enough ones are prefixes.
        prefix = prefix_of(terms, common)
        words = {term: f'"{term}"*' if term == prefix else f'"{term}"' for term in terms}
        # BM25 weighs the words by how rare they are: to do so FTS5 first reads every match of
        # each word, the whole archive for a common one, whose weight comes out nearly nil
        # anyway. Only the rarer words are ranked ('""' finds nothing: no rank, ties by date).
        rare = [words[term] for term in terms if term not in common]
        return {"expression": " ".join(words.values()),
                "titles": " ".join(f"title : {word}" for word in words.values()),
                "ranking": " OR ".join(rare) or '""'}

    @staticmethod
    @functools.cache
    def word_counts(size: int) -> sa.TextClause:
        # Only numbers are put in the text.
        return sa.text(" UNION ALL ".join(
            f"SELECT {n}, count(*) FROM (SELECT 1 FROM items_fts "  # noqa: S608
            f"WHERE items_fts MATCH :word{n} LIMIT :cap)" for n in range(size)))

    def word_values(self, terms: list[str]) -> dict[str, str]:
        prefix = prefix_of(terms)
        return {f"word{n}": f'"{term}"*' if term == prefix else f'"{term}"'
                for n, term in enumerate(terms)}

    def matches(self) -> sa.Subquery:
        # FTS5 finds matches in rowid order: the first :cap are those up to the :cap-th one's
        # rowid, a bound FTS5 applies itself while it reads. Only they are ranked, by their
        # rarer words (``params``), and the title matches are read up to the bound too.
        return sa.text(
            "WITH bound AS (SELECT max(rowid) AS last FROM "
            "(SELECT rowid FROM items_fts WHERE items_fts MATCH :expression LIMIT :cap)), "
            "ranked AS (SELECT rowid, bm25(items_fts, 10.0, 1.0) AS rank FROM items_fts "
            "WHERE items_fts MATCH :ranking AND rowid <= (SELECT last FROM bound)) "
            "SELECT found.rowid AS item_id, (+found.rowid NOT IN "
            "(SELECT rowid FROM items_fts WHERE items_fts MATCH :titles "
            "AND rowid <= (SELECT last FROM bound))) AS tier, "
            "coalesce(ranked.rank, 0) AS rank FROM items_fts AS found "
            "LEFT JOIN ranked ON ranked.rowid = found.rowid "
            "WHERE found.items_fts MATCH :expression AND found.rowid <= (SELECT last FROM bound)"
        ).columns(item_id=sa.Integer, tier=sa.Integer, rank=sa.Float).subquery("matches")

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


# A tsvector column kept by a trigger (migration 0008), with a GIN index: matching and ranking
# both read the stored vector. It is not in the models: only PostgreSQL has it.
PG_VECTOR = "items.search_vector"


class PostgresBackend(SearchBackend):
    name = "postgresql"

    def params(self, terms: list[str], common: Collection[str] = ()) -> dict[str, str]:
        # The title's words carry weight A (migration 0008): "word:*A" finds them there only.
        # The prefix is ":*"; the other words match whole words. (ts_rank_cd ranks each vector
        # on its own: ranking reads no other match.)
        prefix = prefix_of(terms, common)
        return {"expression": " & ".join(f"{term}:*" if term == prefix else term
                                         for term in terms),
                "titles": " & ".join(f"{term}:*A" if term == prefix else f"{term}:A"
                                     for term in terms)}

    @staticmethod
    @functools.cache
    def word_counts(size: int) -> sa.TextClause:
        # Only numbers and a constant are put in the text.
        return sa.text(" UNION ALL ".join(
            f"(SELECT {n}, count(*) FROM (SELECT 1 FROM items WHERE {PG_VECTOR} @@ "  # noqa: S608
            f"to_tsquery('english'::regconfig, :word{n}) LIMIT :cap) AS word{n})"
            for n in range(size)))

    def word_values(self, terms: list[str]) -> dict[str, str]:
        prefix = prefix_of(terms)
        return {f"word{n}": f"{term}:*" if term == prefix else term
                for n, term in enumerate(terms)}

    @staticmethod
    def _query(name: str = "expression") -> sa.ColumnElement:
        return sa.func.to_tsquery(sa.literal_column("'english'::regconfig"),
                                  sa.bindparam(name, type_=sa.String))

    def matches(self) -> sa.Subquery:
        # The first :cap matches the GIN index finds, then their vectors ranked: ranking every
        # match of a common word read and ranked most of the table.
        query = self._query()
        vector: sa.ColumnClause[Any] = sa.literal_column(PG_VECTOR)
        found = (sa.select(Item.id.label("item_id"), vector.label("vector"))
                 .where(vector.op("@@")(query)).limit(cap_param()).subquery("found"))
        return (
            sa.select(found.c.item_id,
                      sa.case((found.c.vector.op("@@")(self._query("titles")), 0), else_=1)
                      .label("tier"),
                      (-sa.func.ts_rank_cd(found.c.vector, query)).label("rank"))
            .subquery("matches")
        )

    def matching(self) -> sa.ColumnElement[bool]:
        return sa.literal_column(PG_VECTOR).op("@@")(self._query())


def backend_for(dialect_name: str) -> SearchBackend:
    if dialect_name == "sqlite":
        return SQLiteBackend()
    if dialect_name == "postgresql":
        return PostgresBackend()
    raise LookupError(f"no search backend for {dialect_name}")
