"""What happens to a new note before anyone reads it: blocked senders and trusted contributors.

Called by ``submit_contribution`` after the note is stored as pending. Both outcomes are written
to the append-only log with no actor (the system decided), and say why.
"""

from __future__ import annotations

from typing import cast

import sqlalchemy as sa
from flask_babel import gettext as _

from archive.extensions import db
from archive.i18n_words import N_
from archive.models import (
    Block,
    BlockKind,
    Contribution,
    ContributionStatus,
    Role,
    User,
    utcnow,
)
from archive.moderation.lifecycle import Action, transition
from archive.moderation.services import ModerationError, NotAllowed
from archive.text import clean_text

# English as stored in the audit log; N_ marks them for translation where pages show them.
BLOCK_LABELS = {
    BlockKind.ACCOUNT: N_("account"),
    BlockKind.EMAIL: N_("email address"),
    BlockKind.IP_HASH: N_("network address (hashed)"),
}


def _block_values(contribution: Contribution) -> list[tuple[BlockKind, str]]:
    values = []
    if contribution.submitted_by_id is not None:
        values.append((BlockKind.ACCOUNT, str(contribution.submitted_by_id)))
    if contribution.email:
        values.append((BlockKind.EMAIL, contribution.email.strip().lower()))
    if contribution.ip_hash:
        values.append((BlockKind.IP_HASH, contribution.ip_hash))
    return values


def _institution_of(contribution: Contribution) -> int:
    return contribution.item.collection.institution_id


def _blocks_reaching(contribution: Contribution) -> sa.ColumnElement[bool]:
    """Blocks in force for the note's institution: its own, and the platform-wide ones."""
    return sa.and_(Block.lifted_at.is_(None), sa.or_(
        Block.institution_id.is_(None), Block.institution_id == _institution_of(contribution)))


def matching_block(contribution: Contribution) -> Block | None:
    conditions = [sa.and_(Block.kind == kind, Block.value == value)
                  for kind, value in _block_values(contribution)]
    if not conditions:
        return None
    return db.session.scalar(
        sa.select(Block).where(_blocks_reaching(contribution), sa.or_(*conditions))
        .order_by(Block.id).limit(1))


def is_trusted(user_id: int, threshold: int) -> tuple[bool, int]:
    """A contributor account with ``threshold`` approved notes and none rejected or spam."""
    rows = dict(db.session.execute(
        sa.select(Contribution.status, sa.func.count())
        .where(Contribution.submitted_by_id == user_id,
               Contribution.status != ContributionStatus.PENDING)
        .group_by(Contribution.status)
    ).all())
    approved = rows.get(ContributionStatus.APPROVED, 0) + rows.get(
        ContributionStatus.WITHDRAWN, 0)
    refused = rows.get(ContributionStatus.REJECTED, 0) + rows.get(ContributionStatus.SPAM, 0)
    return approved >= threshold and refused == 0, approved


def screen_contribution(contribution: Contribution, *, trusted_threshold: int = 0) -> None:
    """Send a blocked sender's note to spam, or approve a trusted contributor's at once.

    Only accounts are trusted: anyone can type someone else's email address.
    """
    if not contribution.is_pending:
        return
    block = matching_block(contribution)
    if block is not None:
        transition(contribution, Action.BLOCKED, actor=None,
                   reason=f"Sender blocked ({BLOCK_LABELS[block.kind]}, block #{block.id})")
        return
    submitter = (db.session.get(User, contribution.submitted_by_id)
                 if contribution.submitted_by_id is not None else None)
    if (trusted_threshold > 0 and submitter is not None and submitter.active
            and submitter.role is Role.CONTRIBUTOR):
        trusted, approved = is_trusted(submitter.id, trusted_threshold)
        if trusted:
            transition(contribution, Action.AUTO_APPROVE, actor=None,
                       reason=f"Trusted contributor: {approved} notes approved, none rejected")
            contribution.item.mark_changed()
            db.session.flush()


def block_sender(contribution: Contribution, kind: BlockKind, user: User, *,
                 reason: str = "") -> Block:
    """Block the account, email address or network address that sent ``contribution``.

    The block keeps the sender's later notes out of the note's institution; a platform
    administrator's block keeps them out of every institution.
    """
    if not user.has_role(Role.ARCHIVIST):
        raise NotAllowed(_("Only archivists block senders."))
    value = dict(_block_values(contribution)).get(kind)
    if not value:
        raise ModerationError(_("This note has no %(kind)s to block.",
                                kind=_(BLOCK_LABELS[kind])))
    if kind is BlockKind.ACCOUNT and contribution.submitted_by_id == user.id:
        raise NotAllowed(_("You cannot block yourself."))
    existing = db.session.scalar(sa.select(Block).where(
        Block.kind == kind, Block.value == value, _blocks_reaching(contribution)))
    if existing is not None:
        raise ModerationError(_("That %(kind)s is already blocked (block #%(id)s).",
                                kind=_(BLOCK_LABELS[kind]), id=existing.id))
    institution_id = None if user.role is Role.ADMIN else _institution_of(contribution)
    block = Block(kind=kind, value=value, reason=clean_text(reason, multiline=False)[:2000],
                  institution_id=institution_id, created_by_id=user.id)
    db.session.add(block)
    db.session.flush()
    return block


def lift_block(block: Block, user: User) -> Block:
    if not user.has_role(Role.ARCHIVIST):
        raise NotAllowed(_("Only archivists lift blocks."))
    result = cast(sa.CursorResult, db.session.execute(
        sa.update(Block).where(Block.id == block.id, Block.lifted_at.is_(None))
        .values(lifted_at=utcnow(), lifted_by_id=user.id)
        .execution_options(synchronize_session=False)))
    db.session.refresh(block)
    if result.rowcount != 1:
        raise ModerationError(_("This block was already lifted."))
    return block


def active_blocks(scope: sa.ColumnElement[bool] | None = None) -> list[Block]:
    """Blocks in force, newest first; ``scope`` keeps those of some institutions only."""
    query = sa.select(Block).where(Block.lifted_at.is_(None)).order_by(Block.id.desc())
    if scope is not None:
        query = query.where(scope)
    return list(db.session.scalars(query))


def blocks_for(contribution: Contribution) -> dict[BlockKind, Block | None]:
    """For each way this note's sender can be told apart, the block in force (or None)."""
    result = {}
    for kind, value in _block_values(contribution):
        result[kind] = db.session.scalar(sa.select(Block).where(
            Block.kind == kind, Block.value == value, _blocks_reaching(contribution))
            .order_by(Block.id).limit(1))
    return result
