"""Search, pot luck and most viewed: the queries behind the search pages."""

from __future__ import annotations

import functools
import re
import secrets
from dataclasses import dataclass, field
from typing import Any, NamedTuple, cast

import sqlalchemy as sa
from flask_babel import gettext
from markupsafe import Markup, escape

from archive.extensions import db
from archive.models import Collection, Image, Institution, Item
from archive.queries import IN_PUBLIC_VIEW
from archive.search.backends import backend_for, limit_param, prefix_of, query_terms

SNIPPET_CHARS = 240
# A search ranks at most this many matches, the first the index finds (all of them when there
# are no more), and shows those: ranking every match of a common word, or reading 10,000 pages
# deep, cost a single request 20 to 50 times an ordinary search. Pages go as deep as they fill.
MAX_RESULTS = 1000


def deepest_page(per_page: int) -> int:
    """The last page a visitor may ask for: it shows the last of MAX_RESULTS results."""
    return max(1, -(-MAX_RESULTS // per_page))


@dataclass(frozen=True)
class Filters:
    collection: str | None = None  # collection slug
    institution: str | None = None  # institution slug
    decade: int | None = None  # e.g. 1930
    needs_help: bool = False  # only open questions
    solved: bool = False  # only questions the public's notes answered


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
    whole: str | None = None  # the last word, searched whole: as a prefix it found too many

    @property
    def max_results(self) -> int:
        return MAX_RESULTS

    @property
    def cut(self) -> bool:
        """Whether this is the last page a search shows, with more matches left unshown."""
        return self.total.capped and self.page >= deepest_page(self.per_page)

    @property
    def pages(self) -> int:
        pages = max(1, -(-self.total // self.per_page))
        if self.total.capped and self.more:
            pages = max(pages, self.page + 1)
        return min(pages, deepest_page(self.per_page))


# --- statements: built once for each shape of query, run with the query's values ------------
#
# Building a statement and working out its cache key cost SQLAlchemy more than running it did
# (about a millisecond a search). Each statement below depends only on the database and on which
# filters are set: it is built on first use and kept, and every search passes its own values as
# named parameters (the backend's ``params``, plus :slug, :decade, :limit, :offset, :ids).


class _Shape(NamedTuple):
    dialect: str
    with_terms: bool
    collection: bool
    decade: bool
    needs_help: bool
    institution: bool = False
    solved: bool = False


def _shape(terms: list[str], filters: Filters) -> _Shape:
    return _Shape(db.engine.dialect.name, bool(terms), bool(filters.collection),
                  filters.decade is not None, filters.needs_help, bool(filters.institution),
                  filters.solved)


def common_words(terms: list[str]) -> frozenset[str]:
    """The terms that find at least MAX_RESULTS items each, counted through the index up to
    there (the last as a prefix when it may be one): searched as whole words, and not weighed
    in the ranking (``backends``)."""
    if not terms:
        return frozenset()
    backend = backend_for(db.engine.dialect.name)
    rows = db.session.connection().execute(backend.word_counts(len(terms)),
                                           {**backend.word_values(terms), "cap": MAX_RESULTS})
    return frozenset(terms[n] for n, count in rows if count >= MAX_RESULTS)


def _values(terms: list[str], filters: Filters, **more) -> dict:
    return {"slug": filters.collection, "institution": filters.institution,
            "decade": filters.decade, "cap": MAX_RESULTS, **more}


def _institution_collections() -> sa.Select:
    """The ids of the collections of the institution named by :institution."""
    collections, institutions = Collection.__table__, Institution.__table__
    return (sa.select(collections.c.id)
            .join(institutions, institutions.c.id == collections.c.institution_id)
            .where(institutions.c.slug == sa.bindparam("institution", type_=sa.String)))


def _slug_id() -> sa.ScalarSelect:
    collections = Collection.__table__
    return (sa.select(collections.c.id)
            .where(collections.c.slug == sa.bindparam("slug", type_=sa.String))
            .scalar_subquery())


def _decade() -> sa.BindParameter:
    return sa.bindparam("decade", type_=sa.Integer)


@functools.lru_cache(maxsize=64)
def _page_statement(shape: _Shape) -> sa.Select:
    """One page of public matches in rank order (newest first without words): the filtered
    search, for :limit ids from :offset, among the first :cap matches."""
    items = Item.__table__
    query = sa.select(items.c.id).where(IN_PUBLIC_VIEW)
    if shape.with_terms:
        matches = backend_for(shape.dialect).matches()
        query = query.join(matches, matches.c.item_id == items.c.id).order_by(
            matches.c.tier, matches.c.rank, items.c.id.desc())
    else:
        # Newest first: ids are given in the order items are added. (Sorting by created_at,
        # which no index of the whole table holds, read and sorted every item.)
        query = query.order_by(items.c.id.desc())
    if shape.collection:
        query = query.where(items.c.collection_id == _slug_id())
    if shape.institution:
        query = query.where(items.c.collection_id.in_(_institution_collections()))
    if shape.decade:
        query = query.where(items.c.date_earliest >= _decade(),
                            items.c.date_earliest < _decade() + 10)
    if shape.needs_help:
        query = query.where(items.c.needs_help.is_(True), items.c.help_solved_at.is_(None))
    if shape.solved:
        query = query.where(items.c.needs_help.is_(True), items.c.help_solved_at.is_not(None))
    return query.limit(limit_param()).offset(
        sa.bindparam("offset", type_=sa.Integer))


# --- counts and facets: counted in the database, over at most FACET_LIMIT + 1 matches --------
#
# Reading every match into Python, or ranking every match only to count it, made a search cost
# grow with the archive. The counts come instead from one query over at most FACET_LIMIT + 1
# public matches, found through the full-text index without ranking them; it answers a handful
# of rows: the total, and each facet's counts over the matches the other facets' choices keep.
# When there are no more matches than that, every count is exact; otherwise they count the
# matches read and say so ("1000+"): each is then a true lower bound. The page of results is
# read on its own, ranked inside the full-text index, with the filters applied in SQL.

FACET_LIMIT = 1000

# What each row of the counting query counts.
_ALL, _TOTAL, _HELP, _COLLECTION, _DECADE, _INSTITUTION, _SOLVED = range(7)


@functools.lru_cache(maxsize=64)
def _counts_statement(shape: _Shape) -> sa.CompoundSelect:
    """Rows of (kind, key, count, slug, title) of the collection or institution counted."""
    collections, institutions = Collection.__table__, Institution.__table__
    found = backend_for(shape.dialect).public_matches(shape.with_terms)
    matched = sa.select(
        found.c.collection_id,
        (found.c.date_earliest - found.c.date_earliest % 10).label("decade"),
        sa.case((sa.and_(found.c.needs_help.is_(True), found.c.help_solved_at.is_(None)), 1),
                else_=0).label("open"),
        sa.case((sa.and_(found.c.needs_help.is_(True), found.c.help_solved_at.is_not(None)),
                 1), else_=0).label("solved"),
    ).cte("matched")  # read once, counted several ways
    in_collection = matched.c.collection_id == _slug_id() if shape.collection else sa.true()
    if shape.institution:
        in_collection = sa.and_(in_collection,
                                matched.c.collection_id.in_(_institution_collections()))
    in_decade = matched.c.decade == _decade() if shape.decade else sa.true()
    open_question = matched.c.open == 1
    solved_question = matched.c.solved == 1
    helping = (open_question if shape.needs_help
               else solved_question if shape.solved else sa.true())

    def kind(value: int):
        return sa.literal_column(str(value), sa.Integer)

    n = sa.func.count().label("n")
    # Typed: PostgreSQL would take a bare NULL in the first rows for text.
    no_key = sa.cast(sa.null(), sa.Integer).label("key")
    no_text = sa.cast(sa.null(), sa.String).label("slug")
    per_collection = (sa.select(matched.c.collection_id, n).where(in_decade, helping)
                      .group_by(matched.c.collection_id).subquery("per_collection"))
    # The collection facet shows the chosen institution's collections; the institution facet
    # counts every institution's (narrowed by the decade and help choices only).
    collection_choices = (collections.c.id.in_(_institution_collections()) if shape.institution
                          else sa.true())
    return sa.union_all(
        sa.select(kind(_ALL), no_key, n, no_text, no_text).select_from(matched),
        sa.select(kind(_TOTAL), no_key, n, no_text, no_text).select_from(matched)
        .where(in_collection, in_decade, helping),
        sa.select(kind(_HELP), no_key, n, no_text, no_text).select_from(matched)
        .where(in_collection, in_decade, open_question),
        sa.select(kind(_SOLVED), no_key, n, no_text, no_text).select_from(matched)
        .where(in_collection, in_decade, solved_question),
        sa.select(kind(_COLLECTION), per_collection.c.collection_id, per_collection.c.n,
                  collections.c.slug, collections.c.title)
        .join(collections, collections.c.id == per_collection.c.collection_id)
        .where(collection_choices),
        sa.select(kind(_INSTITUTION), institutions.c.id, sa.func.sum(per_collection.c.n),
                  institutions.c.slug, institutions.c.name)
        .select_from(per_collection)
        .join(collections, collections.c.id == per_collection.c.collection_id)
        .join(institutions, institutions.c.id == collections.c.institution_id)
        .group_by(institutions.c.id, institutions.c.slug, institutions.c.name),
        sa.select(kind(_DECADE), matched.c.decade, n, no_text, no_text)
        .where(in_collection, helping, matched.c.decade.is_not(None))
        .group_by(matched.c.decade),
    )


def _counts(terms: list[str], filters: Filters,
            words: dict) -> tuple[Count, dict[str, list[FacetValue]]]:
    """The number of results, and each facet's values counted over the matches narrowed by
    the other facets' choices. ``words``: the backend's values for ``terms``."""
    rows = db.session.connection().execute(
        _counts_statement(_shape(terms, filters)),
        _values(terms, filters, limit=FACET_LIMIT + 1, **words)).all()
    capped = any(kind == _ALL and n > FACET_LIMIT for kind, _key, n, *_ in rows)

    def count(n: int) -> Count:
        return Count(min(n, FACET_LIMIT), True) if capped else Count(n)

    total, helped, solved = Count(0), 0, 0
    collections, decades, institutions = [], [], []
    for kind, key, n, slug, title in rows:
        if kind == _TOTAL:
            total = count(n)
        elif kind == _HELP:
            helped = n
        elif kind == _SOLVED:
            solved = n
        elif kind == _COLLECTION:
            collections.append(FacetValue(slug, title, count(n), slug == filters.collection))
        elif kind == _DECADE:
            decades.append(FacetValue(str(key), gettext("%(decade)ds", decade=key), count(n),
                                      key == filters.decade))
        elif kind == _INSTITUTION:
            institutions.append(FacetValue(slug, title, count(int(n)),
                                           slug == filters.institution))
    return total, {
        "collection": sorted(collections, key=lambda f: (f.label, f.value)),
        # Shown when the site has several institutions to tell apart.
        "institution": sorted(institutions, key=lambda f: (f.label, f.value)),
        "decade": sorted(decades, key=lambda f: int(f.value)),
        # Open questions ("help=1") and answered ones ("solved=1"), each shown when it has any.
        "needs_help": [value for value, n in (
            (FacetValue("open", gettext("Can you help?"), count(helped), filters.needs_help),
             helped),
            (FacetValue("solved", gettext("Solved with your help"), count(solved),
                        filters.solved), solved),
        ) if n],
    }


def _page_ids(terms: list[str], filters: Filters, first: int, per_page: int,
              words: dict) -> list[int]:
    """The ids of one page of results in rank order (newest first without words), and the id
    after them if there is one."""
    return list(db.session.connection().execute(
        _page_statement(_shape(terms, filters)),
        _values(terms, filters, limit=per_page + 1, offset=first, **words)).scalars())


def search(text: str, filters: Filters, *, page: int = 1, per_page: int = 24) -> SearchResults:
    terms = query_terms(text)
    page = min(max(page, 1), deepest_page(per_page))
    common = common_words(terms)
    words = backend_for(db.engine.dialect.name).params(terms, common) if terms else {}
    total, facets = _counts(terms, filters, words)
    first = (page - 1) * per_page
    ids = _page_ids(terms, filters, first, per_page, words)
    more, ids = len(ids) > per_page and page < deepest_page(per_page), ids[:per_page]
    if total.capped and total < first + len(ids):
        # The capped count covers the first matches read, unranked; with a filter it may
        # find fewer than the page shows: never say "at least" fewer than that.
        total = Count(first + len(ids), capped=True)
    prefix = prefix_of(terms, common)
    return SearchResults(query=text, terms=terms, filters=filters,
                         hits=_hits(ids, terms, prefix), total=total, page=page,
                         per_page=per_page, facets=facets, more=more,
                         whole=terms[-1] if prefix is None and prefix_of(terms) else None)


# --- highlighting ----------------------------------------------------------------------------


def _term_pattern(terms: list[str], prefix: str | None) -> re.Pattern | None:
    return _compiled_pattern(tuple(terms), prefix) if terms else None


@functools.lru_cache(maxsize=256)
def _compiled_pattern(terms: tuple[str, ...], prefix: str | None) -> re.Pattern:
    """Built once per query, not three times per hit."""
    # As the search found them: words starting with the prefix, the other terms whole.
    alternatives = "|".join(re.escape(t) + (r"\w*" if t == prefix else r"\b")
                            for t in sorted(terms, key=len, reverse=True))
    return re.compile(rf"\b(?:{alternatives})", re.IGNORECASE | re.UNICODE)


def highlight(text: str, terms: list[str], prefix: str | None = None) -> Markup:
    """``text`` escaped, then the words a search term matches (``prefix`` too the words it
    starts) wrapped in ``<mark>``."""
    pattern = _term_pattern(terms, prefix)
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


FIELD_SEPARATOR = " · "


def snippet(text: str, terms: list[str], width: int = SNIPPET_CHARS,
            prefix: str | None = None) -> str:
    """A window of ``text`` around the first matched word, cut at word boundaries.

    The document's fields (and the lines within one) are kept apart by " · ", so that a date,
    a place and a name do not run together into one phrase.
    """
    text = FIELD_SEPARATOR.join(" ".join(line.split()) for line in text.splitlines()
                                if line.strip())
    pattern = _term_pattern(terms, prefix)
    match = pattern.search(text) if pattern else None
    if len(text) <= width:
        return text
    start = 0 if match is None else max(0, match.start() - width // 3)
    if start and match is not None:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < match.start() else start
    end = min(len(text), start + width)
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > start else end
    window = text[start:end].strip(" ·")  # never a separator left hanging at a cut
    return ("… " if start else "") + window + (" …" if end < len(text) else "")


@functools.lru_cache(maxsize=1)
def _hit_statements() -> tuple[sa.Select, sa.Select]:
    """What results show of the items :ids, and their images (first image last)."""
    items, collections, images = Item.__table__, Collection.__table__, Image.__table__
    ids: sa.BindParameter[Any] = sa.bindparam("ids", expanding=True)
    return (
        sa.select(items.c.id, items.c.identifier, items.c.title, items.c.date_text,
                  items.c.place, items.c.needs_help, items.c.help_solved_at,
                  sa.func.coalesce(sa.func.nullif(items.c.search_document, ""),
                                   items.c.description, ""),
                  collections.c.title)
        .join(collections, collections.c.id == items.c.collection_id)
        .where(items.c.id.in_(ids)),
        sa.select(images.c.item_id, images.c.thumb_path, images.c.display_path,
                  images.c.width, images.c.height)
        .where(images.c.item_id.in_(ids)).order_by(images.c.position.desc()),
    )


def _hits(ids: list[int], terms: list[str], prefix: str | None = None) -> list[Hit]:
    """The results for ``ids``, in that order: two plain queries, no ORM objects."""
    if not ids:
        return []
    connection = db.session.connection()
    item_rows, image_rows = _hit_statements()
    by_id = {row[0]: row for row in connection.execute(item_rows, {"ids": ids})}
    pictures: dict[int, HitImage] = {}
    for item_id, *image in connection.execute(image_rows, {"ids": ids}):
        pictures[item_id] = HitImage(*image)  # the lowest position is kept: the first image
    hits = []
    for item_id in ids:
        if item_id not in by_id:
            continue
        (_, identifier, title, date_text, place, needs_help, solved_at, body,
         collection) = by_id[item_id]
        item = HitItem(identifier, title, date_text, place, HitCollection(collection),
                       bool(needs_help), solved_at is not None, pictures.get(item_id))
        # The document repeats the title first; the snippet is taken from what follows it.
        if body.startswith(title):
            body = body[len(title):]
        hits.append(Hit(item=item, title=highlight(title, terms, prefix),
                        snippet=highlight(snippet(body, terms, prefix=prefix), terms, prefix)))
    return hits


# --- pot luck and most viewed ----------------------------------------------------------------


def random_item() -> Item | None:
    """One public item chosen at random, without scanning the table (a random id, then seek)."""
    bounds = db.session.execute(sa.select(sa.func.min(Item.id), sa.func.max(Item.id))
                                .where(IN_PUBLIC_VIEW)).one()
    if bounds[0] is None:
        return None
    pick = bounds[0] + secrets.randbelow(bounds[1] - bounds[0] + 1)
    query = sa.select(Item).where(IN_PUBLIC_VIEW)
    return (db.session.scalar(query.where(Item.id >= pick).order_by(Item.id).limit(1))
            or db.session.scalar(query.where(Item.id < pick).order_by(Item.id.desc()).limit(1)))


def most_viewed(limit: int = 24) -> list[Item]:
    return list(db.session.scalars(
        sa.select(Item).where(IN_PUBLIC_VIEW, Item.view_count > 0)
        .order_by(Item.view_count.desc(), Item.id.asc()).limit(limit)))


def count_view(item_id: int) -> None:
    """One cheap UPDATE; the caller commits."""
    table = cast(sa.Table, Item.__table__)  # typed FromClause; a mapped class's is a Table
    # updated_at is set to itself: a view is not an edit (it would otherwise fire onupdate).
    db.session.execute(
        sa.update(table).where(table.c.id == item_id)
        .values(view_count=table.c.view_count + 1, updated_at=table.c.updated_at))
