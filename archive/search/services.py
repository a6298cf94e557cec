"""Search, pot luck and most viewed: the queries behind the search pages."""

from __future__ import annotations

import functools
import re
import secrets
from dataclasses import dataclass, field
from typing import NamedTuple

import sqlalchemy as sa
from flask_babel import gettext
from markupsafe import Markup, escape

from archive.extensions import db
from archive.models import Collection, Image, Item
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


class HitImage(NamedTuple):
    thumb_path: str
    display_path: str
    width: int
    height: int


class HitCollection(NamedTuple):
    title: str


@dataclass(frozen=True)
class HitItem:
    """What a result shows of an item, read without building the item itself."""

    identifier: str
    title: str
    date_text: str | None
    place: str | None
    collection: HitCollection
    needs_help: bool
    help_solved: bool
    primary_image: HitImage | None


@dataclass(frozen=True)
class Hit:
    item: HitItem
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


# --- counts and facets: grouped in the database, over at most FACET_LIMIT matches ------------
#
# Reading every match into Python, or ranking every match only to count it, made a search cost
# grow with the archive. The counts come instead from one grouped query over at most
# FACET_LIMIT + 1 public matches, found through the full-text index without ranking them: a
# handful of rows (one per collection, decade and open question) comes back. When there are no
# more matches than that, the total and every facet count are exact; otherwise they count the
# matches read and say so ("1000+"): each is then a true lower bound. The page of results is
# read on its own, ranked inside the full-text index, with the filters applied in SQL.

FACET_LIMIT = 1000


class _Group(NamedTuple):
    collection: str  # slug
    decade: int | None
    needs_help: bool  # an open "Can you help?" question
    count: int


def _match_groups(terms: list[str]) -> tuple[list[_Group], dict[str, str], bool]:
    """Public matches counted by collection, decade and open question; the titles of their
    collections by slug; and whether more matches were left uncounted."""
    collections = Collection.__table__
    matched = backend_for(db.engine.dialect.name).public_matches(terms, FACET_LIMIT + 1)
    decade = (matched.c.date_earliest - matched.c.date_earliest % 10).label("decade")
    open_question = sa.and_(matched.c.needs_help.is_(True),
                            matched.c.help_solved_at.is_(None)).label("open")
    # Grouped first, then the few groups joined to their collections.
    grouped = (sa.select(matched.c.collection_id, decade, open_question,
                         sa.func.count().label("n"))
               .group_by(matched.c.collection_id, decade, open_question).subquery("grouped"))
    query = (sa.select(collections.c.slug, collections.c.title, grouped.c.decade,
                       grouped.c.open, grouped.c.n)
             .join(collections, collections.c.id == grouped.c.collection_id))
    rows = db.session.connection().execute(query).all()
    titles = {slug: title for slug, title, *_ in rows}
    groups = [_Group(slug, decade, bool(open_), n) for slug, _title, decade, open_, n in rows]
    return groups, titles, sum(g.count for g in groups) > FACET_LIMIT


def _narrowed(groups: list[_Group], filters: Filters, skip: str | None = None) -> list[_Group]:
    """The groups the filters keep (all but the ``skip`` one), as ``_filtered`` would."""
    collection = filters.collection if skip != "collection" else None
    decade = filters.decade if skip != "decade" else None
    needs_help = filters.needs_help and skip != "needs_help"
    return [g for g in groups
            if (not collection or g.collection == collection)
            and (decade is None or g.decade == decade)
            and (not needs_help or g.needs_help)]


def _count(groups: list[_Group], capped: bool) -> Count:
    """The number of matches in ``groups``; when capped, no more than the matches counted."""
    total = sum(g.count for g in groups)
    return Count(min(total, FACET_LIMIT), capped) if capped else Count(total)


