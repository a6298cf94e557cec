"""An installation made before institutions upgrades into one institution, losing nothing."""

from __future__ import annotations

import sqlalchemy as sa
from flask_migrate import upgrade

from archive import create_app
from archive.extensions import db
from tests.conftest import BASE_TEST_CONFIG

BEFORE = "0010_outbox"
INSTITUTIONS = "0011_institutions"  # the upgrade under test (later ones add their own columns)
TABLES = ("users", "collections", "items", "images", "contributions", "moderation_events")

ROWS = [
    "INSERT INTO users (id, email, display_name, password_hash, role, active, created_at,"
    " session_token) VALUES"
    " (1, 'ada@example.org', 'Ada', 'h', 'archivist', true, CURRENT_TIMESTAMP, 't1'),"
    " (2, 'cora@example.org', 'Cora', 'h', 'curator', true, CURRENT_TIMESTAMP, 't2'),"
    " (3, 'root@example.org', 'Root', 'h', 'admin', true, CURRENT_TIMESTAMP, 't3'),"
    " (4, 'pat@example.net', 'Pat', 'h', 'contributor', true, CURRENT_TIMESTAMP, 't4')",
    "INSERT INTO collections (id, slug, title, description, created_at) VALUES"
    " (1, 'mills', 'Mills', 'Mill life', CURRENT_TIMESTAMP),"
    " (2, 'trams', 'Trams', '', CURRENT_TIMESTAMP)",
    "INSERT INTO items (id, identifier, collection_id, title, description, date_text, place,"
    " people, subjects, creator, rights, needs_help, help_question, created_at, updated_at)"
    " VALUES (1, 'P-0001', 1, 'Weavers', '', 'c. 1920', 'Calderbridge', '', '', '', '', true,"
    " 'Who are they?', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP),"
    " (2, 'P-0002', 2, 'Tram 7', '', '', '', '', '', '', '', false, '', CURRENT_TIMESTAMP,"
    " CURRENT_TIMESTAMP)",
    "INSERT INTO images (id, item_id, position, sha256, original_name, original_path,"
    " thumb_path, display_path, media_type, width, height, created_at) VALUES"
    " (1, 1, 0, 'ab', 'a.jpg', 'o/a.jpg', 't/a.jpg', 'd/a.jpg', 'image/jpeg', 10, 10,"
    " CURRENT_TIMESTAMP)",
    "INSERT INTO contributions (id, item_id, status, body, suggested_date, suggested_place,"
    " suggested_people, credit_name, show_name, licence, created_at, decision_reason,"
    " decided_at, decided_by_id) VALUES"
    " (1, 1, 'approved', 'My gran, 1921', '1921', '', 'Edith', 'Mary', true, 'CC BY 4.0',"
    " CURRENT_TIMESTAMP, '', CURRENT_TIMESTAMP, 1),"
    " (2, 2, 'pending', 'Route 7', '', '', '', '', false, 'CC BY 4.0', CURRENT_TIMESTAMP, '',"
    " NULL, NULL)",
    "INSERT INTO moderation_events (id, contribution_id, actor_id, action, from_status,"
    " to_status, reason, created_at) VALUES (1, 1, 1, 'approve', 'pending', 'approved', '',"
    " CURRENT_TIMESTAMP)",
]


def _snapshot(connection) -> dict[str, list[dict]]:
    return {table: [dict(row._mapping) for row in connection.execute(
        sa.text(f"SELECT * FROM {table} ORDER BY id"))] for table in TABLES}


