"""An address typed with a note is written to only once its owner confirms it: the one email
before that asks them to, names the photograph and nothing of the note, and its link works for
three days. Sent through a real SMTP server on loopback."""

from __future__ import annotations

import time

import pytest
import sqlalchemy as sa
from itsdangerous.timed import TimestampSigner

from archive.extensions import db
from archive.models import Contribution, OutboxMessage
from tests.moderation.mailbox import body_of, confirm_by_link, confirmation_link, subject_of

ATTACKER_TEXT = "Your account is suspended: pay at evil.example now"


@pytest.fixture
def archivist(make_user):
    return make_user("archivist", display_name="Ada Archivist")


def send(app):
    result = app.test_cli_runner().invoke(args=["notify", "send"])
    assert result.exit_code == 0, result.output
    return result


def post_note(app, item, **fields):
    data = {"body": "Opened in 1902.", "consent": "y", **fields}
    response = app.test_client().post(f"/items/{item.identifier}/contribute", data=data)
    assert response.status_code == 303, response.get_data(as_text=True)
    with app.app_context():
        return db.session.scalars(sa.select(Contribution).order_by(Contribution.id.desc())
                                  ).first()


def note_row(app, note_id) -> Contribution:
    with app.app_context():
        note = db.session.get(Contribution, note_id)
        db.session.expunge(note)
        return note


def test_a_typed_address_gets_one_email_naming_only_the_photograph(mail_app, smtp, make_item):
    _, inbox = smtp
    item = make_item(with_image=False, title="Tram depot")

    note = post_note(mail_app, item, body=ATTACKER_TEXT, credit_name="Evil Sender",
                     suggested_place="evil.example", email="Victim@Example.net")
    assert note_row(mail_app, note.id).email_confirmed_at is None
    send(mail_app)
    assert send(mail_app).output == "No emails due.\n"

    [message] = inbox.messages
    assert message["To"] == "victim@example.net"
    assert subject_of(message) == "Confirm your email address for Recollect Community Archive"
    text = body_of(message)
    assert "“Tram depot”" in text
    assert f"https://photos.example.org/items/{item.identifier}" in text
    assert "within 3 days" in text
    for typed in ("suspended", "evil", "Evil Sender"):
        assert typed not in text and typed not in subject_of(message)
    assert confirmation_link(message).startswith("/notes/confirm-address?token=")
    # Sending it told nobody about the note's fate.
    assert note_row(mail_app, note.id).notified_at is None


def test_a_rejection_never_reaches_an_address_nobody_confirmed(mail_app, smtp, archivist,
                                                               make_item, login_client):
    _, inbox = smtp
    note = post_note(mail_app, make_item(with_image=False), body=ATTACKER_TEXT,
                     email="victim@example.net")
    staff = login_client(mail_app, archivist)
    staff.post(f"/moderation/contributions/{note.id}/decide", data={
        "action": "reject", "rejection_code": "duplicate", "reason": "Not about the photo."})

    send(mail_app)

    # Only the request to confirm (which quotes nothing) went out.
    assert len(inbox.messages) == 1
    assert "Confirm your email address" in subject_of(inbox.messages[0])
    assert "suspended" not in body_of(inbox.messages[0])
    with mail_app.app_context():
        messages = list(db.session.scalars(sa.select(OutboxMessage)))
    assert [m.subject for m in messages] == [f"note {note.id} confirm address"]


def test_confirming_sends_the_decision_taken_meanwhile_once(mail_app, smtp, archivist,
                                                            make_item, login_client):
    _, inbox = smtp
    item = make_item(with_image=False, title="Tram depot")
    note = post_note(mail_app, item, email="kim@example.net")
    send(mail_app)
    [asking] = inbox.messages
    staff = login_client(mail_app, archivist)
    staff.post(f"/moderation/contributions/{note.id}/decide", data={"action": "approve"})
    send(mail_app)
    assert len(inbox.messages) == 1  # not before the address is confirmed

    visitor = mail_app.test_client()
    link = confirmation_link(asking)
    page = visitor.get(link)
    # Opening the link (as mail filters do on their own) confirms nothing: the button does.
    assert "Yes, it was me: confirm my address" in page.get_data(as_text=True)
    assert "“Tram depot”" in page.get_data(as_text=True)
    assert note_row(mail_app, note.id).email_confirmed_at is None
    confirmed = visitor.post("/notes/confirm-address",
                             data={"token": link.split("token=", 1)[1]}, follow_redirects=True)
    assert "your address is confirmed" in confirmed.get_data(as_text=True)
    assert note_row(mail_app, note.id).email_confirmed_at is not None
    again = confirm_by_link(mail_app, asking)  # a second press changes nothing
    assert again.status_code == 303
    send(mail_app)
    send(mail_app)

    assert len(inbox.messages) == 2
    approval = inbox.messages[1]
    assert approval["To"] == "kim@example.net"
    assert "is published" in subject_of(approval)
    assert "Opened in 1902." in body_of(approval)  # published text may be quoted


