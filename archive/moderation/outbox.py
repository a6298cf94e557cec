"""The outbox: contributors' emails are queued with the decision and sent outside the request.

A decision puts its email in the outbox in the decision's own transaction (a rolled-back
decision announces nothing); no request ever talks to the mail server. ``flask notify send``,
run every minute by a timer, sends what is due:

- each message is **claimed** by a conditional UPDATE (it must still be queued and due), which
  also moves its next attempt a lease ahead, so two senders never send one message and a
  sender that dies mid-send leaves it to be tried again once the lease ends;
- every try is an :class:`OutboxAttempt` (when, outcome, what the server said);
- a failure is retried after 1 minute, 5 minutes, 30 minutes, 2 hours and 12 hours; after the
  sixth failed attempt, or when the server refuses the message itself for good (a 5xx answer to
  the recipient or the content), the message is marked failed and ``flask notify status``
  lists it (``flask notify retry`` queues it again).

Without ``MAIL_SERVER`` messages stay queued.
"""

from __future__ import annotations

import contextlib
import logging
import smtplib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import cast

import sqlalchemy as sa
from flask import current_app

from archive.extensions import db
from archive.models import (
    AccountEmail,
    AttemptOutcome,
    Contribution,
    ContributionStatus,
    OutboxAttempt,
    OutboxMessage,
    OutboxStatus,
    User,
    utcnow,
)
from archive.moderation.notify import (
    check_mail_settings,
    compose,
    compose_account_email,
    compose_address_confirmation,
    connect,
    recipient,
)
from archive.text import counted

log = logging.getLogger(__name__)

# The decisions a contributor is told of (never spam).
ANNOUNCED = (ContributionStatus.APPROVED, ContributionStatus.REJECTED,
             ContributionStatus.WITHDRAWN)

# How long to wait after each failed attempt; one more failure than there are delays and the
# message is given up.
RETRY_DELAYS = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30),
                timedelta(hours=2), timedelta(hours=12))
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
# A claimed message is left alone this long: ample for one email, short enough that a message
# whose sender died is soon tried again.
LEASE = timedelta(minutes=10)
# At most one email asking an address's owner to confirm it in this time, however many notes.
CONFIRMATION_EMAIL_INTERVAL = timedelta(hours=24)
ERROR_LENGTH = 500

SUPERSEDED = "A later decision on the note replaced this email."
NO_ADDRESS = "The note has no address to write to any more."
SUPERSEDED_ACCOUNT = "A later email about the account replaced this one."
NO_ACCOUNT = "The account is closed: there is no one to write to."
NOTHING_TO_CONFIRM = ("The note's address is confirmed already, or gone, or the note was "
                      "found to be spam.")


# --- queueing: part of the decision ------------------------------------------------------------


def queue_outcome_emails(contributions: Iterable[Contribution]) -> int:
    """Queue the email announcing each of these decisions, in the caller's transaction.

    Only approvals, rejections and withdrawals are announced, and only to a note with a
    confirmed address (its own, or its confirmed account's; see ``notify.recipient``). A note
    whose address is not confirmed yet is told once it is (:func:`confirm_note_address`). A
    still-queued email about an earlier decision on the same note is cancelled: the
    contributor hears the latest news only. Returns the number of emails queued.
    """
    now = utcnow()
    queued = 0
    for contribution in contributions:
        if contribution.status not in ANNOUNCED or not recipient(contribution):
            continue
        db.session.execute(
            sa.update(OutboxMessage)
            .where(OutboxMessage.contribution_id == contribution.id,
                   OutboxMessage.announces.is_not(None),
                   OutboxMessage.status == OutboxStatus.QUEUED)
            .values(status=OutboxStatus.CANCELLED, last_error=SUPERSEDED)
            .execution_options(synchronize_session=False))
        db.session.add(OutboxMessage(contribution_id=contribution.id,
                                     announces=contribution.status, status=OutboxStatus.QUEUED,
                                     created_at=now, next_attempt_at=now))
        queued += 1
    db.session.flush()
    return queued


