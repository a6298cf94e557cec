"""The moderation pages, through the test client."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from archive.extensions import db
from archive.models import Contribution, ContributionStatus, Enrichment, Item, ModerationEvent

T0 = datetime(2024, 3, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def archivist(make_user):
    return make_user("archivist", display_name="Ada Archivist")


@pytest.fixture
def staff(app, archivist, login_client):
    return login_client(app, archivist)


@pytest.fixture
def item(make_item):
    return make_item(title="Market day on Kirkgate", needs_help=True,
                     help_question="Which year was the market hall built?",
                     date_text="c. 1920", place="Leeds", people="Alice Smith")


def note_ids(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'<li class="queue-row" id="c(\d+)">', html)]


def decide(client, note, action, *, follow_redirects=False, **fields):
    return client.post(f"/moderation/contributions/{note.id}/decide",
                       data={"action": action, **fields}, follow_redirects=follow_redirects)


def state(app, note):
    with app.app_context():
        row = db.session.get(Contribution, note.id)
        events = db.session.scalars(
            sa.select(ModerationEvent).where(ModerationEvent.contribution_id == note.id)).all()
        return row.status, row.decided_by_id, row.decision_reason, [
            (e.actor_id, e.from_status, e.to_status, e.reason) for e in events]


# --- who may see the pages ---------------------------------------------------------------------


@pytest.mark.parametrize("method, path", [
    ("get", "/moderation/"),
    ("get", "/moderation/contributions/{id}"),
    ("post", "/moderation/contributions/{id}/decide"),
])
def test_anonymous_visitors_are_sent_to_log_in(app, client, item, make_contribution,
                                               method, path):
    note = make_contribution(item)

    response = getattr(client, method)(path.format(id=note.id), data={"action": "approve"})

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")
    assert state(app, note)[0] is ContributionStatus.PENDING


def test_an_inactive_account_is_treated_as_logged_out(app, item, make_user, make_contribution,
                                                      login_client):
    former = login_client(app, make_user("admin", active=False))
    note = make_contribution(item)

    page = former.get("/moderation/")
    post = decide(former, note, "approve")

    assert page.status_code == 302
    assert page.headers["Location"].startswith("/login")
    assert post.status_code == 302
    assert state(app, note)[0] is ContributionStatus.PENDING


def test_a_member_of_the_public_with_an_account_may_not_moderate(app, item, make_user,
                                                                 make_contribution, login_client):
    contributor = login_client(app, make_user("contributor"))
    note = make_contribution(item)

    for response in (contributor.get("/moderation/"),
                     contributor.get(f"/moderation/contributions/{note.id}"),
                     decide(contributor, note, "approve")):
        assert response.status_code == 403
        assert "have access" in response.text
    assert state(app, note) == (ContributionStatus.PENDING, None, "", [])


@pytest.mark.parametrize("role", ["curator", "admin"])
def test_higher_roles_moderate_too(app, item, make_user, make_contribution, login_client, role):
    note = make_contribution(item)
    client = login_client(app, make_user(role))

    assert client.get("/moderation/").status_code == 200
    decide(client, note, "approve")

    assert state(app, note)[0] is ContributionStatus.APPROVED


def test_an_unknown_note_is_not_found(staff):
    for response in (staff.get("/moderation/contributions/999999"),
                     staff.post("/moderation/contributions/999999/decide",
                                data={"action": "approve"})):
        assert response.status_code == 404
        assert "<h1>Page not found</h1>" in response.text


# --- the queue ---------------------------------------------------------------------------------


def test_the_queue_shows_each_pending_note_with_its_photograph(staff, item, archivist,
                                                               make_contribution):
    newer = make_contribution(item, body="The tram is a number 12.",
                              created_at=T0 + timedelta(hours=1))
    older = make_contribution(item, body="My grandmother ran the fish stall.",
                              suggested_date="1931", suggested_place="Kirkgate Market",
                              suggested_people="Edith Brown", created_at=T0)
    make_contribution(item, body="Already published.", status="approved", decided_by=archivist)
    make_contribution(item, body="Buy cheap watches.", status="spam", decided_by=archivist)

    html = staff.get("/moderation/").text

    assert note_ids(html) == [older.id, newer.id]
    assert "2 notes waiting" in html
    assert f'src="/media/{item.primary_image.thumb_path}"' in html
    assert "Market day on Kirkgate" in html
    assert "Which year was the market hall built?" in html
    for text in ("My grandmother ran the fish stall.", "1931", "Kirkgate Market", "Edith Brown"):
        assert text in html
    assert "Already published." not in html
    assert "Buy cheap watches." not in html


def test_an_empty_queue_says_so(staff):
    response = staff.get("/moderation/")

    assert response.status_code == 200
    assert "Nothing is waiting" in response.text


def test_queue_pages_show_every_pending_note_exactly_once(make_app, item, archivist,
                                                          make_contribution, login_client):
    stamps = [T0, T0, T0, T0 + timedelta(seconds=1), T0 - timedelta(days=1)]
    notes = [make_contribution(item, created_at=stamp) for stamp in stamps]
    expected = [c.id for c in sorted(notes, key=lambda c: (c.created_at, c.id))]
    client = login_client(make_app(QUEUE_PAGE_SIZE=2), archivist)

    seen, url = [], "/moderation/"
    while url:
        html = client.get(url).text
        seen.append(note_ids(html))
        found = re.search(r'rel="next" href="([^"]+)"', html)
        url = found and found.group(1)

    assert seen == [expected[0:2], expected[2:4], expected[4:5]]


def test_a_garbage_cursor_shows_the_first_page(staff, item, make_contribution):
    note = make_contribution(item)

    for cursor in ("garbage", "%%%", "MjAyNC0wMS0wMXw1", "x" * 500):
        response = staff.get("/moderation/", query_string={"after": cursor})

        assert response.status_code == 200, cursor
        assert note_ids(response.text) == [note.id]


# --- decisions ---------------------------------------------------------------------------------


def test_an_approved_note_appears_on_the_item_page_at_once(app, client, staff, item, archivist,
                                                           make_contribution):
    note = make_contribution(item, body="That is my uncle Fred on the left.",
                             credit_name="Mary Jones", show_name=True)
    assert "uncle Fred" not in client.get(f"/items/{item.identifier}").text

    response = decide(staff, note, "approve")

    assert response.status_code == 303
    assert response.headers["Location"] == "/moderation/"
    assert f"Note #{note.id} on “Market day on Kirkgate”: approved." in staff.get(
        "/moderation/").text
    page = client.get(f"/items/{item.identifier}").text
    assert "That is my uncle Fred on the left." in page
    assert "Mary Jones" in page
    assert state(app, note) == (ContributionStatus.APPROVED, archivist.id, "",
                                [(archivist.id, "pending", "approved", "")])


def test_approving_with_suggestions_updates_the_item_record(app, client, staff, item, archivist,
                                                            make_contribution):
    note = make_contribution(item, suggested_date="1930s", suggested_place="Kirkgate, Leeds",
                             suggested_people="Bob Jones")

    decide(staff, note, "approve", apply_date="y", apply_place="y", apply_people="y")

    with app.app_context():
        row = db.session.get(Item, item.id)
        assert (row.date_text, row.date_earliest, row.date_latest, row.place, row.people) == (
            "1930s", 1930, 1939, "Kirkgate, Leeds", "Alice Smith; Bob Jones")
        assert db.session.execute(
            sa.select(Enrichment.field, Enrichment.old_value, Enrichment.new_value,
                      Enrichment.contribution_id, Enrichment.applied_by_id)
            .order_by(Enrichment.id)).all() == [
            ("date_text", "c. 1920", "1930s", note.id, archivist.id),
            ("place", "Leeds", "Kirkgate, Leeds", note.id, archivist.id),
            ("people", "Alice Smith", "Alice Smith; Bob Jones", note.id, archivist.id),
        ]
    page = client.get(f"/items/{item.identifier}").text
    assert "Kirkgate, Leeds" in page
    assert "Alice Smith; Bob Jones" in page


def test_suggestions_not_ticked_are_not_applied(app, staff, item, make_contribution):
    note = make_contribution(item, suggested_date="1930s", suggested_place="Kirkgate, Leeds")

    decide(staff, note, "approve", apply_place="y")

    with app.app_context():
        row = db.session.get(Item, item.id)
        assert (row.date_text, row.place) == ("c. 1920", "Kirkgate, Leeds")


def test_a_reason_given_with_an_approval_is_kept(app, staff, item, archivist, make_contribution):
    note = make_contribution(item)

    decide(staff, note, "approve", reason="Confirmed from the 1931 directory.")

    assert state(app, note)[3] == [(archivist.id, "pending", "approved",
                                    "Confirmed from the 1931 directory.")]


@pytest.mark.parametrize("action, status", [("reject", ContributionStatus.REJECTED),
                                            ("spam", ContributionStatus.SPAM)])
def test_rejected_and_spam_notes_stay_off_the_item_page(app, client, staff, item, archivist,
                                                        make_contribution, action, status):
    note = make_contribution(item, body="This is Bradford, not Leeds.",
                             suggested_place="Bradford")

    decide(staff, note, action, reason="Checked: it is Leeds.", apply_place="y")

    assert state(app, note) == (status, archivist.id, "Checked: it is Leeds.",
                                [(archivist.id, "pending", status.value,
                                  "Checked: it is Leeds.")])
    page = client.get(f"/items/{item.identifier}").text
    assert "This is Bradford" not in page
    assert "Bradford" not in page


def test_rejecting_without_a_reason(app, staff, item, archivist, make_contribution):
    note = make_contribution(item)

    decide(staff, note, "reject")

    assert state(app, note)[0] is ContributionStatus.REJECTED


def test_the_queue_page_is_kept_after_a_decision(staff, item, make_contribution):
    note = make_contribution(item)

    response = decide(staff, note, "reject", after="MjAyNC0wMS0wMXw1")

    assert response.headers["Location"] == "/moderation/?after=MjAyNC0wMS0wMXw1"


def test_an_unreadable_decision_is_refused(app, staff, item, make_contribution):
    note = make_contribution(item)

    for fields in ({"action": "publish"}, {}, {"action": "reject", "reason": "x" * 2001}):
        response = staff.post(f"/moderation/contributions/{note.id}/decide", data=fields,
                              follow_redirects=True)

        assert "could not be read" in response.text, fields
        assert state(app, note) == (ContributionStatus.PENDING, None, "", [])


def test_a_second_decision_is_refused_naming_who_decided(app, item, archivist, make_user,
                                                         make_contribution, login_client):
    note = make_contribution(item, suggested_place="Bradford")
    first = login_client(app, archivist)
    second = login_client(app, make_user("curator", display_name="Cyril Curator"))
    decide(first, note, "reject", reason="wrong town")
    before = state(app, note)

    response = decide(second, note, "approve", apply_place="y", follow_redirects=True)

    assert response.status_code == 200
    assert "already rejected by Ada Archivist" in response.text
    assert state(app, note) == before
    with app.app_context():
        assert db.session.get(Item, item.id).place == "Leeds"
        assert db.session.scalar(sa.select(sa.func.count(Enrichment.id))) == 0


def test_nobody_moderates_their_own_note(app, item, archivist, staff, make_contribution):
    by_account = make_contribution(item, submitted_by_id=archivist.id)
    by_email = make_contribution(item, email=archivist.email.upper())

    for note in (by_account, by_email):
        response = decide(staff, note, "approve", follow_redirects=True)
        assert "You cannot moderate a note you submitted yourself." in response.text
        assert state(app, note) == (ContributionStatus.PENDING, None, "", [])


# --- history -----------------------------------------------------------------------------------


def test_the_history_page_lists_the_decision(staff, item, make_contribution):
    note = make_contribution(item, body="It was taken from the clock tower.")
    before = staff.get(f"/moderation/contributions/{note.id}").text
    decide(staff, note, "reject", reason="The clock tower was built later.")

    html = staff.get(f"/moderation/contributions/{note.id}").text

    assert "No decision yet." in before
    assert "It was taken from the clock tower." in html
    assert "Ada Archivist" in html
    assert "Pending → Rejected" in html
    assert "The clock tower was built later." in html
    assert 'name="action"' not in html  # no second decision offered
