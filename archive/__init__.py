"""Recollect: a community archive where the public tells us what they know about our photos."""

from __future__ import annotations

import hmac
import logging
import secrets
from pathlib import Path

from flask import Flask, request
from flask.sessions import SecureCookieSessionInterface
from werkzeug.middleware.proxy_fix import ProxyFix

from archive.config import (
    DEV_SECRET_KEY,
    MIN_SECRET_LENGTH,
    Config,
    ConfigError,
    is_insecure_secret,
)
from archive.extensions import csrf, db, login_manager, migrate
from archive.http import ArchiveRequest
from archive.resources import PROJECT_ROOT as PROJECT_ROOT  # tests and tools read it here
from archive.resources import resource

log = logging.getLogger(__name__)


class InsecureConfigError(ConfigError):
    """No usable SECRET_KEY where the app would serve requests."""


def create_app(config: type | dict | None = None) -> Flask:
    """Build the application.

    ``config`` may be a class or a dict of settings applied after the environment, so tests
    and embedding code can override anything.
    """
    from_env = Config.from_env()
    app = Flask(
        __name__,
        template_folder=str(resource("templates")),
        static_folder=str(resource("static")),
        instance_path=from_env.get("ARCHIVE_INSTANCE_PATH"),
    )
    app.request_class = ArchiveRequest
    app.config.update(Config.defaults())
    app.config.update(from_env)
    if isinstance(config, dict):
        app.config.update(config)
    elif config is not None:
        app.config.from_object(config)

    _finish_config(app)
    _init_extensions(app)
    _register_blueprints(app)
    _register_error_pages(app)
    _register_request_guards(app)
    _register_security_headers(app)
    _register_template_helpers(app)
    _register_cli(app)
    return app


def _serves_requests() -> bool:
    """False inside a command-line command that serves nothing (``db upgrade``, ``import``…).

    Such commands sign nothing a browser will send back, so they need no SECRET_KEY: they get a
    random one of their own. A WSGI server (no command running) and ``flask run`` serve.
    """
    import click

    context = click.get_current_context(silent=True)
    return context is None or context.info_name == "run"


def _finish_config(app: Flask) -> None:
    relaxed = app.debug or app.testing or app.config.get("DEMO")
    app.config["SECRET_KEY_IS_EPHEMERAL"] = False
    if is_insecure_secret(app.config.get("SECRET_KEY")):
        if relaxed:
            app.config["SECRET_KEY"] = app.config.get("SECRET_KEY") or DEV_SECRET_KEY
        elif not _serves_requests():
            app.config["SECRET_KEY"] = secrets.token_hex(32)
            app.config["SECRET_KEY_IS_EPHEMERAL"] = True
        else:
            raise InsecureConfigError(
                f"SECRET_KEY is not set or shorter than {MIN_SECRET_LENGTH} characters: set it "
                "to a long random value (export SECRET_KEY=\"$(python -c 'import secrets; "
                "print(secrets.token_hex(32))')\"), or try the demo with ARCHIVE_DEMO=1."
            )
    app.config["IP_HASH_SALT"] = app.config.get("IP_HASH_SALT") or app.config["SECRET_KEY"]
    if relaxed:
        # Local HTTP only: cookies must not require HTTPS there.
        app.config["SESSION_COOKIE_SECURE"] = app.config["REMEMBER_COOKIE_SECURE"] = False

    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = (
            "sqlite:///" + str(Path(app.instance_path) / "archive.sqlite3")
        )
    media_root = Path(app.config.get("MEDIA_ROOT") or Path(app.instance_path) / "media")
    app.config["MEDIA_ROOT"] = str(media_root.resolve())
    _require_drivers(app)

    # Time limits on everything a request may wait for in the database (archive/ops/database.py);
    # options given by the caller (tests, embedding code) win.
    from archive.ops.database import engine_options

    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {
        **engine_options(app.config, serving=_serves_requests()),
        **(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})}

    if app.config.get("TRUSTED_PROXY_COUNT"):
        n = int(app.config["TRUSTED_PROXY_COUNT"])
        # Flask documents this wrapping; its typing declares wsgi_app a method.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)  # type: ignore[method-assign]


