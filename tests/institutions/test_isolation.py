"""Institutions sharing one platform: each one's staff work on its records, and only on them.

The route-by-route check (every staff URL naming another institution's record answers 404) is
in tests/security/test_authorisation_matrix.py; these tests follow what the staff do.
"""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from archive.extensions import db
from archive.models import Block, BlockKind, Contribution, ContributionStatus, Role, User


@pytest.fixture
def platform(app, make_institution, make_collection, make_item, make_contribution, make_user):
    """Two institutions, each with a collection, a record and a pending note."""
    north = make_institution(slug="north-library", name="North Library")
    south = make_institution(slug="south-society", name="South Society")
    places = {}
    for institution, prefix in ((north, "N"), (south, "S")):
        collection = make_collection(institution=institution, slug=f"{prefix.lower()}-photos",
                                     title=f"{institution.name} photographs")
        item = make_item(collection=collection, identifier=f"{prefix}-0001",
                         title=f"{institution.name} street")
        note = make_contribution(item, body=f"A note for {institution.name}.",
                                 email=f"sender-{prefix.lower()}@example.org")
        places[prefix] = {"institution": institution, "collection": collection, "item": item,
                          "note": note}
    places["north_archivist"] = make_user("archivist", institution=north,
                                          display_name="North archivist")
    places["south_archivist"] = make_user("archivist", institution=south,
                                          display_name="South archivist")
    return places


def _fresh(app, user) -> User:
    with app.app_context():
        found = db.session.get(User, user.id)
        db.session.expunge(found)
    return found


def _status(app, note) -> ContributionStatus:
    with app.app_context():
        return db.session.get(Contribution, note.id).status


def test_the_queue_lists_and_counts_only_the_archivists_own_notes(app, platform, login_client):
    client = login_client(app, _fresh(app, platform["north_archivist"]))

    page = client.get("/moderation/").get_data(as_text=True)

    assert "A note for North Library." in page
    assert "A note for South Society." not in page
    assert "South Society photographs" not in page  # nor its collection among the filters
    # Filters naming the other institution's collection or record find nothing there.
    other_collection = client.get("/moderation/?collection=s-photos").get_data(as_text=True)
    assert "There is no collection" in other_collection
    other_item = client.get("/moderation/?item=S-0001").get_data(as_text=True)
    assert "No photograph has the reference" in other_item
    searched = client.get("/moderation/?q=note+for").get_data(as_text=True)
    assert "North Library." in searched and "South Society." not in searched


def test_bulk_decisions_never_touch_another_institutions_notes(app, platform, login_client):
    client = login_client(app, _fresh(app, platform["north_archivist"]))
    ids = [platform["N"]["note"].id, platform["S"]["note"].id]

    response = client.post("/moderation/bulk", data={"ids": ids, "action": "approve",
                                                     "confirm": "yes"})

    assert response.status_code == 303
    assert _status(app, platform["N"]["note"]) is ContributionStatus.APPROVED
    assert _status(app, platform["S"]["note"]) is ContributionStatus.PENDING
    only_theirs = client.post("/moderation/bulk", data={"ids": [platform["S"]["note"].id],
                                                        "action": "spam", "confirm": "yes"})
    assert only_theirs.status_code == 404
    assert _status(app, platform["S"]["note"]) is ContributionStatus.PENDING


def test_a_guessed_note_id_is_not_found_and_decides_nothing(app, platform, login_client):
    client = login_client(app, _fresh(app, platform["north_archivist"]))
    theirs = platform["S"]["note"].id

    assert client.get(f"/moderation/contributions/{theirs}").status_code == 404
    decided = client.post(f"/moderation/contributions/{theirs}/decide",
                          data={"action": "reject"})

    assert decided.status_code == 404
    assert _status(app, platform["S"]["note"]) is ContributionStatus.PENDING


def test_a_block_keeps_a_sender_out_of_one_institution_only(app, platform, login_client,
                                                           make_contribution):
    client = login_client(app, _fresh(app, platform["north_archivist"]))
    north_note = platform["N"]["note"]

    blocked = client.post(f"/moderation/contributions/{north_note.id}/block",
                          data={"kind": "email", "reason": "Flooding our queue"})
    assert blocked.status_code == 303

    from archive.moderation.intake import screen_contribution

    sender = "sender-n@example.org"
    again_north = make_contribution(platform["N"]["item"], body="Again, north.", email=sender)
    to_south = make_contribution(platform["S"]["item"], body="Now south.", email=sender)
    with app.app_context():
        for note in (again_north, to_south):
            screen_contribution(db.session.get(Contribution, note.id))
        db.session.commit()
    assert _status(app, again_north) is ContributionStatus.SPAM
    assert _status(app, to_south) is ContributionStatus.PENDING
    # The south archivist neither sees nor lifts the north's block.
    south = login_client(app, _fresh(app, platform["south_archivist"]))
    assert "Flooding our queue" not in south.get("/moderation/blocks").get_data(as_text=True)
    with app.app_context():
        block_id = db.session.scalar(sa.select(Block.id).where(Block.kind == BlockKind.EMAIL))
    assert south.post(f"/moderation/blocks/{block_id}/lift").status_code == 404
    with app.app_context():
        assert db.session.get(Block, block_id).lifted_at is None


