"""Keeps ``Item.search_document`` up to date, whoever changes an item.

A ``before_flush`` listener recomputes the document of every item that is new, whose
``record_changed_at`` moved (``Item.mark_changed``), whose searchable fields changed, or one of
whose notes was added, decided or withdrawn in this flush. The database's own full-text index
(FTS5 triggers on SQLite, a GIN expression index on PostgreSQL) follows the column.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import InstanceState, Session

from archive.models import Contribution, ContributionStatus, Enrichment, Item, ModerationEvent
from archive.search.document import DOCUMENT_FIELDS, build_document

_WATCHED = ("record_changed_at", *DOCUMENT_FIELDS)


def _changed(item: Item) -> bool:
    state: InstanceState[Item] = sa.inspect(item)
    return any(state.attrs[name].history.has_changes() for name in _WATCHED)


def _approved_texts(session: Session, item: Item) -> list[str]:
    """Public text of the item's approved notes, as this session sees them now."""
    notes = {}
    if item.id is not None:
        for note in session.scalars(
            sa.select(Contribution).where(Contribution.item_id == item.id)
        ):
            notes[id(note)] = note
    for obj in session.new:
        if isinstance(obj, Contribution) and (obj.item is item or (
                item.id is not None and obj.item_id == item.id)):
            notes[id(obj)] = obj
    ordered = sorted(notes.values(), key=lambda n: (n.id is None, n.id or 0))
    return [n.public_text for n in ordered if n.status is ContributionStatus.APPROVED]


def _items_touched(session: Session) -> set[Item]:
    items: dict[int, Item] = {}
    item_ids: set[int] = set()
    for obj in list(session.new) + list(session.dirty):
        if isinstance(obj, Item):
            if obj in session.new or _changed(obj):
                items[id(obj)] = obj
        elif isinstance(obj, Contribution):
            if obj.item_id is not None:
                item_ids.add(obj.item_id)
            elif obj.item is not None:
                items[id(obj.item)] = obj.item
        elif isinstance(obj, Enrichment) and obj.item_id is not None:
            item_ids.add(obj.item_id)
        elif isinstance(obj, ModerationEvent) and obj.contribution_id is not None:
            note = session.get(Contribution, obj.contribution_id)
            if note is not None:
                item_ids.add(note.item_id)
    for item_id in item_ids - {i.id for i in items.values()}:
        item = session.get(Item, item_id)
        if item is not None:
            items[id(item)] = item
    return set(items.values())


@event.listens_for(Session, "before_flush")
def _refresh_search_documents(session: Session, _context, _instances) -> None:
    with session.no_autoflush:
        for item in _items_touched(session):
            if item in session.deleted:
                continue
            document = build_document(item, _approved_texts(session, item))
            if item.search_document != document:
                item.search_document = document


def rebuild_all(session: Session, batch: int = 500) -> int:
    """Recompute every item's document (after an upgrade, or a bulk change made in SQL)."""
    done = 0
    last_id = 0
    while True:
        items = list(session.scalars(
            sa.select(Item).where(Item.id > last_id).order_by(Item.id).limit(batch)))
        if not items:
            return done
        notes: dict[int, list[str]] = {}
        rows = session.execute(
            sa.select(Contribution.item_id, Contribution.body, Contribution.edited_body)
            .where(Contribution.item_id.in_([i.id for i in items]),
                   Contribution.status == ContributionStatus.APPROVED)
            .order_by(Contribution.id))
        for item_id, body, edited in rows:
            notes.setdefault(item_id, []).append(edited if edited is not None else body)
        for item in items:
            document = build_document(item, notes.get(item.id, []))
            if item.search_document != document:
                item.search_document = document
        session.flush()
        done += len(items)
        last_id = items[-1].id
