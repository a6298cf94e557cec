"""Contributors are told by email: a decision queues the email, ``flask notify send`` sends it
through a real SMTP server on loopback."""

from __future__ import annotations

import smtplib

import pytest
import sqlalchemy as sa

from archive.extensions import db
from archive.models import Contribution, OutboxMessage, OutboxStatus
from tests.moderation.mailbox import body_of, confirm_by_link, subject_of


@pytest.fixture
def archivist(make_user):
    return make_user("archivist", display_name="Ada Archivist")


def send(app, *args):
    return app.test_cli_runner().invoke(args=["notify", "send", *args])


def outbox(app) -> list[tuple[int, str, str]]:
    """(note id, decision announced or "confirm address", status) of every message, oldest
    first."""
    with app.app_context():
        return [(m.contribution_id, m.announces.value if m.announces else "confirm address",
                 m.status.value) for m in
                db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id))]


def test_an_approval_is_queued_then_emailed_once_with_a_link(mail_app, smtp, archivist,
                                                             make_item, make_contribution,
                                                             login_client):
    _, inbox = smtp
    item = make_item(with_image=False, title="Tram depot")
    note = make_contribution(item, body="Opened in 1902.", email="kim@example.net")
    staff = login_client(mail_app, archivist)

    staff.post(f"/moderation/contributions/{note.id}/decide", data={"action": "approve"})
    staff.post(f"/moderation/contributions/{note.id}/decide", data={"action": "approve"})

    assert inbox.messages == []  # the request never sends
    assert outbox(mail_app) == [(note.id, "approved", "queued")]
    with mail_app.app_context():
        assert db.session.get(Contribution, note.id).notified_at is None

    result = send(mail_app)
    assert (result.exit_code, result.output) == (0, "Sent 1 of 1 due email.\n")
    assert send(mail_app).output == "No emails due.\n"

    assert len(inbox.messages) == 1
    message = inbox.messages[0]
    assert message["To"] == "kim@example.net"
    assert message["X-Envelope-To"] == "kim@example.net"
    assert message["From"] == "archive@example.org"
    assert "is published" in message["Subject"]
    text = body_of(message)
    assert f"https://photos.example.org/items/{item.identifier}#note-{note.id}" in text
    assert "Opened in 1902." in text
    assert outbox(mail_app) == [(note.id, "approved", "sent")]
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

    assert outbox(mail_app) == [(rejected.id, "rejected", "queued")]
    assert send(mail_app).exit_code == 0
    assert [m["To"] for m in inbox.messages] == ["kim@example.net"]
    text = body_of(inbox.messages[0])
    assert "The reason: Someone had already told us the same thing. See the first note." in text


def test_withdrawal_is_announced_after_the_approval(mail_app, smtp, archivist, make_item,
                                                    make_contribution, login_client):
    _, inbox = smtp
    note = make_contribution(make_item(with_image=False), email="kim@example.net")
    staff = login_client(mail_app, archivist)

    staff.post(f"/moderation/contributions/{note.id}/decide", data={"action": "approve"})
    send(mail_app)
    staff.post(f"/moderation/contributions/{note.id}/withdraw",
               data={"reason": "The family asked us to."})
    send(mail_app)

    assert len(inbox.messages) == 2
    assert "is published" in subject_of(inbox.messages[0])
    assert "taken down" in subject_of(inbox.messages[1])
    assert "The reason: The family asked us to." in body_of(inbox.messages[1])
    assert [status for *_, status in outbox(mail_app)] == ["sent", "sent"]


def test_a_withdrawal_before_the_approval_went_out_is_the_only_news(
        mail_app, smtp, archivist, make_item, make_contribution, login_client):
    _, inbox = smtp
    note = make_contribution(make_item(with_image=False), email="kim@example.net")
    staff = login_client(mail_app, archivist)

    staff.post(f"/moderation/contributions/{note.id}/decide", data={"action": "approve"})
    staff.post(f"/moderation/contributions/{note.id}/withdraw",
               data={"reason": "The family asked us to."})
    send(mail_app)

    assert len(inbox.messages) == 1
    assert "taken down" in subject_of(inbox.messages[0])
    assert outbox(mail_app) == [(note.id, "approved", "cancelled"),
                                (note.id, "withdrawn", "sent")]


def test_account_holders_are_written_to_at_their_account_address(mail_app, smtp, archivist,
                                                                 make_user, make_item,
                                                                 make_contribution,
                                                                 login_client):
    _, inbox = smtp
    member = make_user("contributor", email="member@example.net")
    anonymous = make_contribution(make_item(with_image=False))  # no address: nobody to tell
    notes = [make_contribution(make_item(with_image=False), submitted_by_id=member.id)
             for _ in range(2)]
    staff = login_client(mail_app, archivist)

    staff.post("/moderation/bulk", data={"action": "approve", "confirm": "yes",
                                         "ids": [n.id for n in [anonymous, *notes]]})
    assert len(outbox(mail_app)) == 2
    send(mail_app)

    assert sorted(m["To"] for m in inbox.messages) == ["member@example.net"] * 2


