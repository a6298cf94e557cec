"""Read-only queries behind the public pages."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask import abort
from flask_babel import lazy_gettext
from sqlalchemy.orm import selectinload

from archive.extensions import db
from archive.models import Collection, Contribution, ContributionStatus, Enrichment, Item

BROWSE_SORTS = {
    "added": (lazy_gettext("Recently added"), (Item.created_at.desc(), Item.id.desc())),
    "oldest": (
        lazy_gettext("Oldest photographs first"),
        (Item.date_earliest.is_(None), Item.date_earliest.asc(), Item.id.asc()),
    ),
    "newest": (
        lazy_gettext("Newest photographs first"),
        (Item.date_latest.is_(None), Item.date_latest.desc(), Item.id.desc()),
    ),
}


PUBLIC = Item.withdrawn_at.is_(None)  # items a curator has not withdrawn from public view


@dataclass(frozen=True)
class CollectionSummary:
    collection: Collection
    item_count: int


def collections_with_counts() -> list[CollectionSummary]:
    rows = db.session.execute(
        sa.select(Collection, sa.func.count(Item.id))
        .outerjoin(Item, sa.and_(Item.collection_id == Collection.id, PUBLIC))
        .group_by(Collection.id)
        .order_by(Collection.title)
    ).all()
    return [CollectionSummary(c, n) for c, n in rows]


def open_questions(limit: int = 8) -> list[Item]:
    return list(
        db.session.scalars(
            sa.select(Item)
            .where(Item.needs_help.is_(True), Item.help_solved_at.is_(None), PUBLIC)
            .order_by(Item.created_at.desc(), Item.id.desc())
            .limit(limit)
        )
    )


def recent_notes(limit: int = 6) -> list[Contribution]:
    return list(
        db.session.scalars(
            sa.select(Contribution)
            .join(Item, Item.id == Contribution.item_id)
            .where(Contribution.status == ContributionStatus.APPROVED, PUBLIC)
            .order_by(Contribution.decided_at.desc(), Contribution.id.desc())
            .limit(limit)
        )
    )


def get_collection_or_404(slug: str) -> Collection:
    collection = db.session.scalar(sa.select(Collection).where(Collection.slug == slug))
    if collection is None:
        abort(404)
    return collection


def browse_items(*, collection: Collection | None, sort: str, page: int, per_page: int):
    order = BROWSE_SORTS.get(sort, BROWSE_SORTS["added"])[1]
    query = sa.select(Item).where(PUBLIC).order_by(*order)
    if collection is not None:
        query = query.where(Item.collection_id == collection.id)
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def get_item_or_404(identifier: str, *, include_withdrawn: bool = False) -> Item:
    """The item, or the 404 page; a withdrawn item is 410 unless staff ask for it."""
    item = db.session.scalar(sa.select(Item).where(Item.identifier == identifier))
    if item is None:
        abort(404)
    if item.is_withdrawn and not include_withdrawn:
        abort(410)  # it was here, and the archive has taken it down
    return item


def approved_notes(item: Item) -> list[Contribution]:
    return list(
        db.session.scalars(
            sa.select(Contribution)
            .where(Contribution.item_id == item.id,
                   Contribution.status == ContributionStatus.APPROVED)
            .order_by(Contribution.decided_at.asc(), Contribution.id.asc())
        )
    )


def item_enrichments(item: Item) -> list[Enrichment]:
    return list(
        db.session.scalars(
            sa.select(Enrichment)
            .where(Enrichment.item_id == item.id)
            .options(selectinload(Enrichment.contribution))
            .order_by(Enrichment.applied_at.asc(), Enrichment.id.asc())
        )
    )


def item_page_context(item: Item, *, form) -> dict:
    """Everything the item page shows; used for the page and to re-show the form with errors."""
    enrichments = item_enrichments(item)
    # The latest enrichment of each field says where the field's current value came from:
    # a note, or (no contribution) the archive itself.
    latest = {e.field: e for e in enrichments}
    provenance = {field: e for field, e in latest.items() if e.contribution_id is not None}
    notes = approved_notes(item)
    return {
        "item": item,
        "notes": notes,
        "solved_notes": [n for n in notes if n.solved_question],
        "enrichments": enrichments,
        "provenance": provenance,
        "form": form,
    }