def test_a_rejection_to_a_confirmed_address_does_not_quote_the_note(
        mail_app, smtp, archivist, make_item, make_contribution, login_client):
    _, inbox = smtp
    note = make_contribution(make_item(with_image=False), body=ATTACKER_TEXT,
                             email="kim@example.net")  # confirmed
    login_client(mail_app, archivist).post(f"/moderation/contributions/{note.id}/decide",
                                           data={"action": "reject"})
    send(mail_app)

    [message] = inbox.messages
    assert "could not publish it" in body_of(message)
    assert "suspended" not in body_of(message)


def test_a_link_that_is_old_forged_or_for_an_erased_address_confirms_nothing(
        mail_app, smtp, make_item, monkeypatch):
    _, inbox = smtp
    item = make_item(with_image=False)
    old = post_note(mail_app, item, email="old@example.net")
    erased = post_note(mail_app, item, email="gone@example.net")
    send(mail_app)
    links = {m["To"]: confirmation_link(m) for m in inbox.messages}
    visitor = mail_app.test_client()

    later = int(time.time()) + (3 * 24 + 1) * 3600  # three days and an hour on
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: later)
    expired = visitor.get(links["old@example.net"])
    expired_post = visitor.post("/notes/confirm-address", data={
        "token": links["old@example.net"].split("token=", 1)[1]})
    monkeypatch.undo()
    forged = visitor.post("/notes/confirm-address", data={
        "token": links["old@example.net"].split("token=", 1)[1][:-2] + "xx"})
    assert mail_app.test_cli_runner().invoke(
        args=["privacy", "erase", "--email", "gone@example.net"]).exit_code == 0
    after_erasure = visitor.get(links["gone@example.net"])

    for response in (expired, expired_post, forged, after_erasure):
        assert response.status_code == 400
        assert "This link cannot be used" in response.get_data(as_text=True)
    assert note_row(mail_app, old.id).email_confirmed_at is None
    assert note_row(mail_app, erased.id).email is None


def test_an_account_s_own_confirmed_address_needs_no_confirming(
        mail_app, smtp, archivist, make_user, make_item, login_client):
    _, inbox = smtp
    member = make_user("contributor", email="member@example.net", display_name="Mo")
    visitor = login_client(mail_app, member)
    item = make_item(with_image=False)
    for email in ("Member@example.net", "other@example.net"):
        assert visitor.post(f"/items/{item.identifier}/contribute", data={
            "body": "Opened in 1902.", "consent": "y", "email": email}).status_code == 303
    with mail_app.app_context():
        own, other = db.session.scalars(sa.select(Contribution).order_by(Contribution.id))
        assert own.email_confirmed_at is not None and other.email_confirmed_at is None
        ids = [own.id, other.id]
    staff = login_client(mail_app, archivist)
    staff.post("/moderation/bulk", data={"action": "approve", "confirm": "yes", "ids": ids})

    send(mail_app)

    # The other address is asked to confirm; both decisions go to the account's address, the
    # one confirmed, meanwhile.
    recipients = sorted((m["To"], subject_of(m).split()[0]) for m in inbox.messages)
    assert recipients == [("member@example.net", "Your"), ("member@example.net", "Your"),
                          ("other@example.net", "Confirm")]


def test_spam_never_writes_to_its_address(mail_app, smtp, make_item):
    _, inbox = smtp
    note = post_note(mail_app, make_item(with_image=False), email="victim@example.net",
                     website="http://spam.example")  # the honeypot

    send(mail_app)

    assert note_row(mail_app, note.id).status.value == "spam"
    assert inbox.messages == []


def test_a_note_marked_spam_before_the_email_goes_writes_to_nobody(mail_app, smtp, archivist,
                                                                  make_item, login_client):
    _, inbox = smtp
    note = post_note(mail_app, make_item(with_image=False), email="victim@example.net")
    staff = login_client(mail_app, archivist)
    response = staff.post(f"/moderation/contributions/{note.id}/decide",
                          data={"action": "spam"})
    assert response.status_code in (302, 303)

    send(mail_app)

    assert inbox.messages == []


def test_many_notes_naming_one_address_ask_its_owner_once_a_day(mail_app, smtp, make_item):
    """The form is no way to fill someone's inbox: one request to confirm per address a day."""
    _, inbox = smtp
    item = make_item(with_image=False)
    for body, address in (("One.", "victim@example.net"), ("Two.", "Victim@Example.NET"),
                          ("Three.", "victim@example.net"), ("Four.", "other@example.org")):
        post_note(mail_app, item, body=body, email=address)

    send(mail_app)

    assert sorted(m["To"] for m in inbox.messages) == ["other@example.org",
                                                       "victim@example.net"]
