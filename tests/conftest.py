"""Fixtures: a fresh app and database per test, on SQLite and on PostgreSQL.

Every test that uses ``app`` runs once per database named in ``TEST_DATABASES``
(default ``sqlite,postgresql``). The schema is made by the migrations, never by
``create_all``. PostgreSQL is reached at ``TEST_POSTGRES_URL``; when it cannot be reached the
tests fail with a message saying so: they are never skipped silently.

The suite runs in parallel with pytest-xdist (``-n auto`` in pyproject.toml). Each worker is a
test session of its own: its own PostgreSQL databases (named after the worker), its own
temporary folders (pytest gives each worker a base folder), and servers on ports the kernel
chose.
"""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask_login import FlaskLoginClient
from PIL import Image as PILImage

from archive import create_app
from archive.extensions import db

TEST_POSTGRES_URL = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
# "gw0", "gw1" … under pytest-xdist; "main" for a run without it.
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "main")
DATABASES = [d.strip() for d in os.environ.get("TEST_DATABASES", "sqlite,postgresql").split(",")
             if d.strip()]

BASE_TEST_CONFIG = {
    "TESTING": True,
    "SECRET_KEY": "test-secret-key-not-for-production",
    "RATELIMIT_ENABLED": False,
    "RATELIMIT_STORAGE_URI": "memory://",
    "WTF_CSRF_ENABLED": False,
    "SERVER_NAME": None,
}


class LoginClient(FlaskLoginClient):
    """``app.test_client(user=user)``: a client with ``user`` logged in.

    Besides the user id that FlaskLoginClient stores, it writes the digest of the visitor's
    address and browser that Flask-Login's "strong" session protection checks; without it
    the session would be emptied on the first request and the client be anonymous.
    """

    def __init__(self, *args, **kwargs):
        logged_in = kwargs.get("user") is not None
        super().__init__(*args, **kwargs)
        if logged_in:
            from flask_login.utils import _create_identifier

            with self.application.test_request_context(environ_base=self.environ_base):
                identifier = _create_identifier()
            with self.session_transaction() as session:
                session["_id"] = identifier


def _upgrade(app) -> None:
    from flask_migrate import upgrade

    with app.app_context():
        upgrade()
        db.engine.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    """An SQLite database migrated once; each test gets a copy."""
    folder = tmp_path_factory.mktemp("sqlite-template")
    path = folder / "template.sqlite3"
    app = create_app({**BASE_TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}",
                      "MEDIA_ROOT": str(folder / "media")})
    _upgrade(app)
    return path


@pytest.fixture(scope="session")
def postgres_database() -> str:
    """A PostgreSQL database of this test session's own, migrated once, dropped at the end.

    It is created on the server that ``TEST_POSTGRES_URL`` names, under a name of this test
    session's own (the xdist worker's id, the process id, a random part), so that several test
    runs, or several workers of one run, never share (and truncate) each other's tables.
    """
    name = f"recollect_test_{WORKER}_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(TEST_POSTGRES_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except sa.exc.OperationalError as error:
        admin.dispose()
        pytest.fail(
            f"PostgreSQL is not reachable at {TEST_POSTGRES_URL}: start it, point "
            f"TEST_POSTGRES_URL at a server, or set TEST_DATABASES=sqlite.\n{error}",
            pytrace=False,
        )
    url = sa.make_url(TEST_POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    app = create_app({**BASE_TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": url,
                      "MEDIA_ROOT": "/nonexistent"})
    _upgrade(app)
    yield url
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=DATABASES)
def empty_database_url(request, tmp_path):
    """A database with nothing in it, of its own, on each database the suite runs on."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.sqlite3'}"
        return
    name = f"migration_check_{WORKER}_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(TEST_POSTGRES_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except sa.exc.OperationalError as error:
        pytest.fail(f"PostgreSQL is not reachable at {TEST_POSTGRES_URL}: {error}", pytrace=False)
    yield TEST_POSTGRES_URL.rsplit("/", 1)[0] + f"/{name}"
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _truncate_postgres(app) -> None:
    with app.app_context():
        db.session.remove()
        tables = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
        with db.engine.begin() as conn:
            conn.execute(sa.text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        db.engine.dispose()


@pytest.fixture(params=DATABASES)
def database_url(request, tmp_path) -> str:
    if request.param == "sqlite":
        path = tmp_path / "archive.sqlite3"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    if request.param == "postgresql":
        return request.getfixturevalue("postgres_database")
    raise pytest.UsageError(f"unknown database {request.param!r} in TEST_DATABASES")


@pytest.fixture
def make_app(database_url, tmp_path):
    """Build an app on this test's database, with extra settings."""
    apps = []

    def factory(**overrides):
        config = {**BASE_TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": database_url,
                  "MEDIA_ROOT": str(tmp_path / "media"), **overrides}
        app = create_app(config)
        app.test_client_class = LoginClient
        apps.append(app)
        return app

    yield factory
    for app in apps:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    if database_url.startswith("postgresql") and apps:
        _truncate_postgres(apps[0])


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


