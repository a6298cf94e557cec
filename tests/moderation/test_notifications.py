"""Contributors are told by email, through a real SMTP server on loopback."""

from __future__ import annotations

import email
import email.header
import socket
import threading

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller

from archive.extensions import db
from archive.models import Contribution


class Inbox:
    def __init__(self):
        self.messages: list[email.message.Message] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            message = email.message_from_bytes(envelope.content)
            message["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
            self.messages.append(message)
        return "250 Message accepted"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller.port, inbox
    controller.stop()


@pytest.fixture
def mail_app(make_app, smtp):
    port, _ = smtp
    return make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_FROM="archive@example.org",
                    PUBLIC_BASE_URL="https://photos.example.org")


@pytest.fixture
def archivist(make_user):
    return make_user("archivist", display_name="Ada Archivist")


def body_of(message) -> str:
    return message.get_payload(decode=True).decode()


def subject_of(message) -> str:
    return str(email.header.make_header(email.header.decode_header(message["Subject"])))


def test_an_approval_is_emailed_once_with_a_link(mail_app, smtp, archivist, make_item,
                                                 make_contribution, login_client):
    _, inbox = smtp
    item = make_item(with_image=False, title="Tram depot")
    note = make_contribution(item, body="Opened in 1902.", email="kim@example.net")
    staff = login_client(mail_app, archivist)

    staff.post(f"/moderation/contributions/{note.id}/decide", data={"action": "approve"})
    staff.post(f"/moderation/contributions/{note.id}/decide", data={"action": "approve"})

    assert len(inbox.messages) == 1
    message = inbox.messages[0]
    assert message["To"] == "kim@example.net"
    assert message["X-Envelope-To"] == "kim@example.net"
    assert message["From"] == "archive@example.org"
    assert "is published" in message["Subject"]
    text = body_of(message)
    assert f"https://photos.example.org/items/{item.identifier}#note-{note.id}" in text
    assert "Opened in 1902." in text
    with mail_app.app_context():
        assert db.session.get(Contribution, note.id).notified_at is not None


def test_a_rejection_says_why_and_spam_is_never_announced(mail_app, smtp, archivist, make_item,
                                                           make_contribution, login_client):
    _, inbox = smtp
    item = make_item(with_image=False)
    rejected = make_contribution(item, email="kim@example.net")
    spam = make_contribution(item, email="bot@example.net")
    staff = login_client(mail_app, archivist)

    staff.post(f"/moderation/contributions/{rejected.id}/decide", data={
        "action": "reject", "rejection_code": "duplicate", "reason": "See the first note."})
    staff.post(f"/moderation/contributions/{spam.id}/decide", data={"action": "spam"})

    assert [m["To"] for m in inbox.messages] == ["kim@example.net"]
    text = body_of(inbox.messages[0])
    assert "The reason: Someone had already told us the same thing. See the first note." in text


def test_withdrawal_is_announced_after_the_approval(mail_app, smtp, archivist, make_item,
                                                    make_contribution, login_client):
    _, inbox = smtp
    note = make_contribution(make_item(with_image=False), email="kim@example.net")
    staff = login_client(mail_app, archivist)

    staff.post(f"/moderation/contributions/{note.id}/decide", data={"action": "approve"})
    staff.post(f"/moderation/contributions/{note.id}/withdraw",
               data={"reason": "The family asked us to."})

    assert len(inbox.messages) == 2
    assert "taken down" in inbox.messages[1]["Subject"]
    assert "The reason: The family asked us to." in body_of(inbox.messages[1])


def test_account_holders_are_written_to_at_their_account_address(mail_app, smtp, archivist,
                                                                 make_user, make_item,
                                                                 make_contribution,
                                                                 login_client):
    _, inbox = smtp
    member = make_user("contributor", email="member@example.net")
    notes = [make_contribution(make_item(with_image=False), submitted_by_id=member.id)
             for _ in range(2)]
    staff = login_client(mail_app, archivist)

    staff.post("/moderation/bulk", data={"action": "approve", "ids": [n.id for n in notes],
                                         "confirm": "yes"})

    assert sorted(m["To"] for m in inbox.messages) == ["member@example.net"] * 2


def test_without_a_mail_server_nothing_is_sent_and_the_decision_stands(
        make_app, smtp, archivist, make_item, make_contribution, login_client):
    _, inbox = smtp
    note = make_contribution(make_item(with_image=False), email="kim@example.net")
    staff = login_client(make_app(), archivist)

    staff.post(f"/moderation/contributions/{note.id}/decide", data={"action": "approve"})

    assert inbox.messages == []


def test_an_unreachable_server_keeps_the_decision_and_the_note_unannounced(
        make_app, archivist, make_item, make_contribution, login_client):
    app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port(), MAIL_TIMEOUT=2)
    note = make_contribution(make_item(with_image=False), email="kim@example.net")
    staff = login_client(app, archivist)

    response = staff.post(f"/moderation/contributions/{note.id}/decide",
                          data={"action": "approve"})

    assert response.status_code == 303
    with app.app_context():
        row = db.session.scalar(sa.select(Contribution).where(Contribution.id == note.id))
        assert (row.status.value, row.notified_at) == ("approved", None)


def test_the_email_is_in_the_language_the_note_was_sent_in(mail_app, smtp, archivist,
                                                            make_item, login_client):
    _, inbox = smtp
    item = make_item(with_image=False, title="Tram depot")
    for language, body in (("cy", "Agorwyd ym 1902."), ("en", "Opened in 1902.")):
        visitor = mail_app.test_client()
        visitor.set_cookie("lang", language)
        response = visitor.post(f"/items/{item.identifier}/contribute", data={
            "body": body, "consent": "y", "email": f"{language}@example.net"})
        assert response.status_code in (302, 303)
    with mail_app.app_context():
        notes = {n.language: n.id for n in db.session.scalars(sa.select(Contribution))}
    assert set(notes) == {"cy", "en"}
    staff = login_client(mail_app, archivist)

    for note_id in notes.values():
        page = staff.post(f"/moderation/contributions/{note_id}/decide", data={
            "action": "reject", "rejection_code": "duplicate", "reason": "See the first note."},
            follow_redirects=True)
        assert 'lang="en"' in page.get_data(as_text=True)  # the archivist's own language

    by_recipient = {m["To"]: m for m in inbox.messages}
    welsh, english = by_recipient["cy@example.net"], by_recipient["en@example.net"]
    assert subject_of(welsh) == "Eich nodyn ar “Tram depot”"
    welsh_text = body_of(welsh)
    assert welsh_text.startswith("Helo,")
    assert "Mae archifydd wedi\u2019i ddarllen" in welsh_text
    # The chosen reason in Welsh; the archivist's own words and the note exactly as written.
    assert "Y rheswm: " in welsh_text and "See the first note." in welsh_text
    assert "Someone had already told us" not in welsh_text
    assert "Agorwyd ym 1902." in welsh_text
    assert subject_of(english) == "Your note on “Tram depot”"
    assert "The reason: Someone had already told us the same thing. See the first note." in \
        body_of(english)
