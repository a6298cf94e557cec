"""Moderation rules, called as a view or command would call them: no HTTP."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from archive.extensions import db
from archive.models import (
    AppendOnlyError,
    Contribution,
    ContributionStatus,
    Enrichment,
    Item,
    ModerationEvent,
    User,
)
from archive.moderation.services import (
    AlreadyDecided,
    ModerationError,
    NotAllowed,
    apply_suggestion,
    approve_contribution,
    contribution_history,
    mark_spam,
    pending_queue,
    reject_contribution,
)

T0 = datetime(2024, 3, 1, 9, 0, tzinfo=UTC)


def decide_and_commit(app, service, contribution, moderator, **kwargs):
    """Load, call, commit once: what the views and commands do."""
    with app.app_context():
        service(db.session.get(Contribution, contribution.id),
                db.session.get(User, moderator.id), **kwargs)
        db.session.commit()


def refused(app, service, contribution, moderator, error, **kwargs):
    """Call a service that must refuse, and hand back the error it raised."""
    with app.app_context():
        with pytest.raises(error) as raised:
            service(db.session.get(Contribution, contribution.id),
                    db.session.get(User, moderator.id), **kwargs)
        db.session.rollback()
    return raised.value


def stored(app, contribution):
    """The contribution as stored, with its events as plain tuples."""
    with app.app_context():
        row = db.session.get(Contribution, contribution.id)
        events = [
            (e.actor_id, e.action, e.from_status, e.to_status, e.reason)
            for e in db.session.scalars(
                sa.select(ModerationEvent)
                .where(ModerationEvent.contribution_id == contribution.id)
                .order_by(ModerationEvent.id))
        ]
        return {"status": row.status, "decided_by_id": row.decided_by_id,
                "decided_at": row.decided_at, "reason": row.decision_reason, "events": events}


def walk_queue(app, limit):
    """Every page of the queue, following the cursors: a list of lists of ids."""
    pages, cursor = [], None
    with app.app_context():
        while True:
            page = pending_queue(after=cursor, limit=limit)
            pages.append([c.id for c in page.contributions])
            cursor = page.next_cursor
            if cursor is None:
                return pages


@pytest.fixture
def archivist(make_user):
    return make_user("archivist", display_name="Ada Archivist")


@pytest.fixture
def item(make_item):
    return make_item(with_image=False, title="Market day", date_text="c. 1920",
                     date_earliest=1920, date_latest=1920, place="Leeds",
                     people="Alice Smith")


# --- the queue ---------------------------------------------------------------------------------


def test_queue_holds_only_pending_notes_oldest_first(app, item, archivist, make_contribution):
    newer = make_contribution(item, created_at=T0 + timedelta(hours=2))
    older = make_contribution(item, created_at=T0)
    middle = make_contribution(item, created_at=T0 + timedelta(hours=1))
    for status in ("approved", "rejected", "spam"):
        make_contribution(item, status=status, decided_by=archivist,
                          created_at=T0 - timedelta(days=1))

    with app.app_context():
        page = pending_queue(limit=10)
        ids = [c.id for c in page.contributions]
        count, cursor = page.pending_count, page.next_cursor

    assert ids == [older.id, middle.id, newer.id]
    assert count == 3
    assert cursor is None


def test_queue_pages_visit_every_pending_note_exactly_once(app, item, make_contribution):
    # Ties on the timestamp must be broken by id, or a page boundary would drop or repeat notes.
    stamps = [T0, T0, T0, T0 + timedelta(seconds=1), T0 + timedelta(seconds=1),
              T0 + timedelta(microseconds=1), T0 - timedelta(days=3)]
    notes = [make_contribution(item, created_at=stamp) for stamp in stamps]
    expected = [c.id for c in sorted(notes, key=lambda c: (c.created_at, c.id))]

    pages = walk_queue(app, limit=2)

    assert [len(p) for p in pages] == [2, 2, 2, 1]
    assert [cid for page in pages for cid in page] == expected


def test_deciding_notes_on_one_page_does_not_skip_any_on_the_next(app, item, archivist,
                                                                 make_contribution):
    notes = [make_contribution(item, created_at=T0 + timedelta(minutes=n)) for n in range(5)]
    with app.app_context():
        first = pending_queue(limit=2)
        cursor = first.next_cursor
    for note in notes[:2]:
        decide_and_commit(app, approve_contribution, note, archivist)

    with app.app_context():
        second = [c.id for c in pending_queue(after=cursor, limit=2).contributions]

    assert second == [notes[2].id, notes[3].id]


def _b64(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


@pytest.mark.parametrize("cursor", [
    "not a cursor!",
    "abc",
    _b64("\xff\xfe"),
    _b64("2024-03-01T09:00:00|1"),  # no time zone
    _b64("2024-03-01T09:00:00+00:00|99999999999999999999"),  # larger than any id
    _b64("0001-01-01T00:00:00+05:00|1"),  # before the start of the calendar in UTC
    _b64("2024-03-01T09:00:00+00:00|one"),
])
def test_a_cursor_the_app_did_not_write_gives_the_first_page(app, item, make_contribution,
                                                             cursor):
    first = make_contribution(item, created_at=T0)
    make_contribution(item, created_at=T0 + timedelta(minutes=1))

    with app.app_context():
        page = pending_queue(after=cursor, limit=1)
        ids = [c.id for c in page.contributions]

    assert ids == [first.id]


# --- decisions ---------------------------------------------------------------------------------


def test_approving_records_who_and_when_and_one_event(app, item, archivist, make_contribution):
    note = make_contribution(item)
    before = datetime.now(UTC)

    decide_and_commit(app, approve_contribution, note, archivist)

    after = stored(app, note)
    assert after["status"] is ContributionStatus.APPROVED
    assert after["decided_by_id"] == archivist.id
    assert before <= after["decided_at"] <= datetime.now(UTC)
    assert after["events"] == [(archivist.id, "approve", "pending", "approved", "")]


def test_rejecting_keeps_the_reason_on_the_note_and_in_the_event(app, item, archivist,
                                                                 make_contribution):
    note = make_contribution(item)

    decide_and_commit(app, reject_contribution, note, archivist, reason="  Not this photo.  ")

    after = stored(app, note)
    assert after["status"] is ContributionStatus.REJECTED
    assert after["reason"] == "Not this photo."
    assert after["events"] == [(archivist.id, "reject", "pending", "rejected", "Not this photo.")]


def test_rejecting_without_a_reason_is_allowed(app, item, archivist, make_contribution):
    note = make_contribution(item)

    decide_and_commit(app, reject_contribution, note, archivist)

    assert stored(app, note)["events"] == [(archivist.id, "reject", "pending", "rejected", "")]


def test_marking_spam(app, item, archivist, make_contribution):
    note = make_contribution(item, body="Cheap watches at example.com")

    decide_and_commit(app, mark_spam, note, archivist, reason="advert")

    after = stored(app, note)
    assert after["status"] is ContributionStatus.SPAM
    assert after["events"] == [(archivist.id, "spam", "pending", "spam", "advert")]


def test_the_event_time_is_the_decision_time(app, item, archivist, make_contribution):
    note = make_contribution(item)
    decide_and_commit(app, approve_contribution, note, archivist)

    with app.app_context():
        event = db.session.scalar(sa.select(ModerationEvent))
        decided_at = db.session.get(Contribution, note.id).decided_at
        assert event.created_at == decided_at


def test_a_second_decision_is_refused_and_names_who_decided(app, item, make_user,
                                                            make_contribution):
    first_archivist = make_user("archivist", display_name="Ada Archivist")
    second_archivist = make_user("curator", display_name="Cyril Curator")
    note = make_contribution(item)
    decide_and_commit(app, reject_contribution, note, first_archivist, reason="duplicate")
    before = stored(app, note)

    for second in (approve_contribution, reject_contribution, mark_spam):
        error = refused(app, second, note, second_archivist, AlreadyDecided)

        assert "already rejected by Ada Archivist" in str(error)
        assert stored(app, note) == before
    assert len(before["events"]) == 1


def test_a_note_caught_as_spam_automatically_cannot_be_approved(app, item, archivist,
                                                                make_contribution):
    note = make_contribution(item, status="spam", decided_by=None)

    error = refused(app, approve_contribution, note, archivist, AlreadyDecided)

    assert "the system" in str(error)
    assert stored(app, note)["status"] is ContributionStatus.SPAM


def test_nobody_moderates_a_note_they_submitted(app, item, archivist, make_user,
                                                make_contribution):
    colleague = make_user("archivist")
    for service in (approve_contribution, reject_contribution, mark_spam):
        own = make_contribution(item, submitted_by_id=archivist.id)

        refused(app, service, own, archivist, NotAllowed)

        assert stored(app, own)["status"] is ContributionStatus.PENDING
        assert stored(app, own)["events"] == []
        decide_and_commit(app, service, own, colleague)
        assert stored(app, own)["decided_by_id"] == colleague.id


def test_a_note_sent_from_the_moderators_email_counts_as_their_own(app, item, make_user,
                                                                    make_contribution):
    admin = make_user("admin", email="ada@example.org")
    note = make_contribution(item, email=" Ada@Example.ORG ")

    error = refused(app, approve_contribution, note, admin, NotAllowed)

    assert "yourself" in str(error)
    assert stored(app, note)["status"] is ContributionStatus.PENDING


def test_an_inactive_account_cannot_moderate(app, item, make_user, make_contribution):
    former = make_user("admin", active=False)
    note = make_contribution(item)

    refused(app, reject_contribution, note, former, NotAllowed)

    assert stored(app, note)["events"] == []


# --- enrichment --------------------------------------------------------------------------------


def enrichments(app, item):
    with app.app_context():
        return [
            (e.field, e.old_value, e.new_value, e.contribution_id, e.applied_by_id)
            for e in db.session.scalars(
                sa.select(Enrichment).where(Enrichment.item_id == item.id).order_by(Enrichment.id))
        ]


def record(app, item):
    with app.app_context():
        row = db.session.get(Item, item.id)
        return {f: getattr(row, f) for f in
                ("date_text", "date_earliest", "date_latest", "place", "people")}


def test_approving_with_suggestions_updates_the_record_with_provenance(app, item, archivist,
                                                                      make_contribution):
    note = make_contribution(item, suggested_date="1930s", suggested_place="Briggate, Leeds",
                             suggested_people="Bob Jones")

    decide_and_commit(app, approve_contribution, note, archivist,
                      apply=("date", "place", "people"))

    assert record(app, item) == {
        "date_text": "1930s", "date_earliest": 1930, "date_latest": 1939,
        "place": "Briggate, Leeds", "people": "Alice Smith; Bob Jones",
    }
    assert enrichments(app, item) == [
        ("date_text", "c. 1920", "1930s", note.id, archivist.id),
        ("place", "Leeds", "Briggate, Leeds", note.id, archivist.id),
        ("people", "Alice Smith", "Alice Smith; Bob Jones", note.id, archivist.id),
    ]


def test_suggested_people_are_added_to_those_recorded_not_put_in_their_place(
        app, make_item, archivist, make_contribution):
    item = make_item(with_image=False, people="Alice Smith; Bob Jones")
    note = make_contribution(item, suggested_people="bob jones\nCarol White")

    decide_and_commit(app, approve_contribution, note, archivist, apply=("people",))

    assert record(app, item)["people"] == "Alice Smith; Bob Jones; Carol White"


def test_approving_without_applying_leaves_the_record_alone(app, item, archivist,
                                                            make_contribution):
    note = make_contribution(item, suggested_date="1931", suggested_place="Headingley")
    before = record(app, item)

    decide_and_commit(app, approve_contribution, note, archivist)

    assert record(app, item) == before
    assert enrichments(app, item) == []


def test_only_the_suggestions_chosen_are_applied(app, item, archivist, make_contribution):
    note = make_contribution(item, suggested_date="1931", suggested_place="Headingley")

    decide_and_commit(app, approve_contribution, note, archivist, apply=("place",))

    assert record(app, item)["date_text"] == "c. 1920"
    assert [e[0] for e in enrichments(app, item)] == ["place"]


def test_an_empty_or_unchanged_suggestion_writes_no_enrichment(app, item, archivist,
                                                              make_contribution):
    note = make_contribution(item, suggested_date="", suggested_place="Leeds",
                             suggested_people="alice smith")

    decide_and_commit(app, approve_contribution, note, archivist,
                      apply=("date", "place", "people"))

    assert enrichments(app, item) == []
    assert record(app, item)["date_text"] == "c. 1920"


def test_an_unreadable_date_clears_the_year_range(app, item, archivist, make_contribution):
    note = make_contribution(item, suggested_date="the year of the big flood")

    decide_and_commit(app, approve_contribution, note, archivist, apply=("date",))

    assert record(app, item)["date_earliest"] is None
    assert record(app, item)["date_latest"] is None


def test_a_refused_approval_changes_nothing_on_the_record(app, item, archivist, make_user,
                                                          make_contribution):
    note = make_contribution(item, suggested_place="Headingley")
    decide_and_commit(app, reject_contribution, note, make_user("archivist"))

    refused(app, approve_contribution, note, archivist, AlreadyDecided, apply=("place",))

    assert record(app, item)["place"] == "Leeds"
    assert enrichments(app, item) == []


def test_suggestions_of_a_note_not_approved_cannot_be_applied(app, item, archivist,
                                                              make_contribution):
    note = make_contribution(item, suggested_place="Headingley")

    with app.app_context(), pytest.raises(ModerationError):
        apply_suggestion(db.session.get(Contribution, note.id), "place",
                         db.session.get(User, archivist.id))

    assert record(app, item)["place"] == "Leeds"


# --- the audit log -----------------------------------------------------------------------------


def test_history_lists_the_events_of_that_note_only(app, item, archivist, make_contribution):
    note = make_contribution(item)
    other = make_contribution(item)
    decide_and_commit(app, reject_contribution, note, archivist, reason="wrong street")
    decide_and_commit(app, approve_contribution, other, archivist)

    with app.app_context():
        history = [(e.actor.display_name, e.from_status, e.to_status, e.reason)
                   for e in contribution_history(db.session.get(Contribution, note.id))]

    assert history == [("Ada Archivist", "pending", "rejected", "wrong street")]


def test_moderation_events_cannot_be_changed(app, item, archivist, make_contribution):
    note = make_contribution(item)
    decide_and_commit(app, reject_contribution, note, archivist, reason="original")

    with app.app_context():
        event = db.session.scalar(sa.select(ModerationEvent))
        event.to_status = "approved"
        with pytest.raises(AppendOnlyError):
            db.session.flush()
        db.session.rollback()

    assert stored(app, note)["events"][0][3:] == ("rejected", "original")


def test_moderation_events_cannot_be_deleted(app, item, archivist, make_contribution):
    note = make_contribution(item)
    decide_and_commit(app, approve_contribution, note, archivist)

    with app.app_context():
        db.session.delete(db.session.scalar(sa.select(ModerationEvent)))
        with pytest.raises(AppendOnlyError):
            db.session.flush()
        db.session.rollback()

    assert len(stored(app, note)["events"]) == 1
