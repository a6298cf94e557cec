"""The migrations are the only way the schema is made: they must give exactly the models."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade

from archive import PROJECT_ROOT, create_app
from archive.extensions import db
from tests.conftest import BASE_TEST_CONFIG


def test_migrations_have_a_single_head():
    config = __import__("alembic.config", fromlist=["Config"]).Config()
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    heads = ScriptDirectory.from_config(config).get_heads()
    assert len(heads) == 1, f"several migration heads: {heads}"


def _outside_the_models(name, type_, parent_names) -> bool:
    """Search objects that only the migrations make, in each database's own SQL: the FTS5
    table with its shadow tables (SQLite), the tsvector column and its GIN index (PostgreSQL)."""
    return not (name or "").startswith(("items_fts", "ix_items_search", "search_vector"))


def _schema_differences(app) -> list:
    with app.app_context(), db.engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "include_name": _outside_the_models})
        return compare_metadata(context, db.metadata)


def test_upgrade_on_an_empty_database_gives_exactly_the_models_schema(empty_database_url, tmp_path):
    app = create_app({**BASE_TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": empty_database_url,
                      "MEDIA_ROOT": str(tmp_path / "media")})
    with app.app_context():
        upgrade()
    assert _schema_differences(app) == []

    # And the way back works, so a bad release can be rolled back.
    with app.app_context():
        downgrade(revision="base")
        tables = set(sa.inspect(db.engine).get_table_names()) - {"alembic_version"}
        assert tables == set()
        upgrade()
    assert _schema_differences(app) == []
    with app.app_context():
        db.engine.dispose()


def test_the_database_itself_refuses_states_the_models_forbid(app):
    """CHECK constraints survive every migration (SQLite rebuilds tables to change them)."""
    from archive.models import Collection, Contribution, ContributionStatus, Institution, Item, User

    with app.app_context():
        collection = Collection(slug="c", title="C", institution=Institution(slug="i", name="I"))
        item = Item(identifier="X-1", title="X", collection=collection)
        db.session.add(item)
        db.session.commit()
        item_id = item.id
        for column, value in (("status", "'published'"), ("status", "'approved'")):
            # an unknown status, and a decided status without a decision time
            with pytest.raises(sa.exc.IntegrityError):
                db.session.execute(sa.text(
                    "INSERT INTO contributions (item_id, body, suggested_date, suggested_place,"
                    " suggested_people, credit_name, show_name, licence, created_at,"
                    f" decision_reason, {column}) VALUES (:item, 'b', '', '', '', '', false,"
                    f" 'CC BY 4.0', CURRENT_TIMESTAMP, '', {value})"), {"item": item_id})
            db.session.rollback()
        with pytest.raises(sa.exc.IntegrityError):
            db.session.execute(sa.text(
                "INSERT INTO users (email, display_name, password_hash, role, active, created_at)"
                " VALUES ('x@example.org', 'X', 'h', 'superuser', true, CURRENT_TIMESTAMP)"))
        db.session.rollback()
        # The values the models do allow are accepted.
        db.session.add(User(email="c@example.org", display_name="C", password_hash="h",
                            role=__import__("archive.models", fromlist=["Role"]).Role.CONTRIBUTOR))
        db.session.add(Contribution(item_id=item_id, body="b", licence="CC BY 4.0",
                                    status=ContributionStatus.WITHDRAWN,
                                    decided_at=__import__("archive.models").models.utcnow()))
        db.session.commit()


def test_the_database_refuses_to_rewrite_the_moderation_log(app, make_item, make_contribution,
                                                             make_user):
    """Not only the models: a raw UPDATE or DELETE on the audit log fails in the database."""
    from archive.models import ModerationEvent, utcnow

    archivist = make_user("archivist")
    note = make_contribution(make_item(with_image=False))
    with app.app_context():
        db.session.execute(sa.insert(ModerationEvent).values(
            contribution_id=note.id, actor_id=archivist.id, action="approve",
            from_status="pending", to_status="approved", created_at=utcnow()))
        db.session.commit()
        for statement in ("UPDATE moderation_events SET to_status = 'rejected'",
                          "DELETE FROM moderation_events"):
            with pytest.raises(sa.exc.DBAPIError, match="append-only"):
                db.session.execute(sa.text(statement))
            db.session.rollback()
        assert db.session.scalar(sa.select(ModerationEvent.to_status)) == "approved"


def test_reasons_in_the_log_move_beside_it_and_the_log_stays_append_only(empty_database_url,
                                                                          tmp_path):
    """Upgrading moves each event's reason into event_reasons; the triggers survive."""
    app = create_app({**BASE_TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": empty_database_url,
                      "MEDIA_ROOT": str(tmp_path / "media")})
    rows = [
        "INSERT INTO institutions (id, slug, name, name_cy, created_at)"
        " VALUES (1, 'a', 'A', '', CURRENT_TIMESTAMP)",
        "INSERT INTO collections (id, slug, title, description, created_at, institution_id)"
        " VALUES (1, 'c', 'C', '', CURRENT_TIMESTAMP, 1)",
        "INSERT INTO items (id, identifier, collection_id, title, description, date_text,"
        " place, people, subjects, creator, rights, needs_help, help_question, created_at,"
        " updated_at) VALUES (1, 'I', 1, 'T', '', '', '', '', '', '', '', false, '',"
        " CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)",
        "INSERT INTO contributions (id, item_id, status, body, suggested_date, suggested_place,"
        " suggested_people, credit_name, show_name, licence, created_at, decided_at,"
        " decision_reason) VALUES (1, 1, 'rejected', 'b', '', '', '', '', false, 'x',"
        " CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 'Same as ada@example.org')",
        "INSERT INTO moderation_events (id, contribution_id, action, from_status, to_status,"
        " reason, created_at) VALUES (1, 1, 'reject', 'pending', 'rejected',"
        " 'Same as ada@example.org', CURRENT_TIMESTAMP), (2, 1, 'solved', 'rejected',"
        " 'rejected', '', CURRENT_TIMESTAMP)",
    ]
    with app.app_context():
        upgrade(revision="0015_account_confirmation")
        with db.engine.begin() as connection:
            for statement in rows:
                connection.execute(sa.text(statement))
        upgrade()
        with db.engine.connect() as connection:
            moved = connection.execute(
                sa.text("SELECT event_id, text FROM event_reasons ORDER BY event_id")).all()
            events = connection.execute(sa.text("SELECT count(*) FROM moderation_events"))
            assert events.scalar() == 2
        with db.engine.connect() as connection, pytest.raises(sa.exc.DBAPIError,
                                                             match="append-only"):
            connection.execute(sa.text("DELETE FROM moderation_events"))
        downgrade(revision="0015_account_confirmation")
        with db.engine.connect() as connection:
            back = connection.execute(
                sa.text("SELECT id, reason FROM moderation_events ORDER BY id")).all()
        db.engine.dispose()

    assert [tuple(r) for r in moved] == [(1, "Same as ada@example.org")]
    assert [tuple(r) for r in back] == [(1, "Same as ada@example.org"), (2, "")]


