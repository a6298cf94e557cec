"""Fixtures: a fresh app and database per test, on SQLite and on PostgreSQL.

Every test that uses ``app`` runs once per database named in ``TEST_DATABASES``
(default ``sqlite,postgresql``). The schema is made by the migrations, never by
``create_all``. PostgreSQL is reached at ``TEST_POSTGRES_URL``; when it cannot be reached the
tests fail with a message saying so: they are never skipped silently.

The suite runs in parallel with pytest-xdist (``-n auto`` in pyproject.toml). Each worker is a
test session of its own: its own PostgreSQL databases (named after the worker), its own
temporary folders (pytest gives each worker a base folder), and servers on ports the kernel
chose. A test marked ``database_independent`` touches no database and runs once, not once per
database; fixtures a module's tests only read (``module_app``, ``module_factories``) are built
once per module.
"""

from __future__ import annotations

import functools
import gc
import itertools
import os
import shutil
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask_login import FlaskLoginClient
from jinja2 import BytecodeCache
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
    # Test apps serve requests, so they get the web's time limits on the database; on a busy
    # machine a test's own statement or lock wait may take longer than production's few
    # seconds, so tests keep a minute unless they test the limits themselves.
    "DATABASE_STATEMENT_TIMEOUT": 60,
    "DATABASE_LOCK_TIMEOUT": 60,
}


# --- tests that touch no database -------------------------------------------------------------

# SQL statements sent so far by any engine of this process, outside the setting up of fixtures
# shared by several tests (a migrated template, a module's sample archive).
_statements = {"sent": 0, "shared_setups": 0}
_statements_before = pytest.StashKey[int]()


@sa.event.listens_for(sa.engine.Engine, "before_cursor_execute")
def _count_statement(*_args) -> None:
    if not _statements["shared_setups"]:
        _statements["sent"] += 1


class _SharedFixtureSetups:
    """Leaves out of the count the SQL sent while a fixture shared by several tests is made.

    A plugin of its own rather than a hook of this file: pytest asks a session-scoped fixture's
    hooks of the session, which sees only the plugins and the conftest files at the root.
    """

    @pytest.hookimpl(wrapper=True)
    def pytest_fixture_setup(self, fixturedef, request):
        if fixturedef.scope == "function":
            return (yield)
        _statements["shared_setups"] += 1
        try:
            return (yield)
        finally:
            _statements["shared_setups"] -= 1


def pytest_configure(config) -> None:
    config.pluginmanager.register(_SharedFixtureSetups(), "recollect-shared-fixture-setups")


@pytest.hookimpl(tryfirst=True)
def pytest_generate_tests(metafunc) -> None:
    """A test marked ``database_independent`` runs on the first database only, not on each.

    It still gets an app (the ``app``, ``client`` … fixtures need a database address), but what
    it checks cannot depend on the database, so running it once is enough.
    """
    if (metafunc.definition.get_closest_marker("database_independent")
            and "database_url" in metafunc.fixturenames):
        metafunc.definition.add_marker(
            pytest.mark.parametrize("database_url", DATABASES[:1], indirect=True))


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item) -> None:
    item.stash[_statements_before] = _statements["sent"]


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """A test marked ``database_independent`` must send no SQL, itself or in its own fixtures."""
    result = yield
    if item.get_closest_marker("database_independent"):
        sent = _statements["sent"] - item.stash[_statements_before]
        if sent:
            pytest.fail(f"{item.nodeid} is marked database_independent but sent {sent} SQL "
                        "statement(s): remove the mark, so that it runs on every database",
                        pytrace=False)
    return result


class _CompiledTemplates(BytecodeCache):
    """Compiled templates kept in memory for every app of the test session.

    Each test builds an app of its own, and each app's Jinja environment would parse and
    compile every template it renders again. Jinja keys what it keeps by the template's name
    and checks it against the template's source, so a changed template is compiled afresh.
    """

    def __init__(self) -> None:
        self._compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket) -> None:
        if bucket.key in self._compiled:
            bucket.bytecode_from_string(self._compiled[bucket.key])

    def dump_bytecode(self, bucket) -> None:
        self._compiled[bucket.key] = bucket.bytecode_to_string()


COMPILED_TEMPLATES = _CompiledTemplates()


def _test_app(config: dict):
    """``create_app(config)`` with what every test app shares: the login client, the templates."""
    app = create_app(config)
    app.test_client_class = LoginClient
    app.jinja_env.bytecode_cache = COMPILED_TEMPLATES
    return app


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


def _postgres_url(name: str) -> str:
    return sa.make_url(TEST_POSTGRES_URL).set(database=name).render_as_string(hide_password=False)


