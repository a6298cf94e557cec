"""Contributor accounts, blocked senders and trusted contributors."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from archive.extensions import db
from archive.models import Block, Contribution, ContributionStatus, ModerationEvent, Role, User

CONSENT = {"consent": "y"}
PASSWORD = "lantern quarry violet harbour"


@pytest.fixture
def archivist(make_user):
    return make_user("archivist", display_name="Ada Archivist")


@pytest.fixture
def staff(app, archivist, login_client):
    return login_client(app, archivist)


def register(client, email, password=PASSWORD, name="Kim Lee"):
    return client.post("/register", data={"display_name": name, "email": email,
                                          "password": password, "confirm": password})


def confirmation_link(app, email) -> str:
    """The link the email sent on registering carries (as the sender would write it now)."""
    from archive.auth.services import confirmation_token

    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == email))
        return f"/register/confirm?token={confirmation_token(user)}"


def send(client, item, body="It is Briggate.", **fields):
    return client.post(f"/items/{item.identifier}/contribute",
                       data={"body": body, **CONSENT, **fields})


def notes(app):
    with app.app_context():
        return db.session.execute(sa.select(
            Contribution.body, Contribution.status, Contribution.submitted_by_id,
            Contribution.decided_by_id).order_by(Contribution.id)).all()


def events(app):
    with app.app_context():
        return [(e.action, e.actor_id, e.to_status, e.reason) for e in db.session.scalars(
            sa.select(ModerationEvent).order_by(ModerationEvent.id))]


# --- accounts ----------------------------------------------------------------------------------


def test_following_the_emailed_link_logs_in_a_contributor_who_sees_their_notes(
        app, client, make_item, archivist, staff):
    item = make_item(with_image=False, title="Tram depot")
    response = register(client, "Kim@Example.net")
    assert response.status_code == 303
    assert response.headers["Location"] == "/register/sent"
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == "kim@example.net"))
        assert (user.role, user.display_name) == (Role.CONTRIBUTOR, "Kim Lee")
        user_id = user.id
    response = client.get(confirmation_link(app, "kim@example.net"))  # the emailed link
    assert response.status_code == 303
    assert response.headers["Location"] == "/my/contributions"

    send(client, item, body="The depot opened in 1902.")
    send(client, item, body="The tram is a number 4.")
    with app.app_context():
        first, second = db.session.scalars(sa.select(Contribution.id).order_by(
            Contribution.id)).all()
    staff.post(f"/moderation/contributions/{first}/decide", data={"action": "approve"})
    staff.post(f"/moderation/contributions/{second}/decide", data={
        "action": "reject", "rejection_code": "incorrect", "reason": "Route 4 ran elsewhere."})

    page = client.get("/my/contributions")
    assert page.status_code == 200
    html = page.text
    assert [n[2] for n in notes(app)] == [user_id, user_id]
    assert "The depot opened in 1902." in html and "Published" in html
    assert "The tram is a number 4." in html and "Not published" in html
    assert ("The reason: The archive could check the facts, and they do not match its records. "
            "Route 4 ran elsewhere.") in html
    assert "My contributions</a>" in html  # in the menu
    assert client.get("/moderation/").status_code == 403  # not staff


def test_bad_registrations_are_refused_keeping_what_was_typed(app, client, make_user):
    make_user("contributor", email="taken@example.net")
    cases = [
        ({"email": "not-an-email"}, "Invalid email address"),
        ({"confirm": "something else entirely"}, "The two passwords are not the same."),
        ({"password": "passwordpassword", "confirm": "passwordpassword"}, "too easy to guess"),
    ]
    for change, message in cases:
        data = {"display_name": "Kim Lee", "email": "kim@example.net", "password": PASSWORD,
                "confirm": PASSWORD, **change}
        response = client.post("/register", data=data)
        assert response.status_code == 400, change
        assert message in response.text, change
        assert 'value="Kim Lee"' in response.text
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(User.id))) == 1


def test_other_peoples_notes_are_not_listed(app, make_user, make_item, make_contribution,
                                            login_client):
    mine, theirs = make_user("contributor"), make_user("contributor")
    item = make_item(with_image=False)
    make_contribution(item, body="Mine.", submitted_by_id=mine.id)
    make_contribution(item, body="Theirs.", submitted_by_id=theirs.id)
    make_contribution(item, body="Anonymous.")

    html = login_client(app, mine).get("/my/contributions").text

    assert "Mine." in html
    assert "Theirs." not in html and "Anonymous." not in html


def test_anonymous_notes_stay_possible(app, client, make_item):
    assert send(client, make_item(with_image=False)).status_code == 303
    assert notes(app)[0][1:3] == (ContributionStatus.PENDING, None)


# --- blocks ------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["email", "ip_hash", "account"])
def test_a_blocked_senders_later_notes_go_to_spam_recorded(app, client, staff, archivist,
                                                           make_item, make_user, login_client,
                                                           kind):
    item = make_item(with_image=False)
    member = make_user("contributor")
    sender = login_client(app, member) if kind == "account" else client
    send(sender, item, body="Buy watches.", email="spam@example.net")
    first = notes(app)[0]
    with app.app_context():
        first_id = db.session.scalar(sa.select(Contribution.id))

    response = staff.post(f"/moderation/contributions/{first_id}/block",
                          data={"kind": kind, "reason": "Advertising"})
    assert response.status_code == 303
    send(sender, item, body="Buy more watches.", email="spam@example.net")

    assert first[1] is ContributionStatus.PENDING
    latest = notes(app)[-1]
    assert (latest[0], latest[1], latest[3]) == ("Buy more watches.", ContributionStatus.SPAM,
                                                 None)
    assert events(app)[-1][:3] == ("blocked", None, "spam")
    assert events(app)[-1][3].startswith("Sender blocked")
    assert "Thank you! Your note has reached the archive." in sender.get(
        f"/items/{item.identifier}").text  # the sender is not told


def test_lifting_a_block_lets_notes_through_again(app, client, staff, make_item):
    item = make_item(with_image=False)
    send(client, item, email="kim@example.net")
    with app.app_context():
        first_id = db.session.scalar(sa.select(Contribution.id))
    staff.post(f"/moderation/contributions/{first_id}/block", data={"kind": "email"})
    with app.app_context():
        block_id = db.session.scalar(sa.select(Block.id))
    assert "Lift block #" in staff.get("/moderation/blocks").text

    staff.post(f"/moderation/blocks/{block_id}/lift")
    send(client, item, email="kim@example.net")

    assert notes(app)[-1][1] is ContributionStatus.PENDING
    assert "Nobody is blocked." in staff.get("/moderation/blocks").text


def test_blocking_twice_or_what_a_note_lacks_is_refused(app, client, staff, make_item):
    item = make_item(with_image=False)
    send(client, item)  # no email, no account
    with app.app_context():
        note_id = db.session.scalar(sa.select(Contribution.id))

    missing = staff.post(f"/moderation/contributions/{note_id}/block", data={"kind": "email"},
                         follow_redirects=True)
    staff.post(f"/moderation/contributions/{note_id}/block", data={"kind": "ip_hash"})
    twice = staff.post(f"/moderation/contributions/{note_id}/block", data={"kind": "ip_hash"},
                       follow_redirects=True)

    assert "This note has no email address to block." in missing.text
    assert "already blocked" in twice.text
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Block.id))) == 1


# --- trusted contributors ----------------------------------------------------------------------


def test_trusted_contributors_are_approved_at_once_with_an_event(make_app, make_user, make_item,
                                                                 make_contribution, archivist,
                                                                 login_client):
    app = make_app(TRUSTED_CONTRIBUTOR_THRESHOLD=2)
    member = make_user("contributor")
    item = make_item(with_image=False)
    client = login_client(app, member)
    make_contribution(item, submitted_by_id=member.id, status="approved", decided_by=archivist)

    send(client, item, body="Second note.")  # one approved so far: not yet trusted
    assert notes(app)[-1][1] is ContributionStatus.PENDING
    make_contribution(item, submitted_by_id=member.id, status="approved", decided_by=archivist)

    response = send(client, item, body="Third note.")

    assert notes(app)[-1][:2] == ("Third note.", ContributionStatus.APPROVED)
    assert events(app)[-1] == ("auto_approve", None, "approved",
                               "Trusted contributor: 2 notes approved, none rejected")
    assert "Third note." in client.get(response.headers["Location"]).text


def test_one_rejection_ends_trust_and_it_is_off_by_default(make_app, make_user, make_item,
                                                           make_contribution, archivist,
                                                           login_client):
    app = make_app(TRUSTED_CONTRIBUTOR_THRESHOLD=1)
    careless, careful = make_user("contributor"), make_user("contributor")
    item = make_item(with_image=False)
    for _ in range(3):
        make_contribution(item, submitted_by_id=careless.id, status="approved",
                          decided_by=archivist)
    make_contribution(item, submitted_by_id=careless.id, status="rejected", decided_by=archivist)
    make_contribution(item, submitted_by_id=careful.id, status="approved", decided_by=archivist)

    send(login_client(app, careless), item, body="From the careless one.")
    assert notes(app)[-1][1] is ContributionStatus.PENDING

    off = make_app()  # TRUSTED_CONTRIBUTOR_THRESHOLD is 0 by default
    send(login_client(off, careful), item, body="Trust is off.")
    assert notes(app)[-1][:2] == ("Trust is off.", ContributionStatus.PENDING)


def test_an_email_address_alone_never_earns_trust(make_app, make_user, make_item,
                                                  make_contribution, archivist):
    app = make_app(TRUSTED_CONTRIBUTOR_THRESHOLD=1)
    item = make_item(with_image=False)
    make_contribution(item, email="kim@example.net", status="approved", decided_by=archivist)

    send(app.test_client(), item, body="Claiming to be Kim.", email="kim@example.net")

    assert notes(app)[-1][1] is ContributionStatus.PENDING


# --- registering tells nobody which addresses have an account ---------------------------------


def _answer(app, email) -> tuple:
    """Everything a visitor registering ``email`` can see: the answer, the page it leads to,
    whether a cookie came back, and whether they are logged in afterwards."""
    client = app.test_client()
    response = register(client, email)
    headers = sorted((k, v) for k, v in response.headers.items() if k != "Date")
    page = client.get(response.headers["Location"])
    return (response.status_code, headers, response.get_data(), page.status_code,
            page.get_data(), client.get_cookie("session") is not None,
            client.get("/my/contributions").status_code)


def test_registering_answers_the_same_whatever_the_address(app, make_user):
    make_user("admin", email="director@example.org")
    make_user("archivist", email="staff@example.org")
    make_user("contributor", email="known@example.net")
    make_user("contributor", email="closed@example.net", active=False)
    register(app.test_client(), "pending@example.net")  # asked for, link not followed yet

    answers = {email: _answer(app, email) for email in (
        "new@example.net", "pending@example.net", "known@example.net", "closed@example.net",
        "staff@example.org", "Director@Example.org")}

    first = answers["new@example.net"]
    assert first[0] == 303 and first[3] == 200 and first[6] == 302  # not logged in
    assert b"Check your email" in first[4]
    for email, answer in answers.items():
        assert answer == first, email


def test_only_the_owner_of_the_address_learns_whether_it_has_an_account(mail_app, smtp,
                                                                         make_user):
    from archive.moderation.outbox import send_due

    _, inbox = smtp
    make_user("archivist", email="staff@example.org")
    for email in ("new@example.net", "staff@example.org"):
        assert register(mail_app.test_client(), email).status_code == 303
    with mail_app.app_context():
        report = send_due()
    assert report.sent == 2, report.summary()

    received = {m["To"]: m for m in inbox.messages}
    new, staff = received["new@example.net"], received["staff@example.org"]
    new_body = new.get_payload(decode=True).decode()
    staff_body = staff.get_payload(decode=True).decode()
    assert "Finish opening your account" in new["Subject"]
    assert "https://photos.example.org/register/confirm?token=" in new_body
    assert "already has one" in staff_body and "/login" in staff_body
    assert "register/confirm" not in staff_body
    # The staff account is untouched: its password still works.
    with mail_app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == "staff@example.org"))
        assert user.check_password("correct horse battery") and user.role is Role.ARCHIVIST


def _emailed_link(mail_app, inbox, email) -> str:
    import re

    from archive.moderation.outbox import send_due

    with mail_app.app_context():
        send_due()
    body = [m for m in inbox.messages if m["To"] == email][-1].get_payload(decode=True).decode()
    return re.search(r"https://photos\.example\.org(/register/confirm\?token=\S+)", body)[1]


def test_the_emailed_link_opens_the_account_once(mail_app, smtp):
    _, inbox = smtp
    client = mail_app.test_client()
    register(client, "kim@example.net")
    link = _emailed_link(mail_app, inbox, "kim@example.net")

    # Before the link is followed the account cannot log in: a wrong password's answer.
    early = mail_app.test_client().post("/login", data={"email": "kim@example.net",
                                                        "password": PASSWORD})
    assert early.status_code == 401 and "The email or password is not right." in early.text

    opened = client.get(link)
    assert opened.status_code == 303 and opened.headers["Location"] == "/my/contributions"
    assert client.get("/my/contributions").status_code == 200

    again = mail_app.test_client().get(link)
    assert again.status_code == 400 and "This link cannot be used" in again.text
    later = mail_app.test_client().post("/login", data={"email": "kim@example.net",
                                                        "password": PASSWORD})
    assert later.status_code == 303


def test_registering_again_before_the_link_replaces_it(mail_app, smtp):
    """Until the link is followed nothing proves the first registration was the owner's."""
    _, inbox = smtp
    register(mail_app.test_client(), "kim@example.net", password="first lantern quarry violet")
    first = _emailed_link(mail_app, inbox, "kim@example.net")
    register(mail_app.test_client(), "kim@example.net", password=PASSWORD, name="Kim")
    second = _emailed_link(mail_app, inbox, "kim@example.net")

    assert mail_app.test_client().get(first).status_code == 400
    assert mail_app.test_client().get(second).status_code == 303
    login = mail_app.test_client().post("/login", data={"email": "kim@example.net",
                                                        "password": PASSWORD})
    assert login.status_code == 303
    with mail_app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(User.id))) == 1


