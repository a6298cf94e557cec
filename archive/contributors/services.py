"""Opening an account, without telling anyone which addresses have one.

Registering answers the same, at the same cost, whatever the address: the account is opened
only once its owner follows the link emailed to it, and the owner of an address that has an
account already is emailed a reminder instead. Nobody can learn from the page whether an
address (a member of staff's, say) has an account.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import has_request_context
from flask_babel import get_locale
from werkzeug.security import generate_password_hash

from archive.auth.services import UserError, password_problem, unconfirmed_account
from archive.extensions import db
from archive.models import AccountEmail, Role, User
from archive.moderation.outbox import queue_account_email


def _language() -> str | None:
    if not has_request_context():
        return None
    locale = get_locale()
    return str(locale) if locale else None


def register(email: str, password: str, display_name: str) -> None:
    """Ask for an account: queue the email that finishes it, or the reminder to the owner of
    an address that has one. Raises ``UserError`` for a password that may not be used (the
    same answer whatever the address).

    An address registered again before its link was followed takes the newer name and
    password, and a new link (the earlier ones stop working): until the link is followed,
    nothing proves the first registration was its owner's.
    """
    email = email.strip().lower()
    display_name = display_name.strip() or email.split("@")[0]
    problem = password_problem(password, personal=(email, display_name))
    if problem:
        raise UserError(problem)
    password_hash = generate_password_hash(password)  # the same work on every path
    pending = unconfirmed_account(email)
    if pending is not None:
        pending.display_name = display_name[:200]
        pending.password_hash = password_hash
        pending.rotate_session_token()
        queue_account_email(pending, AccountEmail.CONFIRM, language=_language())
        return
    existing = db.session.scalar(sa.select(User).where(User.email == email))
    if existing is not None:
        if existing.active:
            queue_account_email(existing, AccountEmail.ALREADY_REGISTERED,
                                language=_language())
        return
    user = User(email=email, role=Role.CONTRIBUTOR, display_name=display_name[:200],
                password_hash=password_hash, email_confirmed_at=None)
    db.session.add(user)
    db.session.flush()
    queue_account_email(user, AccountEmail.CONFIRM, language=_language())
