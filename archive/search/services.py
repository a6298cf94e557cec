"""Search, pot luck and most viewed: the queries behind the search pages."""

from __future__ import annotations

import functools
import re
import secrets
from collections import Counter
from dataclasses import dataclass, field
from typing import NamedTuple

import sqlalchemy as sa
from flask_babel import gettext
from markupsafe import Markup, escape

from archive.extensions import db
from archive.models import Collection, Item
from archive.search.backends import backend_for, query_terms

PUBLIC = Item.withdrawn_at.is_(None)
SNIPPET_CHARS = 240
MAX_PAGE = 10_000


@dataclass(frozen=True)
class Filters:
    collection: str | None = None  # collection slug
    decade: int | None = None  # e.g. 1930
    needs_help: bool = False


class Count(int):
    """A number of matches; ``capped`` when it counts only the best ones (shown as "1000+")."""

    capped: bool

    def __new__(cls, value: int, capped: bool = False) -> Count:
        count = super().__new__(cls, value)
        count.capped = capped
        return count

    def __str__(self) -> str:
        return f"{int(self)}+" if self.capped else str(int(self))

    def __repr__(self) -> str:
        return f"Count({int(self)}, capped={self.capped})"

    def __html__(self) -> str:
        return str(self)


@dataclass(frozen=True)
class FacetValue:
    value: str
    label: str
    count: Count
    selected: bool


@dataclass(frozen=True)
class Hit:
    item: Item
    title: Markup
    snippet: Markup


