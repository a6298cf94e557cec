from __future__ import annotations

import hashlib
import hmac

import sqlalchemy as sa
from flask import current_app, session
from flask_babel import get_locale, gettext
from flask_login import login_user
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.security import check_password_hash, generate_password_hash
from zxcvbn import zxcvbn

from archive.extensions import db
from archive.i18n_words import N_
from archive.models import Role, User, utcnow

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 1000
# zxcvbn scores 0 (guessed at once) to 4; 3 means "safely unguessable" against offline attacks
# of moderate speed. Common passwords, keyboard walks, dictionary words with substitutions and
# the person's own email or name all score low.
MIN_PASSWORD_SCORE = 3
# Checked against when the email is unknown, so a wrong email takes as long as a wrong password.
_DUMMY_HASH = generate_password_hash("not-a-real-password-at-all")


# zxcvbn's warnings are English only. Each one it can give, as our hint says it (lower case,
# no full stop), marked for translation; a warning not listed here (a newer zxcvbn) is shown
# only to people reading the site in English.
PASSWORD_HINTS = frozenset({
    N_("straight rows of keys are easy to guess"),
    N_("short keyboard patterns are easy to guess"),
    N_('repeats like "aaa" are easy to guess'),
    N_('repeats like "abcabcabc" are only slightly harder to guess than "abc"'),
    N_('sequences like "abc" or "6543" are easy to guess'),
    N_("recent years are easy to guess"),
    N_("dates are often easy to guess"),
    N_("this is a top-10 common password"),
    N_("this is a top-100 common password"),
    N_("this is a very common password"),
    N_("this is similar to a commonly used password"),
    N_("a word by itself is easy to guess"),
    N_("names and surnames by themselves are easy to guess"),
    N_("common names and surnames are easy to guess"),
})


class UserError(ValueError):
    """A change to an account that breaks a rule. The message is in the reader's language
    (English outside a request); :func:`as_sentence` makes a sentence of the lower-case ones
    (the password rules), which commands show as they are."""


def as_sentence(message: str) -> str:
    """``message`` as a sentence: its first letter in upper case (the rest unchanged, names
    and all) and a full stop at the end."""
    message = message.strip()
    if not message:
        return message
    return message[0].upper() + message[1:] + ("" if message.endswith((".", "!", "?")) else ".")


def _password_hint(warning: str) -> str:
    """zxcvbn's ``warning`` in the page's language, or "" when we have no translation of it."""
    hint = (warning or "").strip().rstrip(".").lower()
    if not hint:
        return ""
    if hint in PASSWORD_HINTS:
        return gettext(hint)
    locale = get_locale()
    return hint if locale is None or locale.language == "en" else ""


def authenticate(email: str, password: str) -> User | None:
    user = db.session.scalar(sa.select(User).where(User.email == email.strip().lower()))
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    # A closed account, or one whose address was never confirmed, is told what a wrong
    # password is told.
    if not user.check_password(password) or not user.is_active:
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
        hint = _password_hint(result["feedback"].get("warning") or "")
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
        raise UserError(gettext("“%(email)s” is not an email address", email=email))
    problem = password_problem(password, personal=(email, display_name))
    if problem:
        raise UserError(problem)
    if db.session.scalar(sa.select(User.id).where(User.email == email)) is not None:
        raise UserError(gettext("a user with the email %(email)s already exists", email=email))
    user = User(email=email, role=role, display_name=display_name or email.split("@")[0])
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user


def promote_to_admin(user: User) -> bool:
    """Make ``user`` an active administrator (``flask users promote``: the way back in when no
    administrator is left). Returns whether anything changed."""
    if user.role is Role.ADMIN and user.active:
        return False
    user.role, user.active = Role.ADMIN, True
    end_sessions(user)  # the new right starts with a new login
    return True


def start_session(user: User, *, remember: bool = False) -> None:
    """Log ``user`` in, in a session of its own.

    Nothing from before the login is kept: the form token (CSRF) in particular is made anew,
    so a token seen or planted before the login (on a shared computer, through a fixed
    session cookie) is worthless after it.
    """
    session.clear()
    login_user(user, remember=remember)


# --- confirming the address of a new account ----------------------------------------------------

CONFIRMATION_DAYS = 3


def _confirmation_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="account-confirmation")


def _confirmation_stamp(user: User) -> str:
    # Tied to the account's session token: a newer registration of the address (a new password)
    # or the confirmation itself replaces it, and with it every link sent before.
    return hashlib.sha256(user.session_token.encode()).hexdigest()[:16]


def confirmation_token(user: User) -> str:
    """What the link in the email sent on registering carries: signed, for this account as it
    is now, valid ``CONFIRMATION_DAYS`` days and once."""
    return _confirmation_serializer().dumps([user.id, _confirmation_stamp(user)])


def confirm_account(token: str) -> User | None:
    """The account ``token`` confirms, now confirmed (and the token used up); None when the
    token is forged, expired, used, or replaced by a newer one."""
    try:
        user_id, stamp = _confirmation_serializer().loads(
            token, max_age=CONFIRMATION_DAYS * 24 * 3600)
        user = db.session.get(User, int(user_id))
    except (BadSignature, ValueError, TypeError):
        return None
    if user is None or not user.active or not hmac.compare_digest(
            str(stamp), _confirmation_stamp(user)):
        return None
    if user.email_confirmed_at is None:
        user.email_confirmed_at = utcnow()
    user.rotate_session_token()  # the link works once
    db.session.flush()
    return user


def unconfirmed_account(email: str) -> User | None:
    """A contributor's account with this address whose owner never confirmed it."""
    return db.session.scalar(sa.select(User).where(
        User.email == email, User.email_confirmed_at.is_(None), User.role == Role.CONTRIBUTOR))
