"""Withdrawing an item from public view, and restoring it.

A withdrawn item leaves the public pages (which answer 410 Gone), the exports and the IIIF
documents; OAI-PMH harvesters see it as a deleted record, so its datestamp moves too.
"""

from __future__ import annotations

from typing import cast

import sqlalchemy as sa
from flask_babel import gettext as _

from archive.extensions import db
from archive.models import Item, Role, User, utcnow
from archive.scope import EVERYTHING, Scope

REASON_MAX_LENGTH = 2000


class WithdrawalError(Exception):
    """A withdrawal or restoration that cannot be done. The message is fit to show a curator."""


def _check_curator(user: User) -> None:
    if not user.has_role(Role.CURATOR):
        raise WithdrawalError(_("Only curators can withdraw or restore items."))


def withdraw_item(item: Item, curator: User, *, reason: str) -> Item:
    """Take ``item`` out of public view, saying why. Exactly once, whoever else tries too."""
    _check_curator(curator)
    reason = (reason or "").strip()
    if not reason:
        raise WithdrawalError(_("Say why the item is withdrawn."))
    if len(reason) > REASON_MAX_LENGTH:
        raise WithdrawalError(_("Keep the reason under %(num)d characters.",
                                num=REASON_MAX_LENGTH))
    now = utcnow()
    result = cast(sa.CursorResult, db.session.execute(
        sa.update(Item)
        .where(Item.id == item.id, Item.withdrawn_at.is_(None))
        .values(withdrawn_at=now, withdrawal_reason=reason, record_changed_at=now)
        .execution_options(synchronize_session=False)
    ))
    db.session.refresh(item)
    if result.rowcount != 1:
        raise WithdrawalError(_("This item is already withdrawn."))
    item.mark_changed(now)  # as the UPDATE did: it notes the item for search at commit
    db.session.flush()
    return item


def restore_item(item: Item, curator: User) -> Item:
    """Put a withdrawn item back in public view (and back into the harvests)."""
    _check_curator(curator)
    now = utcnow()
    result = cast(sa.CursorResult, db.session.execute(
        sa.update(Item)
        .where(Item.id == item.id, Item.withdrawn_at.is_not(None))
        .values(withdrawn_at=None, withdrawal_reason="", record_changed_at=now)
        .execution_options(synchronize_session=False)
    ))
    db.session.refresh(item)
    if result.rowcount != 1:
        raise WithdrawalError(_("This item is not withdrawn."))
    item.mark_changed(now)  # as the UPDATE did: it notes the item for search at commit
    db.session.flush()
    return item


def withdrawn_items(scope: Scope = EVERYTHING) -> list[Item]:
    """Withdrawn items of the institutions in ``scope``, most recently withdrawn first."""
    return list(
        db.session.scalars(
            sa.select(Item)
            .where(Item.withdrawn_at.is_not(None), scope.items())
            .order_by(Item.withdrawn_at.desc(), Item.id.desc())
        )
    )
