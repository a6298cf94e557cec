"""The app under gunicorn with several workers: one client's rate limit holds across all of
them through Redis, and the chosen behaviour when Redis is down (each worker counts on its
own, in memory, and says so in the log)."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Gunicorn:
    def __init__(self, database_url, media_root, *, workers, storage, limit, log_path):
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.key_prefix = f"test-{uuid.uuid4().hex}"
        env = {**os.environ,
               "GUNICORN_BIND": f"127.0.0.1:{self.port}", "GUNICORN_WORKERS": str(workers),
               "DATABASE_URL": database_url, "MEDIA_ROOT": str(media_root),
               "SECRET_KEY": "gunicorn-test-secret-" + uuid.uuid4().hex,
               "SESSION_COOKIE_SECURE": "0", "RATELIMIT_STORAGE_URI": storage,
               "RATELIMIT_KEY_PREFIX": self.key_prefix,
               "CONTRIBUTION_RATE_LIMIT": limit}
        env.pop("ARCHIVE_DEMO", None)
        self.log_path = log_path
        self.log = open(log_path, "w")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "deploy/gunicorn.conf.py"),
             "app:app"], cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60  # workers start slowly while the suite runs on every core
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"gunicorn exited:\n{self.output()}")
            try:
                if requests.get(self.base + "/healthz", timeout=5).status_code == 200:
                    return
            except (requests.ConnectionError, requests.Timeout):
                time.sleep(0.2)
        raise AssertionError(f"gunicorn did not answer in time:\n{self.output()}")

    def output(self) -> str:
        self.log.flush()
        return Path(self.log_path).read_text()

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


@pytest.fixture
def gunicorn(database_url, tmp_path, make_item):
    servers = []

    def start(**kwargs):
        server = Gunicorn(database_url, tmp_path / "media", log_path=tmp_path / "gunicorn.log",
                          **kwargs)
        servers.append(server)
        return server

    start.item = make_item()
    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def redis_reachable():
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as error:
        pytest.fail(f"Redis is not reachable at {REDIS_URL}: start it (see .ci/run) or set "
                    f"TEST_REDIS_URL.\n{error}", pytrace=False)


def _visitor(server, identifier) -> tuple[requests.Session, str]:
    visitor = requests.Session()
    page = visitor.get(f"{server.base}/items/{identifier}", timeout=10).text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    return visitor, token


def _post_note(server, identifier, visitor, token, n) -> int:
    response = visitor.post(f"{server.base}/items/{identifier}/contribute",
                            data={"body": f"Note {n}", "consent": "y", "csrf_token": token},
                            allow_redirects=False, timeout=10)
    visitor.close()
    return response.status_code


def _send_notes(server, identifier, count) -> list[int]:
    """One note after another, each from a new connection."""
    return [_post_note(server, identifier, *_visitor(server, identifier), n)
            for n in range(count)]


def _send_notes_at_once(server, identifier, count) -> list[int]:
    """``count`` notes posted at the same moment, so busy sync workers leave some to others."""
    visitors = [_visitor(server, identifier) for _ in range(count)]
    start = threading.Barrier(count)

    def post(n):
        start.wait()
        return _post_note(server, identifier, *visitors[n], n)

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(post, range(count)))


def _posting_pids(server) -> set[str]:
    return set(re.findall(r'<(\d+)> "POST /items/', server.output()))


def test_one_visitors_limit_holds_across_every_worker(gunicorn, redis_reachable):
    server = gunicorn(workers=3, storage=REDIS_URL, limit="4 per hour")

    # Which worker accepts a connection is up to the kernel; keep posting in bursts until
    # at least two workers have answered posts (each burst keeps several workers busy).
    codes = []
    for _ in range(10):
        codes += _send_notes_at_once(server, gunicorn.item.identifier, 6)
        if len(_posting_pids(server)) >= 2:
            break

    assert len(_posting_pids(server)) >= 2, server.output()[-3000:]
    assert codes.count(303) == 4, codes
    assert codes.count(429) == len(codes) - 4, codes
    # The shared counts are keyed by a hash of the visitor's address, never the address.
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    try:
        keys = [key.decode() for key in client.scan_iter(match=f"*{server.key_prefix}*")]
        assert keys, "no rate-limit key in Redis"
        assert not any("127.0.0.1" in key for key in keys), keys
        for key in keys:
            client.delete(key)
    finally:
        client.close()


def test_with_redis_down_each_worker_limits_on_its_own_and_logs_it(gunicorn):
    server = gunicorn(workers=1, storage="redis://127.0.0.1:1/0", limit="3 per hour")

    codes = _send_notes(server, gunicorn.item.identifier, 5)

    assert codes == [303, 303, 303, 429, 429]
    assert "Rate limit storage unreachable - falling back to in-memory storage" in \
        server.output()
    assert requests.get(server.base + "/healthz", timeout=5).status_code == 200
