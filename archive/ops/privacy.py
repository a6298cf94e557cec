"""Personal data: erasure on request, and the retention period for notes never published.

What is personal here: a contributor's email, the credit name they gave, the keyed hash of
their IP address, a contributor account, and the text of notes that were never published.
Approved notes were published under an open licence: on erasure they stay, credited to
"Anonymous contributor". Every erasure is written to the moderation log (which never holds
the email itself), so the archive can show it acted on a request. Emails about an erased
note, queued or sent, leave the outbox with their attempts (what a mail server said may name
the address); no outbox row outlives the retention period either.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from archive.extensions import db
from archive.models import (
    Contribution,
    ContributionStatus,
    OutboxAttempt,
    OutboxMessage,
    Role,
    User,
    utcnow,
)
from archive.moderation.lifecycle import Action, transition

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


def _erase_note(note: Contribution, *, placeholder: str, action: Action, reason: str,
                now: datetime) -> bool:
    """Erase what identifies the sender; erase the text too unless it was published.

    A pending note leaves the queue as rejected: nobody may publish it any more (the
    lifecycle's table says so). Returns True when the note's text was erased.
    """
    changes: dict[str, object] = {"email": None, "ip_hash": None, "credit_name": "",
                                  "show_name": False, "erased_at": now}
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
    for note in notes:
        if _erase_note(note, placeholder=ERASED_ON_REQUEST, action=Action.ERASE_PERSONAL_DATA,
                       reason="Personal data erased at the contributor's request", now=now):
            report.erased += 1
        else:
            report.kept_anonymous += 1
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
    # IP hashes only serve to spot floods: none is kept longer than the retention period.
    db.session.execute(
        sa.update(Contribution)
        .where(Contribution.created_at < cutoff, Contribution.ip_hash.is_not(None))
        .values(ip_hash=None)
        .execution_options(synchronize_session=False))
    db.session.flush()
    return purged
