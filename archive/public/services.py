"""Read-only queries behind the public pages."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask import abort
from flask_babel import lazy_gettext

from archive.extensions import db
from archive.models import Collection, Contribution, Item
from archive.queries import IN_PUBLIC_VIEW, PUBLISHED_NOTE
from archive.scope import EVERYTHING, Scope

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




@dataclass(frozen=True)
class CollectionSummary:
    collection: Collection
    item_count: int


def collections_with_counts(scope: Scope = EVERYTHING) -> list[CollectionSummary]:
    """Collections with their items in public view; ``scope`` keeps some institutions'."""
    rows = db.session.execute(
        sa.select(Collection, sa.func.count(Item.id))
        .outerjoin(Item, sa.and_(Item.collection_id == Collection.id, IN_PUBLIC_VIEW))
        .where(scope.collections())
        .group_by(Collection.id)
        .order_by(Collection.title)
    ).all()
    return [CollectionSummary(c, n) for c, n in rows]


def open_questions(limit: int = 8, scope: Scope = EVERYTHING) -> list[Item]:
    """The newest open "Can you help?" questions (of the institutions in ``scope``)."""
    return list(
        db.session.scalars(
            sa.select(Item)
            .where(Item.needs_help.is_(True), Item.help_solved_at.is_(None), IN_PUBLIC_VIEW,
                   scope.items())
            .order_by(Item.created_at.desc(), Item.id.desc())
            .limit(limit)
        )
    )


def recent_notes(limit: int = 6, scope: Scope = EVERYTHING) -> list[Contribution]:
    """The notes approved last (on the records of the institutions in ``scope``)."""
    return list(
        db.session.scalars(
            sa.select(Contribution)
            .join(Item, Item.id == Contribution.item_id)
            .where(PUBLISHED_NOTE, IN_PUBLIC_VIEW, scope.items())
            .order_by(Contribution.decided_at.desc(), Contribution.id.desc())
            .limit(limit)
        )
    )


def get_collection_or_404(slug: str) -> Collection:
    collection = db.session.scalar(sa.select(Collection).where(Collection.slug == slug))
    if collection is None:
        abort(404)
    return collection


def browse_items(*, collection: Collection | None, sort: str, page: int, per_page: int,
                 scope: Scope = EVERYTHING):
    order = BROWSE_SORTS.get(sort, BROWSE_SORTS["added"])[1]
    query = sa.select(Item).where(IN_PUBLIC_VIEW, scope.items()).order_by(*order)
    if collection is not None:
        query = query.where(Item.collection_id == collection.id)
    return db.paginate(query, page=page, per_page=per_page, error_out=False)
