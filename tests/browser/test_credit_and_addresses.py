"""What a contributor sees about credit and their address, in Chromium: the name filled in and
the choice to publish anonymously; the page that confirms an address typed with a note."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from archive.extensions import db
from archive.models import Contribution

pytestmark = pytest.mark.slow

PASSWORD = "correct horse battery"


def log_in(page, url: str, user) -> None:
    page.goto(f"{url}/login")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r"^(?!.*/login).*$"))


def latest_note(app) -> Contribution:
    with app.app_context():
        note = db.session.scalars(sa.select(Contribution).order_by(Contribution.id.desc())
                                  ).first()
        db.session.expunge(note)
        db.session.remove()
    return note


def test_a_contributor_s_name_is_filled_in_and_anonymity_is_a_choice_staff_can_see(
        app, live_server, make_item, make_user, new_page):
    item = make_item(title="Tram depot")
    member = make_user("contributor", display_name="Mo Hughes")
    archivist = make_user("archivist")
    url = live_server.url

    contributor = new_page()
    log_in(contributor, url, member)
    contributor.goto(f"{url}/items/{item.identifier}")
    name = contributor.get_by_label("Your name, as it should be credited (optional)")
    assert name.input_value() == "Mo Hughes"
    assert contributor.get_by_text("Your note is published with this name, unless you tick",
                                   exact=False).is_visible()
    anonymous = contributor.get_by_label("Publish my note anonymously", exact=False)
    assert anonymous.is_visible() and not anonymous.is_checked()
    contributor.get_by_label("What do you know about this photograph?").fill(
        "The depot closed in 1949.")
    anonymous.check()
    contributor.get_by_label("I agree that my note may be published", exact=False).check()
    contributor.get_by_role("button", name="Send my note").click()
    contributor.wait_for_url(f"{url}/items/{item.identifier}#thanks")

    desk = new_page()
    log_in(desk, url, archivist)
    desk.goto(f"{url}/moderation/")
    card = desk.locator(f"#c{latest_note(app).id}")
    assert "Anonymous contributor" in card.inner_text()
    assert "(name given, not to be published: Mo Hughes)" in card.inner_text()


def test_the_owner_of_a_typed_address_confirms_it_with_a_button(app, live_server, make_item,
                                                                 new_page):
    from archive.moderation.notify import address_confirmation_token

    item = make_item(title="Tram depot")
    url = live_server.url
    visitor = new_page()
    visitor.goto(f"{url}/items/{item.identifier}")
    visitor.get_by_label("What do you know about this photograph?").fill("Opened in 1902.")
    visitor.get_by_label("Your email, if we may write to you about your note",
                         exact=False).fill("kim@example.net")
    visitor.get_by_label("I agree that my note may be published", exact=False).check()
    visitor.get_by_role("button", name="Send my note").click()
    visitor.wait_for_url(f"{url}/items/{item.identifier}#thanks")
    assert visitor.get_by_text("We have emailed you a link to confirm your address",
                               exact=False).is_visible()
    note = latest_note(app)
    with live_server.app.app_context():
        link = f"{url}/notes/confirm-address?token=" + address_confirmation_token(
            db.session.get(Contribution, note.id))
        db.session.remove()

    owner = new_page()  # another browser: the one the email is read in
    owner.goto(link)
    assert owner.get_by_role("heading", name="Confirm your email address").is_visible()
    assert owner.get_by_role("link", name="“Tram depot”").is_visible()
    assert latest_note(app).email_confirmed_at is None  # opening the link confirms nothing
    owner.get_by_role("button", name="Yes, it was me: confirm my address").click()
    owner.wait_for_url(f"{url}/items/{item.identifier}")

    assert owner.get_by_text("Thank you: your address is confirmed.",
                             exact=False).is_visible()
    assert latest_note(app).email_confirmed_at is not None