def _create_postgres_database(name: str, *, template: str | None = None) -> str:
    """Create database ``name`` (a copy of ``template`` if given) and return its URL."""
    admin = sa.create_engine(TEST_POSTGRES_URL, isolation_level="AUTOCOMMIT")
    copy = f' TEMPLATE "{template}"' if template else ""
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"{copy}'))
    except sa.exc.OperationalError as error:
        pytest.fail(
            f"PostgreSQL is not reachable at {TEST_POSTGRES_URL}: start it, point "
            f"TEST_POSTGRES_URL at a server, or set TEST_DATABASES=sqlite.\n{error}",
            pytrace=False,
        )
    finally:
        admin.dispose()
    return _postgres_url(name)


def _drop_postgres_database(name: str) -> None:
    admin = sa.create_engine(TEST_POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def postgres_template() -> str:
    """The name of a PostgreSQL database migrated once, never used, copied for the tests.

    It is created on the server that ``TEST_POSTGRES_URL`` names, under a name of this test
    session's own (the xdist worker's id, the process id, a random part), so that several
    test runs, or several workers of one run, never share (and truncate) each other's tables.
    """
    name = f"recollect_test_{WORKER}_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    url = _create_postgres_database(f"{name}_template")
    app = create_app({**BASE_TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": url,
                      "MEDIA_ROOT": "/nonexistent"})
    _upgrade(app)
    yield f"{name}_template"
    _drop_postgres_database(f"{name}_template")


@pytest.fixture(scope="session")
def postgres_database(postgres_template) -> str:
    """A PostgreSQL database of this test session's own, emptied after each test."""
    name = postgres_template.removesuffix("_template")
    url = _create_postgres_database(name, template=postgres_template)
    yield url
    _drop_postgres_database(name)


@pytest.fixture(scope="module", autouse=True)
def _connections_closed_by_the_module_that_opened_them():
    """A database connection left open fails the module that left it, not a later test.

    An unclosed connection warns only when it is garbage-collected, which may be in any
    later test; collecting at the end of each module makes the failure land where it began.
    """
    yield
    gc.collect()


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
        app = _test_app(config)
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


_module_databases = itertools.count(1)


@pytest.fixture(scope="module", params=DATABASES)
def module_database_url(request, tmp_path_factory) -> str:
    """A database of the module's own, on each database the suite runs on, for the whole module.

    For fixtures that a module's tests only read: made once, never emptied between tests.
    """
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("module-database") / "archive.sqlite3"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    if request.param == "postgresql":
        template = request.getfixturevalue("postgres_template")
        name = f"{template.removesuffix('_template')}_m{next(_module_databases)}"
        yield _create_postgres_database(name, template=template)
        _drop_postgres_database(name)
        return
    raise pytest.UsageError(f"unknown database {request.param!r} in TEST_DATABASES")


@pytest.fixture(scope="module")
def module_app(module_database_url, tmp_path_factory):
    """An app on the module's own database (``module_database_url``), built once per module.

    A module whose tests only read overrides ``app`` with it, so that ``client`` and the other
    fixtures built on ``app`` use it too; what its tests read is made once with
    ``module_factories``. A test that writes belongs in another module.
    """
    folder = tmp_path_factory.mktemp("module-app")
    app = _test_app({**BASE_TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": module_database_url,
                     "MEDIA_ROOT": str(folder / "media")})
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="module")
def module_factories(module_app, tmp_path_factory) -> Factories:
    return Factories(module_app, ImageFiles(tmp_path_factory.mktemp("module-files")))


# --- factories ---------------------------------------------------------------------------------


def _persist(app, obj):
    """Commit ``obj`` in a short app context and hand it back detached, fully loaded."""
    with app.app_context():
        db.session.add(obj)
        db.session.commit()
        db.session.refresh(obj)
        db.session.expunge(obj)
    return obj


@functools.cache
def hashed_password(password: str) -> str:
    """The stored form of ``password``, hashed once per test session.

    Hashing is slow by design (the production scheme is used unchanged); test users share a
    few passwords, so each is hashed once and its hash reused for every user who has it.
    """
    from archive.models import User

    user = User()
    user.set_password(password)
    return user.password_hash


