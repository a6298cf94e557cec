"""Start-up and settings: safe defaults, and no start without a real secret in production."""

from __future__ import annotations

import subprocess
import sys

import pytest

from archive import PROJECT_ROOT, InsecureConfigError, create_app
from archive.config import normalise_database_url


@pytest.fixture
def clean_env(monkeypatch, tmp_path):
    for name in ("SECRET_KEY", "DATABASE_URL", "MEDIA_ROOT", "ARCHIVE_DEMO", "FLASK_DEBUG",
                 "RATELIMIT_STORAGE_URI"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("ARCHIVE_INSTANCE_PATH", str(tmp_path / "instance"))
    return tmp_path


def test_refuses_to_start_without_a_secret_key_outside_debug_demo_and_test(clean_env):
    with pytest.raises(InsecureConfigError, match="SECRET_KEY"):
        create_app()


def test_refuses_a_short_secret_key(clean_env, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "short")
    with pytest.raises(InsecureConfigError):
        create_app()


def test_the_refusal_tells_how_to_set_a_key(clean_env):
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "app", "routes"],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=60,
        env={"PATH": "/usr/bin:/bin", "ARCHIVE_INSTANCE_PATH": str(clean_env / "instance"),
             "HOME": str(clean_env)},
    )
    assert result.returncode != 0
    assert "export SECRET_KEY=" in result.stderr


def test_defaults_put_database_and_media_in_the_instance_folder(clean_env, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    app = create_app()
    instance = clean_env / "instance"
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{instance / 'archive.sqlite3'}"
    assert app.config["MEDIA_ROOT"] == str((instance / "media").resolve())
    assert app.config["RATELIMIT_STORAGE_URI"] == "memory://"
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True


def test_settings_come_from_the_environment(clean_env, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "y" * 40)
    monkeypatch.setenv("DATABASE_URL", "postgres://u:p@db.internal:5432/archive")
    monkeypatch.setenv("MEDIA_ROOT", str(clean_env / "shared-media"))
    monkeypatch.setenv("RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379/3")
    monkeypatch.setenv("CONTRIBUTION_RATE_LIMIT", "2 per minute")
    app = create_app()
    assert app.config["SECRET_KEY"] == "y" * 40
    assert app.config["SQLALCHEMY_DATABASE_URI"] == (
        "postgresql+psycopg://u:p@db.internal:5432/archive"
    )
    assert app.config["MEDIA_ROOT"] == str(clean_env / "shared-media")
    assert app.config["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379/3"
    assert app.config["CONTRIBUTION_RATE_LIMIT"] == "2 per minute"


@pytest.mark.parametrize("setting, expected", [(None, 256 * 1024 * 1024), ("1048576", 1048576),
                                               ("0", 0)])
def test_sqlite_connections_map_the_database_file_as_configured(
        clean_env, monkeypatch, setting, expected):
    import sqlalchemy as sa

    from archive.extensions import db

    monkeypatch.setenv("SECRET_KEY", "z" * 40)
    if setting is None:
        monkeypatch.delenv("SQLITE_MMAP_SIZE", raising=False)
    else:
        monkeypatch.setenv("SQLITE_MMAP_SIZE", setting)
    app = create_app()
    with app.app_context(), db.engine.connect() as connection:
        assert connection.execute(sa.text("PRAGMA mmap_size")).scalar() == expected


def test_demo_mode_runs_without_a_secret_key_and_over_plain_http(clean_env, monkeypatch):
    monkeypatch.setenv("ARCHIVE_DEMO", "1")
    app = create_app()
    assert app.config["SECRET_KEY"]
    assert app.config["SESSION_COOKIE_SECURE"] is False


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgres://a@h/db", "postgresql+psycopg://a@h/db"),
        ("postgresql://a@h/db", "postgresql+psycopg://a@h/db"),
        ("postgresql+psycopg://a@h/db", "postgresql+psycopg://a@h/db"),
        ("sqlite:////tmp/x.db", "sqlite:////tmp/x.db"),
    ],
)
def test_database_urls_from_hosting_platforms_are_accepted(given, expected):
    assert normalise_database_url(given) == expected


def test_security_headers_on_every_page(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "Strict-Transport-Security" not in response.headers
    secure = client.get("/", base_url="https://archive.example.org")
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=")


def test_templates_contain_no_inline_script_or_style():
    """The Content-Security-Policy forbids inline code; a template that has some would break."""
    offenders = []
    for path in (PROJECT_ROOT / "templates").rglob("*.html"):
        text = path.read_text()
        if "<script>" in text or "<style" in text or " style=" in text or " onclick=" in text:
            offenders.append(str(path.relative_to(PROJECT_ROOT)))
    assert offenders == []
