"""Reading the append-only log of decisions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa

from archive.extensions import db
from archive.models import ModerationEvent, Role, User
from archive.moderation.lifecycle import Action
from archive.scope import EVERYTHING, Scope


@dataclass(frozen=True)
class LogFilter:
    actor_id: int | None = None
    action: Action | None = None
    since: date | None = None
    until: date | None = None


@dataclass(frozen=True)
class LogPage:
    events: list[ModerationEvent]
    next_before: int | None


def audit_log(filters: LogFilter, *, before: int | None = None, limit: int = 50,
              scope: Scope = EVERYTHING) -> LogPage:
    """Events newest first, a page at a time (keyset on the event id), of the notes of the
    institutions in ``scope``."""
    query = (sa.select(ModerationEvent).where(scope.events())
             .order_by(ModerationEvent.id.desc()).limit(limit + 1))
    if filters.actor_id is not None:
        query = query.where(ModerationEvent.actor_id == filters.actor_id)
    if filters.action is not None:
        query = query.where(ModerationEvent.action == filters.action)
    if filters.since is not None:
        query = query.where(
            ModerationEvent.created_at >= datetime.combine(filters.since, time(), UTC))
    if filters.until is not None:
        query = query.where(ModerationEvent.created_at < datetime.combine(
            filters.until + timedelta(days=1), time(), UTC))
    if before is not None:
        query = query.where(ModerationEvent.id < before)
    events = list(db.session.scalars(query))
    next_before = None
    if len(events) > limit:
        events = events[:limit]
        next_before = events[-1].id
    return LogPage(events, next_before)


def staff_members(scope: Scope = EVERYTHING) -> list[User]:
    """Everyone who may appear in the log as an archivist, for the filter's choices: the staff
    of the institutions in ``scope``."""
    staff_roles = [r for r in Role if r.is_staff]
    return list(db.session.scalars(
        sa.select(User).where(User.role.in_(staff_roles), scope.staff())
        .order_by(User.display_name, User.id)))
