"""Approved notes improve the record: each change kept with its source, revertable."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from archive.extensions import db
from archive.models import Contribution, Enrichment, Item, User
from archive.moderation.services import ModerationError, RecordChanged, revert_enrichment


@pytest.fixture
def archivist(make_user):
    return make_user("archivist", display_name="Ada Archivist")


@pytest.fixture
def staff(app, archivist, login_client):
    return login_client(app, archivist)


@pytest.fixture
def item(make_item):
    return make_item(with_image=False, title="Kirkgate", date_text="c. 1920",
                     date_earliest=1920, date_latest=1920, place="Leeds", people="Alice Smith",
                     subjects="Markets")


@pytest.fixture
def note(item, archivist, make_contribution):
    return make_contribution(item, status="approved", decided_by=archivist,
                             body="It is 1931; that is Bob Jones.", credit_name="Mary Jones",
                             show_name=True, suggested_date="1931", suggested_people="Bob Jones")


def record(app, item):
    with app.app_context():
        row = db.session.get(Item, item.id)
        return (row.date_text, row.date_earliest, row.date_latest, row.place, row.people,
                row.subjects)


def enrichments(app):
    with app.app_context():
        return db.session.execute(sa.select(
            Enrichment.field, Enrichment.old_value, Enrichment.new_value,
            Enrichment.contribution_id, Enrichment.reverts_id, Enrichment.reverted_at.is_not(None)
        ).order_by(Enrichment.id)).all()


def enrich(staff, note, **fields):
    data = {"seen_date_text": "c. 1920", "seen_place": "Leeds", "seen_people": "Alice Smith",
            "seen_subjects": "Markets", **fields}
    return staff.post(f"/moderation/contributions/{note.id}/enrich", data=data)


def test_the_form_is_filled_with_the_record_and_the_notes_suggestions(staff, note):
    html = staff.get(f"/moderation/contributions/{note.id}").text

    assert 'name="date_text" type="text" value="1931"' in html
    assert "Alice Smith; Bob Jones</textarea>" in html
    assert 'name="seen_place" type="hidden" value="Leeds"' in html


def test_applying_date_with_years_people_and_subjects(app, client, staff, item, note, archivist):
    response = enrich(staff, note, apply_date_text="y", date_text="about 1931",
                      date_earliest="1930", date_latest="1932", apply_people="y",
                      people="Alice Smith; Bob Jones", apply_subjects="y",
                      subjects="Markets; Trams")

    assert response.status_code == 303
    assert record(app, item) == ("about 1931", 1930, 1932, "Leeds", "Alice Smith; Bob Jones",
                                 "Markets; Trams")
    assert enrichments(app) == [
        ("date_text", "c. 1920", "about 1931", note.id, None, False),
        ("people", "Alice Smith", "Alice Smith; Bob Jones", note.id, None, False),
        ("subjects", "Markets", "Markets; Trams", note.id, None, False),
    ]
    with app.app_context():
        date = db.session.scalar(sa.select(Enrichment).where(Enrichment.field == "date_text"))
        assert (date.old_date_earliest, date.old_date_latest, date.new_date_earliest,
                date.new_date_latest, date.applied_by_id) == (1920, 1920, 1930, 1932,
                                                               archivist.id)
    page = client.get(f"/items/{item.identifier}").text
    assert "Identified by a member of the public, confirmed by the archive" in page
    assert "a note by Mary Jones" in page
    assert "changed from “c. 1920” to “about 1931”" in page


def test_years_are_read_from_the_date_when_not_given(app, staff, item, note):
    enrich(staff, note, apply_date_text="y", date_text="1930s")

    assert record(app, item)[:3] == ("1930s", 1930, 1939)


def test_bad_input_keeps_what_was_typed_and_changes_nothing(app, staff, item, note):
    nothing = enrich(staff, note, date_text="1931")
    backwards = enrich(staff, note, apply_date_text="y", date_text="1931",
                       date_earliest="1935", date_latest="1931", apply_place="y",
                       place="Vicar Lane")
    empty_date = enrich(staff, note, apply_date_text="y", date_text=" ")

    assert nothing.status_code == 400
    assert "Tick at least one field to change." in nothing.text
    assert backwards.status_code == 400
    assert "The latest year cannot be before the earliest year." in backwards.text
    assert 'value="Vicar Lane"' in backwards.text
    assert empty_date.status_code == 400
    assert record(app, item) == ("c. 1920", 1920, 1920, "Leeds", "Alice Smith", "Markets")
    assert enrichments(app) == []


def test_a_record_changed_meanwhile_is_not_overwritten(app, staff, item, note, archivist):
    with app.app_context():
        db.session.get(Item, item.id).place = "Kirkgate, Leeds"  # someone else, meanwhile
        db.session.commit()

    response = enrich(staff, note, apply_date_text="y", date_text="1931", apply_place="y",
                      place="Vicar Lane")  # the form was filled before the change

    assert response.status_code == 409
    assert "was changed by someone else meanwhile" in response.text
    assert "“Kirkgate, Leeds”" in response.text
    assert record(app, item)[:4] == ("c. 1920", 1920, 1920, "Kirkgate, Leeds")  # all or nothing
    assert enrichments(app) == []


def test_only_approved_notes_enrich(app, staff, item, make_contribution):
    pending = make_contribution(item, suggested_place="Hunslet")

    response = enrich(staff, pending, apply_place="y", place="Hunslet")

    assert response.status_code == 409
    assert "Only approved notes can change the record." in response.text
    assert record(app, item)[3] == "Leeds"


def test_reverting_puts_the_old_value_back_and_is_recorded(app, client, staff, item, note):
    enrich(staff, note, apply_date_text="y", date_text="1931")
    with app.app_context():
        applied = db.session.scalar(sa.select(Enrichment.id))
        before = db.session.get(Item, item.id).record_changed_at
    page = client.get(f"/items/{item.identifier}").text
    assert "Revert this change" not in page  # visitors see the history, not the button
    assert "Revert this change to the date" in staff.get(f"/items/{item.identifier}").text

    response = staff.post(f"/moderation/enrichments/{applied}/revert")

    assert response.status_code == 303
    assert record(app, item)[:3] == ("c. 1920", 1920, 1920)
    assert enrichments(app) == [
        ("date_text", "c. 1920", "1931", note.id, None, True),
        ("date_text", "1931", "c. 1920", None, applied, False),
    ]
    with app.app_context():
        assert db.session.get(Item, item.id).record_changed_at > before
    public = client.get(f"/items/{item.identifier}").text
    assert "Identified by a member of the public" not in public  # no longer the note's value
    assert "Reverted on" in public
    again = staff.post(f"/moderation/enrichments/{applied}/revert", follow_redirects=True)
    assert "This change was already reverted." in again.text
    assert len(enrichments(app)) == 2


def test_a_revert_that_would_lose_a_later_change_is_refused(app, staff, item, note,
                                                            make_contribution, archivist):
    enrich(staff, note, apply_place="y", place="Vicar Lane")
    later = make_contribution(item, status="approved", decided_by=archivist)
    enrich(staff, later, apply_place="y", place="Vicar Lane, Leeds", seen_place="Vicar Lane")
    with app.app_context():
        first = db.session.scalar(sa.select(Enrichment.id).order_by(Enrichment.id))

    response = staff.post(f"/moderation/enrichments/{first}/revert", follow_redirects=True)

    assert "was changed by someone else meanwhile" in response.text
    assert record(app, item)[3] == "Vicar Lane, Leeds"
    assert len(enrichments(app)) == 2


def test_two_archivists_reverting_at_once_revert_once(app, staff, item, note, make_user):
    enrich(staff, note, apply_place="y", place="Vicar Lane")
    with app.app_context():
        applied = db.session.scalar(sa.select(Enrichment.id))
    users = [make_user("archivist").id for _ in range(6)]
    barrier = threading.Barrier(len(users), timeout=30)
    outcomes, errors, lock = [], [], threading.Lock()

    def work(n):
        try:
            with app.app_context():
                user = db.session.get(User, users[n])
                enrichment = db.session.get(Enrichment, applied)
                barrier.wait()
                try:
                    revert_enrichment(enrichment, user)
                except (ModerationError, RecordChanged):
                    db.session.rollback()
                    won = False
                else:
                    db.session.commit()
                    won = True
                with lock:
                    outcomes.append(won)
        except BaseException as error:
            with lock:
                errors.append(error)
            barrier.abort()

    threads = [threading.Thread(target=work, args=(n,)) for n in range(len(users))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert sorted(outcomes) == [False] * 5 + [True]
    assert record(app, item)[3] == "Leeds"
    assert len(enrichments(app)) == 2


def test_exports_carry_enriched_values_and_their_provenance(app, staff, item, note):
    enrich(staff, note, apply_date_text="y", date_text="1931")
    from archive.harvesting.records import iter_records

    with app.app_context():
        exported = next(iter_records(base_url="http://archive.test"))

    assert (exported["date_text"], exported["date_earliest"], exported["date_latest"]) == (
        "1931", 1931, 1931)
    assert exported["enrichments"][0]["source_note"] == note.id
    assert exported["enrichments"][0]["applied_by"] == "Ada Archivist"


def test_visitors_and_contributors_cannot_enrich_or_revert(app, client, item, note, make_user,
                                                           login_client, archivist):
    with app.app_context():
        from archive.moderation.services import apply_enrichment
        enrichment = apply_enrichment(db.session.get(Item, item.id), "place", "Hunslet",
                                      db.session.get(User, archivist.id),
                                      contribution=db.session.get(Contribution, note.id))
        db.session.commit()
        enrichment_id = enrichment.id
    member = login_client(app, make_user("contributor"))

    assert member.post(f"/moderation/enrichments/{enrichment_id}/revert").status_code == 403
    assert member.post(f"/moderation/contributions/{note.id}/enrich",
                       data={"apply_place": "y", "place": "X"}).status_code == 403
    assert client.post(f"/moderation/enrichments/{enrichment_id}/revert").status_code == 302
    assert record(app, item)[3] == "Hunslet"


def test_exports_show_a_reverted_change_and_the_revert(app, staff, item, note):
    enrich(staff, note, apply_date_text="y", date_text="1931")
    with app.app_context():
        applied = db.session.scalar(sa.select(Enrichment.id))
    staff.post(f"/moderation/enrichments/{applied}/revert")
    from archive.harvesting.records import iter_records

    with app.app_context():
        exported = next(iter_records(base_url="http://archive.test"))

    assert exported["date_text"] == "c. 1920"
    first, revert = exported["enrichments"]
    assert (first["new_value"], first["is_revert"]) == ("1931", False)
    assert first["reverted_at"] is not None
    assert (revert["new_value"], revert["is_revert"], revert["reverted_at"]) == (
        "c. 1920", True, None)
