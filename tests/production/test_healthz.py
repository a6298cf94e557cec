"""``/healthz``: 200 with a small JSON body while the database answers, 503 when it does not."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

UNREACHABLE = "postgresql+psycopg://postgres@127.0.0.1:1/nowhere?connect_timeout=2"


def test_healthy_when_the_database_answers(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}
    assert response.headers["Cache-Control"] == "no-store"
    assert len(response.data) < 100


def test_unavailable_when_the_database_is_unreachable_and_says_nothing_more(app, make_app):
    broken = make_app(SQLALCHEMY_DATABASE_URI=UNREACHABLE)

    response = broken.test_client().get("/healthz")

    assert response.status_code == 503
    assert response.get_json() == {"status": "unavailable", "database": "unreachable"}
    body = response.get_data(as_text=True)
    for secret in ("127.0.0.1", "postgres", "nowhere", broken.config["SECRET_KEY"]):
        assert secret not in body


def test_pages_fail_cleanly_with_a_503_while_the_database_is_unreachable(app, make_app):
    broken = make_app(SQLALCHEMY_DATABASE_URI=UNREACHABLE)

    response = broken.test_client().get("/")

    assert response.status_code == 503
    assert int(response.headers["Retry-After"]) > 0
    assert "Back in a moment" in response.text
    assert "Traceback" not in response.text and "psycopg" not in response.text


@pytest.mark.slow
def test_the_health_check_is_never_rate_limited(database_url, tmp_path):
    """In a process of its own: default limits would otherwise stay on the shared limiter."""
    script = f"""
from archive import create_app
app = create_app({{"TESTING": True, "SECRET_KEY": "x" * 32, "RATELIMIT_ENABLED": True,
                  "RATELIMIT_STORAGE_URI": "memory://", "RATELIMIT_DEFAULT": "2 per minute",
                  "SQLALCHEMY_DATABASE_URI": {database_url!r},
                  "MEDIA_ROOT": {str(tmp_path)!r}}})
client = app.test_client()
print(sorted({{client.get("/healthz").status_code for _ in range(30)}}),
      sorted({{client.get("/browse").status_code for _ in range(5)}}))
"""
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            timeout=120, cwd=ROOT)

    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[0] == "[200] [200, 429]"  # the default limit is live


def test_a_logged_in_page_fails_cleanly_too_while_the_database_is_unreachable(
        app, make_app, make_user, login_client):
    user = make_user("archivist")
    broken = make_app(SQLALCHEMY_DATABASE_URI=UNREACHABLE)

    response = login_client(broken, user).get("/moderation/")

    assert response.status_code == 503
    assert "Back in a moment" in response.text


def test_each_503_logs_one_line_without_a_traceback(app, make_app, caplog, monkeypatch):
    import logging

    # (Running the migrations configures logging from alembic.ini, which turns off the
    # loggers that exist by then.)
    monkeypatch.setattr(logging.getLogger("archive.ops.health"), "disabled", False)
    broken = make_app(SQLALCHEMY_DATABASE_URI=UNREACHABLE)
    client = broken.test_client()

    with caplog.at_level("WARNING", logger="archive"):
        for url in ("/", "/browse", "/healthz"):
            caplog.clear()
            assert client.get(url).status_code == 503, url
            records = [r for r in caplog.records if r.name.startswith("archive")]
            assert len(records) == 1, (url, [r.getMessage() for r in records])
            [record] = records
            assert record.exc_info is None and record.exc_text is None, url
            message = record.getMessage()
            assert "\n" not in message and "OperationalError" in message, message
            assert "SELECT" not in message  # what the driver said, never the query
