"""Queries several features share, defined once: what is in public view, and an item's notes.

Public pages, search, harvesting formats and the moderation screens all read these; a change to
what the public may see is made here and nowhere else.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

import sqlalchemy as sa
from flask import abort, session
from sqlalchemy.orm import selectinload

from archive.extensions import db
from archive.models import Collection, Contribution, ContributionStatus, Enrichment, Image, Item

# Items a curator has not withdrawn from public view.
IN_PUBLIC_VIEW = Item.withdrawn_at.is_(None)
# Notes the public may read: approved, and not withdrawn since.
PUBLISHED_NOTE = Contribution.status == ContributionStatus.APPROVED


def approved_notes(item_ids: Iterable[int]) -> dict[int, list[Contribution]]:
    """The approved notes of these items, each item's oldest decision first."""
    ids = list(item_ids)
    if not ids:
        return {}
    notes = db.session.scalars(
        sa.select(Contribution)
        .where(Contribution.item_id.in_(ids), PUBLISHED_NOTE)
        .order_by(Contribution.item_id, Contribution.decided_at, Contribution.id)
    )
    result: dict[int, list[Contribution]] = defaultdict(list)
    for note in notes:
        result[note.item_id].append(note)
    return result


def approved_notes_of(item: Item) -> list[Contribution]:
    return approved_notes([item.id]).get(item.id, [])


def item_enrichments(item: Item) -> list[Enrichment]:
    return list(
        db.session.scalars(
            sa.select(Enrichment)
            .where(Enrichment.item_id == item.id)
            .options(selectinload(Enrichment.contribution))
            .order_by(Enrichment.applied_at.asc(), Enrichment.id.asc())
        )
    )


def image_in_public_view(sha256: str) -> bool:
    """Whether an item in public view shows the image with this content hash.

    The files of such an image may be served to anyone; those of an image removed from its
    record, or only shown by withdrawn items, may not (the same scan may serve several items).
    """
    return bool(db.session.scalar(sa.select(
        sa.exists().where(Image.sha256 == sha256, Image.item_id == Item.id, IN_PUBLIC_VIEW))))


def public_item(identifier: str) -> Item | None:
    return db.session.scalar(
        sa.select(Item).where(Item.identifier == identifier, IN_PUBLIC_VIEW)
    )


def public_collection(slug: str) -> Collection | None:
    return db.session.scalar(sa.select(Collection).where(Collection.slug == slug))


def get_item_or_404(identifier: str, *, include_withdrawn: bool = False) -> Item:
    """The item, or the 404 page; a withdrawn item is 410 unless staff ask for it."""
    item = db.session.scalar(sa.select(Item).where(Item.identifier == identifier))
    if item is None:
        abort(404)
    if item.is_withdrawn and not include_withdrawn:
        abort(410)  # it was here, and the archive has taken it down
    return item


# The photograph whose page a visitor is sent back to after sending a note ("thank you").
_NOTE_SENT_KEY = "note_sent_to"


def remember_note_sent(item: Item) -> None:
    """Tell the item page, shown next, that this visitor has just sent a note about it."""
    session[_NOTE_SENT_KEY] = item.identifier


def note_just_sent(item: Item) -> bool:
    """Whether this visitor has just sent a note about ``item`` (said once)."""
    return session.pop(_NOTE_SENT_KEY, None) == item.identifier


def shown_image_number(item: Item, number: int | None) -> int:
    """The image of ``item`` a page shows, counted from 1 (``?image=N``): the first one when
    none is asked for, or the number is not one of the item's images."""
    if number is None or not 1 <= number <= len(item.images):
        return 1
    return number


def item_page_context(item: Item, *, form, image_number: int | None = None) -> dict:
    """Everything the item page shows; used for the page and to re-show the form with errors.

    ``image_number`` (from 1) is the image shown large, with the viewer and the box drawing
    on it; every image of the item is offered beside it.
    """
    enrichments = item_enrichments(item)
    # The latest enrichment of each field says where the field's current value came from:
    # a note, or (no contribution) the archive itself.
    latest = {e.field: e for e in enrichments}
    provenance = {field: e for field, e in latest.items() if e.contribution_id is not None}
    notes = approved_notes_of(item)
    number = shown_image_number(item, image_number)
    return {
        "item": item,
        "image": item.images[number - 1] if item.images else None,
        "image_number": number,
        "notes": notes,
        "solved_notes": [n for n in notes if n.solved_question],
        "enrichments": enrichments,
        "provenance": provenance,
        "form": form,
    }
