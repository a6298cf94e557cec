"""The append-only log: one page per note, and the whole log filtered."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from archive.extensions import db
from archive.models import ModerationEvent


@pytest.fixture
def archivist(make_user):
    return make_user("archivist", display_name="Ada Archivist")


@pytest.fixture
def staff(app, archivist, login_client):
    return login_client(app, archivist)


def log_rows(html: str) -> list[str]:
    body = re.search(r"<tbody>(.*?)</tbody>", html, re.S)
    return re.findall(r'/moderation/contributions/(\d+)"', body.group(1)) if body else []


def add_event(app, note, actor, action, when, to_status):
    """A back-dated log entry, written straight into the table (the lifecycle writes only
    real transitions, at the time they happen)."""
    with app.app_context():
        db.session.execute(sa.insert(ModerationEvent).values(
            contribution_id=note.id, actor_id=actor.id if actor else None, action=action,
            from_status="pending", to_status=to_status, created_at=when))
        db.session.commit()


def test_the_log_filters_by_archivist_action_and_date(app, staff, archivist, make_user,
                                                      make_item, make_contribution):
    other = make_user("curator", display_name="Cyril Curator")
    item = make_item(with_image=False)
    notes = [make_contribution(item) for _ in range(4)]
    add_event(app, notes[0], archivist, "approve", datetime(2024, 1, 5, 12, tzinfo=UTC),
              "approved")
    add_event(app, notes[1], other, "reject", datetime(2024, 1, 6, 23, 59, tzinfo=UTC),
              "rejected")
    add_event(app, notes[2], archivist, "spam", datetime(2024, 2, 1, tzinfo=UTC), "spam")
    add_event(app, notes[3], None, "auto_spam", datetime(2024, 2, 2, tzinfo=UTC), "spam")

    def ids(**query):
        response = staff.get("/moderation/log", query_string=query)
        assert response.status_code == 200
        return [int(n) for n in log_rows(response.text)]

    assert ids() == [notes[3].id, notes[2].id, notes[1].id, notes[0].id]
    assert ids(actor=archivist.id) == [notes[2].id, notes[0].id]
    assert ids(action="reject") == [notes[1].id]
    assert ids(since="2024-01-06", until="2024-01-31") == [notes[1].id]
    assert ids(until="2024-01-05") == [notes[0].id]
    page = staff.get("/moderation/log", query_string={"since": "last week"}).text
    assert "is not a date" in page
    assert "Spam (caught automatically)" in page and "Automatic" in page


def test_the_log_pages_by_keyset(make_app, archivist, make_item, make_contribution,
                                 login_client):
    app = make_app(AUDIT_PAGE_SIZE=2)
    item = make_item(with_image=False)
    notes = [make_contribution(item) for _ in range(5)]
    for n, note in enumerate(notes):
        add_event(app, note, archivist, "approve", datetime(2024, 1, 1 + n, tzinfo=UTC),
                  "approved")
    client = login_client(app, archivist)

    seen, url = [], "/moderation/log"
    while url:
        html = client.get(url).text
        seen += [int(n) for n in log_rows(html)]
        found = re.search(r'rel="next" href="([^"]+)"', html)
        url = found and found.group(1).replace("&amp;", "&")

    assert seen == [n.id for n in reversed(notes)]


def test_each_note_has_its_full_history(app, staff, archivist, make_item, make_contribution):
    note = make_contribution(make_item(with_image=False))
    staff.post(f"/moderation/contributions/{note.id}/decide", data={"action": "approve"})
    staff.post(f"/moderation/contributions/{note.id}/withdraw",
               data={"reason": "Asked by the family"})

    html = staff.get(f"/moderation/contributions/{note.id}").text

    history = html[html.index("<h2>History</h2>"):]
    assert history.index("Pending → Approved") < history.index("Approved → Withdrawn")
    assert "Asked by the family" in history
    assert history.count("Ada Archivist") == 2


def test_the_log_is_for_staff_only(app, client, make_user, login_client):
    member = login_client(app, make_user("contributor"))

    assert member.get("/moderation/log").status_code == 403
    assert client.get("/moderation/log").status_code == 302


def test_erasures_are_labelled_translated_and_filterable(app, staff, make_item,
                                                          make_contribution):
    """The privacy commands' actions read as words in both languages, and filter the log."""
    from archive.ops.privacy import erase_contributor, purge_expired

    item = make_item(with_image=False)
    erased = make_contribution(item, email="annie@example.org")
    purged = make_contribution(item, status="rejected",
                               decided_at=datetime(2020, 1, 1, tzinfo=UTC))
    other = make_contribution(item)
    add_event(app, other, None, "auto_spam", datetime(2024, 2, 2, tzinfo=UTC), "spam")
    with app.app_context():
        erase_contributor("annie@example.org")
        purge_expired(days=365)
        db.session.commit()

    english = staff.get("/moderation/log").text
    assert "Erased on request" in english and "Removed after the retention period" in english
    assert ">erase_personal_data<" not in english and ">retention_purge<" not in english
    assert '<option value="erase_personal_data">Erased on request</option>' in english

    filtered = staff.get("/moderation/log", query_string={"action": "erase_personal_data"})
    assert [int(n) for n in log_rows(filtered.text)] == [erased.id]
    assert '<option value="erase_personal_data" selected>' in filtered.text
    filtered = staff.get("/moderation/log", query_string={"action": "retention_purge"})
    assert [int(n) for n in log_rows(filtered.text)] == [purged.id]

    staff.set_cookie("lang", "cy")
    welsh = staff.get("/moderation/log").text
    assert "Dilëwyd ar gais" in welsh and "Tynnwyd ar ôl y cyfnod cadw" in welsh
    assert "Erased on request" not in welsh
    # A note's own page names the action the same way.
    page = staff.get(f"/moderation/contributions/{erased.id}").text
    assert "Dilëwyd ar gais" in page


def test_an_unknown_action_shows_every_entry(app, staff, archivist, make_item,
                                             make_contribution):
    note = make_contribution(make_item(with_image=False))
    add_event(app, note, archivist, "approve", datetime(2024, 1, 5, tzinfo=UTC), "approved")

    page = staff.get("/moderation/log", query_string={"action": "no_such_thing"}).text
    assert "Unknown action: showing every action." in page
    assert [int(n) for n in log_rows(page)] == [note.id]
