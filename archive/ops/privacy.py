"""Personal data: erasure on request, and the retention period for notes never published.

What is personal here: a contributor's email (and when they confirmed it), the credit name
they gave (published or not), the keyed hash of their IP address, a contributor account, and
the text of notes that were never published.
Approved notes were published under an open licence: on erasure they stay, credited to
"Anonymous contributor". Every erasure is written to the moderation log (which never holds
the email itself), so the archive can show it acted on a request. Emails about an erased
note, queued or sent, leave the outbox with their attempts (what a mail server said may name
the address); no outbox row outlives the retention period either.

Personal data also reaches what staff write and keep: blocks (by email, IP hash or account,
with a reason), the reason given for a decision (on the note, and beside its event in the log:
:class:`~archive.models.EventReason`, since the log itself cannot forget), and a withdrawal's
reason. Erasure deletes the person's blocks, blanks the reasons of their notes' decisions, and
replaces every mention of their email, IP hashes or names in any other reason with
``[erased]``. The retention period does the same for the notes it purges, and deletes blocks
by IP hash, and lifted blocks, older than it, and erases the hashed network of an event
allowance that ended before it.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import cast

import sqlalchemy as sa

from archive.extensions import db
from archive.models import (
    Block,
    BlockKind,
    Contribution,
    ContributionStatus,
    EventReason,
    Item,
    ModerationEvent,
    OutboxAttempt,
    OutboxMessage,
    Role,
    User,
    utcnow,
)
from archive.moderation.allowances import erase_ended_allowances
from archive.moderation.lifecycle import Action, erase_mentions_in_decisions, transition
from archive.text import without_mentions

ERASED_ON_REQUEST = "[Erased at the contributor's request]"
ERASED_BY_RETENTION = "[Removed at the end of the retention period]"
PUBLISHED = (ContributionStatus.APPROVED, ContributionStatus.WITHDRAWN)
EXPIRING = (ContributionStatus.REJECTED, ContributionStatus.SPAM)
ERASED_ACCOUNT_NAME = "Erased contributor"
# An account whose address was not confirmed within this many days is removed by the purge
# (its link stopped working long before).
UNCONFIRMED_ACCOUNT_DAYS = 7


class PrivacyError(ValueError):
    pass


@dataclass
class ErasureReport:
    kept_anonymous: int = 0  # published notes kept, now anonymous
    erased: int = 0  # unpublished notes whose text was erased too
    accounts: int = 0
    blocks: int = 0  # blocks of the person, deleted
    mentions: int = 0  # other reasons that named the person, now without it


def _delete_blocks(condition) -> int:
    return cast(sa.CursorResult, db.session.execute(
        sa.delete(Block).where(condition).execution_options(synchronize_session=False))
    ).rowcount


# Free text staff write, where a contributor may be named, besides the reasons for decisions
# (which the lifecycle rewrites): (model, column).
_STAFF_TEXTS = ((EventReason, "text"), (Block, "reason"), (Item, "withdrawal_reason"))


def _erase_mentions(mentions: set[str]) -> int:
    """Replace every mention of ``mentions`` (any case) in the free text staff wrote with
    ``[erased]``. Returns the number of texts changed."""
    changed = erase_mentions_in_decisions(mentions, ERASED_MENTION)
    for model, name in _STAFF_TEXTS:
        column = getattr(model, name)
        found = sa.or_(*(sa.func.lower(column).contains(m.lower(), autoescape=True)
                         for m in mentions))
        for row_id, text in db.session.execute(sa.select(model.id, column).where(found)).all():
            cleaned = without_mentions(text, mentions, ERASED_MENTION)
            if cleaned != text:
                db.session.execute(sa.update(model).where(model.id == row_id)
                                   .values({name: cleaned})
                                   .execution_options(synchronize_session=False))
                changed += 1
    return changed


ERASED_MENTION = "[erased]"


def _erase_event_reasons(note_id: int, *, placeholder: str, now: datetime) -> None:
    """The reasons given in the log for this note's decisions: what an archivist wrote may name
    its sender. The events themselves stay, append-only."""
    db.session.execute(
        sa.update(EventReason)
        .where(EventReason.event_id.in_(sa.select(ModerationEvent.id).where(
            ModerationEvent.contribution_id == note_id)), EventReason.erased_at.is_(None))
        .values(text=placeholder, erased_at=now)
        .execution_options(synchronize_session=False))


def _erase_note(note: Contribution, *, placeholder: str, action: Action, reason: str,
                now: datetime) -> bool:
    """Erase what identifies the sender; erase the text too unless it was published.

    The reasons given for its decisions go too (on the note, and beside its log events). A
    pending note leaves the queue as rejected: nobody may publish it any more (the
    lifecycle's table says so). Returns True when the note's text was erased.
    """
    # Before the erasure's own event, whose reason is kept.
    _erase_event_reasons(note.id, placeholder=placeholder, now=now)
    changes: dict[str, object] = {"email": None, "email_confirmed_at": None, "ip_hash": None,
                                  "credit_name": "",
                                  "show_name": False, "erased_at": now,
                                  "submission_key": None}
    text_erased = note.status not in PUBLISHED
    if text_erased:
        changes.update(body=placeholder, edited_body=None, suggested_date="",
                       suggested_place="", suggested_people="")
    transition(note, action, actor=None, reason=reason, at=now, changes=changes)
    _delete_outbox(OutboxMessage.contribution_id == note.id)
    return text_erased


def _delete_outbox(condition) -> None:
    """Delete outbox messages matching ``condition``, with their attempts: a queued email is
    never sent, and nothing a mail server said about it is kept."""
    messages = sa.select(OutboxMessage.id).where(condition).scalar_subquery()
    db.session.execute(sa.delete(OutboxAttempt).where(OutboxAttempt.message_id.in_(messages))
                       .execution_options(synchronize_session=False))
    db.session.execute(sa.delete(OutboxMessage).where(condition)
                       .execution_options(synchronize_session=False))


def erase_contributor(email: str, *, now: datetime | None = None) -> ErasureReport:
    """Erase everything personal about the person with ``email``; keep their published notes
    as anonymous. Also closes and anonymises their contributor account, if they have one."""
    now = now or utcnow()
    email = (email or "").strip().lower()
    if "@" not in email:
        raise PrivacyError(f"{email!r} is not an email address")
    report = ErasureReport()
    account = db.session.scalar(sa.select(User).where(User.email == email))
    if account is not None and account.role is not Role.CONTRIBUTOR:
        raise PrivacyError(
            "that email belongs to a staff account: deactivate it with the admin tools; "
            "staff names stay in the moderation log")
    conditions = [sa.func.lower(Contribution.email) == email]
    if account is not None:
        conditions.append(Contribution.submitted_by_id == account.id)
    notes = db.session.scalars(
        sa.select(Contribution).where(sa.or_(*conditions)).order_by(Contribution.id)).all()
    # What identifies the person wherever staff may have written it: their address, their IP
    # hashes, and the names they gave (each at least three characters: shorter would match
    # inside ordinary words).
    mentions = {email} | {note.ip_hash for note in notes if note.ip_hash}
    mentions |= {name.strip() for name in [note.credit_name for note in notes]
                 + ([account.display_name] if account is not None else [])
                 if len(name.strip()) >= 3}
    for note in notes:
        if _erase_note(note, placeholder=ERASED_ON_REQUEST, action=Action.ERASE_PERSONAL_DATA,
                       reason="Personal data erased at the contributor's request", now=now):
            report.erased += 1
        else:
            report.kept_anonymous += 1
    report.blocks = _delete_blocks(
        sa.or_(sa.and_(Block.kind == BlockKind.EMAIL, sa.func.lower(Block.value) == email),
               sa.and_(Block.kind == BlockKind.IP_HASH,
                       Block.value.in_([m for m in mentions if len(m) == 64])),
               sa.and_(Block.kind == BlockKind.ACCOUNT,
                       Block.value == str(account.id if account is not None else -1))))
    report.mentions = _erase_mentions(mentions)
    if account is not None:
        _delete_outbox(OutboxMessage.user_id == account.id)  # emails about the account
        account.email = f"erased-{account.id}-{secrets.token_hex(4)}@erased.invalid"
        account.display_name = ERASED_ACCOUNT_NAME
        account.active = False
        account.set_password(secrets.token_urlsafe(32))  # unusable, and ends every session
        report.accounts = 1
    db.session.flush()
    return report


def purge_expired(*, days: int, now: datetime | None = None) -> int:
    """Apply the retention period: rejected and spam notes decided more than ``days`` ago lose
    their text and their sender's details; the log keeps that they existed and who decided.

    Returns the number of notes purged. Running it again purges nothing new.
    """
    if days < 1:
        raise PrivacyError("the retention period must be at least one day")
    now = now or utcnow()
    cutoff = now - timedelta(days=days)
    purged = 0
    while True:
        notes = db.session.scalars(
            sa.select(Contribution)
            .where(Contribution.status.in_(EXPIRING), Contribution.decided_at < cutoff,
                   Contribution.erased_at.is_(None))
            .order_by(Contribution.id).limit(500)).all()
        if not notes:
            break
        for note in notes:
            _erase_note(note, placeholder=ERASED_BY_RETENTION, action=Action.RETENTION_PURGE,
                        reason=f"Retention period of {days} days ended", now=now)
        db.session.flush()
        purged += len(notes)
    # Blocks by IP hash keep a hash that serves only so long, and a lifted block serves no
    # more: neither is kept, with what staff wrote about it, beyond the retention period.
    _delete_blocks(sa.or_(sa.and_(Block.kind == BlockKind.IP_HASH, Block.created_at < cutoff),
                          Block.lifted_at < cutoff))
    # Emails to contributors are sent within a day, or given up: none of them, nor what a mail
    # server said about it, is kept longer than the retention period.
    _delete_outbox(OutboxMessage.created_at < cutoff)
    # Accounts asked for but never opened (the link was not followed in time) hold an address,
    # a name and a password hash nobody can use: they go, with the emails about them.
    stale = list(db.session.scalars(sa.select(User.id).where(
        User.email_confirmed_at.is_(None), User.role == Role.CONTRIBUTOR,
        User.created_at < now - timedelta(days=UNCONFIRMED_ACCOUNT_DAYS))))
    if stale:
        _delete_outbox(OutboxMessage.user_id.in_(stale))
        db.session.execute(sa.delete(User).where(User.id.in_(stale))
                           .execution_options(synchronize_session=False))
    # An address nobody confirmed is never written to (its link lasted days, not this long):
    # it is not kept beyond the retention period either.
    db.session.execute(
        sa.update(Contribution)
        .where(Contribution.created_at < cutoff, Contribution.email.is_not(None),
               Contribution.email_confirmed_at.is_(None))
        .values(email=None)
        .execution_options(synchronize_session=False))
    # IP hashes only serve to spot floods: none is kept longer than the retention period; nor
    # the hashed network of an event allowance that has ended.
    erase_ended_allowances(cutoff)
    db.session.execute(
        sa.update(Contribution)
        .where(Contribution.created_at < cutoff, Contribution.ip_hash.is_not(None))
        .values(ip_hash=None)
        .execution_options(synchronize_session=False))
    db.session.flush()
    return purged
