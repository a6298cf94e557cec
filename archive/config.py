"""Settings: one registry of every setting an operator can change, read from the environment.

Each ``Setting`` has a name (the environment variable), a type, a default and a description.
``Config.from_env`` reads every one of them; a value that cannot be used stops the app with a
one-line ``ConfigError`` naming the setting and what it takes (the command line prints it as
``Error: …`` and exits with status 2, never with a traceback). The configuration table in
``docs/configuration.md`` is generated from the registry (``flask --app app settings``) and a
test keeps the two identical.

``DATABASE_URL`` and ``MEDIA_ROOT`` default to files inside Flask's instance folder, so a fresh
checkout runs with nothing else installed.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import click

from archive.i18n_words import N_

DEV_SECRET_KEY = "dev-only-insecure-secret-key"  # noqa: S105 - refused outside debug/demo/test
MIN_SECRET_LENGTH = 16


class ConfigError(click.ClickException):
    """A setting is missing or cannot be used. The message is one line that says how to fix it."""

    exit_code = 2


# --- how values are read -------------------------------------------------------------------------


def parse_bool(raw: str) -> bool:
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ValueError("takes 1 or 0 (also true/false, yes/no, on/off)")


def parse_int(minimum: int = 0) -> Callable[[str], int]:
    def parse(raw: str) -> int:
        try:
            value = int(raw.strip().replace("_", ""))
        except ValueError:
            raise ValueError("takes a whole number") from None
        if value < minimum:
            raise ValueError(f"takes a whole number of at least {minimum}")
        return value

    return parse


def parse_rate_limit(raw: str) -> str:
    from limits import parse_many

    try:
        parse_many(raw)
    except ValueError:
        raise ValueError('takes a rate such as "10 per hour" or "5/minute"') from None
    return raw.strip()


def parse_http_url(raw: str) -> str:
    value = raw.strip().rstrip("/")
    if not value.startswith(("http://", "https://")) or len(value) < 10:
        raise ValueError("takes an address starting with https:// (or http://)")
    return value


def parse_reasons(text: str) -> dict[str, str]:
    """``"incorrect=The facts do not match;duplicate=Already told"`` -> {code: text}."""
    reasons = {}
    for part in text.split(";"):
        code, _, label = part.partition("=")
        if code.strip() and label.strip():
            reasons[code.strip()[:50]] = label.strip()
    if not reasons:
        raise ValueError('takes "code=Text the contributor reads;code=Text"')
    return reasons


def normalise_database_url(url: str) -> str:
    """Accept the ``postgres://`` and ``postgresql://`` forms hosting platforms hand out."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def parse_database_url(raw: str) -> str:
    import sqlalchemy as sa

    url = normalise_database_url(raw.strip())
    try:
        sa.make_url(url)
    except sa.exc.ArgumentError:
        raise ValueError("takes a database URL such as postgresql://user@host/dbname") from None
    return url


_HOST_NAME = re.compile(r"\.?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*")


def parse_hosts(raw: str) -> list[str]:
    """``"photos.example.org, .example.org"`` -> the host names (a leading dot: subdomains)."""
    hosts = [part.strip().lower() for part in re.split(r"[,\s]+", raw) if part.strip()]
    if not hosts or not all(_HOST_NAME.fullmatch(host) for host in hosts):
        raise ValueError("takes host names separated by commas, such as photos.example.org "
                         "(no scheme, no port; .example.org for every subdomain)")
    return hosts


def parse_text(raw: str) -> str:
    return raw.strip()


# --- the registry ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    description: str
    parse: Callable[[str], Any] = parse_text
    # The Flask config keys the value is stored under (the name itself unless said otherwise).
    keys: tuple[str, ...] = field(default=())
    # How the default reads in the documentation, where the value itself would mislead.
    shown_default: str | None = None

    @property
    def config_keys(self) -> tuple[str, ...]:
        return self.keys or (self.name,)

    def read(self, raw: str) -> Any:
        try:
            return self.parse(raw)
        except ValueError as error:
            raise ConfigError(f"{self.name}={raw!r} cannot be used: {self.name} {error}.") from None


