from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext
from werkzeug.security import check_password_hash, generate_password_hash
from zxcvbn import zxcvbn

from archive.extensions import db
from archive.models import Role, User

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 1000
# zxcvbn scores 0 (guessed at once) to 4; 3 means "safely unguessable" against offline attacks
# of moderate speed. Common passwords, keyboard walks, dictionary words with substitutions and
# the person's own email or name all score low.
MIN_PASSWORD_SCORE = 3
# Checked against when the email is unknown, so a wrong email takes as long as a wrong password.
_DUMMY_HASH = generate_password_hash("not-a-real-password-at-all")


class UserError(ValueError):
    pass


def authenticate(email: str, password: str) -> User | None:
    user = db.session.scalar(sa.select(User).where(User.email == email.strip().lower()))
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    if not user.check_password(password) or not user.active:
        return None
    return user


def password_problem(password: str, *, personal: tuple[str, ...] = ()) -> str | None:
    """Why ``password`` may not be used, or None when it is good enough.

    ``personal`` are words a guesser would try first for this person (email, name).
    """
    if len(password) < MIN_PASSWORD_LENGTH:
        return gettext("the password must be at least %(num)d characters long",
                       num=MIN_PASSWORD_LENGTH)
    if len(password) > MAX_PASSWORD_LENGTH:
        return gettext("the password must be at most %(num)d characters long",
                       num=MAX_PASSWORD_LENGTH)
    words = [w for value in personal for w in _personal_words(value)]
    # zxcvbn only looks at the first 100 characters: longer passwords are long enough.
    result = zxcvbn(password[:100], user_inputs=words)
    if result["score"] < MIN_PASSWORD_SCORE:
        hint = (result["feedback"].get("warning") or "").rstrip(".").lower()
        because = f" ({hint})" if hint else ""
        return gettext("the password is too easy to guess%(because)s; try a few unrelated words",
                       because=because)
    return None


def _personal_words(value: str) -> list[str]:
    value = (value or "").strip().lower()
    return [value] if len(value) >= 3 else []


def set_password(user: User, password: str) -> None:
    """Give ``user`` a new password (checked); every other session of theirs ends."""
    problem = password_problem(password, personal=(user.email, user.display_name))
    if problem:
        raise UserError(problem)
    user.set_password(password)
    db.session.flush()


def end_sessions(user: User) -> None:
    """Log ``user`` out everywhere: copies of their session or remember cookie stop working."""
    user.rotate_session_token()
    db.session.flush()


def create_user(email: str, password: str, role: Role, display_name: str = "") -> User:
    email = email.strip().lower()
    if "@" not in email:
        raise UserError(f"{email!r} is not an email address")
    problem = password_problem(password, personal=(email, display_name))
    if problem:
        raise UserError(problem)
    if db.session.scalar(sa.select(User.id).where(User.email == email)) is not None:
        raise UserError(f"a user with the email {email} already exists")
    user = User(email=email, role=role, display_name=display_name or email.split("@")[0])
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user