# The optional libraries a setting can call for, and the extra that installs each.
OPTIONAL_DRIVERS = (
    ("SQLALCHEMY_DATABASE_URI", "postgresql", "psycopg", "DATABASE_URL", "postgres"),
    ("RATELIMIT_STORAGE_URI", "redis", "redis", "RATELIMIT_STORAGE_URI", "redis"),
)


def _require_drivers(app: Flask) -> None:
    """A setting that needs a library that is not installed: one line saying what to install."""
    import importlib

    for key, scheme, module, setting, extra in OPTIONAL_DRIVERS:
        value = str(app.config.get(key) or "")
        if not value.startswith(scheme):
            continue
        try:
            importlib.import_module(module)
        except ImportError:
            raise ConfigError(
                f"{setting} names {scheme}, but its Python driver ({module}) is not installed: "
                f"python -m pip install \"recollect-archive[{extra}]\" (from a checkout: "
                f"python -m pip install -e \".[{extra}]\")."
            ) from None


def _init_extensions(app: Flask) -> None:
    from sqlalchemy import exc as sa_exc

    from archive import models  # noqa: F401  (registers every table with the metadata)
    from archive.models import User

    db.init_app(app)
    # Search text follows each commit of db.session (and of no other session).
    from archive import search

    search.init_app(app)
    migrate.init_app(app, db, directory=str(resource("migrations")))
    csrf.init_app(app)
    from archive import ratelimits

    ratelimits.init_app(app)  # binds the limiter

    serving = _serves_requests()
    with app.app_context():
        if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
            busy = app.config["DATABASE_LOCK_TIMEOUT"] if serving else 15
            _configure_sqlite(db.engine, int(app.config.get("SQLITE_MMAP_SIZE", 0)), busy)
        from archive.ops import database

        database.init_app(app, db.engine, serving=serving)

    @app.teardown_appcontext
    def release_the_session(_error):
        """Registered after Flask-SQLAlchemy's own, so it runs first: a database lost as the
        request ends is logged, and never turns the answer already made into a 500. Connections
        to a server found not answering are dropped rather than rolled back."""
        from archive.ops.database import guard_of

        guard = guard_of(app)
        try:
            if guard is not None and guard.down:
                db.session().invalidate()
            db.session.remove()
        except sa_exc.SQLAlchemyError as error:
            log.warning("database connection lost as the request ended: %s",
                        type(error).__name__)

    app.session_interface = CookielessMediaSessionInterface()
    from flask_babel import lazy_gettext

    from archive import i18n

    i18n.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = lazy_gettext("Please log in to see that page.")
    login_manager.localize_callback = str  # translated when flashed, in the visitor's language
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"

    @login_manager.user_loader
    def load_user(session_id: str):
        # ``User.get_id`` is "<id>:<session token>": a cookie from before a logout (or a
        # password change) names a token that no longer exists and is refused.
        user_id, _, token = session_id.partition(":")
        user = db.session.get(User, int(user_id)) if user_id.isdigit() and token else None
        if user is None or not user.is_active:
            return None
        return user if hmac.compare_digest(user.session_token, token) else None


class CookielessMediaSessionInterface(SecureCookieSessionInterface):
    """Public media files are the same for everyone: never mark them as varying with the cookie.

    Flask-Login reads the session after every request, which would otherwise add
    ``Vary: Cookie`` and stop shared caches and CDNs from keeping media. (The files only staff
    may see are sent ``private, no-store`` with ``Vary: Cookie`` by the media route itself.)
    """

    def save_session(self, app, session, response) -> None:
        if request.blueprint == "images":
            return
        super().save_session(app, session, response)


def _configure_sqlite(engine, mmap_size: int, busy_seconds: int) -> None:
    import sqlalchemy as sa

    @sa.event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={busy_seconds * 1000:d}")
        cursor.execute(f"PRAGMA mmap_size={mmap_size:d}")
        cursor.close()


