"""Keeps ``Item.search_document`` up to date: once per commit, for the items that changed.

Whatever changes what an item exports calls ``Item.mark_changed()`` (a Core UPDATE that sets
``record_changed_at`` itself calls it too, or ``mark_items_changed``), which notes the item's id
in its session's ``info``; an inserted item is noted as well. When the app's session commits,
``refresh_search`` recomputes the documents of exactly those items, with one query (per 500
items), and writes the ones that differ. The database's own full-text index (FTS5 triggers on
SQLite, a trigger-kept ``tsvector`` on PostgreSQL) follows the column.

``init_app`` registers this on the session factory of ``db.session`` and on nothing else: a
session of another engine or another factory is never touched. Changes made outside the app's
session (SQL by hand, another program) are caught up by ``flask search rebuild``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import cast

import sqlalchemy as sa
from flask import Flask
from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction
from sqlalchemy.orm.attributes import set_committed_value

from archive.extensions import db
from archive.models import (
    ITEMS_CHANGED,
    Contribution,
    ContributionStatus,
    Item,
    mark_items_changed,
)
from archive.search.document import DOCUMENT_FIELDS, build_document

# Items per query: keeps the IN list well under every database's limit on parameters.
BATCH = 500


def compute_documents(session: Session, item_ids: Iterable[int]) -> dict[int, tuple[str, str]]:
    """``{item id: (stored document, document it should hold)}`` for the items that exist.

    One query per ``BATCH`` items: each item's record fields with the public text of its
    approved notes, in the order the notes were written.
    """
    ids = sorted(set(item_ids))
    note_text = sa.func.coalesce(Contribution.edited_body, Contribution.body)
    found: dict[int, tuple[str, str]] = {}
    for start in range(0, len(ids), BATCH):
        rows = session.execute(
            sa.select(Item.id, Item.search_document,
                      *(getattr(Item, name) for name in DOCUMENT_FIELDS),
                      note_text.label("note_text"))
            .outerjoin(Contribution, sa.and_(
                Contribution.item_id == Item.id,
                Contribution.status == ContributionStatus.APPROVED))
            .where(Item.id.in_(ids[start:start + BATCH]))
            .order_by(Item.id, Contribution.id)
        ).all()
        records: dict[int, sa.Row] = {}
        notes: dict[int, list[str]] = {}
        for row in rows:
            records.setdefault(row.id, row)
            texts = notes.setdefault(row.id, [])
            if row.note_text is not None:
                texts.append(row.note_text)
        for item_id, record in records.items():
            found[item_id] = (record.search_document or "",
                              build_document(record, notes[item_id]))
    return found


def _write(session: Session, documents: dict[int, tuple[str, str]]) -> int:
    """Store the documents that differ from the stored ones; returns how many were stored.

    Derived text is not a change of the record: ``updated_at`` is left as it was.
    """
    changed = [{"item_id": item_id, "document": new}
               for item_id, (old, new) in documents.items() if old != new]
    if not changed:
        return 0
    items = cast(sa.Table, Item.__table__)
    session.execute(
        sa.update(items).where(items.c.id == sa.bindparam("item_id"))
        .values(search_document=sa.bindparam("document"), updated_at=items.c.updated_at),
        changed)
    # Items this session holds see the new text without being loaded again.
    mapper = sa.inspect(Item)
    for row in changed:
        item = session.identity_map.get(mapper.identity_key_from_primary_key((row["item_id"],)))
        if item is not None:
            set_committed_value(item, "search_document", row["document"])
    return len(changed)


def refresh_search(session: Session) -> int:
    """Recompute the documents of the items noted as changed in ``session``, now.

    Called at commit by the hook ``init_app`` registers; callable directly too (a session of
    its own, a test). Returns how many documents changed.
    """
    session.flush()  # what is pending reaches the database, and inserted items are noted
    item_ids = session.info.pop(ITEMS_CHANGED, None)
    if not item_ids:
        return 0
    return _write(session, compute_documents(session, item_ids))


def _before_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint: its items are refreshed with the transaction's own commit
    refresh_search(session)


def _inserted(session: Session, instance: object) -> None:
    """A new item gets its text at commit like a changed one, without a call of its own."""
    if isinstance(instance, Item):
        mark_items_changed(session, (instance.id,))


def _transaction_ended(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:  # rolled back or closed: what it changed is gone
        session.info.pop(ITEMS_CHANGED, None)


_HOOKS = (("before_commit", _before_commit), ("pending_to_persistent", _inserted),
          ("after_transaction_end", _transaction_ended))


def init_app(app: Flask) -> None:
    """Refresh search text at each commit of ``db.session``: of every app built on ``db``, as
    they share its session factory (registered once, whichever app comes first)."""
    factory = db.session.session_factory
    for name, hook in _HOOKS:
        if not event.contains(factory, name, hook):
            event.listen(factory, name, hook)


def rebuild_all(session: Session, batch: int = BATCH) -> int:
    """Recompute every item's document (after an upgrade, or a bulk change made in SQL)."""
    done = 0
    last_id = 0
    while True:
        item_ids = list(session.scalars(
            sa.select(Item.id).where(Item.id > last_id).order_by(Item.id).limit(batch)))
        if not item_ids:
            return done
        _write(session, compute_documents(session, item_ids))
        done += len(item_ids)
        last_id = item_ids[-1]
