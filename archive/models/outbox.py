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


class OutboxStatus(enum.Enum):
    QUEUED = "queued"  # waiting for its next attempt (next_attempt_at)
    SENT = "sent"
    FAILED = "failed"  # given up: refused for good, or too many attempts
    CANCELLED = "cancelled"  # a later decision's email replaced it, or no address is left


class AttemptOutcome(enum.Enum):
    SENT = "sent"
    FAILED = "failed"
    CANCELLED = "cancelled"


class OutboxMessage(Model):
    """One email telling a contributor of one decision on their note."""

    __tablename__ = "outbox"
    __table_args__ = (
        # A note is approved, rejected or withdrawn at most once: each is announced once.
        sa.UniqueConstraint("contribution_id", "announces",
                            name="uq_outbox_contribution_id_announces"),
        sa.CheckConstraint("announces IN ('approved', 'rejected', 'withdrawn')",
                           name="announces_a_decision"),
        sa.CheckConstraint("attempts >= 0", name="attempts_not_negative"),
        # The sender reads queued messages whose next attempt is due, soonest first.
        sa.Index("ix_outbox_status_next_attempt", "status", "next_attempt_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contribution_id: Mapped[int] = mapped_column(
        sa.ForeignKey("contributions.id", ondelete="CASCADE"))
    # The decision this email announces (the note may have moved on by the time it is sent).
    announces: Mapped[ContributionStatus] = mapped_column(
        enum_column(ContributionStatus, "announced_status"))
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

    contribution: Mapped[Contribution] = relationship()

    def __repr__(self) -> str:
        return f"<OutboxMessage {self.id} {self.announces.value} {self.status.value}>"


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
