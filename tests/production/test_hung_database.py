"""A PostgreSQL server that hangs (every process frozen with SIGSTOP: connections are accepted
and nothing is ever answered) for longer than gunicorn's worker timeout: every page and
``/healthz`` still answers 503 with ``Retry-After`` in time, no worker is killed, and the site
recovers by itself once the server answers again. On a server of the test's own, never the
machine's shared one."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from tests.conftest import BASE_TEST_CONFIG
from tests.production.private_postgres import PrivatePostgres, _free_port, wait_until

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
STATEMENT_TIMEOUT = 2  # given up after 3 s (a second more)
WORKER_TIMEOUT = 8
FROZEN_FOR = WORKER_TIMEOUT + 6


@pytest.fixture(scope="module")
def private_postgres():
    server = PrivatePostgres()
    yield server
    server.remove()


@pytest.fixture(scope="module")
def site(private_postgres, tmp_path_factory):
    """gunicorn with two workers on the private server, its database migrated, one photograph."""
    from flask_migrate import upgrade

    from archive import create_app
    from archive.extensions import db
    from archive.institutions.services import default_institution
    from archive.models import Collection, Item

    folder = tmp_path_factory.mktemp("hung")
    url = private_postgres.url
    app = create_app({**BASE_TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": url,
                      "MEDIA_ROOT": str(folder / "media")})
    with app.app_context():
        upgrade()
        collection = Collection(slug="hung", title="Hung", institution=default_institution())
        db.session.add(collection)
        db.session.flush()
        db.session.add(Item(identifier="HUNG-1", title="A photograph", needs_help=True,
                            collection_id=collection.id))
        db.session.commit()
        db.session.remove()
        db.engine.dispose()

    port = _free_port()
    env = {**os.environ, "GUNICORN_BIND": f"127.0.0.1:{port}", "GUNICORN_WORKERS": "2",
           "GUNICORN_TIMEOUT": str(WORKER_TIMEOUT), "DATABASE_URL": url,
           # 503s answered in a millisecond add up to thousands of requests: no recycling of
           # workers after MAX_REQUESTS, so that a worker exiting means one was killed.
           "GUNICORN_MAX_REQUESTS": "0",
           "MEDIA_ROOT": str(folder / "media"), "SECRET_KEY": "hung-" + uuid.uuid4().hex,
           "SESSION_COOKIE_SECURE": "0", "RATELIMIT_STORAGE_URI": "memory://",
           "DATABASE_STATEMENT_TIMEOUT": str(STATEMENT_TIMEOUT),
           "DATABASE_CONNECT_TIMEOUT": "2"}
    env.pop("ARCHIVE_DEMO", None)
    log_path = folder / "gunicorn.log"
    with open(log_path, "w") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "deploy/gunicorn.conf.py"),
             "app:app"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"

    def healthy():
        try:
            return requests.get(base + "/healthz", timeout=5).status_code == 200
        except requests.RequestException:
            return False

    try:
        assert wait_until(healthy, 60), log_path.read_text()
        yield base, log_path
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _timed_get(url: str) -> tuple[str, int, float, str | None, str]:
    started = time.monotonic()
    response = requests.get(url, timeout=30, allow_redirects=False)
    return (url.rsplit("/", 1)[-1], response.status_code, time.monotonic() - started,
            response.headers.get("Retry-After"), response.text)


def test_a_frozen_database_is_answered_with_503s_in_time_and_no_worker_is_killed(
        site, private_postgres):
    base, log_path = site
    pages = [f"{base}/items/HUNG-1", f"{base}/browse", f"{base}/healthz", f"{base}/"]
    # Each worker holds a pooled connection to the server before it freezes.
    with ThreadPoolExecutor(4) as pool:
        assert {a[1] for a in pool.map(_timed_get, pages * 3)} == {200}

    private_postgres.freeze()
    answers = []
    try:
        frozen_at = time.monotonic()
        with ThreadPoolExecutor(3) as pool:
            while time.monotonic() - frozen_at < FROZEN_FOR:
                answers += pool.map(_timed_get, pages[:3])
    finally:
        private_postgres.thaw()

    slow = [(page, round(took, 1)) for page, _, took, _, _ in answers if took > 5]
    assert not slow, slow  # give-up at 3 s, a new connection's at 2 s, on a busy machine
    assert {code for _, code, _, _, _ in answers} == {503}, log_path.read_text()[-6000:]
    assert all(retry and int(retry) > 0 for _, _, _, retry, _ in answers)
    assert all('"unavailable"' in body for page, _, _, _, body in answers if page == "healthz")
    assert all("Back in a moment" in body for page, _, _, _, body in answers
               if page != "healthz")
    # Most were answered at once, by a worker that already knew.
    assert sum(took < 1 for _, _, took, _, _ in answers) > len(answers) / 2

    # Back by itself, shortly after the server is.
    assert wait_until(lambda: all(_timed_get(page)[1] == 200 for page in pages), 20)
    log = log_path.read_text()
    assert "WORKER TIMEOUT" not in log and "Worker exiting" not in log, log[-3000:]
    assert log.count("Booting worker") == 2, log[-3000:]
    assert "the database answers again" in log
    assert "Traceback" not in log, log[-3000:]