def _register_blueprints(app: Flask) -> None:
    from archive.admin import bp as admin_bp
    from archive.auth import bp as auth_bp
    from archive.catalogue import bp as catalogue_bp
    from archive.contribute import bp as contribute_bp
    from archive.contributors import bp as contributors_bp
    from archive.curation import bp as curation_bp
    from archive.harvesting import bp as harvesting_bp
    from archive.images import bp as images_bp
    from archive.moderation import bp as moderation_bp
    from archive.public import bp as public_bp
    from archive.search import bp as search_bp

    for bp in (public_bp, contribute_bp, moderation_bp, curation_bp, auth_bp, contributors_bp,
               images_bp, admin_bp):
        app.register_blueprint(bp)
    app.register_blueprint(search_bp)
    app.register_blueprint(harvesting_bp)  # /oai, /iiif, /annotations
    app.register_blueprint(catalogue_bp, url_prefix="/catalogue")

    from archive.ops import bp as ops_bp

    app.register_blueprint(ops_bp)


def _register_error_pages(app: Flask) -> None:
    """Every error renders the one template, errors/error.html, with a page of archive.errors."""
    from flask_wtf.csrf import CSRFError
    from sqlalchemy import exc as sa_exc

    from archive import errors

    def page(error_page: errors.ErrorPage):
        def handler(_error):
            return error_page.render()

        return handler

    for code, error_page in errors.BY_STATUS.items():
        app.register_error_handler(code, page(error_page))

    @app.errorhandler(413)
    def too_large(_error):
        view = app.view_functions.get(request.endpoint or "")
        upload = getattr(view, "accepts_uploads", False)
        return (errors.UPLOAD_TOO_LARGE if upload else errors.TOO_LARGE).render()
    app.register_error_handler(CSRFError, page(errors.FORM_EXPIRED))

    @app.errorhandler(429)
    def too_many(_error):
        from flask import url_for

        from archive.http import safe_next_url

        endpoint = request.endpoint
        if endpoint == "search.search_page":
            return errors.SEARCHING_TOO_FAST.render(
                back=(errors.BROWSE_INSTEAD, url_for("public.browse")))
        back = None
        if endpoint == "auth.login":  # the login page opens while logging in is paused
            following = safe_next_url(request.args.get("next"))
            back = (errors.BACK_TO_LOGIN, url_for("auth.login", next=following)
                    if following else url_for("auth.login"))
        elif endpoint == "contributors.register":
            back = (errors.BACK_TO_REGISTRATION, url_for("contributors.register"))
        return errors.TOO_MANY_REQUESTS.render(back=back)

    from werkzeug.exceptions import SecurityError

    @app.errorhandler(SecurityError)
    def untrusted_host(_error):
        # A Host outside TRUSTED_HOSTS: no address of the site can be built for it, so not the
        # usual page (which links to the site), and nothing of the request echoed.
        from flask import Response

        return Response("Bad request: this site does not answer to that host name.\n",
                        status=400, mimetype="text/plain")

    from archive.ops.health import database_unavailable

    app.register_error_handler(sa_exc.OperationalError, database_unavailable)
    app.register_error_handler(sa_exc.InterfaceError, database_unavailable)
    app.register_error_handler(sa_exc.DisconnectionError, database_unavailable)
    app.register_error_handler(sa_exc.PendingRollbackError, database_unavailable)
    app.register_error_handler(sa_exc.TimeoutError, database_unavailable)  # the pool is exhausted

    @app.errorhandler(sa_exc.DataError)
    def unstorable_input(_error):
        # Input the database cannot hold (a NUL character, a number out of range).
        db.session.rollback()
        return errors.BAD_REQUEST.render()

    @app.errorhandler(500)
    def server_error(_error):
        db.session.rollback()
        return errors.SERVER_ERROR.render()


