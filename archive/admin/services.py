"""Rules for changing accounts: an archive must never lose its last administrator."""

from __future__ import annotations

import logging

import sqlalchemy as sa
from flask_babel import gettext as _

from archive.auth.services import UserError, end_sessions
from archive.extensions import db
from archive.models import Role, User

log = logging.getLogger(__name__)


def all_users() -> list[User]:
    return list(db.session.scalars(sa.select(User).order_by(User.role, User.email)))


def _other_active_admins(user: User) -> int:
    return db.session.scalar(
        sa.select(sa.func.count()).where(User.role == Role.ADMIN, User.active.is_(True),
                                         User.id != user.id)
    ) or 0


def update_account(user: User, *, role: Role, active: bool, display_name: str,
                   acting_admin: User) -> bool:
    """Change a user's role, name or active state. Returns whether anything changed.

    An administrator cannot demote or deactivate themselves (they would lock themselves out
    mid-change), and the last active administrator cannot be removed.
    """
    display_name = display_name.strip() or user.display_name
    if (role, active, display_name) == (user.role, user.active, user.display_name):
        return False
    losing_admin = user.role is Role.ADMIN and user.active and (role is not Role.ADMIN
                                                                 or not active)
    if losing_admin and user.id == acting_admin.id:
        raise UserError(_("You cannot remove your own administrator rights or deactivate "
                          "yourself; ask another administrator."))
    if losing_admin and _other_active_admins(user) == 0:
        raise UserError(_("This is the last active administrator; make someone else an "
                          "administrator first."))
    deactivated = user.active and not active
    log.info("account %s changed by %s: role %s→%s, active %s→%s", user.id, acting_admin.id,
             user.role.value, role.value, user.active, active)
    user.role, user.active, user.display_name = role, active, display_name
    if deactivated or role is not user.role:
        end_sessions(user)  # a changed or removed right takes effect at once, everywhere
    db.session.flush()
    return True