def queue_address_confirmation(contribution: Contribution) -> None:
    """Queue the email asking the owner of the note's address to confirm it, in the caller's
    transaction (nothing when the note has no address, or it is confirmed)."""
    if not contribution.email or contribution.email_confirmed_at is not None:
        return
    now = utcnow()
    # One such email per address a day, however many notes name it: the form must not become
    # a way to fill someone's inbox.
    address = contribution.email.lower()
    asked = db.session.scalar(
        sa.select(sa.func.count()).select_from(OutboxMessage)
        .join(Contribution, Contribution.id == OutboxMessage.contribution_id)
        .where(OutboxMessage.confirms_address.is_(True),
               OutboxMessage.created_at > now - CONFIRMATION_EMAIL_INTERVAL,
               sa.func.lower(Contribution.email) == address))
    if asked:
        return
    db.session.add(OutboxMessage(contribution_id=contribution.id, confirms_address=True,
                                 status=OutboxStatus.QUEUED, created_at=now,
                                 next_attempt_at=now))
    db.session.flush()


def confirm_note_address(contribution: Contribution, *, now: datetime | None = None) -> bool:
    """Mark the note's address confirmed by its owner, and queue the news of a decision taken
    on the note meanwhile (not yet told to anyone). Returns False when it was confirmed
    already (nothing changes)."""
    if contribution.email_confirmed_at is not None:
        return False
    contribution.email_confirmed_at = now or utcnow()
    db.session.flush()
    told = db.session.scalar(
        sa.select(sa.func.count()).select_from(OutboxMessage)
        .where(OutboxMessage.contribution_id == contribution.id,
               OutboxMessage.announces == contribution.status))
    if contribution.status in ANNOUNCED and not told and contribution.notified_at is None:
        queue_outcome_emails([contribution])
    return True


def queue_account_email(user: User, kind: AccountEmail, *, language: str | None = None) -> None:
    """Queue an email to the owner of ``user``'s address, in the caller's transaction.

    Only the latest news about an account is sent: a still-queued email about it is cancelled
    (so asking again and again sends one email per run of the sender, not a flood).
    """
    now = utcnow()
    db.session.execute(
        sa.update(OutboxMessage)
        .where(OutboxMessage.user_id == user.id, OutboxMessage.status == OutboxStatus.QUEUED)
        .values(status=OutboxStatus.CANCELLED, last_error=SUPERSEDED_ACCOUNT)
        .execution_options(synchronize_session=False))
    db.session.add(OutboxMessage(user_id=user.id, account_email=kind, language=language,
                                 status=OutboxStatus.QUEUED, created_at=now,
                                 next_attempt_at=now))
    db.session.flush()


# --- sending -----------------------------------------------------------------------------------


@dataclass
class SendReport:
    due: int = 0
    sent: int = 0
    retrying: int = 0  # failed this time, tried again later
    failed: int = 0  # given up
    cancelled: int = 0  # nobody left to write to
    skipped: int = 0  # another sender had claimed it
    errors: list[str] = field(default_factory=list)

    @property
    def had_failures(self) -> bool:
        return bool(self.retrying or self.failed)

    def summary(self) -> str:
        if not self.due:
            return "No emails due."
        parts = [f"Sent {self.sent} of {counted(self.due, 'due email')}"]
        if self.retrying:
            parts.append(f"{self.retrying} failed and will be retried")
        if self.failed:
            parts.append(f"{self.failed} given up (flask notify status lists them)")
        if self.cancelled:
            parts.append(f"{self.cancelled} cancelled (no address left)")
        if self.skipped:
            parts.append(f"{self.skipped} taken by another sender or no longer queued")
        line = "; ".join(parts) + "."
        if self.errors:
            line += f" Last error: {self.errors[-1]}"
        return line


