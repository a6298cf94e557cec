"""Who a note is credited to: the name typed is the credit unless its sender chooses to
publish anonymously; staff always see the name given; an account's name is filled in."""

from __future__ import annotations

import re

import sqlalchemy as sa

from archive.extensions import db
from archive.models import ANONYMOUS_CREDIT, Contribution

NAME_GIVEN = "(name given, not to be published: {})"


def send_note(client, item, **fields):
    data = {"body": "The tram depot, about 1935.", "consent": "y", **fields}
    response = client.post(f"/items/{item.identifier}/contribute", data=data)
    assert response.status_code == 303, response.get_data(as_text=True)


def latest_note(app) -> Contribution:
    with app.app_context():
        note = db.session.scalars(sa.select(Contribution).order_by(Contribution.id.desc())
                                  ).first()
        db.session.expunge(note)
        return note


def approve(app, login_client, make_user, note_id):
    staff = login_client(app, make_user("archivist"))
    response = staff.post(f"/moderation/contributions/{note_id}/decide",
                          data={"action": "approve"})
    assert response.status_code == 303


def page(client, url) -> str:
    return client.get(url).get_data(as_text=True)


def name_field_value(html: str) -> str | None:
    match = re.search(r'<input[^>]*name="credit_name"[^>]*>', html)
    assert match, "the form has no name field"
    value = re.search(r'value="([^"]*)"', match.group(0))
    return value.group(1) if value else None


def test_a_typed_name_is_the_credit_without_ticking_anything(app, client, make_item, make_user,
                                                             login_client):
    item = make_item()

    send_note(client, item, credit_name="Jane Smith")
    note = latest_note(app)
    approve(app, login_client, make_user, note.id)

    assert (note.credit_name, note.show_name) == ("Jane Smith", True)
    credits = re.findall(r'<p class="credit">([^,<]*),', page(client, f"/items/{item.identifier}"))
    assert credits == ["Jane Smith"]


def test_the_form_asks_plainly_whether_to_publish_anonymously(app, client, make_item):
    item = make_item()

    html = page(client, f"/items/{item.identifier}")

    assert 'name="anonymous"' in html
    assert "Publish my note anonymously (as “Anonymous contributor”)" in html
    assert ("Your note is published with this name, unless you tick “Publish my note "
            "anonymously” below.") in html
    assert "Show my name" not in html and 'name="show_name"' not in html
    assert name_field_value(html) in (None, "")  # a visitor's is empty


def test_publishing_anonymously_keeps_the_name_for_staff_only(app, client, make_item,
                                                             make_user, login_client):
    item = make_item()
    send_note(client, item, credit_name="Jane Smith", anonymous="y")
    note = latest_note(app)
    staff = login_client(app, make_user("archivist"))

    queue = page(staff, "/moderation/")
    note_page = page(staff, f"/moderation/contributions/{note.id}")
    approve(app, login_client, make_user, note.id)
    public = page(client, f"/items/{item.identifier}")

    assert (note.credit_name, note.show_name) == ("Jane Smith", False)
    for html in (queue, note_page):
        assert ANONYMOUS_CREDIT in html
        assert NAME_GIVEN.format("Jane Smith") in html
    assert re.findall(r'<p class="credit">([^,<]*),', public) == [ANONYMOUS_CREDIT]
    assert "Jane Smith" not in public


def test_a_credited_name_is_not_marked_as_withheld_for_staff(app, client, make_item, make_user,
                                                            login_client):
    send_note(client, make_item(), credit_name="Jane Smith")
    note = latest_note(app)

    html = page(login_client(app, make_user("archivist")), f"/moderation/contributions/{note.id}")

    assert "Jane Smith" in html and "not to be published" not in html


def test_a_contributor_s_name_is_filled_in_and_credited(app, make_item, make_user,
                                                        login_client):
    item = make_item()
    member = make_user("contributor", display_name="Mo Hughes")
    visitor = login_client(app, member)

    assert name_field_value(page(visitor, f"/items/{item.identifier}")) == "Mo Hughes"

    send_note(visitor, item, credit_name="Mo Hughes")
    typed = latest_note(app)
    send_note(visitor, item)  # a form sent without the name (an older page, say)
    blank = latest_note(app)
    send_note(visitor, item, credit_name="Mo Hughes", anonymous="y")
    chosen = latest_note(app)

    assert (typed.credit, blank.credit) == ("Mo Hughes", "Mo Hughes")
    assert chosen.credit == ANONYMOUS_CREDIT
    for note in (typed, blank, chosen):
        assert note.submitted_by_id == member.id


def test_a_contributor_s_note_sent_anonymously_with_no_name_stays_anonymous(
        app, make_item, make_user, login_client):
    visitor = login_client(app, make_user("contributor", display_name="Mo Hughes"))

    send_note(visitor, make_item(), anonymous="y")

    note = latest_note(app)
    assert (note.credit, note.credit_name) == (ANONYMOUS_CREDIT, "")


def test_the_welsh_form_asks_the_same(app, client, make_item):
    item = make_item()
    client.set_cookie("lang", "cy")

    html = page(client, f"/items/{item.identifier}")

    assert "Cyhoeddi fy nodyn yn ddienw" in html
    assert "Publish my note anonymously" not in html