# --- factories ---------------------------------------------------------------------------------


def _persist(app, obj):
    """Commit ``obj`` in a short app context and hand it back detached, fully loaded."""
    with app.app_context():
        db.session.add(obj)
        db.session.commit()
        db.session.refresh(obj)
        db.session.expunge(obj)
    return obj


@pytest.fixture
def make_institution(app):
    from archive.models import Institution

    counter = iter(range(1, 10_000))

    def factory(**fields):
        n = next(counter)
        fields.setdefault("slug", f"institution-{n}")
        fields.setdefault("name", f"Institution {n}")
        return _persist(app, Institution(**fields))

    return factory


@pytest.fixture
def make_collection(app, make_institution):
    """Collections, by default all in one institution (an installation serving one archive)."""
    from archive.models import Collection

    counter = iter(range(1, 10_000))
    default_institution = {}

    def factory(*, institution=None, **fields):
        n = next(counter)
        if institution is None and "institution_id" not in fields:
            if "i" not in default_institution:
                default_institution["i"] = make_institution(slug="test-archive",
                                                            name="Test Archive")
            institution = default_institution["i"]
        if institution is not None:
            fields["institution_id"] = institution.id
        fields.setdefault("slug", f"collection-{n}")
        fields.setdefault("title", f"Collection {n}")
        fields.setdefault("description", "A test collection.")
        return _persist(app, Collection(**fields))

    return factory


@pytest.fixture
def make_image_file(tmp_path):
    """Write a real image file with Pillow and return its path."""
    counter = iter(range(1, 10_000))

    def factory(size=(640, 480), color=(120, 100, 80), fmt="JPEG", name=None, **save_args):
        n = next(counter)
        ext = {"JPEG": "jpg", "PNG": "png", "TIFF": "tif"}.get(fmt, fmt.lower())
        path = tmp_path / "uploads" / (name or f"photo-{n}.{ext}")
        path.parent.mkdir(parents=True, exist_ok=True)
        mode = "RGBA" if fmt == "PNG" and save_args.pop("alpha", False) else "RGB"
        PILImage.new(mode, size, color).save(path, fmt, **save_args)
        return path

    return factory


@pytest.fixture
def make_item(app, make_collection, make_image_file):
    from archive.images.processing import store_image
    from archive.models import Collection, Image, Item

    counter = iter(range(1, 10_000))
    default_collection = {}

    def factory(*, collection: Collection | None = None, with_image: bool = True, **fields):
        n = next(counter)
        if collection is None:
            if "c" not in default_collection:
                default_collection["c"] = make_collection(slug="default", title="Default")
            collection = default_collection["c"]
        fields.setdefault("identifier", f"TEST-{n:04d}")
        fields.setdefault("title", f"Test photograph {n}")
        item = Item(collection_id=collection.id, **fields)
        if with_image:
            stored = store_image(make_image_file(color=(n % 255, 90, 60)),
                                 Path(app.config["MEDIA_ROOT"]))
            item.images.append(Image(
                position=0, sha256=stored.sha256, original_name=f"photo-{n}.jpg",
                original_path=stored.original_path, thumb_path=stored.thumb_path,
                display_path=stored.display_path, media_type=stored.media_type,
                width=stored.width, height=stored.height))
        return _persist(app, item)

    return factory


@pytest.fixture
def make_user(app):
    from archive.models import Role, User

    counter = iter(range(1, 10_000))
    hashes: dict[str, str] = {}  # hashing is slow by design: once per password is enough here

    def factory(role: Role | str = "archivist", *, password="correct horse battery", **fields):
        n = next(counter)
        role = Role(role) if isinstance(role, str) else role
        fields.setdefault("email", f"{role.value}{n}@example.org")
        fields.setdefault("display_name", f"{role.value.capitalize()} {n}")
        user = User(role=role, **fields)
        if password not in hashes:
            user.set_password(password)
            hashes[password] = user.password_hash
        user.password_hash = hashes[password]
        return _persist(app, user)

    return factory


@pytest.fixture
def make_contribution(app):
    from archive.models import Contribution, ContributionStatus, utcnow

    def factory(item, *, status="pending", decided_by=None, **fields):
        fields.setdefault("body", "I think this is Briggate in about 1930.")
        fields.setdefault("licence", "CC BY 4.0")
        contribution = Contribution(item_id=item.id, status=ContributionStatus(status), **fields)
        if contribution.status is not ContributionStatus.PENDING:
            contribution.decided_at = fields.get("decided_at") or utcnow()
            contribution.decided_by_id = decided_by.id if decided_by else None
        return _persist(app, contribution)

    return factory


@pytest.fixture
def login_client():
    """``login_client(app, user)``: a test client of ``app`` with ``user`` logged in."""

    def factory(app, user):
        return app.test_client(user=user)

    return factory
