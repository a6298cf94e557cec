"""Approved notes as W3C Web Annotations, in IIIF manifests and as a paged collection.

Each approved note is a ``commenting`` annotation with a TextualBody (its public text), its
creator (the credit: a name the contributor chose to show, or "Anonymous contributor"), the
approval time as ``created`` and its licence as ``rights``. A note that names people adds a
second annotation: ``identifying`` when it points at a region of the photograph, ``tagging``
otherwise. A region becomes ``#xywh=`` in canvas pixels (in manifests) or a FragmentSelector
(in the standalone collection).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC
from urllib.parse import urlencode

import sqlalchemy as sa
from itsdangerous import BadSignature, URLSafeSerializer

from archive.extensions import db
from archive.harvesting.links import Links
from archive.harvesting.published import licence_url
from archive.models import Collection, Contribution, ContributionStatus, Image, Item
from archive.models.contribution import Region
from archive.queries import IN_PUBLIC_VIEW

ANNO_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
ANNO_MEDIA_TYPE = f'application/ld+json; profile="{ANNO_CONTEXT}"'
DEFAULT_PAGE_SIZE = 100


def placement(note: Contribution, images: list[Image]) -> tuple[int, Image | None,
                                                                  Region | None]:
    """Where a note's annotations go among its item's ``images`` (in order): the index of the
    image (the canvas) it is about, that image, and the box on it as the public sees it.

    A note without a box is about the item as a whole: its first canvas. A box names its
    image by the hash of its original (older boxes: the first image); when that image is no
    longer part of the record, the note stays on the first canvas, without its box.
    """
    if not images:
        return 0, None, None
    region = note.public_region
    if region is None:
        return 0, images[0], None
    if note.region_image is None:
        return 0, images[0], region
    for index, image in enumerate(images):
        if image.sha256 == note.region_image:
            return index, image, region
    return 0, images[0], None


def region_pixels(note: Contribution, width: int, height: int,
                  region: Region | None = None) -> tuple[int, int, int, int]:
    """The note's region (fractions of the image; the box the public sees, unless ``region``
    is given) in pixels of a ``width`` x ``height`` canvas."""
    region = region or note.public_region
    if region is None:
        raise ValueError(f"note {note.id} has no region")
    rx, ry, rw, rh = region.as_tuple()
    # Always at least a pixel, and inside the canvas, whatever an older row holds.
    x = min(max(round(rx * width), 0), width - 1)
    y = min(max(round(ry * height), 0), height - 1)
    w = max(1, min(round(rw * width), width - x))
    h = max(1, min(round(rh * height), height - y))
    return x, y, w, h


def _target(note: Contribution, target: str, width: int | None, height: int | None,
            region: Region | None, *, selector: bool) -> str | dict:
    if region is None or not width or not height:
        return target
    x, y, w, h = region_pixels(note, width, height, region)
    if not selector:
        return f"{target}#xywh={x},{y},{w},{h}"
    return {
        "type": "SpecificResource",
        "source": target,
        "selector": {"type": "FragmentSelector",
                     "conformsTo": "http://www.w3.org/TR/media-frags/",
                     "value": f"xywh={x},{y},{w},{h}"},
    }


def note_annotations(note: Contribution, links: Links, *, target: str,
                     width: int | None = None, height: int | None = None,
                     region: Region | None = None, language: str = "en",
                     selector: bool = False) -> list[dict]:
    """The annotations one approved note makes on ``target`` (a canvas, or the item's page):
    on ``region`` of it, when given (see :func:`placement`)."""
    common = {
        "creator": {"type": "Person", "name": note.credit},
        "created": note.decided_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        if note.decided_at else None,
    }
    rights = licence_url(note.licence)
    if rights:
        common["rights"] = rights
    # The institution that holds the photograph, and judged and published the note.
    institution = note.item.collection.institution
    common["dcterms:publisher"] = {"id": links.institution_page(institution.slug),
                                   "type": "Organization", "name": institution.name}
    common = {k: v for k, v in common.items() if v is not None}
    where = _target(note, target, width, height, region, selector=selector)
    annotations = [{
        "id": links.annotation(note.id),
        "type": "Annotation",
        "motivation": "commenting",
        "body": {"type": "TextualBody", "value": note.public_text, "language": language,
                 "format": "text/plain"},
        "target": where,
        **common,
    }]
    people = note.suggested_people.strip()
    if people:
        motivation = "identifying" if isinstance(where, dict) or "#xywh=" in where \
            else "tagging"
        annotations.append({
            "id": links.annotation(note.id, "people"),
            "type": "Annotation",
            "motivation": motivation,
            "body": {"type": "TextualBody", "value": people, "language": language,
                     "format": "text/plain", "purpose": motivation},
            "target": where,
            **common,
        })
    return annotations


# --- the collection of every approved note ----------------------------------------------------
#
# Pages are read by keyset (note id), never by OFFSET, and nothing is counted per page: each page
# link carries a signed cursor (like OAI-PMH resumption tokens) holding the id of the last note
# before the page, how many annotations come before it and the collection's totals, counted once
# when the collection document was made. A page therefore costs the same whatever its number.
# A page number without a valid cursor (typed, or bookmarked before the secret key changed) is
# still answered, by counting and seeking through the notes: correct, but slower far in.

CURSOR_SALT = "web-annotation-page-cursor"


@dataclass(frozen=True)
class Cursor:
    """Where a page starts, and the collection totals it reports."""

    collection_id: int | None
    page_size: int
    number: int
    after: int  # id of the last note before the page (0 for the first page)
    start: int  # annotations before the page (its startIndex)
    notes: int  # approved notes in the collection
    total: int  # annotations those notes make

    @property
    def last(self) -> int:
        return max(1, -(-self.notes // self.page_size))

    def to_token(self, secret_key: str) -> str:
        return URLSafeSerializer(secret_key, salt=CURSOR_SALT).dumps([
            self.collection_id, self.page_size, self.number, self.after, self.start,
            self.notes, self.total])

    @classmethod
    def from_token(cls, token: str, secret_key: str) -> Cursor | None:
        try:
            values = URLSafeSerializer(secret_key, salt=CURSOR_SALT).loads(token)
            collection_id, page_size, number, after, start, notes, total = values
            return cls(None if collection_id is None else int(collection_id), int(page_size),
                       int(number), int(after), int(start), int(notes), int(total))
        except (BadSignature, ValueError, TypeError):
            return None

    def moved(self, number: int, after: int, start: int) -> Cursor:
        return replace(self, number=number, after=after, start=start)


def _page_url(links: Links, cursor: Cursor, collection_slug: str | None,
              secret_key: str) -> str:
    url = links.annotation_page(cursor.number, collection_slug)
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}{urlencode({'cursor': cursor.to_token(secret_key)})}"


def _approved_in_public_view(collection_id: int | None, *, seek: bool = False):
    """The notes the collection holds. ``seek``: for a query that walks note ids in order."""
    approved = Contribution.status == ContributionStatus.APPROVED
    if seek:
        # An expression no index covers: a planner that took the status index would read every
        # approved note and sort them; walking the primary key from the cursor keeps pages cheap.
        status = sa.func.coalesce(sa.cast(Contribution.status, sa.String), "")
        approved = status == ContributionStatus.APPROVED.value
    conditions = [approved, IN_PUBLIC_VIEW]
    if collection_id is not None:
        conditions.append(Item.collection_id == collection_id)
    return conditions


_HAS_PEOPLE = sa.case((sa.func.length(sa.func.trim(Contribution.suggested_people)) > 0, 1),
                      else_=0)


def _count(conditions) -> tuple[int, int]:
    """How many notes, and how many annotations they make."""
    notes, with_people = db.session.execute(
        sa.select(sa.func.count(Contribution.id), sa.func.coalesce(sa.func.sum(_HAS_PEOPLE), 0))
        .join(Item, Item.id == Contribution.item_id)
        .where(*conditions)
    ).one()
    return int(notes), int(notes) + int(with_people)


def _notes_before(conditions, note_id: int | None, limit: int) -> list[tuple[int, int]]:
    """Up to ``limit`` notes at or before ``note_id`` (the very last notes when it is None),
    nearest first, each as (id, annotations it makes).

    A seek down the primary key: its cost depends on ``limit``, not on where ``note_id`` is.
    """
    query = (sa.select(Contribution.id, 1 + _HAS_PEOPLE)
             .join(Item, Item.id == Contribution.item_id)
             .where(*conditions).order_by(Contribution.id.desc()).limit(limit))
    if note_id is not None:
        query = query.where(Contribution.id <= note_id)
    return [(int(i), int(n)) for i, n in db.session.execute(query)]


def collection_id_for(slug: str | None) -> int | None:
    """The id of the collection a filter names; LookupError for an unknown one."""
    if not slug:
        return None
    collection_id = db.session.scalar(sa.select(Collection.id).where(Collection.slug == slug))
    if collection_id is None:
        raise LookupError(slug)
    return collection_id


def _first_cursor(collection_id: int | None, page_size: int) -> Cursor:
    """The first page's cursor, with the collection counted (the one count of a harvest)."""
    notes, total = _count(_approved_in_public_view(collection_id))
    return Cursor(collection_id, page_size, 1, 0, 0, notes, total)


def _last_cursor(first: Cursor) -> Cursor:
    """The last page's cursor, found from the end: it reads at most one page of ids."""
    if first.last == 1:
        return first
    on_last_page = first.notes - (first.last - 1) * first.page_size
    tail = _notes_before(_approved_in_public_view(first.collection_id, seek=True), None,
                         on_last_page + 1)
    if len(tail) <= on_last_page:  # fewer notes than counted: changed since
        return first
    return first.moved(first.last, tail[on_last_page][0],
                       max(0, first.total - sum(n for _, n in tail[:on_last_page])))


def annotation_collection(links: Links, *, collection_slug: str | None, archive_name: str,
                          secret_key: str, page_size: int = DEFAULT_PAGE_SIZE) -> dict:
    first = _first_cursor(collection_id_for(collection_slug), page_size)
    label = f"Notes from the public: {archive_name}"
    if collection_slug:
        label += f" ({collection_slug})"
    document = {
        "@context": ANNO_CONTEXT,
        "id": links.annotation_collection(collection_slug),
        "type": "AnnotationCollection",
        "label": label,
        "total": first.total,
    }
    if first.total:
        document["first"] = _page_url(links, first, collection_slug, secret_key)
        document["last"] = _page_url(links, _last_cursor(first), collection_slug, secret_key)
    return document


def _cursor_for_number(collection_id: int | None, number: int, page_size: int) -> Cursor | None:
    """A page's cursor from its number alone: counts and seeks, so it slows with the number."""
    first = _first_cursor(collection_id, page_size)
    if number < 1 or number > first.last:
        return None
    if number == 1:
        return first
    conditions = _approved_in_public_view(collection_id, seek=True)
    after = db.session.scalar(
        sa.select(Contribution.id).join(Item, Item.id == Contribution.item_id)
        .where(*conditions).order_by(Contribution.id)
        .offset((number - 1) * page_size - 1).limit(1))
    if after is None:
        return None
    _, start = _count([*conditions, Contribution.id <= after])
    return first.moved(number, after, start)


def annotation_page(links: Links, number: int, *, collection_slug: str | None,
                    language: str, secret_key: str, cursor: str | None = None,
                    page_size: int = DEFAULT_PAGE_SIZE) -> dict | None:
    """One page of the collection, or None past its last page.

    ``cursor`` is the token a page link carries; without it (or with one that is not valid
    for this page) the page is found from its number, the slow way.
    """
    collection_id = collection_id_for(collection_slug)
    position = Cursor.from_token(cursor, secret_key) if cursor else None
    if position is not None and (position.collection_id, position.page_size,
                                 position.number) != (collection_id, page_size, number):
        position = None
    if position is None:
        position = _cursor_for_number(collection_id, number, page_size)
        if position is None:
            return None
    conditions = _approved_in_public_view(collection_id, seek=True)
    notes = list(db.session.scalars(
        sa.select(Contribution).join(Item, Item.id == Contribution.item_id)
        .options(sa.orm.contains_eager(Contribution.item).joinedload(Item.collection))
        .where(*conditions, Contribution.id > position.after)
        .order_by(Contribution.id)
        .limit(page_size + 1)
    ))
    more = len(notes) > page_size
    notes = notes[:page_size]
    if not notes and number > 1:
        return None
    item_images = _images_of([n.item_id for n in notes])
    items = []
    for note in notes:
        items += _on_its_canvas(note, item_images.get(note.item_id, []), links, language)
    page = {
        "@context": ANNO_CONTEXT,
        "id": links.annotation_page(number, collection_slug),
        "type": "AnnotationPage",
        "partOf": {"id": links.annotation_collection(collection_slug),
                   "type": "AnnotationCollection", "total": position.total},
        "startIndex": position.start,
        "items": items,
    }
    if number > 1:
        page["prev"] = _page_url(links, _previous(position, conditions), collection_slug,
                                 secret_key)
    if more:
        following = position.moved(number + 1, notes[-1].id, position.start + len(items))
        page["next"] = _page_url(links, following, collection_slug, secret_key)
    return page


def _previous(position: Cursor, conditions) -> Cursor:
    """The cursor of the page before ``position``: one page of ids read backwards."""
    if position.number == 2:
        return position.moved(1, 0, 0)
    back = _notes_before(conditions, position.after, position.page_size + 1)
    if len(back) <= position.page_size:  # fewer notes before than pages say: changed since
        return position.moved(1, 0, 0)
    earlier = back[:position.page_size]
    return position.moved(position.number - 1, back[-1][0],
                          max(0, position.start - sum(n for _, n in earlier)))


def _images_of(item_ids: list[int]) -> dict[int, list[Image]]:
    """Each item's images, in order."""
    if not item_ids:
        return {}
    images: dict[int, list[Image]] = {}
    for image in db.session.scalars(
        sa.select(Image).where(Image.item_id.in_(set(item_ids)))
        .order_by(Image.item_id, Image.position)
    ):
        images.setdefault(image.item_id, []).append(image)
    return images


def _on_its_canvas(note: Contribution, images: list[Image], links: Links,
                   language: str) -> list[dict]:
    """A note's annotations on the canvas of the image it is about (its item's page when the
    item has no image)."""
    index, image, region = placement(note, images)
    if image is None:
        return note_annotations(note, links, target=links.item(note.item.identifier),
                                language=language, selector=True)
    return note_annotations(note, links, target=links.canvas(note.item.identifier, index),
                            width=image.width, height=image.height, region=region,
                            language=language, selector=True)


def single_note_annotations(links: Links, note_id: int, *, language: str) -> list[dict] | None:
    """The annotations of one approved note of an item in public view, or None."""
    note = db.session.scalar(
        sa.select(Contribution).join(Item, Item.id == Contribution.item_id)
        .where(Contribution.id == note_id, *_approved_in_public_view(None))
    )
    if note is None:
        return None
    return _on_its_canvas(note, _images_of([note.item_id]).get(note.item_id, []), links,
                          language)