def test_an_old_link_is_refused(app, client, monkeypatch):
    import time

    register(client, "kim@example.net")
    link = confirmation_link(app, "kim@example.net")
    now = time.time()
    monkeypatch.setattr(time, "time", lambda: now + 4 * 24 * 3600)

    response = client.get(link)

    assert response.status_code == 400
    assert client.get("/my/contributions").status_code == 302


def test_the_purge_removes_accounts_never_opened(app, client, make_user):
    from datetime import timedelta

    from archive.models import utcnow
    from archive.ops.privacy import purge_expired

    register(client, "stale@example.net")
    register(client, "fresh@example.net")
    old_but_open = make_user("contributor", email="open@example.net")
    with app.app_context():
        long_ago = utcnow() - timedelta(days=30)
        db.session.execute(sa.update(User).where(User.email.in_(
            ["stale@example.net", "open@example.net"])).values(created_at=long_ago))
        db.session.commit()
        purge_expired(days=90)
        db.session.commit()
        left = set(db.session.scalars(sa.select(User.email)))
    assert left == {"fresh@example.net", old_but_open.email}


def test_erasing_a_contributor_drops_the_emails_about_their_account(app, client):
    from archive.models import OutboxMessage
    from archive.ops.privacy import erase_contributor

    register(client, "kim@example.net")
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(OutboxMessage.id))) == 1
        erase_contributor("kim@example.net")
        db.session.commit()
        assert db.session.scalar(sa.select(sa.func.count(OutboxMessage.id))) == 0
        assert db.session.scalar(sa.select(User.id).where(User.email == "kim@example.net")) \
            is None
