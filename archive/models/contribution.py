"""What the public tells us, and every decision taken on it."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from archive.extensions import Model
from archive.models.catalogue import Image, Item
from archive.models.types import UTCDateTime, enum_column, utcnow
from archive.models.user import Role, User

ANONYMOUS_CREDIT = "Anonymous contributor"


@dataclass(frozen=True)
class Region:
    """A box on an image, as fractions of its width and height."""

    x: float
    y: float
    w: float
    h: float

    def as_tuple(self) -> tuple[float, float, float, float]:
        return self.x, self.y, self.w, self.h


def _region(x: float | None, y: float | None, w: float | None, h: float | None) -> Region | None:
    if x is None or y is None or w is None or h is None:
        return None
    return Region(x, y, w, h)


class ContributionStatus(enum.Enum):
    """Where a note stands. Which status may follow which, and by what action, is
    ``archive.moderation.lifecycle.TRANSITIONS``: the only place a note's status changes."""

    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    SPAM = "spam"
    WITHDRAWN = "withdrawn"  # was approved, later taken down

    @property
    def label(self) -> str:
        return self.value.capitalize()


class Contribution(Model):
    __tablename__ = "contributions"
    __table_args__ = (
        # A contribution is pending exactly when no decision has been taken on it, and only a
        # decided one can name its decider (spam caught automatically has none).
        sa.CheckConstraint(
            "(status = 'pending' AND decided_at IS NULL AND decided_by_id IS NULL)"
            " OR (status <> 'pending' AND decided_at IS NOT NULL)",
            name="decision_matches_status",
        ),
        sa.CheckConstraint(
            "region_x IS NULL OR (region_y IS NOT NULL AND region_w > 0 AND region_h > 0"
            " AND region_x >= 0 AND region_y >= 0"
            " AND region_x + region_w <= 1.0001 AND region_y + region_h <= 1.0001)",
            name="region_within_image",
        ),
        sa.CheckConstraint(
            "edited_region_x IS NULL OR (region_edited AND edited_region_y IS NOT NULL"
            " AND edited_region_w > 0 AND edited_region_h > 0"
            " AND edited_region_x >= 0 AND edited_region_y >= 0"
            " AND edited_region_x + edited_region_w <= 1.0001"
            " AND edited_region_y + edited_region_h <= 1.0001)",
            name="edited_region_within_image",
        ),
        # The moderation queue reads pending contributions oldest first.
        sa.Index("ix_contributions_status_created", "status", "created_at", "id"),
        sa.Index("ix_contributions_item_status", "item_id", "status"),
        # A contributor's notes: "My contributions", blocks and the trusted-contributor count.
        sa.Index("ix_contributions_submitted_by", "submitted_by_id", "created_at"),
        sa.Index("ix_contributions_email", "email"),
        # One note per form: the key the page gave the form, so a form sent twice (a double
        # click, a browser retrying, five posts at once) is stored once.
        sa.Index("uq_contributions_submission_key", "submission_key", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("items.id", ondelete="CASCADE"))
    status: Mapped[ContributionStatus] = mapped_column(
        enum_column(ContributionStatus, "contribution_status"),
        default=ContributionStatus.PENDING,
    )
    # What the contributor wrote, kept as written.
    body: Mapped[str] = mapped_column(sa.Text)
    # The text the public sees when an archivist approved it with edits.
    edited_body: Mapped[str | None] = mapped_column(sa.Text)
    suggested_date: Mapped[str] = mapped_column(sa.String(200), default="")
    suggested_place: Mapped[str] = mapped_column(sa.String(300), default="")
    suggested_people: Mapped[str] = mapped_column(sa.Text, default="")
    # A region of the photograph the note is about, as fractions of width and height.
    region_x: Mapped[float | None]
    region_y: Mapped[float | None]
    region_w: Mapped[float | None]
    region_h: Mapped[float | None]
    # The image of the item the box is drawn on, named by the SHA-256 of its original, so that
    # reordering an item's images moves no box (None: the item's first image, as for boxes
    # drawn before an item could show several).
    region_image: Mapped[str | None] = mapped_column(sa.String(64))
    # An archivist who approved the note with edits may have moved, resized or removed the
    # box: the public then sees the edited box (none when removed); the contributor's is kept.
    region_edited: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    edited_region_x: Mapped[float | None]
    edited_region_y: Mapped[float | None]
    edited_region_w: Mapped[float | None]
    edited_region_h: Mapped[float | None]

    credit_name: Mapped[str] = mapped_column(sa.String(200), default="")
    show_name: Mapped[bool] = mapped_column(default=False)
    licence: Mapped[str] = mapped_column(sa.String(100))
    # Private: never shown publicly, never exported.
    email: Mapped[str | None] = mapped_column(sa.String(320))
    # When the owner of ``email`` showed they read it (the link emailed to it, or an account
    # of theirs whose address was confirmed): no email about the note goes to it before.
    email_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ip_hash: Mapped[str | None] = mapped_column(sa.String(64))
    submitted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    decision_reason: Mapped[str] = mapped_column(sa.Text, default="")
    # Which of the configured rejection reasons was chosen (free text goes in decision_reason).
    rejection_code: Mapped[str] = mapped_column(sa.String(50), default="", server_default="")
    # This note answered the item's "Can you help?" question.
    solved_question: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # When the contributor was told of the decision (by email).
    notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The interface language the note was sent in: the language of that email.
    language: Mapped[str | None] = mapped_column(sa.String(8))
    # When the contributor's personal data (and, for unpublished notes, the text) was erased,
    # on request or by the retention period.
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # A digest of the form's random key and what was typed in it (None for notes made
    # otherwise): the same sending is stored once.
    submission_key: Mapped[str | None] = mapped_column(sa.String(64))

    item: Mapped[Item] = relationship(lazy="joined")
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id], lazy="joined")
    submitted_by: Mapped[User | None] = relationship(foreign_keys=[submitted_by_id])

    @property
    def credit(self) -> str:
        """The name shown with a published note."""
        if self.show_name and self.credit_name.strip():
            return self.credit_name.strip()
        return ANONYMOUS_CREDIT

    @property
    def name_given(self) -> str:
        """The name the sender typed, for staff: shown beside an anonymous credit, so that a
        name sent with "publish anonymously" ticked is never lost to them."""
        return self.credit_name.strip()

    @property
    def public_text(self) -> str:
        """What the public reads: the archivist's edit if there is one, else the original."""
        return self.edited_body if self.edited_body is not None else self.body

    @property
    def has_region(self) -> bool:
        """Whether the contributor drew a box."""
        return self.region_x is not None

    @property
    def region(self) -> Region | None:
        """The box as the contributor drew it."""
        return _region(self.region_x, self.region_y, self.region_w, self.region_h)

    @property
    def edited_region(self) -> Region | None:
        """The archivist's version of the box (None: removed, or never edited)."""
        return _region(self.edited_region_x, self.edited_region_y, self.edited_region_w,
                       self.edited_region_h)

    @property
    def public_region(self) -> Region | None:
        """The box the public sees: the archivist's edit if there is one, else the original."""
        return self.edited_region if self.region_edited else self.region

    def region_image_of(self) -> Image | None:
        """The image of the item the box is on: the one whose original has the box's hash
        (the first image for older boxes); None when that image was taken off the record."""
        images = self.item.images
        if not images:
            return None
        if self.region_image is None:
            return images[0]
        return next((image for image in images if image.sha256 == self.region_image), None)

    @property
    def region_image_number(self) -> int | None:
        """The box's image, counted from 1 in the item's order (None: no box, or its image
        is no longer part of the record)."""
        if self.public_region is None:
            return None
        image = self.region_image_of()
        return None if image is None else self.item.images.index(image) + 1

    @property
    def is_pending(self) -> bool:
        return self.status is ContributionStatus.PENDING

    def can_moderate(self, user: User) -> bool:
        """Archivists and above moderate, but never what they submitted themselves."""
        if not user.has_role(Role.ARCHIVIST):
            return False
        if self.submitted_by_id is not None and self.submitted_by_id == user.id:
            return False
        return not (self.email and self.email.strip().lower() == user.email)

    def __repr__(self) -> str:
        return f"<Contribution {self.id} {self.status.value}>"