class ImageFiles:
    """Real image files written with Pillow under ``folder``/uploads, numbered from 1."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._counter = itertools.count(1)

    def make(self, size=(640, 480), color=(120, 100, 80), fmt="JPEG", name=None,
             **save_args) -> Path:
        n = next(self._counter)
        ext = {"JPEG": "jpg", "PNG": "png", "TIFF": "tif"}.get(fmt, fmt.lower())
        path = self.folder / "uploads" / (name or f"photo-{n}.{ext}")
        path.parent.mkdir(parents=True, exist_ok=True)
        mode = "RGBA" if fmt == "PNG" and save_args.pop("alpha", False) else "RGB"
        PILImage.new(mode, size, color).save(path, fmt, **save_args)
        return path


class Factories:
    """The ``make_*`` factories for one app; images for items are written by ``image_files``.

    Each numbers what it makes from 1, and the first collection or item made without one
    lands in a default institution and collection, made on first use. A test gets them as
    ``make_item`` and its kin (on the test's own database); a module whose tests only read gets
    ``module_factories`` for ``module_app``.
    """

    def __init__(self, app, image_files: ImageFiles) -> None:
        self.app = app
        self.image_files = image_files
        self._counters: dict[str, itertools.count] = {}
        self._default_institution = None
        self._default_collection = None

    def _next(self, kind: str) -> int:
        return next(self._counters.setdefault(kind, itertools.count(1)))

    def institution(self, **fields):
        from archive.models import Institution

        n = self._next("institution")
        fields.setdefault("slug", f"institution-{n}")
        fields.setdefault("name", f"Institution {n}")
        return _persist(self.app, Institution(**fields))

    def default_institution(self):
        """The one institution of an installation serving one archive, made on first use.
        Collections and staff go to it unless a test names another."""
        if self._default_institution is None:
            self._default_institution = self.institution(slug="test-archive",
                                                         name="Test Archive")
        return self._default_institution

    def collection(self, *, institution=None, **fields):
        """Collections, by default all in one institution (an installation serving one archive)."""
        from archive.models import Collection

        n = self._next("collection")
        if institution is None and "institution_id" not in fields:
            institution = self.default_institution()
        if institution is not None:
            fields["institution_id"] = institution.id
        fields.setdefault("slug", f"collection-{n}")
        fields.setdefault("title", f"Collection {n}")
        fields.setdefault("description", "A test collection.")
        return _persist(self.app, Collection(**fields))

    def item(self, *, collection=None, with_image: bool = True, images: int = 1, **fields):
        """An item with ``images`` images (each a different file), or none."""
        from archive.images.processing import store_image
        from archive.models import Image, Item

        n = self._next("item")
        if collection is None:
            if self._default_collection is None:
                self._default_collection = self.collection(slug="default", title="Default")
            collection = self._default_collection
        fields.setdefault("identifier", f"TEST-{n:04d}")
        fields.setdefault("title", f"Test photograph {n}")
        item = Item(collection_id=collection.id, **fields)
        for position in range(images if with_image else 0):
            stored = store_image(
                self.image_files.make(color=(n % 255, 90 + 40 * position, 60)),
                Path(self.app.config["MEDIA_ROOT"]))
            name = f"photo-{n}.jpg" if position == 0 else f"photo-{n}-{position + 1}.jpg"
            item.images.append(Image(
                position=position, sha256=stored.sha256, original_name=name,
                original_path=stored.original_path, thumb_path=stored.thumb_path,
                display_path=stored.display_path, media_type=stored.media_type,
                width=stored.width, height=stored.height))
        return _persist(self.app, item)

    def user(self, role="archivist", *, password="correct horse battery", institution=None,
             institutions=None, **fields):
        """Users; an archivist or a curator works for ``institution`` (default: the test
        archive's one institution), or for each of ``institutions``."""
        from archive.models import Membership, Role, User

        n = self._next("user")
        role = Role(role) if isinstance(role, str) else role
        fields.setdefault("email", f"{role.value}{n}@example.org")
        fields.setdefault("display_name", f"{role.value.capitalize()} {n}")
        user = _persist(self.app, User(role=role, password_hash=hashed_password(password),
                                       **fields))
        if role in (Role.ARCHIVIST, Role.CURATOR):
            for where in institutions or [institution or self.default_institution()]:
                _persist(self.app, Membership(user_id=user.id, institution_id=where.id,
                                              role=role))
        return user

    def contribution(self, item, *, status="pending", decided_by=None, **fields):
        from archive.models import Contribution, ContributionStatus, utcnow

        fields.setdefault("body", "I think this is Briggate in about 1930.")
        fields.setdefault("licence", "CC BY 4.0")
        if fields.get("email"):
            # A note made here stands for one whose address its owner has confirmed; pass
            # email_confirmed_at=None for one whose owner has not (yet).
            fields.setdefault("email_confirmed_at", utcnow())
        contribution = Contribution(item_id=item.id, status=ContributionStatus(status), **fields)
        if contribution.status is not ContributionStatus.PENDING:
            contribution.decided_at = fields.get("decided_at") or utcnow()
            contribution.decided_by_id = decided_by.id if decided_by else None
        return _persist(self.app, contribution)


@pytest.fixture
def image_files(tmp_path) -> ImageFiles:
    return ImageFiles(tmp_path)


@pytest.fixture
def factories(app, image_files) -> Factories:
    return Factories(app, image_files)


@pytest.fixture
def make_institution(factories):
    return factories.institution


@pytest.fixture
def make_collection(factories):
    return factories.collection


@pytest.fixture
def make_image_file(image_files):
    """Write a real image file with Pillow and return its path."""
    return image_files.make


@pytest.fixture
def make_item(factories):
    return factories.item


@pytest.fixture
def make_user(factories):
    return factories.user


@pytest.fixture
def make_contribution(factories):
    return factories.contribution


@pytest.fixture
def login_client():
    """``login_client(app, user)``: a test client of ``app`` with ``user`` logged in."""

    def factory(app, user):
        return app.test_client(user=user)

    return factory
