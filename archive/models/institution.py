"""Institutions sharing one installation, and who works for which.

Every collection belongs to one institution. Staff hold their roles per institution
(``Membership``); a platform administrator (``Role.ADMIN`` on the user) stands above them all.
An installation that serves one archive has exactly one institution.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from archive.extensions import Model
from archive.models.types import UTCDateTime, enum_column, utcnow
from archive.models.user import Role, User

DEFAULT_ACCENT = "#1d4f91"


class Institution(Model):
    __tablename__ = "institutions"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(100), unique=True)
    name: Mapped[str] = mapped_column(sa.String(300))
    name_cy: Mapped[str] = mapped_column(sa.String(300), default="", server_default="")
    description: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    description_cy: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    website: Mapped[str] = mapped_column(sa.String(500), default="", server_default="")
    # Shown to the public on the institution's pages; never a person's private address.
    contact_email: Mapped[str] = mapped_column(sa.String(320), default="", server_default="")
    accent_colour: Mapped[str] = mapped_column(sa.String(7), default=DEFAULT_ACCENT,
                                               server_default=DEFAULT_ACCENT)
    # The licence the institution publishes notes under.
    licence_label: Mapped[str] = mapped_column(sa.String(100), default="", server_default="")
    licence_uri: Mapped[str] = mapped_column(sa.String(500), default="", server_default="")
    # The logo, a derivative stored under MEDIA_ROOT like any checked upload ("" for none).
    logo_path: Mapped[str] = mapped_column(sa.String(300), default="", server_default="")
    # Its own reasons for rejecting a note (``code=Text`` lines); "" for the site's.
    rejection_reasons: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    # Questions its archivists often ask the public, one a line, offered when asking.
    standing_questions: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="institution", lazy="raise_on_sql", cascade="all, delete-orphan")

    def display_name(self, language: str = "en") -> str:
        return self.name_cy if language == "cy" and self.name_cy else self.name

    def display_description(self, language: str = "en") -> str:
        return self.description_cy if language == "cy" and self.description_cy \
            else self.description

    @property
    def question_list(self) -> list[str]:
        return [q.strip() for q in self.standing_questions.splitlines() if q.strip()]

    def __repr__(self) -> str:
        return f"<Institution {self.slug}>"


class Membership(Model):
    """A staff member's role at one institution."""

    __tablename__ = "memberships"
    __table_args__ = (
        sa.UniqueConstraint("user_id", "institution_id", name="uq_memberships_user_institution"),
        sa.CheckConstraint("role IN ('archivist', 'curator')", name="staff_role"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    institution_id: Mapped[int] = mapped_column(
        sa.ForeignKey("institutions.id", ondelete="CASCADE"), index=True)
    role: Mapped[Role] = mapped_column(enum_column(Role, "membership_role"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    user: Mapped[User] = relationship(lazy="joined")
    institution: Mapped[Institution] = relationship(back_populates="memberships", lazy="joined")

    def __repr__(self) -> str:
        return f"<Membership {self.user_id}@{self.institution_id} {self.role.value}>"