_DEFAULT_REASONS = {
    "not_about_photo": N_("The note is not about this photograph."),
    "incorrect": N_("The archive could check the facts, and they do not match its records."),
    "unverifiable": N_("The archive could not confirm what the note says."),
    "duplicate": N_("Someone had already told us the same thing."),
    "personal_data": N_("The note holds personal details we cannot publish."),
    "inappropriate": N_("The note breaks the site's rules for respectful discussion."),
}

SETTINGS: tuple[Setting, ...] = (
    # The site
    Setting("SECRET_KEY", None,
            "signs sessions, form tokens and harvesting tokens: a long random value, required "
            "when serving outside debug and demo mode (commands that serve nothing do not need "
            "it)", shown_default="none: **required** to serve"),
    Setting("ARCHIVE_NAME", "Recollect Community Archive",
            "the name on every page and in OAI `Identify`"),
    Setting("ARCHIVE_DEMO", False,
            "demo mode: allows a development secret key and plain-HTTP cookies; never in "
            "production", parse_bool, keys=("DEMO",), shown_default="off"),
    Setting("PUBLIC_BASE_URL", None,
            "public address used in exports, OAI, IIIF and emails to contributors (needed to "
            "send them; other commands default to `http://127.0.0.1:5000`)", parse_http_url,
            shown_default="the request's host"),
    Setting("TRUSTED_HOSTS", None,
            "the host names the site answers to, separated by commas (`photos.example.org`; "
            "`.example.org` for every subdomain): a request naming another `Host` gets a 400. "
            "Unset, a response built from the request's host (OAI, IIIF, annotations, item "
            "pages without `PUBLIC_BASE_URL`) is sent `Vary: Host` and `private, no-store`",
            parse_hosts, shown_default="none: any host"),
    Setting("TRUSTED_PROXY_COUNT", 0,
            "reverse proxies in front of the app whose `X-Forwarded-*` headers to trust",
            parse_int()),
    Setting("SESSION_COOKIE_SECURE", True,
            "`0` only when serving over plain HTTP on a trusted network", parse_bool,
            keys=("SESSION_COOKIE_SECURE", "REMEMBER_COOKIE_SECURE"), shown_default="on"),
    # Storage
    Setting("DATABASE_URL", None,
            "SQLAlchemy URL; `postgres://` and `postgresql://` are used through psycopg 3 "
            "(install the `postgres` extra)", parse_database_url,
            keys=("SQLALCHEMY_DATABASE_URI",),
            shown_default="SQLite file `archive.sqlite3` in the instance folder"),
    Setting("DATABASE_STATEMENT_TIMEOUT", 5,
            "seconds one SQL statement of a web request may run before it is cancelled and the "
            "visitor gets the 503 page; a PostgreSQL server that answers nothing at all is "
            "given up a second later and treated as down (503 at once, `/healthz` says so) "
            "until it answers again; `0` turns both off. Commands have no such limit",
            parse_int()),
    Setting("DATABASE_LOCK_TIMEOUT", 3,
            "seconds a statement of a web request waits for a lock another holds (SQLite: for "
            "the writer's lock) before the visitor gets the 503 page",
            parse_int(1)),
    Setting("DATABASE_CONNECT_TIMEOUT", 3,
            "seconds to wait while connecting to PostgreSQL (at least 2)", parse_int(2)),
    Setting("DATABASE_POOL_TIMEOUT", 5,
            "seconds a request waits for a free connection of its process's pool before the "
            "503 page", parse_int(1)),
    Setting("ARCHIVE_INSTANCE_PATH", None,
            "folder for the default SQLite database and media (Flask's instance folder)",
            shown_default="`instance` in a checkout; `<prefix>/var/archive-instance` once "
            "installed"),
    Setting("MEDIA_ROOT", None,
            "originals and derivatives (a shared volume with several hosts)",
            shown_default="`media` in the instance folder"),
    Setting("SQLITE_MMAP_SIZE", 256 * 1024 * 1024,
            "SQLite only: bytes of the database file read through a memory map (the operating "
            "system's page cache, shared by every worker); `0` turns it off", parse_int()),
    Setting("MEDIA_X_ACCEL_PREFIX", None,
            "let nginx send media files (`X-Accel-Redirect` to this internal location, e.g. "
            "`/protected-media/`)", shown_default="none"),
    Setting("MEDIA_CACHE_SECONDS", 3600,
            "how long browsers and shared caches may keep a media file before asking the app "
            "again; a withdrawn item's or removed image's files are gone from caches after "
            "this long at most", parse_int()),
    Setting("USE_X_SENDFILE", False,
            "let Apache or lighttpd send media files (`X-Sendfile`)", parse_bool,
            shown_default="off"),
    # Limits
    Setting("RATELIMIT_ENABLED", True, "`0` turns every rate limit off", parse_bool,
            shown_default="on"),
    Setting("RATELIMIT_STORAGE_URI", "memory://",
            "Flask-Limiter storage; `redis://host:6379/0` with several processes or hosts "
            "(install the `redis` extra)"),
    Setting("RATELIMIT_KEY_PREFIX", "recollect",
            "key prefix in Redis (the rest of a key is a keyed hash of the visitor's address, "
            "never the address)"),
    Setting("CONTRIBUTION_RATE_LIMIT", "10 per hour",
            "accepted notes one visitor may send (a visitor: an IPv4 address, or an IPv6 /64; a "
            "form sent back for a correction does not count); archivists raise it for an event "
            "with an event allowance", parse_rate_limit),
    Setting("LOGIN_RATE_LIMIT", "5 per minute",
            "login attempts (and, separately, registrations) one visitor may make",
            parse_rate_limit),
    Setting("SEARCH_RATE_LIMIT", "30 per minute; 600 per hour",
            "searches one visitor may make (each page of results and each facet chosen is one)",
            parse_rate_limit),
    Setting("MAX_CONTENT_LENGTH", 64 * 1024 * 1024,
            "largest upload in bytes (curators' images); larger ones get the 413 page",
            parse_int(1)),
    Setting("MAX_FORM_BYTES", 1024 * 1024,
            "largest request body in bytes on every route that takes no upload",
            parse_int(1024)),
    Setting("IMAGE_MAX_PIXELS", 180_000_000,
            "larger images are refused on upload and import", parse_int(1)),
    Setting("IMAGE_DECODE_BUDGET", 512 * 1024 * 1024,
            "the most memory, in bytes, one image may take once decoded (width by height by "
            "4 bytes, 1 for greyscale; a JPEG at the reduced scale it is decoded at): larger "
            "ones are refused on upload and import, before decoding; processing one image "
            "peaks at about twice this", parse_int(1024 * 1024),
            shown_default="`536870912` (512 MiB)"),
    # Notes from the public
    Setting("CONTRIBUTION_LICENCE", "CC BY 4.0",
            "the licence notes are published under, stated on the consent box"),
    Setting("CONTRIBUTION_LICENCE_URL", "https://creativecommons.org/licenses/by/4.0/",
            "the licence's address", parse_http_url),
    Setting("CONTRIBUTION_LANGUAGE", "en", "language of notes in Web Annotations"),
    Setting("IP_HASH_SALT", None,
            "key of the HMAC that replaces visitors' IP addresses (in notes, in the rate "
            "limits' keys and in event allowances)",
            shown_default="`SECRET_KEY`"),
    Setting("PRIVACY_RETENTION_DAYS", 90,
            "days before rejected and spam notes lose their text and sender details (and an "
            "ended event allowance its hashed network)",
            parse_int(1)),
    # Moderation
    Setting("REJECTION_REASONS", _DEFAULT_REASONS,
            "`code=Text;code=Text`, offered when rejecting; the text is what the contributor "
            "is told", parse_reasons, shown_default="six built-in reasons"),
    Setting("QUEUE_PAGE_SIZE", 20, "notes per moderation queue page", parse_int(1)),
    Setting("QUEUE_COUNT_LIMIT", 10_000,
            "queue counts are exact up to this many, then shown as \"10,000+\"", parse_int(1)),
    Setting("AUDIT_PAGE_SIZE", 50, "events per audit log page", parse_int(1)),
    Setting("TRUSTED_CONTRIBUTOR_THRESHOLD", 0,
            "approved notes (and no rejection or spam) after which an account's notes are "
            "approved at once; `0` turns it off", parse_int()),
    Setting("ITEMS_PER_PAGE", 24, "photographs per page when browsing", parse_int(1)),
    # Email
    Setting("MAIL_SERVER", None,
            "SMTP server `flask notify send` tells contributors what happened to their notes "
            "through; none: the emails wait in the outbox",
            shown_default="none"),
    Setting("MAIL_PORT", 25, "SMTP port", parse_int(1)),
    Setting("MAIL_USE_TLS", False, "STARTTLS", parse_bool, shown_default="off"),
    Setting("MAIL_USE_SSL", False, "SMTP over TLS (port 465)", parse_bool,
            shown_default="off"),
    Setting("MAIL_USERNAME", None, "SMTP login", shown_default="none"),
    Setting("MAIL_PASSWORD", None, "SMTP password", shown_default="none"),
    Setting("MAIL_FROM", "archive@localhost", "sender address of emails"),
    Setting("MAIL_TIMEOUT", 10, "seconds to wait for the SMTP server", parse_int(1)),
    # Harvesting
    Setting("OAI_PAGE_SIZE", 100, "records per OAI-PMH list page", parse_int(1)),
    Setting("OAI_ADMIN_EMAIL", None, "OAI-PMH `adminEmail`",
            shown_default="`archive@` the public host"),
    Setting("OAI_REPOSITORY_ID", None, "OAI identifier domain",
            shown_default="the public host"),
    Setting("ANNOTATION_PAGE_SIZE", 100, "notes per AnnotationPage", parse_int(1)),
)


