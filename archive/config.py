"""Settings, read from environment variables with safe defaults.

Every setting can be overridden by an environment variable of the same name.
``DATABASE_URL`` and ``MEDIA_ROOT`` default to files inside Flask's instance folder,
so a fresh checkout runs with nothing else installed.
"""

from __future__ import annotations

import os

from archive.i18n_words import N_

DEV_SECRET_KEY = "dev-only-insecure-secret-key"  # noqa: S105 - refused outside debug/demo/test


def _bool(value: str | None, default: bool = False) -> bool:
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    return int(raw) if raw not in (None, "") else default


class Config:
    """Production-safe defaults. ``from_env`` fills in what the environment says."""

    SECRET_KEY: str | None = None
    DEMO = False
    TESTING = False

    SQLALCHEMY_DATABASE_URI: str | None = None  # filled by create_app from DATABASE_URL
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    MEDIA_ROOT: str | None = None  # filled by create_app from MEDIA_ROOT
    # SQLite only: bytes of the database file each connection reads through the operating
    # system's page cache (memory-mapped, shared by every process) rather than copying pages
    # into its own small cache. Search over a large archive reads many index pages. 0: off.
    SQLITE_MMAP_SIZE = 256 * 1024 * 1024

    # Rate limits (Flask-Limiter).  RATELIMIT_ENABLED is always set explicitly: the
    # limiter object is shared, and would otherwise inherit the last app's value.
    RATELIMIT_ENABLED = True
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    CONTRIBUTION_RATE_LIMIT = "10 per hour"
    # When the shared storage (Redis) cannot be reached, each process counts on its own in
    # memory until it is back (logged by the "flask-limiter" logger): posting and logging in
    # stay limited, per process instead of across all of them, and the site stays up.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    RATELIMIT_KEY_PREFIX = "recollect"
    LOGIN_RATE_LIMIT = "5 per minute"

    # The licence every published note is released under.
    CONTRIBUTION_LICENCE = "CC BY 4.0"
    CONTRIBUTION_LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"
    CONTRIBUTION_MAX_LENGTH = 5000

    # Public address of the site (e.g. https://photos.example.org), used in exports.
    PUBLIC_BASE_URL: str | None = None
    # Key for hashing visitors' IP addresses; defaults to SECRET_KEY.
    IP_HASH_SALT: str | None = None

    ARCHIVE_NAME = "Recollect Community Archive"

    # Moderation. Rejection reasons offered to archivists: code -> text the contributor sees.
    # From the environment as "code=Text;code=Text". These defaults are translated where pages
    # show them (N_ only marks them); reasons set in the environment are shown as written.
    REJECTION_REASONS = {
        "not_about_photo": N_("The note is not about this photograph."),
        "incorrect": N_("The archive could check the facts, and they do not match its records."),
        "unverifiable": N_("The archive could not confirm what the note says."),
        "duplicate": N_("Someone had already told us the same thing."),
        "personal_data": N_("The note holds personal details we cannot publish."),
        "inappropriate": N_("The note breaks the site's rules for respectful discussion."),
    }
    # The queue counts each status exactly up to this many, then shows "10,000+": the page
    # stays as fast with a hundred thousand notes as with a hundred.
    QUEUE_COUNT_LIMIT = 10_000
    AUDIT_PAGE_SIZE = 50
    # Contributors with an account whose notes are approved without review once they have this
    # many approved notes and none rejected or marked spam. 0 turns it off.
    TRUSTED_CONTRIBUTOR_THRESHOLD = 0
    # Email to contributors about decisions on their notes; no MAIL_SERVER, no email.
    MAIL_SERVER: str | None = None
    MAIL_PORT = 25
    MAIL_USE_TLS = False  # STARTTLS
    MAIL_USE_SSL = False  # SMTP over TLS (port 465)
    MAIL_USERNAME: str | None = None
    MAIL_PASSWORD: str | None = None
    MAIL_FROM = "archive@localhost"
    MAIL_TIMEOUT = 10
    ITEMS_PER_PAGE = 24
    QUEUE_PAGE_SIZE = 20
    # Largest request body: MAX_CONTENT_LENGTH where files are uploaded, MAX_FORM_BYTES on every
    # other route (a note of 5,000 characters is at most ~60 KB once form-encoded).
    MAX_CONTENT_LENGTH = 64 * 1024 * 1024
    MAX_FORM_BYTES = 1024 * 1024

    # Let the web server send media files: nginx's X-Accel-Redirect to this internal location
    # (e.g. /protected-media/), or Flask's USE_X_SENDFILE for Apache/lighttpd.
    MEDIA_X_ACCEL_PREFIX: str | None = None
    # Images with more pixels are refused on upload and import (at most the processing limit).
    IMAGE_MAX_PIXELS = 180_000_000
    USE_X_SENDFILE = False

    # Number of reverse proxies in front of the app whose X-Forwarded-* headers to trust.
    TRUSTED_PROXY_COUNT = 0

    # Days a rejected or spam note keeps its text and its sender's details before
    # ``flask privacy purge`` erases them.
    PRIVACY_RETENTION_DAYS = 90

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SECURE = True
    WTF_CSRF_TIME_LIMIT = None  # tokens live as long as the session

    @classmethod
    def from_env(cls) -> dict:
        env = os.environ
        settings: dict = {}
        for key in ("SECRET_KEY", "RATELIMIT_STORAGE_URI", "CONTRIBUTION_RATE_LIMIT",
                    "LOGIN_RATE_LIMIT", "CONTRIBUTION_LICENCE", "CONTRIBUTION_LICENCE_URL",
                    "ARCHIVE_NAME", "MEDIA_ROOT", "PUBLIC_BASE_URL", "IP_HASH_SALT"):
            if env.get(key):
                settings[key] = env[key]
        if env.get("DATABASE_URL"):
            settings["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(env["DATABASE_URL"])
        if "RATELIMIT_ENABLED" in env:
            settings["RATELIMIT_ENABLED"] = _bool(env["RATELIMIT_ENABLED"], True)
        if "SESSION_COOKIE_SECURE" in env:
            secure = _bool(env["SESSION_COOKIE_SECURE"], True)
            settings["SESSION_COOKIE_SECURE"] = settings["REMEMBER_COOKIE_SECURE"] = secure
        settings["DEMO"] = _bool(env.get("ARCHIVE_DEMO"))
        if env.get("MEDIA_X_ACCEL_PREFIX"):
            settings["MEDIA_X_ACCEL_PREFIX"] = env["MEDIA_X_ACCEL_PREFIX"]
        settings["IMAGE_MAX_PIXELS"] = _int("IMAGE_MAX_PIXELS", cls.IMAGE_MAX_PIXELS)
        if "USE_X_SENDFILE" in env:
            settings["USE_X_SENDFILE"] = _bool(env["USE_X_SENDFILE"])
        settings["TRUSTED_PROXY_COUNT"] = _int("TRUSTED_PROXY_COUNT", cls.TRUSTED_PROXY_COUNT)
        settings["ITEMS_PER_PAGE"] = _int("ITEMS_PER_PAGE", cls.ITEMS_PER_PAGE)
        settings["SQLITE_MMAP_SIZE"] = _int("SQLITE_MMAP_SIZE", cls.SQLITE_MMAP_SIZE)
        settings["PRIVACY_RETENTION_DAYS"] = _int("PRIVACY_RETENTION_DAYS",
                                                  cls.PRIVACY_RETENTION_DAYS)
        if env.get("REJECTION_REASONS"):
            settings["REJECTION_REASONS"] = parse_reasons(env["REJECTION_REASONS"])
        settings["QUEUE_PAGE_SIZE"] = _int("QUEUE_PAGE_SIZE", cls.QUEUE_PAGE_SIZE)
        settings["QUEUE_COUNT_LIMIT"] = _int("QUEUE_COUNT_LIMIT", cls.QUEUE_COUNT_LIMIT)
        settings["TRUSTED_CONTRIBUTOR_THRESHOLD"] = _int("TRUSTED_CONTRIBUTOR_THRESHOLD",
                                                         cls.TRUSTED_CONTRIBUTOR_THRESHOLD)
        for key in ("MAIL_SERVER", "MAIL_USERNAME", "MAIL_PASSWORD", "MAIL_FROM"):
            if env.get(key):
                settings[key] = env[key]
        settings["MAIL_PORT"] = _int("MAIL_PORT", cls.MAIL_PORT)
        settings["MAIL_USE_TLS"] = _bool(env.get("MAIL_USE_TLS"), cls.MAIL_USE_TLS)
        settings["MAIL_USE_SSL"] = _bool(env.get("MAIL_USE_SSL"), cls.MAIL_USE_SSL)
        if env.get("RATELIMIT_KEY_PREFIX"):
            settings["RATELIMIT_KEY_PREFIX"] = env["RATELIMIT_KEY_PREFIX"]
        return settings


def parse_reasons(text: str) -> dict[str, str]:
    """``"incorrect=The facts do not match;duplicate=Already told"`` -> {code: text}."""
    reasons = {}
    for part in text.split(";"):
        code, _, label = part.partition("=")
        if code.strip() and label.strip():
            reasons[code.strip()[:50]] = label.strip()
    return reasons


def normalise_database_url(url: str) -> str:
    """Accept the ``postgres://`` and ``postgresql://`` forms hosting platforms hand out."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def is_insecure_secret(key: str | None) -> bool:
    return not key or key == DEV_SECRET_KEY or len(key) < 16