def test_notes_already_stored_keep_their_addresses_and_a_link_email_fits_the_outbox(
        empty_database_url, tmp_path):
    """Upgrading counts the addresses of notes already stored as confirmed (they were written
    to before); the outbox takes the email asking to confirm an address, and nothing that is
    both that and a decision's news; the way back drops those emails."""
    app = create_app({**BASE_TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": empty_database_url,
                      "MEDIA_ROOT": str(tmp_path / "media")})
    rows = [
        "INSERT INTO institutions (id, slug, name, name_cy, created_at)"
        " VALUES (1, 'a', 'A', '', CURRENT_TIMESTAMP)",
        "INSERT INTO collections (id, slug, title, description, created_at, institution_id)"
        " VALUES (1, 'c', 'C', '', CURRENT_TIMESTAMP, 1)",
        "INSERT INTO items (id, identifier, reference, institution_id, collection_id, title,"
        " description, date_text, place, people, subjects, creator, rights, needs_help,"
        " help_question, created_at, updated_at) VALUES (1, 'I', 'I', 1, 1, 'T', '', '', '',"
        " '', '', '', '', false, '', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)",
        "INSERT INTO contributions (id, item_id, status, body, suggested_date, suggested_place,"
        " suggested_people, credit_name, show_name, licence, created_at, decision_reason,"
        " email) VALUES (1, 1, 'pending', 'b', '', '', '', '', false, 'x', CURRENT_TIMESTAMP,"
        " '', 'kim@example.net'), (2, 1, 'pending', 'b', '', '', '', '', false, 'x',"
        " CURRENT_TIMESTAMP, '', NULL)",
    ]
    confirm_address = (
        "INSERT INTO outbox (contribution_id, announces, confirms_address, status, created_at,"
        " next_attempt_at, attempts, last_error) VALUES (1, {announces}, {confirms}, 'queued',"
        " CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 0, '')")
    with app.app_context():
        upgrade(revision="0017_item_references")
        with db.engine.begin() as connection:
            for statement in rows:
                connection.execute(sa.text(statement))
        upgrade()
        with db.engine.begin() as connection:
            confirmed = connection.execute(sa.text(
                "SELECT id, email_confirmed_at IS NOT NULL FROM contributions ORDER BY id")).all()
            connection.execute(sa.text(confirm_address.format(announces="NULL", confirms="true")))
            # (one attempt at sending it: the way back must take it too, foreign keys off)
            connection.execute(sa.text(
                "INSERT INTO outbox_attempts (message_id, started_at, error) SELECT id,"
                " CURRENT_TIMESTAMP, '' FROM outbox"))
        for announces, confirms in (("'approved'", "true"), ("NULL", "false")):
            with db.engine.begin() as connection, pytest.raises(sa.exc.IntegrityError):
                connection.execute(sa.text(confirm_address.format(announces=announces,
                                                                  confirms=confirms)))
        downgrade(revision="0017_item_references")
        with db.engine.connect() as connection:
            left = connection.execute(sa.text("SELECT count(*) FROM outbox")).scalar()
            columns = {c["name"] for c in sa.inspect(connection).get_columns("contributions")}
        db.engine.dispose()

    assert [tuple(r) for r in confirmed] == [(1, True), (2, False)]
    assert left == 0 and "email_confirmed_at" not in columns


