"""``/healthz`` for load balancers, and a clean 503 while the database is unreachable."""

from __future__ import annotations

import logging

import sqlalchemy as sa
from flask import current_app, g, jsonify

from archive.errors import DATABASE_UNAVAILABLE
from archive.extensions import csrf, db, limiter, login_manager
from archive.ops import bp
from archive.ops.database import DatabaseDown, guard_of

log = logging.getLogger(__name__)
RETRY_AFTER_SECONDS = 5
HEALTH_SECONDS = 2


@bp.get("/healthz")
@limiter.exempt
@csrf.exempt
def healthz():
    """200 when this process can query its database, 503 when it cannot. Never says why.

    It answers within ``HEALTH_SECONDS`` however the database fails: at once while this process
    knows the database is not answering, else a server that stays silent is given up then.
    """
    guard = guard_of(current_app)
    try:
        if guard is None:
            db.session.execute(sa.text("SELECT 1"))
        else:
            if guard.down:
                raise DatabaseDown("the database is not answering")
            with guard.answering_within(HEALTH_SECONDS):
                db.session.execute(sa.text("SELECT 1"))
        db.session.rollback()
    except sa.exc.SQLAlchemyError as error:
        log.warning("health check: the database cannot be reached (%s)", describe(error))
        _rollback_quietly()
        response = jsonify(status="unavailable", database="unreachable")
        response.status_code = 503
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    else:
        response = jsonify(status="ok", database="ok")
    response.headers["Cache-Control"] = "no-store"
    return response


def describe(error: BaseException) -> str:
    """One line saying what went wrong with the database: the exception's class and the first
    line of what the driver said (never the SQL or its parameters)."""
    cause = getattr(error, "orig", None) or error.__cause__ or error
    said = " ".join(str(cause).strip().splitlines()[:1])[:200]
    kind = error.__class__.__name__
    return f"{kind}: {said}" if said else kind


def database_unavailable(error):
    """Lost or refused database connections: tell the visitor to retry, and log one line.

    An outage makes every request fail the same way: a traceback each time would bury the log
    (and say nothing the first line does not).
    """
    log.warning("database unavailable, answered 503: %s", describe(error))
    _rollback_quietly()
    # Nobody is looked up now: rendering any template would otherwise ask the database who
    # is logged in (Flask-Login's context processor), and fail again.
    if "_login_user" not in g:
        g._login_user = login_manager.anonymous_user()
    body, status = DATABASE_UNAVAILABLE.render()
    return body, status, {"Retry-After": str(RETRY_AFTER_SECONDS), "Cache-Control": "no-store"}


def _rollback_quietly() -> None:
    try:
        db.session.rollback()
    except sa.exc.SQLAlchemyError:
        log.debug("rollback failed while the database is unavailable", exc_info=True)
