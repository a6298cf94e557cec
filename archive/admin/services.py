"""Rules for changing accounts: an archive must never lose its last administrator."""

from __future__ import annotations

import logging
from typing import cast

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import aliased

from archive.auth.services import UserError, end_sessions
from archive.extensions import db
from archive.models import Role, User

log = logging.getLogger(__name__)


def all_users() -> list[User]:
    return list(db.session.scalars(sa.select(User).order_by(User.role, User.email)))


def update_account(user: User, *, role: Role, active: bool, display_name: str,
                   acting_admin: User) -> bool:
    """Change a user's role, name or active state. Returns whether anything changed.

    An administrator cannot demote or deactivate themselves (they would lock themselves out
    mid-change), and the last active administrator cannot be removed, even by two
    administrators removing each other at the same moment: the active administrators' rows
    are locked (PostgreSQL; SQLite has one writer at a time), and the change is one UPDATE
    that takes effect only while another active administrator remains and the one acting still
    is one.
    """
    display_name = display_name.strip() or user.display_name
    if (role, active, display_name) == (user.role, user.active, user.display_name):
        return False
    losing_admin = user.role is Role.ADMIN and user.active and (role is not Role.ADMIN
                                                                 or not active)
    if losing_admin and user.id == acting_admin.id:
        raise UserError(_("You cannot remove your own administrator rights or deactivate "
                          "yourself; ask another administrator."))
    db.session.execute(
        sa.select(User.id).where(User.role == Role.ADMIN, User.active.is_(True))
        .order_by(User.id).with_for_update())
    actor, other = aliased(User), aliased(User)
    conditions = [User.id == user.id, sa.exists().where(
        actor.id == acting_admin.id, actor.role == Role.ADMIN, actor.active.is_(True))]
    if losing_admin:
        conditions.append(sa.select(sa.func.count()).select_from(other).where(
            other.role == Role.ADMIN, other.active.is_(True), other.id != user.id,
        ).scalar_subquery() >= 1)
    before = (user.role, user.active)
    changed = cast(sa.CursorResult, db.session.execute(
        sa.update(User).where(*conditions)
        .values(role=role, active=active, display_name=display_name)
        .execution_options(synchronize_session=False)))
    db.session.refresh(user)
    if changed.rowcount != 1:
        db.session.refresh(acting_admin)
        if not acting_admin.has_role(Role.ADMIN):
            raise UserError(_("You are no longer an administrator."))
        raise UserError(_("This is the last active administrator; make someone else an "
                          "administrator first."))
    log.info("account %s changed by %s: role %s→%s, active %s→%s", user.id, acting_admin.id,
             before[0].value, role.value, before[1], active)
    if (before[1] and not active) or role is not before[0]:
        end_sessions(user)  # a changed or removed right takes effect at once, everywhere
    db.session.flush()
    return True

