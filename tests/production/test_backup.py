"""``flask backup create`` and ``restore``: a round trip into an empty installation, across
SQLite and PostgreSQL, loses nothing."""

from __future__ import annotations

import hashlib
import os
import tarfile
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from archive import create_app
from archive.extensions import db
from archive.models import ContributionStatus, Role, User
from archive.moderation.outbox import queue_outcome_emails
from archive.moderation.services import approve_contribution, decide
from archive.ops.backup import BackupError, read_manifest
from tests.conftest import BASE_TEST_CONFIG, TEST_POSTGRES_URL, _upgrade

WORLD_TEXT = "שלום 👋🏽 — «Briggate», 1930s\nsecond line\twith a tab"


def _dump(app) -> dict[str, list[tuple]]:
    with app.app_context():
        out = {}
        for table in db.metadata.sorted_tables:
            rows = db.session.execute(sa.select(table).order_by(*table.primary_key.columns))
            out[table.name] = [tuple(r) for r in rows]
        return out


def _media(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in root.rglob("*") if p.is_file()}


@pytest.fixture
def other_database(database_url, tmp_path):
    """An empty, migrated database of the other kind than this test's own."""
    if database_url.startswith("sqlite"):
        name = f"recollect_restore_{os.getpid()}_{uuid.uuid4().hex[:8]}"
        admin = sa.create_engine(TEST_POSTGRES_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        url = sa.make_url(TEST_POSTGRES_URL).set(database=name) \
            .render_as_string(hide_password=False)
    else:
        url, admin, name = f"sqlite:///{tmp_path / 'restored.sqlite3'}", None, None
    app = create_app({**BASE_TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": url,
                      "MEDIA_ROOT": str(tmp_path / "restored-media")})
    _upgrade(app)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    if admin is not None:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def archive_with_everything(app, make_item, make_contribution, make_user):
    curator = make_user(Role.CURATOR, display_name="Chris «Curator» 🌻")
    items = [make_item(title=f"Photograph {n}", place="Leeds", needs_help=bool(n % 2),
                       date_earliest=1930 + n, date_latest=1935 + n) for n in range(3)]
    make_item(with_image=False, title=WORLD_TEXT)
    notes = [make_contribution(items[0], body=WORLD_TEXT, email="ada@example.org",
                               suggested_place="Briggate", region_x=0.1, region_y=0.2,
                               region_w=0.3, region_h=0.4),
             make_contribution(items[1], body="Second", credit_name="Bob", show_name=True),
             make_contribution(items[2], body="Spam spam")]
    with app.app_context():
        moderator = db.session.get(User, curator.id)
        approve_contribution(db.session.get(type(notes[0]), notes[0].id), moderator,
                             apply=["place"], reason="Checked")
        queue_outcome_emails([db.session.get(type(notes[0]), notes[0].id)])
        decide(db.session.get(type(notes[2]), notes[2].id), moderator, ContributionStatus.SPAM)
        db.session.commit()
    return app


@pytest.mark.slow
def test_a_backup_restores_into_the_other_database_with_nothing_lost(
        archive_with_everything, other_database, runner, tmp_path):
    app = archive_with_everything
    backup = tmp_path / "backup.tar.gz"

    made = runner.invoke(args=["backup", "create", str(backup)])
    assert made.exit_code == 0, made.output
    restored = other_database.test_cli_runner().invoke(args=["backup", "restore", str(backup)])
    assert restored.exit_code == 0, restored.output

    original, copy = _dump(app), _dump(other_database)
    assert original == copy
    assert sum(len(rows) for rows in copy.values()) > 10
    assert _media(Path(app.config["MEDIA_ROOT"])) == \
        _media(Path(other_database.config["MEDIA_ROOT"]))
    # The restored installation works, and new rows get fresh ids.
    client = other_database.test_client()
    page = client.get("/items/TEST-0001")
    assert page.status_code == 200 and WORLD_TEXT in page.text
    thumb_column = list(db.metadata.tables["images"].c.keys()).index("thumb_path")
    media = client.get(f"/media/{copy['images'][0][thumb_column]}")
    assert media.status_code == 200
    media.close()
    sent = client.post("/items/TEST-0002/contribute", data={"body": "After", "consent": "y"})
    assert sent.status_code == 303


def test_the_backup_is_a_portable_archive_of_json_lines_and_media(
        archive_with_everything, runner, tmp_path):
    backup = tmp_path / "backup.tar.gz"
    runner.invoke(args=["backup", "create", str(backup)])

    with tarfile.open(backup) as tar:
        names = tar.getnames()
    assert "manifest.json" in names
    assert {f"tables/{t.name}.jsonl" for t in db.metadata.sorted_tables} <= set(names)
    assert any(n.startswith("media/originals/") for n in names)


def test_restore_refuses_a_database_that_is_not_empty(archive_with_everything, runner,
                                                     tmp_path):
    backup = tmp_path / "backup.tar.gz"
    runner.invoke(args=["backup", "create", str(backup)])
    before = _dump(archive_with_everything)

    result = runner.invoke(args=["backup", "restore", str(backup)])

    assert result.exit_code != 0
    assert "not empty" in result.output
    assert _dump(archive_with_everything) == before


def test_restore_refuses_a_file_with_unsafe_names(other_database, tmp_path, app):
    runner = app.test_cli_runner()
    good = tmp_path / "good.tar.gz"
    runner.invoke(args=["backup", "create", str(good)])
    evil = tmp_path / "evil.tar.gz"
    with tarfile.open(good) as src, tarfile.open(evil, "w:gz") as dst:
        for member in src.getmembers():
            dst.addfile(member, src.extractfile(member))
        info = tarfile.TarInfo("media/../../escaped.txt")
        info.size = 0
        dst.addfile(info)

    result = other_database.test_cli_runner().invoke(args=["backup", "restore", str(evil)])

    assert result.exit_code != 0
    assert "unsafe" in result.output
    assert not (tmp_path / "escaped.txt").exists()


def test_a_manifest_that_is_not_a_file_is_refused_clearly(tmp_path):
    bad = tmp_path / "bad.tar.gz"
    with tarfile.open(bad, "w:gz") as tar:
        info = tarfile.TarInfo("manifest.json")
        info.type = tarfile.DIRTYPE
        tar.addfile(info)

    with tarfile.open(bad) as tar, pytest.raises(BackupError, match="not a file"):
        read_manifest(tar)
