from __future__ import annotations

import enum
import secrets
from datetime import datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, validates
from werkzeug.security import check_password_hash, generate_password_hash

from archive.extensions import Model
from archive.models.types import UTCDateTime, enum_column, utcnow


class Role(enum.Enum):
    """Roles, each including the powers of the ones before it.

    Contributors are members of the public with an account; the others are staff.
    """

    CONTRIBUTOR = "contributor"
    ARCHIVIST = "archivist"
    CURATOR = "curator"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        return list(Role).index(self)

    def includes(self, other: Role) -> bool:
        return self.rank >= other.rank

    @property
    def label(self) -> str:
        return self.value.capitalize()

    @property
    def is_staff(self) -> bool:
        return self.includes(Role.ARCHIVIST)


class User(UserMixin, Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(320), unique=True)
    display_name: Mapped[str] = mapped_column(sa.String(200))
    password_hash: Mapped[str] = mapped_column(sa.String(256))
    role: Mapped[Role] = mapped_column(enum_column(Role, "user_role"))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # When the owner of the address showed they read it (the link in the email sent on
    # registering). Until then the account cannot log in. Accounts made by staff or the command
    # line are confirmed when made.
    # (None given explicitly is stored as NULL: only an account left without a value gets the
    # default, confirmed now.)
    email_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime().evaluates_none(),
                                                                default=utcnow)
    # Part of the id kept in the session cookie: replacing it (on logout or a new password)
    # makes every copy of an earlier session cookie worthless.
    session_token: Mapped[str] = mapped_column(sa.String(64), default=lambda: new_session_token())

    @validates("email")
    def _normalise_email(self, _key: str, value: str) -> str:
        return value.strip().lower()

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)
        self.session_token = new_session_token()  # a new password logs out every other session

    def get_id(self) -> str:  # Flask-Login: what the session and remember cookies carry
        if not self.session_token:
            self.session_token = new_session_token()
        return f"{self.id}:{self.session_token}"

    def rotate_session_token(self) -> None:
        """End every session of this user, wherever its cookie has been copied to."""
        self.session_token = new_session_token()

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def is_active(self) -> bool:  # Flask-Login: inactive users cannot log in
        return self.active and self.email_confirmed_at is not None

    def has_role(self, role: Role) -> bool:
        return self.active and self.role.includes(role)

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role.value}>"


def new_session_token() -> str:
    return secrets.token_hex(32)