# The deep-zoom viewer (OpenSeadragon) adds one fixed <style> block of its own, a focus rule for
# touch screens; it is allowed by its hash alone (tests/security checks the hash still matches
# the installed library), never by 'unsafe-inline'.
VIEWER_STYLE_HASH = "'sha256-9xTiqzfwFaL2SGb1rmr8gysEwVVjIvqWAgmZgqFqpEE='"

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "img-src 'self' data:",
        f"style-src 'self' {VIEWER_STYLE_HASH}",
        "script-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def _register_request_guards(app: Flask) -> None:
    """Refuse text no database can hold before any view sees it.

    PostgreSQL refuses NUL characters in text outright: a NUL in an address or a form field
    would otherwise reach a query and end as a server error. (Form text is cleaned by the
    forms; whatever still reaches the database is refused with a 400 by the error pages.)
    """
    from flask import abort

    @app.before_request
    def refuse_nul_characters():
        if "\x00" in request.path:
            abort(404)
        if any("\x00" in key or "\x00" in value
               for key, values in request.args.lists() for value in values):
            abort(400)


def _register_security_headers(app: Flask) -> None:
    from archive.harvesting.links import host_bound_response

    app.after_request(host_bound_response)

    @app.after_request
    def personal_pages_are_not_stored(response):
        """A page for a logged-in person may show what only they may see (contributors'
        emails in the queue, accounts, blocks): no cache, shared or the browser's, keeps it."""
        from flask_login import current_user

        if "Cache-Control" in response.headers or response.mimetype not in (
                "text/html", "application/json"):
            return response
        if current_user.is_authenticated:
            response.cache_control.private = True
            response.cache_control.no_store = True
        return response

    @app.after_request
    def security_headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        if request.is_secure:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        return response


def _register_template_helpers(app: Flask) -> None:
    from archive.institutions.services import footer_licence, notes_licence
    from archive.scope import works_on
    from archive.templating import register

    register(app)
    app.add_template_global(works_on)  # staff tools on a page show where the staff may act
    app.add_template_global(notes_licence)
    app.add_template_global(footer_licence)


def _register_cli(app: Flask) -> None:
    from archive.auth.cli import users_cli
    from archive.config import settings_command
    from archive.demo.cli import demo_command
    from archive.harvesting.cli import export_command
    from archive.ingest.cli import import_command
    from archive.institutions.cli import institutions_cli
    from archive.moderation.cli import notify_cli
    from archive.search.cli import search_cli

    app.cli.add_command(users_cli)
    app.cli.add_command(export_command)
    app.cli.add_command(demo_command)
    app.cli.add_command(import_command)
    app.cli.add_command(search_cli)
    app.cli.add_command(notify_cli)
    app.cli.add_command(settings_command)
    app.cli.add_command(institutions_cli)

    from archive.ops.cli import backup_cli, privacy_cli

    app.cli.add_command(backup_cli)
    app.cli.add_command(privacy_cli)

    for command in app.cli.commands.values():
        _explain_database_errors(command)


def _explain_database_errors(command) -> None:
    """A command that cannot reach its database says so in one line (exit 2), not a traceback.

    Applied to each top-level command (Flask-Migrate's ``db`` group included): a group's
    ``invoke`` runs its subcommands, so they are covered too. Commands are module-level
    objects shared by every app in a process, hence the guard against wrapping twice.
    """
    if getattr(command, "explains_database_errors", False):
        return
    from sqlalchemy import exc as sa_exc

    invoke = command.invoke

    def invoke_explained(ctx):
        try:
            return invoke(ctx)
        except (sa_exc.OperationalError, sa_exc.ProgrammingError) as error:
            reason = str(error.orig).strip().splitlines()[0] if error.orig else str(error)
            if "no such table" in reason or ("does not exist" in reason and "relation" in reason):
                raise ConfigError(f"The database has no tables yet ({reason}): run "
                                  "flask --app app db upgrade first.") from None
            raise ConfigError(f"The database could not be used ({reason}): check DATABASE_URL "
                              "and that the database server is running.") from None

    command.invoke = invoke_explained
    command.explains_database_errors = True