def describe_error(error: BaseException) -> str:
    """What went wrong, as the server or the network said it (never our recipient's address)."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        text = "; ".join(f"{code} {_decode(message)}"
                         for code, message in error.recipients.values())
        text = f"recipient refused: {text}"
    elif isinstance(error, smtplib.SMTPResponseException):
        text = f"{error.smtp_code} {_decode(error.smtp_error)}"
    else:
        text = f"{type(error).__name__}: {error}"
    text = " ".join(text.split())
    return text[:ERROR_LENGTH]


def _decode(message: bytes | str) -> str:
    return message.decode("utf-8", "replace") if isinstance(message, bytes) else str(message)


def is_permanent(error: BaseException | str) -> bool:
    """The server refused this message for good (5xx to its recipient or its content).

    Everything else (no connection, a 4xx, a refused sender or login) says nothing against the
    message itself, and is retried.
    """
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _message in error.recipients.values())
    if isinstance(error, smtplib.SMTPDataError):
        return error.smtp_code >= 500
    return False


def due_message_ids(now: datetime, limit: int) -> list[int]:
    return list(db.session.scalars(
        sa.select(OutboxMessage.id)
        .where(OutboxMessage.status == OutboxStatus.QUEUED,
               OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(limit)))


def claim(message_id: int, now: datetime) -> int | None:
    """Take one due message for this sender; the id of the attempt begun, or None when it is
    no longer queued and due (another sender has it, or it was cancelled or erased).

    Committed at once, so that every other sender sees the claim before the email goes out.
    """
    claimed = cast(sa.CursorResult, db.session.execute(
        sa.update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.status == OutboxStatus.QUEUED,
               OutboxMessage.next_attempt_at <= now)
        .values(attempts=OutboxMessage.attempts + 1, next_attempt_at=now + LEASE)
        .execution_options(synchronize_session=False)))
    if claimed.rowcount != 1:
        db.session.rollback()
        return None
    attempt = OutboxAttempt(message_id=message_id, started_at=now, error="")
    db.session.add(attempt)
    db.session.flush()
    attempt_id = attempt.id
    db.session.commit()
    return attempt_id


def _finish(message: OutboxMessage, attempt_id: int, now: datetime, *,
            outcome: AttemptOutcome, status: OutboxStatus, error: str = "",
            retry_at: datetime | None = None) -> None:
    # Rows are locked in the order decisions and erasures lock them (the note, then its
    # emails), so that a sender and an archivist never wait for each other in a circle.
    if status is OutboxStatus.SENT and message.announces is not None:
        db.session.execute(
            sa.update(Contribution).where(Contribution.id == message.contribution_id)
            .values(notified_at=now)
            .execution_options(synchronize_session=False))
    db.session.execute(
        sa.update(OutboxAttempt).where(OutboxAttempt.id == attempt_id)
        .values(finished_at=now, outcome=outcome, error=error)
        .execution_options(synchronize_session=False))
    values: dict = {"status": status, "last_error": error}
    if retry_at is not None:
        values["next_attempt_at"] = retry_at
    if status is OutboxStatus.SENT:
        values["sent_at"] = now
    db.session.execute(
        sa.update(OutboxMessage).where(OutboxMessage.id == message.id).values(**values)
        .execution_options(synchronize_session=False))
    db.session.commit()


def _failed(message: OutboxMessage, attempt_id: int, now: datetime, error: BaseException | str,
            report: SendReport) -> None:
    text = error if isinstance(error, str) else describe_error(error)
    message_id, attempts = message.id, message.attempts
    if is_permanent(error) or attempts >= MAX_ATTEMPTS:
        _finish(message, attempt_id, now, outcome=AttemptOutcome.FAILED,
                status=OutboxStatus.FAILED, error=text)
        report.failed += 1
        log.warning("email %s given up after %d attempts: %s", message_id, attempts, text)
    else:
        retry_at = now + RETRY_DELAYS[attempts - 1]
        _finish(message, attempt_id, now, outcome=AttemptOutcome.FAILED,
                status=OutboxStatus.QUEUED, error=text, retry_at=retry_at)
        report.retrying += 1
        log.info("email %s failed (attempt %d), tried again at %s: %s", message_id, attempts,
                 retry_at.isoformat(), text)
    report.errors.append(text)


class _Connection:
    """The run's one connection to the mail server, opened again after a failure; once it
    cannot be opened, the rest of the run fails with the same error instead of waiting on the
    server once per message."""

    def __init__(self) -> None:
        self.smtp: smtplib.SMTP | None = None
        self.unreachable: BaseException | None = None

    def open(self) -> smtplib.SMTP:
        if self.unreachable is not None:
            raise self.unreachable
        if self.smtp is None:
            try:
                self.smtp = connect()
            except (OSError, smtplib.SMTPException) as error:
                self.unreachable = error
                raise
        return self.smtp

    def drop(self) -> None:
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (OSError, smtplib.SMTPException):
                self.smtp.close()
            self.smtp = None


def send_due(*, limit: int = 100, clock: Callable[[], datetime] | None = None) -> SendReport:
    """Send up to ``limit`` due messages (oldest due first), each claimed first.

    ``clock`` gives the time (tests move it instead of sleeping). Raises ``ConfigError`` when
    the settings cannot work, before any message is touched.
    """
    clock = clock or utcnow
    report = SendReport()
    mail = bool(current_app.config.get("MAIL_SERVER"))
    if mail:
        check_mail_settings()  # every run, so that a mistake shows before an email is due
    ids = due_message_ids(clock(), limit)
    db.session.rollback()  # end the read: each claim starts from what is committed
    report.due = len(ids)
    if not ids or not mail:
        return report
    connection = _Connection()
    # Connect before claiming anything, so that settings which cannot work stop the run with
    # no message touched; a server that cannot be reached is recorded on each message below.
    with contextlib.suppress(OSError, smtplib.SMTPException):
        connection.open()
    try:
        for message_id in ids:
            now = clock()
            attempt_id = claim(message_id, now)
            if attempt_id is None:
                report.skipped += 1
                continue
            message = db.session.get(OutboxMessage, message_id)
            if message is None:  # erased since it was claimed
                db.session.rollback()
                report.skipped += 1
                continue
            contribution, account = message.contribution, message.user
            if contribution is not None and message.confirms_address:
                if (not contribution.email or contribution.email_confirmed_at is not None
                        or contribution.erased_at is not None
                        or contribution.status is ContributionStatus.SPAM):
                    # (a note found to be spam meanwhile: its address is never written to)
                    _finish(message, attempt_id, now, outcome=AttemptOutcome.CANCELLED,
                            status=OutboxStatus.CANCELLED, error=NOTHING_TO_CONFIRM)
                    report.cancelled += 1
                    continue
                email = compose_address_confirmation(contribution)
            elif contribution is not None and message.announces is not None:
                if not recipient(contribution):
                    _finish(message, attempt_id, now, outcome=AttemptOutcome.CANCELLED,
                            status=OutboxStatus.CANCELLED, error=NO_ADDRESS)
                    report.cancelled += 1
                    continue
                email = compose(contribution, message.announces)
            else:
                if account is None or message.account_email is None or not account.active:
                    _finish(message, attempt_id, now, outcome=AttemptOutcome.CANCELLED,
                            status=OutboxStatus.CANCELLED, error=NO_ACCOUNT)
                    report.cancelled += 1
                    continue
                email = compose_account_email(account, message.account_email,
                                              language=message.language)
            try:
                connection.open().send_message(email)
            except (OSError, smtplib.SMTPException) as error:
                if not isinstance(error, smtplib.SMTPRecipientsRefused):
                    connection.drop()
                _failed(message, attempt_id, clock(), error, report)
                continue
            _finish(message, attempt_id, clock(), outcome=AttemptOutcome.SENT,
                    status=OutboxStatus.SENT)
            report.sent += 1
    finally:
        connection.drop()
    return report


# --- for staff ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class OutboxSummary:
    counts: dict[OutboxStatus, int]
    oldest_due: datetime | None  # the queued message waiting longest for a first attempt
    failed: list[OutboxMessage]
    retrying: list[OutboxMessage]


def outbox_summary(limit: int = 50) -> OutboxSummary:
    counts = dict.fromkeys(OutboxStatus, 0)
    for status, count in db.session.execute(
            sa.select(OutboxMessage.status, sa.func.count()).group_by(OutboxMessage.status)):
        counts[status] = count
    oldest = db.session.scalar(
        sa.select(sa.func.min(OutboxMessage.created_at))
        .where(OutboxMessage.status == OutboxStatus.QUEUED))
    failed = list(db.session.scalars(
        sa.select(OutboxMessage).where(OutboxMessage.status == OutboxStatus.FAILED)
        .order_by(OutboxMessage.id.desc()).limit(limit)))
    retrying = list(db.session.scalars(
        sa.select(OutboxMessage).where(OutboxMessage.status == OutboxStatus.QUEUED,
                                       OutboxMessage.attempts > 0)
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id).limit(limit)))
    return OutboxSummary(counts, oldest, failed, retrying)


def retry_failed(message_ids: Iterable[int] = (), *, all_failed: bool = False,
                 now: datetime | None = None) -> int:
    """Queue given-up messages again, due now, with a fresh run of attempts (their earlier
    attempts stay recorded). Returns how many were queued."""
    now = now or utcnow()
    conditions = [OutboxMessage.status == OutboxStatus.FAILED]
    ids = list(message_ids)
    if not all_failed:
        conditions.append(OutboxMessage.id.in_(ids))
    result = cast(sa.CursorResult, db.session.execute(
        sa.update(OutboxMessage).where(*conditions)
        .values(status=OutboxStatus.QUEUED, attempts=0, next_attempt_at=now)
        .execution_options(synchronize_session=False)))
    db.session.flush()
    return result.rowcount