def test_without_a_mail_server_emails_wait_in_the_outbox(make_app, mail_app, smtp, archivist,
                                                          make_item, make_contribution,
                                                          login_client):
    _, inbox = smtp
    app = make_app()  # no MAIL_SERVER
    note = make_contribution(make_item(with_image=False), email="kim@example.net")
    staff = login_client(app, archivist)

    response = staff.post(f"/moderation/contributions/{note.id}/decide",
                          data={"action": "approve"})
    result = send(app)

    assert response.status_code == 303
    assert result.exit_code == 0
    assert result.output.startswith("MAIL_SERVER is not set: 1 emails stay queued")
    assert inbox.messages == []
    assert outbox(app) == [(note.id, "approved", "queued")]
    # Once a mail server is configured, the waiting email goes out.
    assert send(mail_app).exit_code == 0
    assert [m["To"] for m in inbox.messages] == ["kim@example.net"]


def test_the_request_never_talks_to_the_mail_server(mail_app, archivist, make_item,
                                                    make_contribution, login_client,
                                                    monkeypatch):
    def no_smtp_here(*args, **kwargs):
        raise AssertionError("a request tried to reach the mail server")

    monkeypatch.setattr(smtplib.SMTP, "__init__", no_smtp_here)
    notes = [make_contribution(make_item(with_image=False), email=f"{n}@example.net")
             for n in range(3)]
    staff = login_client(mail_app, archivist)

    decided = staff.post(f"/moderation/contributions/{notes[0].id}/decide",
                         data={"action": "approve"})
    bulk = staff.post("/moderation/bulk", data={"action": "reject", "confirm": "yes",
                                                "ids": [notes[1].id, notes[2].id]})
    withdrawn = staff.post(f"/moderation/contributions/{notes[0].id}/withdraw",
                           data={"reason": "Asked to."})

    assert [decided.status_code, bulk.status_code, withdrawn.status_code] == [303, 303, 303]
    assert [status for *_, status in outbox(mail_app)] == \
        ["cancelled", "queued", "queued", "queued"]


def test_a_decision_that_is_rolled_back_announces_nothing(mail_app, smtp, archivist, make_item,
                                                          make_contribution, login_client,
                                                          monkeypatch):
    note = make_contribution(make_item(with_image=False), email="kim@example.net")
    staff = login_client(mail_app, archivist)

    # A decision the rules refuse is rolled back...
    refused = staff.post(f"/moderation/contributions/{note.id}/decide",
                         data={"action": "reject", "edited_text": "Changed"})
    # ...and so is one whose commit fails (the database went away at that moment).
    def lost_connection():
        raise sa.exc.OperationalError("COMMIT", {}, Exception("server closed the connection"))

    monkeypatch.setattr(db.session, "commit", lost_connection)
    failed = staff.post(f"/moderation/contributions/{note.id}/decide",
                        data={"action": "approve"})
    monkeypatch.undo()

    assert refused.status_code in (303, 409)
    assert failed.status_code == 503
    assert outbox(mail_app) == []
    with mail_app.app_context():
        assert db.session.get(Contribution, note.id).status.value == "pending"
    assert send(mail_app).output == "No emails due.\n"
    assert smtp[1].messages == []


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
    # The addresses were never confirmed: only the emails asking to confirm them go out, each
    # in its note's language.
    assert send(mail_app).exit_code == 0
    asking = {m["To"]: m for m in inbox.messages}
    assert subject_of(asking["cy@example.net"]) == \
        "Cadarnhewch eich cyfeiriad e-bost ar gyfer Recollect Community Archive"
    assert subject_of(asking["en@example.net"]) == \
        "Confirm your email address for Recollect Community Archive"
    for message in asking.values():
        assert confirm_by_link(mail_app, message).status_code == 303
    inbox.messages.clear()
    assert send(mail_app).exit_code == 0  # the decisions taken meanwhile

    by_recipient = {m["To"]: m for m in inbox.messages}
    welsh, english = by_recipient["cy@example.net"], by_recipient["en@example.net"]
    assert subject_of(welsh) == "Eich nodyn ar “Tram depot”"
    welsh_text = body_of(welsh)
    assert welsh_text.startswith("Helo,")
    assert "Mae archifydd wedi\u2019i ddarllen" in welsh_text
    # The chosen reason in Welsh; the archivist's own words as written.
    assert "Y rheswm: " in welsh_text and "See the first note." in welsh_text
    assert "Someone had already told us" not in welsh_text
    assert "Agorwyd ym 1902." not in welsh_text  # a rejected note is never quoted
    assert subject_of(english) == "Your note on “Tram depot”"
    assert "The reason: Someone had already told us the same thing. See the first note." in \
        body_of(english)
    assert "Opened in 1902." not in body_of(english)


def test_an_address_gone_by_sending_time_cancels_the_email(mail_app, smtp, archivist, make_user,
                                                           make_item, make_contribution,
                                                           login_client):
    from archive.models import User

    member = make_user("contributor", email="member@example.net")
    note = make_contribution(make_item(with_image=False), submitted_by_id=member.id)
    login_client(mail_app, archivist).post(f"/moderation/contributions/{note.id}/decide",
                                           data={"action": "approve"})
    with mail_app.app_context():
        db.session.get(User, member.id).active = False  # the account was closed meanwhile
        db.session.commit()

    result = send(mail_app)

    assert result.exit_code == 0
    assert "1 cancelled (no address left)" in result.output
    assert smtp[1].messages == []
    assert outbox(mail_app) == [(note.id, "approved", OutboxStatus.CANCELLED.value)]
