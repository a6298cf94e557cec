"""Emails waiting to be sent, and every attempt to send them.

A decision on a note puts the email announcing it here, in the decision's own transaction;
``flask notify send`` (run by a timer) sends what is due, outside any request. No address is
stored: the recipient is read from the note when the email is sent, so an erased contributor's
queued email has no one left to go to (and the erasure deletes it anyway).
"""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from archive.extensions import Model
from archive.models.contribution import Contribution, ContributionStatus
from archive.models.types import UTCDateTime, enum_column, utcnow
from archive.models.user import User


class OutboxStatus(enum.Enum):
    QUEUED = "queued"  # waiting for its next attempt (next_attempt_at)
    SENT = "sent"
    FAILED = "failed"  # given up: refused for good, or too many attempts
    CANCELLED = "cancelled"  # a later decision's email replaced it, or no address is left


class AccountEmail(enum.Enum):
    """Emails about an account rather than a note."""

    CONFIRM = "confirm"  # the link that finishes a registration
    ALREADY_REGISTERED = "already_registered"  # someone registered an address with an account


class AttemptOutcome(enum.Enum):
    SENT = "sent"
    FAILED = "failed"
    CANCELLED = "cancelled"


class OutboxMessage(Model):
    """One email: a decision on a note, told to its contributor, or news of an account, told
    to its owner (``user_id``, ``account_email``)."""

    __tablename__ = "outbox"
    __table_args__ = (
        # A note is approved, rejected or withdrawn at most once: each is announced once.
        sa.UniqueConstraint("contribution_id", "announces",
                            name="uq_outbox_contribution_id_announces"),
        sa.CheckConstraint("announces IN ('approved', 'rejected', 'withdrawn')",
                           name="announces_a_decision"),
        sa.CheckConstraint("attempts >= 0", name="attempts_not_negative"),
        # About a note (announcing a decision, or asking to confirm its address), or about
        # an account.
        sa.CheckConstraint(
            "(contribution_id IS NOT NULL AND user_id IS NULL AND account_email IS NULL"
            " AND ((announces IS NOT NULL AND NOT confirms_address)"
            " OR (announces IS NULL AND confirms_address)))"
            " OR (contribution_id IS NULL AND announces IS NULL AND NOT confirms_address"
            " AND user_id IS NOT NULL AND account_email IS NOT NULL)",
            name="about_a_note_or_an_account"),
        # The sender reads queued messages whose next attempt is due, soonest first.
        sa.Index("ix_outbox_status_next_attempt", "status", "next_attempt_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contribution_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("contributions.id", ondelete="CASCADE"))
    # The decision this email announces (the note may have moved on by the time it is sent).
    announces: Mapped[ContributionStatus | None] = mapped_column(
        enum_column(ContributionStatus, "announced_status"))
    # Or: the link that confirms the note's address (no email about its fate goes to an
    # address before it is confirmed).
    confirms_address: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # Or: the account this email is about, and what it says. The address is read from the
    # account when the email is sent.
    user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    account_email: Mapped[AccountEmail | None] = mapped_column(
        enum_column(AccountEmail, "account_email"))
    # The language of the page the account was asked for from: the email's language.
    language: Mapped[str | None] = mapped_column(sa.String(8))
    status: Mapped[OutboxStatus] = mapped_column(
        enum_column(OutboxStatus, "outbox_status"), default=OutboxStatus.QUEUED)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # When a sender may next try it: creation, then each failure's back-off. A sender that
    # claims it moves this forward by a lease, so a sender that dies mid-send is retried later.
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    attempts: Mapped[int] = mapped_column(default=0)
    # What the mail server (or the network) said last time; never an address of ours.
    last_error: Mapped[str] = mapped_column(sa.Text, default="")
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    contribution: Mapped[Contribution | None] = relationship()
    user: Mapped[User | None] = relationship()

    @property
    def subject(self) -> str:
        """What it is about, for staff: "note 12 approved", "account 3 confirm"."""
        if self.announces is not None:
            return f"note {self.contribution_id} {self.announces.value}"
        if self.confirms_address:
            return f"note {self.contribution_id} confirm address"
        kind = self.account_email.value if self.account_email else "?"
        return f"account {self.user_id} {kind}"

    def __repr__(self) -> str:
        return f"<OutboxMessage {self.id} {self.subject} {self.status.value}>"


class OutboxAttempt(Model):
    """One try at sending an outbox message. An attempt with no outcome was interrupted."""

    __tablename__ = "outbox_attempts"
    __table_args__ = (sa.Index("ix_outbox_attempts_message", "message_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(sa.ForeignKey("outbox.id", ondelete="CASCADE"))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    outcome: Mapped[AttemptOutcome | None] = mapped_column(
        enum_column(AttemptOutcome, "attempt_outcome"))
    error: Mapped[str] = mapped_column(sa.Text, default="")

    def __repr__(self) -> str:
        outcome = self.outcome.value if self.outcome else "unfinished"
        return f"<OutboxAttempt {self.id} of {self.message_id} {outcome}>"
