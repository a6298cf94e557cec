"""How search text follows changes: once per commit of the app's session, for the items noted
as changed (``Item.mark_changed``, ``mark_items_changed``, an insert), and nowhere else."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from archive.catalogue.services import update_record
from archive.curation.withdrawal import restore_item, withdraw_item
from archive.extensions import Base, db
from archive.models import (
    ITEMS_CHANGED,
    Collection,
    Contribution,
    ContributionStatus,
    Enrichment,
    Institution,
    Item,
    ModerationEvent,
    User,
    mark_items_changed,
    utcnow,
)
from archive.moderation.lifecycle import Action, transition
from archive.moderation.services import (
    approve_contribution,
    bulk_decide,
    enrich_from_note,
    revert_enrichment,
    withdraw_contribution,
)
from archive.search import indexing


def titles(client, query: str) -> list[str]:
    html = client.get(f"/search?q={query}").get_data(as_text=True)
    return [re.sub(r"<[^>]+>", "", t)
            for t in re.findall(r'<h3><a href="[^"]+">(.*?)</a></h3>', html)]


def document(app, item_id: int) -> str:
    with app.app_context():
        return db.session.scalar(sa.select(Item.search_document).where(Item.id == item_id))


def assert_every_document_current(app) -> None:
    """Every stored document is the one ``flask search rebuild`` would write."""
    with app.app_context():
        ids = list(db.session.scalars(sa.select(Item.id)))
        stale = {item_id: pair for item_id, pair in
                 indexing.compute_documents(db.session(), ids).items() if pair[0] != pair[1]}
    assert stale == {}


@pytest.fixture
def refreshes(monkeypatch):
    """The sets of item ids whose documents were computed, one per refresh."""
    calls: list[set[int]] = []
    compute = indexing.compute_documents

    def spy(session, item_ids):
        item_ids = set(item_ids)
        calls.append(item_ids)
        return compute(session, item_ids)

    monkeypatch.setattr(indexing, "compute_documents", spy)
    return calls


class SearchStatements:
    """The SQL statements reading or writing search text, while listening."""

    def __init__(self, engine: sa.Engine):
        self.engine = engine
        self.seen: list[str] = []

    def _record(self, _conn, _cursor, statement, _params, _context, _executemany):
        if "search_document" in statement:
            self.seen.append(statement.split(None, 1)[0].upper())

    def __enter__(self):
        sa.event.listen(self.engine, "before_cursor_execute", self._record)
        return self

    def __exit__(self, *exc):
        sa.event.remove(self.engine, "before_cursor_execute", self._record)


@pytest.mark.database_independent
def test_only_the_apps_session_carries_the_search_hooks(app):
    names = ("before_flush", "after_flush", "before_commit", "pending_to_persistent",
             "after_transaction_end")
    plain = Session()
    assert [name for name in names if list(getattr(plain.dispatch, name))] == []
    with app.app_context():
        assert list(db.session().dispatch.before_commit) == [indexing._before_commit]
        assert not list(db.session().dispatch.before_flush)


def test_a_session_that_is_not_the_apps_is_left_alone(app, tmp_path, refreshes):
    # A plain Session on another engine, using the same models.
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'other.sqlite3'}")
    Base.metadata.create_all(engine)
    with Session(engine) as session:
        collection = Collection(slug="other", title="Other",
                                institution=Institution(slug="other", name="Other"))
        item = Item(identifier="O-1", title="Kirkgate market", collection=collection)
        session.add(item)
        session.commit()
        item.place = "Hunslet"
        item.mark_changed()
        session.commit()
        assert session.scalar(sa.select(Item.search_document)) == ""
    engine.dispose()

    # A session of its own on the app's engine: not db.session, so not refreshed either.
    with app.app_context():
        db.session.add(Collection(slug="mine", title="Mine",
                                  institution=Institution(slug="mine", name="Mine")))
        db.session.commit()
        with Session(db.engine) as session:
            collection = session.scalar(sa.select(Collection))
            session.add(Item(identifier="M-1", title="Briggate", collection=collection))
            session.commit()
            assert session.scalar(sa.select(Item.search_document)) == ""
    assert refreshes == []


def test_search_text_is_refreshed_once_per_commit_for_exactly_the_changed_items(
        app, make_item, refreshes):
    a = make_item(title="Mill workers")
    b = make_item(title="Canal basin")
    c = make_item(title="Town hall", description="Clock tower")
    refreshes.clear()  # the inserts above were refreshed at their own commits

    with app.app_context():
        row_a, row_b = db.session.get(Item, a.id), db.session.get(Item, b.id)
        row_a.place = "Armley"
        row_a.mark_changed()
        db.session.flush()
        row_b.description = "Barges at Granary Wharf"
        row_b.mark_changed()
        row_b.mark_changed()
        db.session.get(Item, c.id).view_count += 1  # not what the item exports
        db.session.flush()
        assert refreshes == []  # flushing refreshes nothing
        with SearchStatements(db.engine) as statements:
            db.session.commit()
        assert statements.seen == ["SELECT", "UPDATE"]  # one query, one (batched) write
        assert refreshes == [{a.id, b.id}]
        assert ITEMS_CHANGED not in db.session.info

        row_c = db.session.get(Item, c.id)
        with SearchStatements(db.engine) as statements:
            row_c.view_count += 1
            db.session.commit()
        assert statements.seen == []  # nothing marked, nothing read or written
    assert refreshes == [{a.id, b.id}]
    assert "Armley" in document(app, a.id) and "Granary Wharf" in document(app, b.id)
    assert document(app, c.id) == "Town hall\nClock tower"


def test_a_rolled_back_change_is_forgotten(app, make_item, refreshes):
    item = make_item(title="Mill workers")
    refreshes.clear()
    with app.app_context():
        row = db.session.get(Item, item.id)
        row.place = "Armley"
        row.mark_changed()
        db.session.rollback()
        assert ITEMS_CHANGED not in db.session.info
        db.session.commit()
    assert refreshes == []


def test_a_core_update_refreshes_search_when_it_says_so_not_because_of_an_audit_event(
        app, client, make_item, make_contribution, make_user):
    item = make_item(title="Street scene")
    note = make_contribution(item, status="approved", decided_by=make_user("archivist"))

    with app.app_context():
        # An audit event no longer stands in for saying what changed.
        db.session.execute(sa.update(Item).where(Item.id == item.id)
                           .values(place="Hunslet", record_changed_at=utcnow()))
        transition(db.session.get_one(Contribution, note.id), Action.SOLVED, actor=None)
        db.session.commit()
    assert titles(client, "hunslet") == []

    with app.app_context():
        db.session.execute(sa.update(Item).where(Item.id == item.id)
                           .values(place="Holbeck", record_changed_at=utcnow()))
        mark_items_changed(db.session, [item.id])
        assert not [o for o in db.session.new if isinstance(o, ModerationEvent | Enrichment)]
        db.session.commit()
    assert titles(client, "holbeck") == ["Street scene"]


def test_search_follows_every_kind_of_change(app, client, make_item, make_contribution,
                                             make_user):
    item = make_item(title="Street scene")
    other = make_item(title="Canal basin")
    archivist, curator = make_user("archivist"), make_user("curator")
    bakery = make_contribution(item, body="My grandfather's bakery on Kirkgate.",
                               suggested_place="Kirkgate")
    tannery = make_contribution(item, body="The tannery stood behind it.")
    wharf = make_contribution(other, body="Granary Wharf, before the fire.")

    def run(action):
        with app.app_context():
            action()
            db.session.commit()
        assert_every_document_current(app)

    def user(u):
        return db.session.get(User, u.id)

    def note(n):
        return db.session.get(Contribution, n.id)

    run(lambda: approve_contribution(note(bakery), user(archivist)))
    assert titles(client, "bakery") == ["Street scene"]

    run(lambda: bulk_decide([note(tannery), note(wharf)], user(archivist),
                            ContributionStatus.APPROVED))
    assert titles(client, "tannery") == ["Street scene"]
    assert titles(client, "wharf") == ["Canal basin"]

    run(lambda: enrich_from_note(note(bakery), user(archivist),
                                 {"place": ("", "Kirkgate, Leeds")}))
    assert titles(client, "leeds") == ["Street scene"]

    def revert():
        enrichment = db.session.scalar(sa.select(Enrichment))
        revert_enrichment(enrichment, user(archivist))

    run(revert)
    assert titles(client, "leeds") == []

    run(lambda: withdraw_contribution(note(bakery), user(archivist), reason="Private"))
    assert titles(client, "bakery") == []
    assert titles(client, "tannery") == ["Street scene"]

    run(lambda: update_record(db.session.get(Item, item.id), {"description": "Trams pass."}))
    assert titles(client, "trams") == ["Street scene"]

    run(lambda: withdraw_item(db.session.get(Item, item.id), user(curator), reason="Rights"))
    assert titles(client, "trams") == []
    run(lambda: restore_item(db.session.get(Item, item.id), user(curator)))
    assert titles(client, "trams") == ["Street scene"]


def test_rebuild_writes_only_what_differs_and_leaves_updated_at(app, runner, make_item):
    a = make_item(title="Leeds Town Hall", description="The clock tower")
    b = make_item(title="Corn Exchange")
    with app.app_context():
        db.session.execute(sa.update(Item).where(Item.id == a.id).values(search_document=""))
        db.session.commit()
        before = dict(db.session.execute(sa.select(Item.id, Item.updated_at)).all())

    result = runner.invoke(args=["search", "rebuild"])

    assert result.exit_code == 0 and "2 items" in result.output
    assert document(app, a.id) == "Leeds Town Hall\nThe clock tower"
    assert document(app, b.id) == "Corn Exchange"
    with app.app_context():
        assert dict(db.session.execute(sa.select(Item.id, Item.updated_at)).all()) == before