@dataclass
class SearchResults:
    query: str
    terms: list[str]
    filters: Filters
    hits: list[Hit]
    total: Count
    page: int
    per_page: int
    facets: dict[str, list[FacetValue]] = field(default_factory=dict)
    more: bool = False  # whether hits follow this page (known even when the total is capped)

    @property
    def pages(self) -> int:
        pages = max(1, -(-self.total // self.per_page))
        if self.total.capped and self.more:
            pages = max(pages, self.page + 1)
        return pages


def decade_of(year: int | None) -> int | None:
    return None if year is None else year - year % 10


def _filtered(query: sa.Select, filters: Filters, *, skip: str | None = None) -> sa.Select:
    if filters.collection and skip != "collection":
        query = query.join(Collection, Collection.id == Item.collection_id).where(
            Collection.slug == filters.collection)
    if filters.decade is not None and skip != "decade":
        query = query.where(Item.date_earliest >= filters.decade,
                            Item.date_earliest < filters.decade + 10)
    if filters.needs_help and skip != "needs_help":
        query = query.where(Item.needs_help.is_(True), Item.help_solved_at.is_(None))
    return query


def _base(terms: list[str]):
    """Public items matching every term, with their rank (None when there are no terms)."""
    if not terms:
        return sa.select(Item.id).where(PUBLIC), None
    matches = backend_for(db.engine.dialect.name).matches(terms)
    query = (sa.select(Item.id).join(matches, matches.c.item_id == Item.id).where(PUBLIC))
    return query, matches.c.rank


# --- the best matches: results, total and facets from one query --------------------------------
#
# Ranking every match and counting the facets over every match made a search cost grow with the
# archive. Instead one query reads the FACET_LIMIT best matches (ranked inside the full-text
# index, with the LIMIT pushed down to it) and the few columns the facets need. When there are
# no more matches than that, the total and the facet counts are exact; otherwise they count
# those best matches and say so ("1000+"). Pages beyond them are read from the database.

FACET_LIMIT = 1000


class _Candidate(NamedTuple):
    id: int
    collection: str  # slug
    decade: int | None
    needs_help: bool  # an open "Can you help?" question


def _best_matches(terms: list[str]) -> tuple[list[_Candidate], dict[str, str], bool]:
    """The best public matches in rank order, the titles of their collections by slug, and
    whether more matches were left uncounted. Plain Core rows: no ORM objects are built."""
    wanted = FACET_LIMIT + 1
    items, collections = Item.__table__, Collection.__table__
    decade = items.c.date_earliest - items.c.date_earliest % 10
    query = sa.select(
        items.c.id, collections.c.slug, decade,
        sa.and_(items.c.needs_help.is_(True), items.c.help_solved_at.is_(None)),
        items.c.withdrawn_at.is_(None), collections.c.title,
    ).select_from(items.join(collections, collections.c.id == items.c.collection_id))
    if terms:
        best = backend_for(db.engine.dialect.name).best(terms, wanted)
        query = query.join(best, best.c.item_id == items.c.id).order_by(best.c.rank,
                                                                       items.c.id.desc())
    else:
        query = (query.where(items.c.withdrawn_at.is_(None))
                 .order_by(items.c.created_at.desc(), items.c.id.desc()).limit(wanted))
    rows = db.session.connection().execute(query).all()
    titles: dict[str, str] = {}
    candidates = []
    for item_id, slug, item_decade, needs_help, public, title in rows[:FACET_LIMIT]:
        if public:
            titles[slug] = title
            candidates.append(_Candidate(item_id, slug, item_decade, bool(needs_help)))
    return candidates, titles, len(rows) > FACET_LIMIT


def _narrowed(candidates: list[_Candidate], filters: Filters,
              skip: str | None = None) -> list[_Candidate]:
    """The candidates the filters keep (all but the ``skip`` one), as ``_filtered`` would."""
    collection = filters.collection if skip != "collection" else None
    decade = filters.decade if skip != "decade" else None
    needs_help = filters.needs_help and skip != "needs_help"
    if not collection and decade is None and not needs_help:
        return candidates
    return [c for c in candidates
            if (not collection or c.collection == collection)
            and (decade is None or c.decade == decade)
            and (not needs_help or c.needs_help)]


def search(text: str, filters: Filters, *, page: int = 1, per_page: int = 24) -> SearchResults:
    terms = query_terms(text)
    page = min(max(page, 1), MAX_PAGE)
    candidates, titles, capped = _best_matches(terms)
    kept = _narrowed(candidates, filters)
    first = (page - 1) * per_page
    if first + per_page <= len(kept) or not capped:
        ids = [c.id for c in kept[first:first + per_page]]
        more = first + per_page < len(kept) or capped
    else:  # past the best matches: this page is read from the database
        ids_query, rank = _base(terms)
        order = (rank.asc(), Item.id.desc()) if rank is not None else (
            Item.created_at.desc(), Item.id.desc())
        ids = list(db.session.scalars(
            _filtered(ids_query, filters).order_by(*order).limit(per_page + 1).offset(first)))
        more, ids = len(ids) > per_page, ids[:per_page]
    by_id = {i.id: i for i in db.session.scalars(sa.select(Item).where(Item.id.in_(ids)))}
    hits = [_hit(by_id[i], terms) for i in ids if i in by_id]
    return SearchResults(query=text, terms=terms, filters=filters, hits=hits,
                         total=Count(len(kept), capped), page=page, per_page=per_page,
                         facets=_facets(candidates, titles, filters, capped), more=more)


def _facets(candidates: list[_Candidate], titles: dict[str, str], filters: Filters,
            capped: bool) -> dict[str, list[FacetValue]]:
    """Counts for each facet, over the matches narrowed by the other facets' choices."""
    collections = Counter(c.collection for c in _narrowed(candidates, filters, "collection"))
    decades = Counter(c.decade for c in _narrowed(candidates, filters, "decade")
                      if c.decade is not None)
    helped = sum(c.needs_help for c in _narrowed(candidates, filters, "needs_help"))
    return {
        "collection": [FacetValue(slug, titles[slug], Count(n, capped), slug == filters.collection)
                       for slug, n in sorted(collections.items(),
                                             key=lambda pair: (titles[pair[0]], pair[0]))],
        "decade": [FacetValue(str(d), f"{d}s", Count(n, capped), d == filters.decade)
                   for d, n in sorted(decades.items())],
        "needs_help": ([FacetValue("1", gettext("Can you help?"), Count(helped, capped),
                                   filters.needs_help)] if helped else []),
    }


# --- highlighting ----------------------------------------------------------------------------


def _term_pattern(terms: list[str]) -> re.Pattern | None:
    return _compiled_pattern(tuple(terms)) if terms else None


@functools.lru_cache(maxsize=256)
def _compiled_pattern(terms: tuple[str, ...]) -> re.Pattern:
    """Built once per query, not three times per hit."""
    alternatives = "|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True))
    return re.compile(rf"\b(?:{alternatives})\w*", re.IGNORECASE | re.UNICODE)


def highlight(text: str, terms: list[str]) -> Markup:
    """``text`` escaped, then the words starting with a search term wrapped in ``<mark>``."""
    pattern = _term_pattern(terms)
    if pattern is None:
        return escape(text)
    out: list[str] = []
    last = 0
    for match in pattern.finditer(text):
        out.append(str(escape(text[last:match.start()])))
        out.append(f"<mark>{escape(match.group(0))}</mark>")
        last = match.end()
    out.append(str(escape(text[last:])))
    return Markup("".join(out))  # noqa: S704 - every piece above was escaped


def snippet(text: str, terms: list[str], width: int = SNIPPET_CHARS) -> str:
    """A window of ``text`` around the first matched word, cut at word boundaries."""
    text = " ".join(text.split())
    pattern = _term_pattern(terms)
    match = pattern.search(text) if pattern else None
    if len(text) <= width:
        return text
    start = 0 if match is None else max(0, match.start() - width // 3)
    if start:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < match.start() else start
    end = min(len(text), start + width)
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > start else end
    return ("… " if start else "") + text[start:end] + (" …" if end < len(text) else "")


def _hit(item: Item, terms: list[str]) -> Hit:
    # The document repeats the title first; the snippet is taken from what follows it.
    body = item.search_document or item.description or ""
    if body.startswith(item.title):
        body = body[len(item.title):]
    return Hit(item=item, title=highlight(item.title, terms),
               snippet=highlight(snippet(body, terms), terms))


# --- pot luck and most viewed ----------------------------------------------------------------


def random_item() -> Item | None:
    """One public item chosen at random, without scanning the table (a random id, then seek)."""
    bounds = db.session.execute(sa.select(sa.func.min(Item.id), sa.func.max(Item.id))
                                .where(PUBLIC)).one()
    if bounds[0] is None:
        return None
    pick = bounds[0] + secrets.randbelow(bounds[1] - bounds[0] + 1)
    query = sa.select(Item).where(PUBLIC)
    return (db.session.scalar(query.where(Item.id >= pick).order_by(Item.id).limit(1))
            or db.session.scalar(query.where(Item.id < pick).order_by(Item.id.desc()).limit(1)))


def most_viewed(limit: int = 24) -> list[Item]:
    return list(db.session.scalars(
        sa.select(Item).where(PUBLIC, Item.view_count > 0)
        .order_by(Item.view_count.desc(), Item.id.asc()).limit(limit)))


def count_view(item_id: int) -> None:
    """One cheap UPDATE; the caller commits."""
    table = Item.__table__
    # updated_at is set to itself: a view is not an edit (it would otherwise fire onupdate).
    db.session.execute(
        sa.update(table).where(table.c.id == item_id)
        .values(view_count=table.c.view_count + 1, updated_at=table.c.updated_at))