def _page_ids(terms: list[str], filters: Filters, first: int, per_page: int) -> list[int]:
    """The ids of one page of results in rank order (newest first without words), and the id
    after them if there is one."""
    wanted = first + per_page + 1
    if terms and filters == Filters() and wanted <= FACET_LIMIT:
        # Ranked and cut inside the full-text index, without reading any item's row; good as
        # long as none of them is withdrawn (rare), else the query below skips those.
        best = backend_for(db.engine.dialect.name).best(terms, wanted)
        ranked = db.session.execute(
            sa.select(best.c.item_id, Item.withdrawn_at.is_(None))
            .join(Item, Item.id == best.c.item_id)
            .order_by(best.c.rank, best.c.item_id.desc())).all()
        if all(public for _, public in ranked):
            return [item_id for item_id, _ in ranked[first:]]
    ids_query, rank = _base(terms)
    order = (rank.asc(), Item.id.desc()) if rank is not None else (
        Item.created_at.desc(), Item.id.desc())
    return list(db.session.scalars(
        _filtered(ids_query, filters).order_by(*order).limit(per_page + 1).offset(first)))


def search(text: str, filters: Filters, *, page: int = 1, per_page: int = 24) -> SearchResults:
    terms = query_terms(text)
    page = min(max(page, 1), MAX_PAGE)
    groups, titles, capped = _match_groups(terms)
    ids = _page_ids(terms, filters, (page - 1) * per_page, per_page)
    more, ids = len(ids) > per_page, ids[:per_page]
    hits = _hits(ids, terms)
    return SearchResults(query=text, terms=terms, filters=filters, hits=hits,
                         total=_count(_narrowed(groups, filters), capped), page=page,
                         per_page=per_page, facets=_facets(groups, titles, filters, capped),
                         more=more)


def _facets(groups: list[_Group], titles: dict[str, str], filters: Filters,
            capped: bool) -> dict[str, list[FacetValue]]:
    """Counts for each facet, over the matches narrowed by the other facets' choices."""
    collections: dict[str, list[_Group]] = {}
    for g in _narrowed(groups, filters, "collection"):
        collections.setdefault(g.collection, []).append(g)
    decades: dict[int, list[_Group]] = {}
    for g in _narrowed(groups, filters, "decade"):
        if g.decade is not None:
            decades.setdefault(g.decade, []).append(g)
    helped = _count([g for g in _narrowed(groups, filters, "needs_help") if g.needs_help],
                    capped)
    return {
        "collection": [FacetValue(slug, titles[slug], _count(gs, capped),
                                  slug == filters.collection)
                       for slug, gs in sorted(collections.items(),
                                              key=lambda pair: (titles[pair[0]], pair[0]))],
        "decade": [FacetValue(str(d), f"{d}s", _count(gs, capped), d == filters.decade)
                   for d, gs in sorted(decades.items())],
        "needs_help": ([FacetValue("1", gettext("Can you help?"), helped, filters.needs_help)]
                       if helped else []),
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


def _hits(ids: list[int], terms: list[str]) -> list[Hit]:
    """The results for ``ids``, in that order: two plain queries, no ORM objects."""
    if not ids:
        return []
    items, collections, images = Item.__table__, Collection.__table__, Image.__table__
    rows = db.session.connection().execute(
        sa.select(items.c.id, items.c.identifier, items.c.title, items.c.date_text,
                  items.c.place, items.c.needs_help, items.c.help_solved_at,
                  items.c.search_document, items.c.description, collections.c.title)
        .join(collections, collections.c.id == items.c.collection_id)
        .where(items.c.id.in_(ids))).all()
    pictures: dict[int, HitImage] = {}
    for item_id, *image in db.session.connection().execute(
            sa.select(images.c.item_id, images.c.thumb_path, images.c.display_path,
                      images.c.width, images.c.height)
            .where(images.c.item_id.in_(ids)).order_by(images.c.position.desc())):
        pictures[item_id] = HitImage(*image)  # the lowest position is kept: the first image
    by_id = {row[0]: row for row in rows}
    hits = []
    for item_id in ids:
        if item_id not in by_id:
            continue
        (_, identifier, title, date_text, place, needs_help, solved_at, document, description,
         collection) = by_id[item_id]
        item = HitItem(identifier, title, date_text, place, HitCollection(collection),
                       bool(needs_help), solved_at is not None, pictures.get(item_id))
        # The document repeats the title first; the snippet is taken from what follows it.
        body = document or description or ""
        if body.startswith(title):
            body = body[len(title):]
        hits.append(Hit(item=item, title=highlight(title, terms),
                        snippet=highlight(snippet(body, terms), terms)))
    return hits


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
