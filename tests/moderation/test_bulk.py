"""Deciding a selection of notes: a confirmation first, then each note decided once."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
import sqlalchemy as sa

from archive.extensions import db
from archive.models import Contribution, ContributionStatus, ModerationEvent, User
from archive.moderation.services import ModerationError, bulk_decide, withdraw_contribution


@pytest.fixture
def archivist(make_user):
    return make_user("archivist", display_name="Ada Archivist")


@pytest.fixture
def staff(app, archivist, login_client):
    return login_client(app, archivist)


def statuses(app, notes):
    with app.app_context():
        return [db.session.get(Contribution, n.id).status for n in notes]


def event_count(app):
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count(ModerationEvent.id)))


def test_the_confirmation_page_shows_what_will_change_and_changes_nothing(
        app, staff, archivist, make_item, make_contribution):
    item = make_item(with_image=False, title="Mill yard")
    first = make_contribution(item, body="The mill closed in 1962.")
    second = make_contribution(item, body="My father worked here.")
    decided = make_contribution(item, body="Old news.", status="approved", decided_by=archivist)
    untouched = make_contribution(item, body="Not selected.")

    response = staff.post("/moderation/bulk", data={
        "action": "approve", "ids": [first.id, second.id, decided.id]})

    assert response.status_code == 200
    html = response.text
    assert "Approve 3 notes?" in html
    assert "Nothing has changed yet." in html
    assert "2 notes will be published" in html
    assert "1 note already decided will be left as it is." in html
    for text in ("The mill closed in 1962.", "My father worked here.", "Mill yard"):
        assert text in html
    assert "Not selected." not in html
    assert 'name="confirm" value="yes"' in html
    assert statuses(app, [first, second, decided, untouched]) == [
        ContributionStatus.PENDING, ContributionStatus.PENDING, ContributionStatus.APPROVED,
        ContributionStatus.PENDING]
    assert event_count(app) == 0


def test_confirmed_the_pending_notes_are_decided_and_the_others_skipped(
        app, staff, archivist, make_item, make_contribution):
    item = make_item(with_image=False)
    first = make_contribution(item)
    second = make_contribution(item)
    decided = make_contribution(item, status="spam", decided_by=archivist)

    response = staff.post("/moderation/bulk", data={
        "action": "reject", "ids": [first.id, second.id, decided.id], "confirm": "yes",
        "rejection_code": "unverifiable", "reason": "Batch check", "collection": "x"},
        follow_redirects=False)

    assert response.status_code == 303
    assert response.headers["Location"] == "/moderation/?collection=x"
    html = staff.get("/moderation/").text
    assert "2 notes rejected." in html
    assert f"Note #{decided.id} skipped: This note was already spam by Ada Archivist" in html
    assert statuses(app, [first, second, decided]) == [
        ContributionStatus.REJECTED, ContributionStatus.REJECTED, ContributionStatus.SPAM]
    with app.app_context():
        rows = db.session.execute(sa.select(
            Contribution.rejection_code, Contribution.decision_reason).where(
            Contribution.id.in_([first.id, second.id]))).all()
    assert rows == [("unverifiable", "Batch check")] * 2
    assert event_count(app) == 2


def test_an_empty_selection_is_refused(staff):
    response = staff.post("/moderation/bulk", data={"action": "approve"},
                          follow_redirects=True)

    assert "Choose at least one note." in response.text


def test_bulk_skips_ones_own_notes(app, staff, archivist, make_item, make_contribution):
    item = make_item(with_image=False)
    own = make_contribution(item, submitted_by_id=archivist.id)
    other = make_contribution(item)

    staff.post("/moderation/bulk", data={"action": "approve", "ids": [own.id, other.id],
                                         "confirm": "yes"})

    assert statuses(app, [own, other]) == [ContributionStatus.PENDING,
                                           ContributionStatus.APPROVED]


def test_contributors_cannot_use_bulk(app, make_user, make_item, make_contribution,
                                      login_client):
    note = make_contribution(make_item(with_image=False))
    member = login_client(app, make_user("contributor"))

    response = member.post("/moderation/bulk", data={"action": "approve", "ids": [note.id],
                                                     "confirm": "yes"})

    assert response.status_code == 403
    assert statuses(app, [note]) == [ContributionStatus.PENDING]


# --- concurrency -------------------------------------------------------------------------------

THREADS = 8
NOTES = 15


def test_archivists_racing_with_bulk_decisions_decide_each_note_once(app, make_item, make_user,
                                                                     make_contribution):
    item = make_item(with_image=False)
    note_ids = [make_contribution(item).id for _ in range(NOTES)]
    moderators = [make_user("archivist").id for _ in range(THREADS)]
    targets = [ContributionStatus.APPROVED, ContributionStatus.REJECTED, ContributionStatus.SPAM]
    barrier = threading.Barrier(THREADS, timeout=30)
    wins: list[tuple[int, int, ContributionStatus]] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def work(n: int) -> None:
        try:
            with app.app_context():
                moderator = db.session.get(User, moderators[n])
                order = note_ids[n % NOTES:] + note_ids[:n % NOTES]
                notes = [db.session.get(Contribution, i) for i in order]
                barrier.wait()
                result = bulk_decide(notes, moderator, targets[n % 3])
                db.session.commit()
                with lock:
                    wins.extend((c.id, moderators[n], targets[n % 3]) for c in result.decided)
        except BaseException as error:
            with lock:
                errors.append(error)
            barrier.abort()

    threads = [threading.Thread(target=work, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=90)

    assert errors == []
    assert Counter(note for note, _, _ in wins) == Counter(note_ids)  # exactly one winner each
    with app.app_context():
        for note_id, moderator_id, status in wins:
            note = db.session.get(Contribution, note_id)
            events = db.session.execute(sa.select(
                ModerationEvent.actor_id, ModerationEvent.to_status).where(
                ModerationEvent.contribution_id == note_id)).all()
            assert (note.status, note.decided_by_id) == (status, moderator_id)
            assert events == [(moderator_id, status.value)]


def test_archivists_racing_to_withdraw_one_note_withdraw_it_once(app, make_item, make_user,
                                                                 make_contribution):
    approver = make_user("archivist")
    note = make_contribution(make_item(with_image=False), status="approved", decided_by=approver)
    moderators = [make_user("archivist").id for _ in range(THREADS)]
    barrier = threading.Barrier(THREADS, timeout=30)
    outcomes: list[bool] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def work(n: int) -> None:
        try:
            with app.app_context():
                moderator = db.session.get(User, moderators[n])
                contribution = db.session.get(Contribution, note.id)
                barrier.wait()
                try:
                    withdraw_contribution(contribution, moderator, reason=f"by {n}")
                except ModerationError:
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

    threads = [threading.Thread(target=work, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=90)

    assert errors == []
    assert sorted(outcomes) == [False] * (THREADS - 1) + [True]
    with app.app_context():
        actions = db.session.scalars(sa.select(ModerationEvent.action).where(
            ModerationEvent.contribution_id == note.id)).all()
    assert actions == ["withdraw"]
