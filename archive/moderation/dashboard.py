"""Figures for the team: what waits, how fast it is decided, who helps most."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa

from archive.extensions import db
from archive.models import ANONYMOUS_CREDIT, Contribution, ContributionStatus, User, utcnow
from archive.scope import EVERYTHING, Scope

DECISIONS = (ContributionStatus.APPROVED, ContributionStatus.REJECTED, ContributionStatus.SPAM,
             ContributionStatus.WITHDRAWN)


@dataclass(frozen=True)
class TopContributor:
    name: str
    has_account: bool
    approved: int


@dataclass(frozen=True)
class Dashboard:
    pending: int
    oldest_pending: datetime | None
    days: list[tuple[date, int]]  # decisions per day, oldest day first
    decided_in_period: int
    median_wait: timedelta | None
    top_contributors: list[TopContributor]
    period_days: int


def dashboard(*, period_days: int = 30, now: datetime | None = None,
              scope: Scope = EVERYTHING) -> Dashboard:
    """The figures of the notes sent to the institutions in ``scope``."""
    now = now or utcnow()
    in_scope = scope.contributions()
    start_day = now.date() - timedelta(days=period_days - 1)
    start = datetime.combine(start_day, datetime.min.time(), now.tzinfo)
    pending = db.session.scalar(sa.select(sa.func.count()).where(
        Contribution.status == ContributionStatus.PENDING, in_scope)) or 0
    oldest = db.session.scalar(
        sa.select(sa.func.min(Contribution.created_at))
        .where(Contribution.status == ContributionStatus.PENDING, in_scope))
    # Decisions taken by people (not the system) in the period: one row each, read by day.
    rows = db.session.execute(
        sa.select(Contribution.created_at, Contribution.decided_at)
        .where(Contribution.decided_at >= start, Contribution.decided_by_id.is_not(None),
               Contribution.status.in_(DECISIONS), in_scope)
    ).all()
    per_day = dict.fromkeys((start_day + timedelta(days=n) for n in range(period_days)), 0)
    waits = []
    for created_at, decided_at in rows:
        if decided_at is None:  # cannot be: the query keeps decided notes only
            raise RuntimeError(f"a decision with no decided_at among {len(rows)} rows")
        per_day[decided_at.date()] = per_day.get(decided_at.date(), 0) + 1
        waits.append((decided_at - created_at).total_seconds())
    median = timedelta(seconds=statistics.median(waits)) if waits else None
    return Dashboard(pending, oldest, sorted(per_day.items()), len(rows), median,
                     top_contributors(scope=scope), period_days)


def top_contributors(limit: int = 10, *, scope: Scope = EVERYTHING) -> list[TopContributor]:
    """Most approved notes: accounts by their display name, others by the name they publish.

    Notes sent without an account or a published name are left out: "Anonymous contributor"
    is many people, not one who helps most. Email addresses are never used as names.
    """
    published = sa.case((Contribution.show_name.is_(True), Contribution.credit_name), else_="")
    named = sa.or_(
        Contribution.submitted_by_id.is_not(None),
        sa.and_(Contribution.show_name.is_(True),
                sa.func.trim(Contribution.credit_name).not_in(["", ANONYMOUS_CREDIT])),
    )
    rows = db.session.execute(
        sa.select(User.id, User.display_name, published.label("credit"),
                  sa.func.count().label("n"))
        .select_from(Contribution)
        .outerjoin(User, User.id == Contribution.submitted_by_id)
        .where(Contribution.status == ContributionStatus.APPROVED, named,
               scope.contributions())
        .group_by(User.id, User.display_name, published)
        .order_by(sa.func.count().desc())
        .limit(limit * 3)
    ).all()
    totals: dict[tuple[str, int | None], int] = {}
    for user_id, account_name, credit, n in rows:
        key = (account_name, user_id) if user_id is not None else ((credit or "").strip(), None)
        totals[key] = totals.get(key, 0) + n
    ranked = sorted(totals.items(), key=lambda kv: (-kv[1], kv[0][0]))[:limit]
    # Names as their owners wrote them.
    return [TopContributor(name, user_id is not None, n) for (name, user_id), n in ranked]
