"""Start-up and settings: safe defaults, and no start without a real secret in production."""

from __future__ import annotations

import subprocess
import sys

import pytest

from archive import PROJECT_ROOT, InsecureConfigError, create_app
from archive.config import normalise_database_url


@pytest.fixture
def clean_env(monkeypatch, tmp_path):
    from archive.config import SETTINGS

    for name in ("FLASK_DEBUG", *(setting.name for setting in SETTINGS)):
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


def _flask(clean_env, *args, **env) -> subprocess.CompletedProcess:
    """``flask --app app ARGS`` run as a person would, with only ``env`` set."""
    return subprocess.run(
        [sys.executable, "-m", "flask", "--app", "app", *args],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=60,
        env={"PATH": "/usr/bin:/bin", "ARCHIVE_INSTANCE_PATH": str(clean_env / "instance"),
             "HOME": str(clean_env), **env},
    )


def _one_line_error(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    return lines[0]


@pytest.mark.slow
def test_serving_without_a_secret_key_is_refused_in_one_line_that_says_how(clean_env):
    message = _one_line_error(_flask(clean_env, "run", "--port", "0"))

    assert "SECRET_KEY" in message and "export SECRET_KEY=" in message


@pytest.mark.slow
def test_commands_that_serve_nothing_need_no_secret_key(clean_env, tmp_path):
    upgraded = _flask(clean_env, "db", "upgrade")
    assert upgraded.returncode == 0, upgraded.stderr

    exported = _flask(clean_env, "export", "csv", "--output", str(tmp_path / "out.csv"))
    assert exported.returncode == 0, exported.stderr
    assert (tmp_path / "out.csv").read_text(encoding="utf-8-sig").startswith("identifier,")

    listed = _flask(clean_env, "users", "list")
    assert listed.returncode == 0 and "No users yet" in listed.stdout


@pytest.mark.slow
def test_serving_the_demo_needs_demo_mode_or_a_secret(clean_env):
    message = _one_line_error(_flask(clean_env, "demo", "--serve"))

    assert "ARCHIVE_DEMO=1" in message


@pytest.mark.slow
@pytest.mark.parametrize(("name", "value", "wanted"), [
    ("QUEUE_PAGE_SIZE", "twenty", "whole number"),
    ("QUEUE_PAGE_SIZE", "0", "at least 1"),
    ("SESSION_COOKIE_SECURE", "maybe", "takes 1 or 0"),
    ("CONTRIBUTION_RATE_LIMIT", "lots", "10 per hour"),
    ("PUBLIC_BASE_URL", "photos.example.org", "https://"),
    ("DATABASE_URL", "not a url", "database URL"),
    ("REJECTION_REASONS", "no codes here", "code=Text"),
])
def test_a_bad_setting_is_named_in_one_line_with_what_it_takes(clean_env, name, value, wanted):
    message = _one_line_error(_flask(clean_env, "users", "list", **{name: value}))

    assert name in message and wanted in message


@pytest.mark.slow
def test_a_missing_database_driver_names_the_extra_that_installs_it(clean_env, tmp_path):
    shadow = tmp_path / "shadow" / "psycopg"
    shadow.mkdir(parents=True)
    (shadow / "__init__.py").write_text('raise ImportError("psycopg is not installed")\n')

    message = _one_line_error(_flask(clean_env, "db", "upgrade",
                                     DATABASE_URL="postgresql://archive@127.0.0.1/archive",
                                     PYTHONPATH=str(tmp_path / "shadow")))

    assert "DATABASE_URL" in message and "recollect-archive[postgres]" in message


@pytest.mark.slow
def test_an_unreachable_database_is_one_line_not_a_traceback(clean_env):
    message = _one_line_error(_flask(clean_env, "users", "list",
                                     DATABASE_URL="postgresql://nobody@127.0.0.1:1/none"))

    assert "DATABASE_URL" in message


@pytest.mark.slow
def test_a_database_without_tables_says_to_upgrade_it(clean_env):
    message = _one_line_error(_flask(clean_env, "users", "list"))

    assert "db upgrade" in message


def test_the_documented_settings_table_is_the_registry(clean_env):
    from archive.config import settings_table

    documented = (PROJECT_ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    assert settings_table() in documented


def test_every_registered_setting_reaches_the_app(clean_env, monkeypatch):
    from archive.config import SETTINGS

    monkeypatch.setenv("SECRET_KEY", "s" * 40)
    monkeypatch.setenv("AUDIT_PAGE_SIZE", "7")
    monkeypatch.setenv("MAIL_TIMEOUT", "3")
    monkeypatch.setenv("OAI_REPOSITORY_ID", "photos.example.org")
    app = create_app()

    for setting in SETTINGS:
        for key in setting.config_keys:
            assert key in app.config, key
    assert app.config["AUDIT_PAGE_SIZE"] == 7
    assert app.config["MAIL_TIMEOUT"] == 3
    assert app.config["OAI_REPOSITORY_ID"] == "photos.example.org"


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