def test_the_log_and_dashboard_tell_of_the_archivists_own_institutions(
        app, platform, login_client):
    south = login_client(app, _fresh(app, platform["south_archivist"]))
    south.post(f"/moderation/contributions/{platform['S']['note'].id}/decide",
               data={"action": "approve"})
    north = login_client(app, _fresh(app, platform["north_archivist"]))

    log = north.get("/moderation/log").get_data(as_text=True)
    dashboard = north.get("/moderation/dashboard").get_data(as_text=True)

    assert "South archivist" not in log  # neither the event nor the filter's list of staff
    assert "North archivist" in log
    assert "South archivist" not in dashboard
    south_log = south.get("/moderation/log").get_data(as_text=True)
    assert f"#{platform['S']['note'].id}" in south_log


def test_roles_are_held_per_institution(app, platform, login_client, make_user):
    """A curator at the north and an archivist at the south: exports the north's records
    only, and moderates at both."""
    both = make_user("curator", institution=platform["N"]["institution"])
    with app.app_context():
        from archive.institutions.services import grant
        from archive.models import Institution

        grant(db.session.get(User, both.id),
              db.session.get(Institution, platform["S"]["institution"].id), Role.ARCHIVIST)
        db.session.commit()
    client = login_client(app, _fresh(app, both))

    exported = json.loads(client.get("/curation/export.json").get_data(as_text=True))
    queue = client.get("/moderation/").get_data(as_text=True)

    assert [r["identifier"] for r in exported] == ["N-0001"]
    assert client.get("/curation/export.json?collection=s-photos").status_code == 404
    assert "A note for North Library." in queue and "A note for South Society." in queue
    assert client.get("/catalogue/items/S-0001/edit").status_code == 404
    assert client.get("/catalogue/items/N-0001/edit").status_code == 200
    # The new-record form offers the north's collections only, and refuses another.
    new = client.post("/catalogue/items/new", data={"identifier": "S-0999", "title": "Sneaked",
                                                    "collection": "s-photos"})
    assert new.status_code == 422
    with app.app_context():
        from archive.models import Item

        assert db.session.scalar(sa.select(Item).where(Item.identifier == "S-0999")) is None


def test_an_administrator_works_on_every_institution(app, platform, login_client, make_user):
    admin = login_client(app, _fresh(app, make_user("admin")))

    queue = admin.get("/moderation/").get_data(as_text=True)
    exported = json.loads(admin.get("/curation/export.json").get_data(as_text=True))

    assert "North Library." in queue and "South Society." in queue
    assert sorted(r["identifier"] for r in exported) == ["N-0001", "S-0001"]


def test_the_export_command_exports_one_institution(app, platform, runner):
    result = runner.invoke(args=["export", "json", "--institution", "south-society"])
    unknown = runner.invoke(args=["export", "json", "--institution", "nowhere"])

    assert result.exit_code == 0, result.output
    assert [r["identifier"] for r in json.loads(result.output)] == ["S-0001"]
    assert unknown.exit_code == 1 and "no institution has the slug" in unknown.output


def test_item_pages_offer_staff_tools_only_where_the_staff_work(app, platform, login_client,
                                                                 make_user):
    curator = login_client(app, _fresh(app, make_user(
        "curator", institution=platform["N"]["institution"])))

    own = curator.get("/items/N-0001").get_data(as_text=True)
    theirs = curator.get("/items/S-0001").get_data(as_text=True)

    for tool in ("/catalogue/items/N-0001/edit", "/curation/items/N-0001/withdraw",
                 "/moderation/items/N-0001/question"):
        assert tool in own
    for tool in ("/catalogue/items/S-0001/edit", "/curation/items/S-0001/withdraw",
                 "/moderation/items/S-0001/question"):
        assert tool not in theirs


def test_exports_name_the_institution_of_each_record(app, platform, login_client, make_user):
    import csv
    import io

    admin = login_client(app, _fresh(app, make_user("admin")))

    exported = admin.get("/curation/export.csv").get_data().decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(exported)))

    assert {(r["identifier"], r["institution"], r["institution_name"]) for r in rows} == {
        ("N-0001", "north-library", "North Library"),
        ("S-0001", "south-society", "South Society")}