class BlockKind(enum.Enum):
    ACCOUNT = "account"
    EMAIL = "email"
    IP_HASH = "ip_hash"


class Block(Model):
    """A contributor whose later notes go straight to spam: by account, email or IP hash."""

    __tablename__ = "blocks"
    __table_args__ = (sa.Index("ix_blocks_kind_value", "kind", "value"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[BlockKind] = mapped_column(enum_column(BlockKind, "block_kind"))
    value: Mapped[str] = mapped_column(sa.String(320))
    reason: Mapped[str] = mapped_column(sa.Text, default="")
    # The institution whose notes the block keeps out; none: every institution (a block a
    # platform administrator makes).
    institution_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("institutions.id", ondelete="CASCADE"), index=True)
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    lifted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    lifted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    @property
    def active(self) -> bool:
        return self.lifted_at is None

    def __repr__(self) -> str:
        return f"<Block {self.kind.value}>"


class ModerationEvent(Model):
    """One decision on a contribution, or on an event allowance (opened, closed early).
    Append-only: never updated, never deleted.

    Written by ``archive.moderation.lifecycle`` only (``transition``,
    ``record_allowance_event``); ``action`` holds one of its ``Action`` codes. It holds no
    free text: the reason given for the decision, which may name a person, is an
    :class:`EventReason` beside it, which erasure can reach.
    """

    __tablename__ = "moderation_events"
    __table_args__ = (
        sa.Index("ix_moderation_events_contribution", "contribution_id", "id"),
        # The audit log, filtered by archivist.
        sa.Index("ix_moderation_events_actor", "actor_id", "id"),
        # An event is about one note, or about one event allowance (opened, closed).
        sa.CheckConstraint("(contribution_id IS NULL) <> (allowance_id IS NULL)",
                           name="one_subject"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contribution_id: Mapped[int | None] = mapped_column(sa.ForeignKey("contributions.id"))
    allowance_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("event_allowances.id"), index=True)
    # None when the system decided (a filled honeypot).
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(sa.String(40))
    from_status: Mapped[str] = mapped_column(sa.String(20))
    to_status: Mapped[str] = mapped_column(sa.String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)

    actor: Mapped[User | None] = relationship(lazy="joined")
    given_reason: Mapped[EventReason | None] = relationship(lazy="joined", viewonly=True)

    @property
    def reason(self) -> str:
        """The reason given for the decision ("" when none was, and a placeholder once
        erased)."""
        return self.given_reason.text if self.given_reason is not None else ""

    def __repr__(self) -> str:
        return f"<ModerationEvent {self.id} {self.action}>"


class EventReason(Model):
    """The words given for one decision in the log, kept beside the append-only event.

    What an archivist types may name a contributor ("same sender as jane@…"): the log itself
    must not keep it where erasure cannot reach, so the text lives here, and erasing a person
    (or the retention period) replaces it with a placeholder; the event stays as it was.
    """

    __tablename__ = "event_reasons"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("moderation_events.id"), unique=True)
    text: Mapped[str] = mapped_column(sa.Text)
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    def __repr__(self) -> str:
        return f"<EventReason of event {self.event_id}>"


class AppendOnlyError(RuntimeError):
    pass


@event.listens_for(ModerationEvent, "before_update")
@event.listens_for(ModerationEvent, "before_delete")
def _refuse_rewriting_history(_mapper, _connection, target: ModerationEvent) -> None:
    raise AppendOnlyError(f"moderation events are append-only (event {target.id})")
