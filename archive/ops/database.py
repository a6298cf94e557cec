"""Every web request answers in bounded time, whatever state the database is in.

A database can fail in ways that make a request wait instead of fail: a runaway statement, a
lock held by someone else, every connection of the pool in use, or a server that accepts
connections and then answers nothing at all (hung, or frozen by the kernel). Each is bounded:

- a statement runs at most ``DATABASE_STATEMENT_TIMEOUT`` seconds and waits for a lock at most
  ``DATABASE_LOCK_TIMEOUT`` (PostgreSQL cancels it; SQLite interrupts it, and gives up waiting
  for the writer's lock), connecting takes at most ``DATABASE_CONNECT_TIMEOUT`` and waiting
  for a free connection of the pool at most ``DATABASE_POOL_TIMEOUT``; each failure is answered
  with the 503 page;
- a PostgreSQL server that answers nothing (it cannot cancel a statement then) is given up a
  second after the statement timeout: psycopg stops waiting for it, the connection is closed,
  and this process treats the database as down. Until a probe in the background hears the server
  again, every request is answered with the 503 page at once, without touching the database,
  and ``/healthz`` says so.

These limits apply to web requests only: commands (imports, exports, ``db upgrade``, purges)
may run statements as long as they need.
"""

from __future__ import annotations

import functools
import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from flask import Flask, request

log = logging.getLogger(__name__)

# Extra time a silent server is given beyond the statement timeout, in which PostgreSQL itself
# would have cancelled the statement had it been running.
GRACE_SECONDS = 1.0
PROBE_INTERVAL = 1.0
PROBE_TIMEOUT = 2  # psycopg waits at least 2 s for a connection, whatever it is told


class DatabaseDown(sa.exc.DisconnectionError):
    """Raised instead of using a database this process has found not answering."""


def engine_options(config: dict[str, Any], *, serving: bool) -> dict[str, Any]:
    """SQLAlchemy engine options for the database ``config`` names.

    Only a process that serves requests gets the statement and lock limits.
    """
    url = sa.make_url(config["SQLALCHEMY_DATABASE_URI"])
    options: dict[str, Any] = {}
    lock_seconds = config["DATABASE_LOCK_TIMEOUT"]
    if url.get_backend_name() == "sqlite":
        # How long a writer waits for another's lock; commands wait as long as before.
        options["connect_args"] = {"timeout": lock_seconds if serving else 15}
        if url.database and url.database != ":memory:":  # (one connection, no pool to wait for)
            options["pool_timeout"] = config["DATABASE_POOL_TIMEOUT"]
        return options
    options["pool_timeout"] = config["DATABASE_POOL_TIMEOUT"]
    options["pool_pre_ping"] = True
    connect_args: dict[str, Any] = {}
    if "connect_timeout" not in url.query:  # (one given in DATABASE_URL is kept)
        connect_args["connect_timeout"] = config["DATABASE_CONNECT_TIMEOUT"]
    if serving:
        limits = (f"-c statement_timeout={config['DATABASE_STATEMENT_TIMEOUT'] * 1000} "
                  f"-c lock_timeout={lock_seconds * 1000}")
        given = url.query.get("options")
        given = given[-1] if isinstance(given, tuple) else given
        connect_args["options"] = f"{given} {limits}" if given else limits
    options["connect_args"] = connect_args
    return options


def init_app(app: Flask, engine: sa.Engine, *, serving: bool) -> None:
    """Bound what the engine's connections may wait for, in a process that serves requests."""
    seconds = app.config["DATABASE_STATEMENT_TIMEOUT"]
    if not serving or not seconds:
        return
    if engine.dialect.name == "sqlite":
        _interrupt_long_sqlite_statements(engine, seconds)
        return
    if engine.dialect.driver != "psycopg":
        return
    guard = Guard(seconds + GRACE_SECONDS)
    app.extensions["database_guard"] = guard
    sa.event.listen(engine, "do_connect", guard.connect)

    @app.before_request
    def refuse_while_the_database_is_down():
        if guard.down and request.endpoint not in ("static", "ops.healthz"):
            raise DatabaseDown("the database did not answer; waiting for it to answer again")


def guard_of(app: Flask) -> Guard | None:
    return app.extensions.get("database_guard")


