"""What a web request may wait for in the database is bounded, on both databases: a runaway
statement, a lock held by someone else and a pool with no free connection each end in the
503 page within their time limit, and store nothing. Commands keep no statement limit."""

from __future__ import annotations

import time

import click
import pytest
import sqlalchemy as sa

from archive import create_app
from archive.extensions import db
from archive.models import Contribution

RUNAWAY = {
    "sqlite": "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n) "
              "SELECT count(*) FROM (SELECT x FROM n LIMIT 30000000)",
    "postgresql": "SELECT pg_sleep(30)",
}


def _is_the_503_page(response) -> None:
    assert response.status_code == 503
    assert int(response.headers["Retry-After"]) > 0
    assert "Back in a moment" in response.text
    assert "Traceback" not in response.text


def _backend(app) -> str:
    return sa.make_url(app.config["SQLALCHEMY_DATABASE_URI"]).get_backend_name()


def test_a_runaway_statement_is_stopped_and_answered_with_the_503_page(make_app):
    app = make_app(DATABASE_STATEMENT_TIMEOUT=1)
    statement = RUNAWAY[_backend(app)]

    @app.get("/runaway")
    def runaway():
        db.session.execute(sa.text(statement))
        return "finished"

    started = time.monotonic()
    response = app.test_client().get("/runaway")

    assert time.monotonic() - started < 5
    _is_the_503_page(response)
    # The next request is served as usual.
    assert app.test_client().get("/").status_code == 200


def test_a_note_waiting_for_a_lock_held_elsewhere_gets_the_503_page_and_nothing_is_stored(
        make_app, make_item):
    app = make_app(DATABASE_LOCK_TIMEOUT=1)
    item = make_item()
    other = sa.create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    try:
        with other.connect() as holder:
            if _backend(app) == "sqlite":
                holder.exec_driver_sql("BEGIN IMMEDIATE")  # the one writer's lock
            else:
                holder.execute(sa.text("LOCK TABLE contributions IN EXCLUSIVE MODE"))
            started = time.monotonic()
            response = app.test_client().post(
                f"/items/{item.identifier}/contribute",
                data={"body": "The mill on Water Street, 1952.", "consent": "y"})
            took = time.monotonic() - started
            holder.rollback()
    finally:
        other.dispose()

    assert took < 5
    _is_the_503_page(response)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Contribution.id))) == 0
        db.session.remove()


def test_with_every_connection_of_the_pool_in_use_a_request_gets_the_503_page(make_app):
    app = make_app(DATABASE_POOL_TIMEOUT=1,
                   SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 1, "max_overflow": 0})
    with app.app_context(), db.engine.connect() as held:
        held.execute(sa.text("SELECT 1"))
        started = time.monotonic()
        response = app.test_client().get("/browse")
        took = time.monotonic() - started

    assert took < 5
    _is_the_503_page(response)
    assert app.test_client().get("/browse").status_code == 200


def test_commands_keep_no_statement_limit(database_url, tmp_path):
    """An import, an export or a migration may run long statements: only serving gets limits."""
    config = {"SQLALCHEMY_DATABASE_URI": database_url, "MEDIA_ROOT": str(tmp_path),
              "DATABASE_STATEMENT_TIMEOUT": 1, "DATABASE_LOCK_TIMEOUT": 1}
    with click.Context(click.Command("import")):
        command_app = create_app(config)
    serving_app = create_app({**config, "TESTING": True})

    def limits(app):
        with app.app_context():
            try:
                if _backend(app) == "sqlite":
                    return db.session.execute(sa.text("PRAGMA busy_timeout")).scalar()
                return db.session.execute(sa.text("SHOW statement_timeout")).scalar()
            finally:
                db.session.remove()
                db.engine.dispose()

    if database_url.startswith("sqlite"):
        assert (limits(command_app), limits(serving_app)) == (15000, 1000)
    else:
        assert (limits(command_app), limits(serving_app)) == ("0", "1s")


@pytest.mark.database_independent
def test_the_limits_are_settings_with_safe_defaults():
    from archive.config import Config, ConfigError

    defaults = Config.defaults()
    assert defaults["DATABASE_STATEMENT_TIMEOUT"] == 5
    assert defaults["DATABASE_POOL_TIMEOUT"] <= 5
    assert Config.from_env({"DATABASE_STATEMENT_TIMEOUT": "2"}) == {
        "DATABASE_STATEMENT_TIMEOUT": 2}
    with pytest.raises(ConfigError, match="DATABASE_CONNECT_TIMEOUT"):
        Config.from_env({"DATABASE_CONNECT_TIMEOUT": "1"})
