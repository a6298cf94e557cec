"""The queue's filters and counts, editing before approval, reasons, withdrawal."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from archive.extensions import db
from archive.models import Contribution, ContributionStatus, Item, ModerationEvent, User
from archive.moderation.services import (
    ModerationError,
    QueueFilter,
    approve_contribution,
    pending_queue,
    withdraw_contribution,
)

T0 = datetime(2024, 3, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def archivist(make_user):
    return make_user("archivist", display_name="Ada Archivist")


@pytest.fixture
def staff(app, archivist, login_client):
    return login_client(app, archivist)


def row_ids(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'<li class="queue-row" id="c(\d+)">', html)]


def stored(app, note):
    with app.app_context():
        row = db.session.get(Contribution, note.id)
        events = db.session.scalars(sa.select(ModerationEvent.action).where(
            ModerationEvent.contribution_id == note.id).order_by(ModerationEvent.id)).all()
        return row.status, row.body, row.edited_body, row.rejection_code, \
            row.decision_reason, events


# --- filters -----------------------------------------------------------------------------------


def test_each_filter_narrows_the_queue(app, staff, make_item, make_collection, make_user,
                                       make_contribution, archivist):
    mills = make_collection(slug="mills", title="Mills")
    asked = make_item(collection=mills, needs_help=True, help_question="Who is this?",
                      with_image=False)
    plain = make_item(with_image=False)
    member = make_user("contributor")
    by_email = make_contribution(asked, body="The weaver is my aunt.", email="kim@example.net",
                                 created_at=T0)
    by_name = make_contribution(plain, body="A tram on Boar Lane.", credit_name="Tom Hardy",
                                show_name=True, created_at=T0 + timedelta(minutes=1))
    by_account = make_contribution(plain, body="50% off watches_now", submitted_by_id=member.id,
                                   created_at=T0 + timedelta(minutes=2))
    rejected = make_contribution(asked, body="Wrong mill.", status="rejected",
                                 decided_by=archivist, created_at=T0 - timedelta(days=1))

    def ids(**query):
        response = staff.get("/moderation/", query_string=query)
        assert response.status_code == 200
        return row_ids(response.text)

    assert ids() == [by_email.id, by_name.id, by_account.id]
    assert ids(collection="mills") == [by_email.id]
    assert ids(item=plain.identifier) == [by_name.id, by_account.id]
    assert ids(help="1") == [by_email.id]
    assert ids(who="KIM@example.net") == [by_email.id]
    assert ids(who="hardy") == [by_name.id]
    assert ids(who=f"account:{member.id}") == [by_account.id]
    assert ids(q="tram") == [by_name.id]
    assert ids(q="50%") == [by_account.id]  # LIKE wildcards are searched as text
    assert ids(q="_now") == [by_account.id]
    assert ids(q="%") == [by_account.id]
    assert ids(status="rejected") == [rejected.id]
    assert ids(status="rejected", collection="mills") == [rejected.id]
    assert ids(status="approved") == []


def test_unknown_filter_values_are_reported_not_guessed(staff, make_item, make_contribution):
    item = make_item(with_image=False)
    make_contribution(item)

    html = staff.get("/moderation/", query_string={"item": "NOPE-1", "collection": "nope",
                                                    "status": "lost"}).text

    assert "No photograph has the reference “NOPE-1”." in html
    assert "There is no collection “nope”." in html
    assert "Unknown status: showing pending notes." in html
    assert row_ids(html) == []
    assert "No notes match these filters." in html


def test_counts_per_status_and_the_oldest_pending_note(app, staff, make_item, make_contribution,
                                                       archivist):
    item = make_item(with_image=False)
    now = datetime.now(UTC)
    make_contribution(item, created_at=now - timedelta(days=3, hours=2))
    make_contribution(item, created_at=now - timedelta(hours=1))
    make_contribution(item, status="approved", decided_by=archivist)
    make_contribution(item, status="spam", decided_by=archivist)

    html = staff.get("/moderation/").text

    assert "2 notes waiting" in html
    assert "The oldest was sent 3 days ago" in html
    counts = dict(re.findall(r'(Pending|Approved|Rejected|Spam|Withdrawn) <span class="count">'
                             r'([^<]+)</span>', html))
    assert counts == {"Pending": "2", "Approved": "1", "Rejected": "0", "Spam": "1",
                      "Withdrawn": "0"}


def test_counts_above_the_limit_are_shown_as_a_floor(make_app, archivist, make_item,
                                                     make_contribution, login_client):
    item = make_item(with_image=False)
    for _ in range(4):
        make_contribution(item)
    client = login_client(make_app(QUEUE_COUNT_LIMIT=3), archivist)

    html = client.get("/moderation/").text

    assert "3+ notes waiting" in html
    assert 'Pending <span class="count">3+</span>' in html


def test_filtered_pages_follow_the_cursor_with_their_filters(make_app, archivist, make_item,
                                                             make_contribution, login_client):
    asked = make_item(with_image=False, needs_help=True, help_question="When?")
    other = make_item(with_image=False)
    wanted = [make_contribution(asked, created_at=T0 + timedelta(minutes=n)) for n in range(5)]
    for n in range(5):
        make_contribution(other, created_at=T0 + timedelta(minutes=n, seconds=30))
    client = login_client(make_app(QUEUE_PAGE_SIZE=2), archivist)

    seen, url = [], "/moderation/?help=1"
    while url:
        html = client.get(url).text
        seen += row_ids(html)
        found = re.search(r'rel="next" href="([^"]+)"', html)
        url = found and found.group(1).replace("&amp;", "&")

    assert seen == [n.id for n in wanted]


def test_decided_notes_are_listed_newest_first_with_keyset_pages(app, archivist, make_item,
                                                                  make_contribution):
    item = make_item(with_image=False)
    notes = [make_contribution(item, status="approved", decided_by=archivist,
                               created_at=T0 + timedelta(minutes=n % 3)) for n in range(7)]
    expected = [n.id for n in sorted(notes, key=lambda n: (n.created_at, n.id), reverse=True)]
    filters = QueueFilter(status=ContributionStatus.APPROVED)
    seen, cursor = [], None
    with app.app_context():
        while True:
            page = pending_queue(after=cursor, limit=3, filters=filters)
            seen += [c.id for c in page.contributions]
            cursor = page.next_cursor
            if cursor is None:
                break

    assert seen == expected


# --- keyboard ----------------------------------------------------------------------------------


def test_after_a_decision_the_next_note_is_named_for_focus(staff, make_item, make_contribution):
    item = make_item(with_image=False)
    first = make_contribution(item, created_at=T0)
    second = make_contribution(item, created_at=T0 + timedelta(minutes=1))
    html = staff.get("/moderation/?help=").text
    form = re.search(rf'<li class="queue-row" id="c{first.id}">.*?</li>', html, re.S).group(0)
    assert f'name="next" value="{second.id}"' in form
    assert '<script src="/static/js/moderation.js" defer></script>' in html

    response = staff.post(f"/moderation/contributions/{first.id}/decide",
                          data={"action": "approve", "next": str(second.id), "who": "x y"})

    assert response.headers["Location"] == f"/moderation/?who=x+y#c{second.id}"


# --- approve with edits ------------------------------------------------------------------------


def test_approving_with_an_edit_publishes_the_edit_and_keeps_the_original(
        app, client, staff, archivist, make_item, make_contribution):
    item = make_item(with_image=False)
    note = make_contribution(item, body="Thats my granddad Fred Smith, phone 0113 496 0000.")

    response = staff.post(f"/moderation/contributions/{note.id}/decide", data={
        "action": "approve", "edited_text": "That's my granddad Fred Smith."})

    assert response.status_code == 303
    status, body, edited, _, _, events = stored(app, note)
    assert (status, edited, events) == (ContributionStatus.APPROVED,
                                        "That's my granddad Fred Smith.", ["approve_with_edits"])
    assert body == "Thats my granddad Fred Smith, phone 0113 496 0000."
    public = client.get(f"/items/{item.identifier}").text
    assert "That&#39;s my granddad Fred Smith." in public
    assert "0113 496 0000" not in public
    staff_page = staff.get(f"/moderation/contributions/{note.id}").text
    assert "Thats my granddad Fred Smith, phone 0113 496 0000." in staff_page
    assert "<del>Thats</del><ins>That&#39;s</ins>" in staff_page
    assert "<del>Smith, phone 0113 496 0000.</del><ins>Smith.</ins>" in staff_page.replace(
        "<del>Smith,</del><ins>Smith.</ins><del> phone 0113 496 0000.</del>",
        "<del>Smith, phone 0113 496 0000.</del><ins>Smith.</ins>")
    with app.app_context():
        export = json.dumps(db.session.get(Contribution, note.id).public_text)
    assert "0113" not in export


def test_an_unchanged_text_is_a_plain_approval(app, staff, make_item, make_contribution):
    note = make_contribution(make_item(with_image=False), body="Kirkgate in 1931.")

    staff.post(f"/moderation/contributions/{note.id}/decide",
               data={"action": "approve", "edited_text": "Kirkgate in 1931.\r\n"})

    assert stored(app, note)[2:] == (None, "", "", ["approve"])


def test_an_emptied_text_is_refused_and_nothing_is_decided(app, staff, make_item,
                                                           make_contribution):
    note = make_contribution(make_item(with_image=False), body="Kirkgate in 1931.")

    response = staff.post(f"/moderation/contributions/{note.id}/decide",
                          data={"action": "approve", "edited_text": "  \n ", "from":
                                "contribution"})

    assert response.status_code == 409
    assert "The edited text is empty" in response.text
    assert stored(app, note)[0] is ContributionStatus.PENDING
    assert stored(app, note)[5] == []


def test_an_edit_cannot_go_with_a_rejection_and_is_kept_on_screen(app, staff, make_item,
                                                                  make_contribution):
    note = make_contribution(make_item(with_image=False), body="Kirkgate in 1931.")

    response = staff.post(f"/moderation/contributions/{note.id}/decide", data={
        "action": "reject", "edited_text": "Kirkgate, about 1931.", "from": "contribution"})

    assert response.status_code == 409
    assert "approve the note with your edit" in response.text
    assert "Kirkgate, about 1931." in response.text  # what was typed is kept
    assert stored(app, note)[0] is ContributionStatus.PENDING


# --- reasons -----------------------------------------------------------------------------------


def test_rejecting_with_a_reason_from_the_list_and_free_text(app, staff, make_item,
                                                             make_contribution):
    note = make_contribution(make_item(with_image=False))
    html = staff.get("/moderation/").text
    assert '<option value="duplicate">Someone had already told us the same thing.</option>' \
        in html

    staff.post(f"/moderation/contributions/{note.id}/decide", data={
        "action": "reject", "rejection_code": "duplicate", "reason": "See note 12."})

    assert stored(app, note)[3:5] == ("duplicate", "See note 12.")
    page = staff.get(f"/moderation/contributions/{note.id}").text
    assert "Someone had already told us the same thing." in page


def test_the_reasons_are_configurable_and_unknown_codes_refused(make_app, archivist, make_item,
                                                                make_contribution,
                                                                login_client):
    app = make_app(REJECTION_REASONS={"blurry": "We cannot tell from the photograph."})
    client = login_client(app, archivist)
    note = make_contribution(make_item(with_image=False))

    assert "We cannot tell from the photograph." in client.get("/moderation/").text
    assert "Someone had already told us" not in client.get("/moderation/").text
    client.post(f"/moderation/contributions/{note.id}/decide",
                data={"action": "reject", "rejection_code": "duplicate"}, follow_redirects=True)
    assert stored(app, note)[0] is ContributionStatus.PENDING
    client.post(f"/moderation/contributions/{note.id}/decide",
                data={"action": "reject", "rejection_code": "blurry"})
    assert stored(app, note)[0:4:3] == (ContributionStatus.REJECTED, "blurry")


def test_reasons_from_the_environment(monkeypatch):
    from archive.config import Config

    monkeypatch.setenv("REJECTION_REASONS", "a=First reason; b = Second ;broken;=x")

    assert Config.from_env()["REJECTION_REASONS"] == {"a": "First reason", "b": "Second"}


# --- withdrawal --------------------------------------------------------------------------------


def test_withdrawing_takes_the_note_off_the_page_and_the_exports(app, client, staff, archivist,
                                                                 make_item, make_contribution,
                                                                 make_user, login_client):
    item = make_item(with_image=False, place="Leeds")
    note = make_contribution(item, body="Published then regretted.", status="approved",
                             decided_by=archivist, suggested_place="Hunslet")
    with app.app_context():
        approve_place = db.session.get(Contribution, note.id)
        from archive.moderation.services import apply_suggestion
        apply_suggestion(approve_place, "place", db.session.get(User, archivist.id))
        db.session.commit()
        changed_before = db.session.get(Item, item.id).record_changed_at
    curator = login_client(app, make_user("curator"))
    assert "Published then regretted." in client.get(f"/items/{item.identifier}").text

    response = staff.post(f"/moderation/contributions/{note.id}/withdraw", data={
        "reason": "The family asked us to take it down.", "revert_enrichments": "y"})

    assert response.status_code == 303
    assert "Published then regretted." not in client.get(f"/items/{item.identifier}").text
    export = curator.get("/curation/export.json")
    assert export.status_code == 200
    status, *_, events = stored(app, note)
    assert status is ContributionStatus.WITHDRAWN
    assert events == ["withdraw"]
    with app.app_context():
        row = db.session.get(Item, item.id)
        assert row.place == "Leeds"  # the note's change to the record was put back
        assert row.record_changed_at > changed_before
        from archive.harvesting.records import iter_records
        record = next(iter_records(base_url="http://x"))
    assert record["notes"] == []
    assert "Published then regretted." not in export.text
    assert item.identifier in export.text
    page = staff.get(f"/moderation/contributions/{note.id}").text
    assert "The family asked us to take it down." in page
    assert "Approved → Withdrawn" in page


def test_a_withdrawal_needs_a_reason_and_an_approved_note(app, staff, archivist, make_item,
                                                          make_contribution):
    item = make_item(with_image=False)
    approved = make_contribution(item, status="approved", decided_by=archivist)
    pending = make_contribution(item)

    missing = staff.post(f"/moderation/contributions/{approved.id}/withdraw",
                         data={"reason": " "})
    wrong = staff.post(f"/moderation/contributions/{pending.id}/withdraw",
                       data={"reason": "Never mind"})

    assert missing.status_code == 400
    assert stored(app, approved)[0] is ContributionStatus.APPROVED
    assert wrong.status_code == 409
    assert "Only an approved note can be withdrawn; this one is pending." in wrong.text
    assert stored(app, pending)[0] is ContributionStatus.PENDING


def test_withdrawing_twice_is_refused_naming_who_withdrew(app, archivist, make_user, make_item,
                                                          make_contribution):
    note = make_contribution(make_item(with_image=False), status="approved", decided_by=archivist)
    with app.app_context():
        withdraw_contribution(db.session.get(Contribution, note.id),
                              db.session.get(User, archivist.id), reason="first")
        db.session.commit()
    other = make_user("archivist", display_name="Bea")
    with app.app_context(), pytest.raises(ModerationError, match="already withdrawn by Ada"):
        withdraw_contribution(db.session.get(Contribution, note.id),
                              db.session.get(User, other.id), reason="second")


def test_approving_marks_the_record_changed_for_harvesters(app, archivist, make_item,
                                                           make_contribution):
    item = make_item(with_image=False)
    note = make_contribution(item)
    with app.app_context():
        before = db.session.get(Item, item.id).record_changed_at
        approve_contribution(db.session.get(Contribution, note.id),
                             db.session.get(User, archivist.id), edited_text="Edited.")
        db.session.commit()
        assert db.session.get(Item, item.id).record_changed_at > before