class Config:
    """Defaults: every registered setting, and the fixed Flask settings below."""

    TESTING = False
    # The limiter object is shared: RATELIMIT_ENABLED is always set, or an app would inherit
    # the last app's value. When the shared storage (Redis) cannot be reached, each process
    # counts on its own in memory until it is back (logged by the "flask-limiter" logger).
    RATELIMIT_HEADERS_ENABLED = True
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    CONTRIBUTION_MAX_LENGTH = 5000

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    # Flask-Login sets no SameSite on its cookie unless told: a cross-site request would then
    # carry the remember-me cookie and log the visitor in for it.
    REMEMBER_COOKIE_SAMESITE = "Lax"
    WTF_CSRF_TIME_LIMIT = None  # tokens live as long as the session

    @classmethod
    def defaults(cls) -> dict[str, Any]:
        values = {key: getattr(cls, key) for key in dir(cls) if key.isupper()}
        for setting in SETTINGS:
            for key in setting.config_keys:
                values[key] = setting.default
        return values

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> dict[str, Any]:
        """Every registered setting the environment sets (an empty value counts as unset)."""
        env = os.environ if env is None else env
        values: dict[str, Any] = {}
        for setting in SETTINGS:
            raw = env.get(setting.name)
            if raw is None or raw.strip() == "":
                continue
            value = setting.read(raw)
            for key in setting.config_keys:
                values[key] = value
        return values


def is_insecure_secret(key: str | None) -> bool:
    return not key or key == DEV_SECRET_KEY or len(key) < MIN_SECRET_LENGTH


def settings_table() -> str:
    """The Markdown table of every setting, as ``docs/configuration.md`` shows it."""
    rows = ["| variable | default | meaning |", "| --- | --- | --- |"]
    for setting in SETTINGS:
        default = setting.shown_default
        if default is None:
            default = f"`{setting.default}`"
        rows.append(f"| `{setting.name}` | {default} | {setting.description} |")
    return "\n".join(rows) + "\n"



@click.command("settings")
def settings_command() -> None:
    """Print every setting, its default and meaning (the table in docs/configuration.md)."""
    click.echo(settings_table(), nl=False)