def test_an_existing_archive_becomes_one_institution_with_everything_it_had(
        empty_database_url, tmp_path):
    app = create_app({**BASE_TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": empty_database_url,
                      "MEDIA_ROOT": str(tmp_path / "media"),
                      "ARCHIVE_NAME": "Calderbridge Local Studies"})
    with app.app_context():
        upgrade(revision=BEFORE)
        with db.engine.begin() as connection:
            for statement in ROWS:
                connection.execute(sa.text(statement))
        with db.engine.connect() as connection:
            before = _snapshot(connection)

        upgrade(revision=INSTITUTIONS)

        with db.engine.connect() as connection:
            after = _snapshot(connection)
            institutions = connection.execute(
                sa.text("SELECT id, slug, name FROM institutions")).all()
            memberships = connection.execute(sa.text(
                "SELECT user_id, institution_id, role FROM memberships ORDER BY user_id")).all()
        db.engine.dispose()

    assert [(slug, name) for _id, slug, name in institutions] == [
        ("calderbridge-local-studies", "Calderbridge Local Studies")]
    institution_id = institutions[0][0]
    # Every collection is the institution's; nothing else changed in any table.
    assert [c.pop("institution_id") for c in after["collections"]] == [institution_id] * 2
    assert after == before
    # Archivists and curators keep their roles there; the administrator runs the platform.
    assert [tuple(m) for m in memberships] == [(1, institution_id, "archivist"),
                                               (2, institution_id, "curator")]


def test_a_new_installation_gets_no_institution_until_it_needs_one(empty_database_url, tmp_path):
    app = create_app({**BASE_TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": empty_database_url,
                      "MEDIA_ROOT": str(tmp_path / "media")})
    with app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            count = connection.execute(sa.text("SELECT count(*) FROM institutions")).scalar()
        db.engine.dispose()

    assert count == 0


BEFORE_REFERENCES = "0016_erasable_event_reasons"
REFERENCES = "0017_item_references"
ROWS_BEFORE_REFERENCES = [
    "INSERT INTO institutions (id, slug, name, created_at) VALUES"
    " (1, 'library', 'Library', CURRENT_TIMESTAMP), (2, 'society', 'Society', CURRENT_TIMESTAMP)",
    "INSERT INTO collections (id, slug, title, description, institution_id, created_at) VALUES"
    " (1, 'mills', 'Mills', '', 1, CURRENT_TIMESTAMP),"
    " (2, 'albums', 'Albums', '', 2, CURRENT_TIMESTAMP)",
    "INSERT INTO items (id, identifier, collection_id, title, description, date_text, place,"
    " people, subjects, creator, rights, needs_help, help_question, created_at, updated_at,"
    " search_document) VALUES"
    " (1, 'P-0001', 1, 'Weavers', '', 'c. 1920', '', '', '', '', '', true, 'Who?',"
    " CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 'Weavers'),"
    " (2, 'A.17', 2, 'Blackpool', '', '', '', '', '', '', '', false, '',"
    " CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 'Blackpool')",
]


def test_items_keep_their_addresses_and_gain_their_institutions_references(
        empty_database_url, tmp_path):
    from archive.search.services import Filters, search

    app = create_app({**BASE_TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": empty_database_url,
                      "MEDIA_ROOT": str(tmp_path / "media")})
    with app.app_context():
        upgrade(revision=BEFORE_REFERENCES)
        with db.engine.begin() as connection:
            for statement in ROWS_BEFORE_REFERENCES:
                connection.execute(sa.text(statement))
        with db.engine.connect() as connection:
            before = _snapshot(connection)

        upgrade(revision=REFERENCES)

        with db.engine.connect() as connection:
            after = _snapshot(connection)
        # Every address (URL, OAI identifier, IIIF id) is what it was; the reference is the
        # same text, and the institution the collection's.
        added = [(i.pop("reference"), i.pop("institution_id")) for i in after["items"]]
        assert added == [("P-0001", 1), ("A.17", 2)]
        assert after == before

        # The full-text index still follows the items (SQLite rebuilt the table).
        assert [h.item.identifier for h in search("weavers", Filters()).hits] == ["P-0001"]
        with db.engine.begin() as connection:
            connection.execute(sa.text(
                "UPDATE items SET title = 'Tram', search_document = 'Tram' WHERE id = 2"))
        assert [h.item.identifier for h in search("tram", Filters()).hits] == ["A.17"]
        assert search("blackpool", Filters()).hits == []
        # The search held a session's connection: give it back before closing the pool.
        db.session.remove()
        db.engine.dispose()