def _interrupt_long_sqlite_statements(engine: sa.Engine, seconds: int) -> None:
    """SQLite runs in this process: a statement still running after ``seconds`` is interrupted
    (``sqlite3.OperationalError: interrupted``)."""

    @sa.event.listens_for(engine, "connect")
    def _limit(dbapi_connection, connection_record):
        info = connection_record.info

        def too_long() -> bool:
            return time.monotonic() - info.get("statement_started", float("inf")) > seconds

        dbapi_connection.set_progress_handler(too_long, 10_000)

    @sa.event.listens_for(engine, "before_cursor_execute")
    def _started(conn, cursor, statement, parameters, context, executemany):
        conn.info["statement_started"] = time.monotonic()


class Guard:
    """One process's view of whether its PostgreSQL server answers, and the connections it
    makes: each of them gives up on a server that says nothing for ``answer_within`` seconds."""

    def __init__(self, answer_within: float):
        self.answer_within = answer_within
        self.down = False
        self._lock = threading.Lock()
        self._local = threading.local()
        self._connect_params: dict[str, Any] = {}
        self._prober: threading.Thread | None = None

    # --- connections ---------------------------------------------------------------------------

    def connect(self, dialect, connection_record, cargs, cparams):
        """The engine's ``do_connect`` event: a connection that waits within bounds."""
        import psycopg

        self._connect_params = dict(cparams)
        if self.down:  # (the probe connects by itself)
            raise psycopg.OperationalError("the database is not answering")
        try:
            return guarded_connection_class().connect(*cargs, **cparams).guarded_by(self)
        except psycopg.errors.ConnectionTimeout:
            self.mark_down("connecting timed out")
            raise

    def limit(self) -> float:
        return getattr(self._local, "limit", None) or self.answer_within

    @contextmanager
    def answering_within(self, seconds: float) -> Iterator[None]:
        """Give up on the server sooner in this thread (the health check's own deadline)."""
        self._local.limit = seconds
        try:
            yield
        finally:
            self._local.limit = None

    # --- down, and back ------------------------------------------------------------------------

    def mark_down(self, why: str) -> None:
        with self._lock:
            if self.down:
                return
            self.down = True
            log.warning("the database did not answer (%s): answering 503 until it does", why)
            self._prober = threading.Thread(target=self._probe_until_it_answers,
                                            name="database-probe", daemon=True)
            self._prober.start()

    def _probe_until_it_answers(self) -> None:
        params = {**self._connect_params, "connect_timeout": PROBE_TIMEOUT}
        while True:
            time.sleep(PROBE_INTERVAL)
            try:
                with guarded_connection_class().connect(**params) as conn:
                    conn.guarded_by(self, probing=True).execute("SELECT 1")
            except Exception:  # whatever went wrong, the server is not back yet
                log.debug("database probe: no answer yet", exc_info=True)
                continue
            with self._lock:
                self.down = False
                self._prober = None
            log.warning("the database answers again")
            return


@functools.cache
def guarded_connection_class() -> Any:
    """psycopg is an optional dependency: the subclass is made the first time it is needed."""
    import psycopg

    class GuardedConnection(psycopg.Connection):
        """A psycopg connection whose every wait for the server is bounded (psycopg's own
        ``wait`` timeout); past it the connection is closed and the error is psycopg's."""

        guard: Guard | None = None
        probing = False

        def guarded_by(self, guard: Guard, *, probing: bool = False):
            self.guard = guard
            self.probing = probing
            return self

        def wait(self, gen, interval=0.1, timeout=None):
            guard = self.guard
            if guard is None or timeout is not None:
                return super().wait(gen, interval, timeout)
            if guard.down and not self.probing:
                self.close()
                raise psycopg.OperationalError("the database is not answering")
            limit = PROBE_TIMEOUT if self.probing else guard.limit()
            try:
                return super().wait(gen, interval, limit)
            except psycopg.OperationalError as error:
                if type(error).__name__ != "_WaitTimeout":
                    raise
                # Mid-conversation with a silent server: this connection cannot be used again.
                self.close()
                if not self.probing:
                    guard.mark_down(f"no answer within {limit:g} s")
                raise psycopg.OperationalError(
                    f"the database server did not answer within {limit:g} s") from None

    return GuardedConnection
