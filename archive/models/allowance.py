"""Event allowances: a time-boxed, higher limit on notes for one address or network."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from archive.extensions import Model
from archive.models.institution import Institution
from archive.models.types import UTCDateTime, utcnow
from archive.models.user import User


class EventAllowance(Model):
    """A higher notes-an-hour limit for one address or network (a library's "memory day",
    where everyone shares one connection), for notes to one institution's photographs, from
    ``starts_at`` until ``ends_at`` or until it is closed.

    The network is kept only as a keyed hash (``archive.extensions.network_hash``) with its
    prefix length, never as an address; the retention period erases even the hash once the
    allowance has ended (``network_hash`` is then empty).
    """

    __tablename__ = "event_allowances"
    __table_args__ = (
        sa.CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        sa.CheckConstraint("notes_per_hour > 0", name="positive_limit"),
        sa.CheckConstraint("ip_version IN (4, 6)", name="ip_version"),
        sa.CheckConstraint("(closed_at IS NULL) = (closed_by_id IS NULL)", name="closed_by_whom"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    institution_id: Mapped[int] = mapped_column(
        sa.ForeignKey("institutions.id", ondelete="CASCADE"), index=True)
    label: Mapped[str] = mapped_column(sa.String(200))
    network_hash: Mapped[str | None] = mapped_column(sa.String(64), index=True)
    ip_version: Mapped[int] = mapped_column(sa.SmallInteger)
    prefix_length: Mapped[int] = mapped_column(sa.SmallInteger)
    notes_per_hour: Mapped[int] = mapped_column(sa.Integer)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    institution: Mapped[Institution] = relationship(lazy="joined")
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id], lazy="joined")

    @property
    def until(self) -> datetime:
        """When it stops: its end, or when it was closed if that was earlier."""
        return self.closed_at if self.closed_at is not None else self.ends_at

    def is_open(self, now: datetime) -> bool:
        return self.closed_at is None and self.starts_at <= now < self.ends_at

    def __repr__(self) -> str:
        return f"<EventAllowance {self.id}>"
