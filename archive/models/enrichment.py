from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from archive.extensions import Model
from archive.models.contribution import Contribution
from archive.models.types import UTCDateTime, utcnow
from archive.models.user import User


class Enrichment(Model):
    """A change to an item's catalogue record, and where it came from."""

    __tablename__ = "enrichments"
    __table_args__ = (sa.Index("ix_enrichments_item", "item_id", "applied_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("items.id", ondelete="CASCADE"))
    field: Mapped[str] = mapped_column(sa.String(50))
    old_value: Mapped[str] = mapped_column(sa.Text, default="")
    new_value: Mapped[str] = mapped_column(sa.Text)
    contribution_id: Mapped[int | None] = mapped_column(sa.ForeignKey("contributions.id"))
    applied_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    applied_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # An enrichment is reverted by a later one that puts the old value back; both are kept.
    reverted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reverted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    reverts_id: Mapped[int | None] = mapped_column(sa.ForeignKey("enrichments.id"))
    # A date change also changes the normalised year range; both ends are kept, so that a
    # revert puts back exactly what the record held.
    old_date_earliest: Mapped[int | None]
    old_date_latest: Mapped[int | None]
    new_date_earliest: Mapped[int | None]
    new_date_latest: Mapped[int | None]

    contribution: Mapped[Contribution | None] = relationship(lazy="joined")
    applied_by: Mapped[User] = relationship(foreign_keys=[applied_by_id], lazy="joined")
    reverted_by: Mapped[User | None] = relationship(foreign_keys=[reverted_by_id])

    @property
    def is_reverted(self) -> bool:
        return self.reverted_at is not None

    def __repr__(self) -> str:
        return f"<Enrichment {self.id} {self.field}>"