def test_boxes_drawn_before_several_images_are_on_the_first(empty_database_url, tmp_path):
    """Upgrading names each box's image: the item's first (the only one its page showed)."""
    app = create_app({**BASE_TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": empty_database_url,
                      "MEDIA_ROOT": str(tmp_path / "media")})
    image = ("INSERT INTO images (id, item_id, position, sha256, original_name, original_path,"
             " thumb_path, display_path, media_type, width, height, created_at) VALUES"
             " ({id}, 1, {position}, '{sha}', 'x.jpg', 'o', 't', 'd', 'image/jpeg', 10, 10,"
             " CURRENT_TIMESTAMP)")
    note = ("INSERT INTO contributions (id, item_id, status, body, suggested_date,"
            " suggested_place, suggested_people, credit_name, show_name, licence, created_at,"
            " decision_reason, region_x, region_y, region_w, region_h) VALUES ({id}, 1,"
            " 'pending', 'b', '', '', '', '', false, 'x', CURRENT_TIMESTAMP, '', {region})")
    rows = [
        "INSERT INTO institutions (id, slug, name, name_cy, created_at)"
        " VALUES (1, 'a', 'A', '', CURRENT_TIMESTAMP)",
        "INSERT INTO collections (id, slug, title, description, created_at, institution_id)"
        " VALUES (1, 'c', 'C', '', CURRENT_TIMESTAMP, 1)",
        "INSERT INTO items (id, identifier, reference, institution_id, collection_id, title,"
        " description, date_text, place, people, subjects, creator, rights, needs_help,"
        " help_question, created_at, updated_at) VALUES (1, 'I', 'I', 1, 1, 'T', '', '', '',"
        " '', '', '', '', false, '', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)",
        image.format(id=1, position=1, sha="b" * 64),
        image.format(id=2, position=0, sha="a" * 64),
        note.format(id=1, region="0.1, 0.1, 0.2, 0.2"),
        note.format(id=2, region="NULL, NULL, NULL, NULL"),
    ]
    with app.app_context():
        upgrade(revision="0017_item_references")
        with db.engine.begin() as connection:
            for statement in rows:
                connection.execute(sa.text(statement))
        upgrade()
        with db.engine.connect() as connection:
            named = connection.execute(sa.text(
                "SELECT id, region_image, region_edited FROM contributions ORDER BY id")).all()
        downgrade(revision="0017_item_references")
        upgrade()
        db.engine.dispose()

    assert [tuple(r) for r in named] == [(1, "a" * 64, False), (2, None, False)]
