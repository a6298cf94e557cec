"""The outbox sender: claims, retries with back-off, records every attempt, never sends twice.

Time is moved by handing the sender a clock, never by sleeping.
"""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller

from archive.extensions import db
from archive.models import (
    Contribution,
    OutboxAttempt,
    OutboxMessage,
    OutboxStatus,
    utcnow,
)
from archive.moderation.outbox import (
    LEASE,
    MAX_ATTEMPTS,
    RETRY_DELAYS,
    claim,
    queue_outcome_emails,
    send_due,
)
from archive.moderation.services import approve_contribution, reject_contribution
from tests.moderation.mailbox import Inbox, free_port, refuse_every_login, subject_of


@pytest.fixture
def archivist(make_user):
    return make_user("archivist", display_name="Ada Archivist")


@pytest.fixture
def queue(app, archivist, make_item, make_contribution):
    """``queue(n)``: n notes approved, each with its email queued; their ids."""

    def factory(count=1, **fields):
        ids = []
        for n in range(count):
            note = make_contribution(make_item(with_image=False, title=f"Tram depot {n}"),
                                     email=f"sender{n}@example.net", **fields)
            ids.append(note.id)
        with app.app_context():
            from archive.models import User

            moderator = db.session.get(User, archivist.id)
            for note_id in ids:
                note = db.session.get(Contribution, note_id)
                approve_contribution(note, moderator)
                queue_outcome_emails([note])
            db.session.commit()
            return [m.id for m in db.session.scalars(
                sa.select(OutboxMessage).where(OutboxMessage.contribution_id.in_(ids))
                .order_by(OutboxMessage.id))]

    return factory


def run(app, at=None, **kwargs):
    with app.app_context():
        return send_due(clock=(lambda: at) if at else None, **kwargs)


def message(app, message_id) -> OutboxMessage:
    with app.app_context():
        row = db.session.get(OutboxMessage, message_id)
        db.session.expunge(row)
        return row


def attempts(app, message_id) -> list[tuple[str | None, str]]:
    with app.app_context():
        return [(a.outcome.value if a.outcome else None, a.error) for a in db.session.scalars(
            sa.select(OutboxAttempt).where(OutboxAttempt.message_id == message_id)
            .order_by(OutboxAttempt.id))]


def test_a_server_that_refuses_then_accepts_gets_the_email_on_the_retry(mail_app, smtp, queue):
    _, inbox = smtp
    [message_id] = queue()
    inbox.refuse_data.append("451 4.3.0 Try again later")
    start = utcnow()

    first = mail_app.test_cli_runner().invoke(args=["notify", "send"])

    assert first.exit_code == 1
    assert "1 failed and will be retried" in first.output
    assert "451 4.3.0 Try again later" in first.output
    assert inbox.messages == []
    queued = message(mail_app, message_id)
    assert (queued.status, queued.attempts, queued.last_error) == \
        (OutboxStatus.QUEUED, 1, "451 4.3.0 Try again later")
    assert start + RETRY_DELAYS[0] <= queued.next_attempt_at <= utcnow() + RETRY_DELAYS[0]
    assert attempts(mail_app, message_id) == [("failed", "451 4.3.0 Try again later")]

    # Not yet due: a run a moment before the retry time sends nothing.
    early = run(mail_app, at=queued.next_attempt_at - timedelta(seconds=1))
    assert (early.due, inbox.messages) == (0, [])

    later = run(mail_app, at=queued.next_attempt_at + timedelta(seconds=1))

    assert (later.due, later.sent) == (1, 1)
    assert [m["To"] for m in inbox.messages] == ["sender0@example.net"]
    assert subject_of(inbox.messages[0]) == "Your note on “Tram depot 0” is published"
    sent = message(mail_app, message_id)
    assert (sent.status, sent.attempts, sent.last_error) == (OutboxStatus.SENT, 2, "")
    assert sent.sent_at == queued.next_attempt_at + timedelta(seconds=1)
    assert attempts(mail_app, message_id) == [("failed", "451 4.3.0 Try again later"),
                                              ("sent", "")]
    with mail_app.app_context():
        note = db.session.get(Contribution, sent.contribution_id)
        assert note.notified_at == sent.sent_at


def test_a_closed_port_is_recorded_and_retried_once_the_server_is_up(make_app, mail_app, smtp,
                                                                     queue):
    _, inbox = smtp
    down = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port(), MAIL_TIMEOUT=2,
                    PUBLIC_BASE_URL="https://photos.example.org")
    message_ids = queue(2)

    first = run(down)

    assert (first.due, first.retrying, first.sent) == (2, 2, 0)
    for message_id in message_ids:
        [(outcome, error)] = attempts(down, message_id)
        assert outcome == "failed" and "ConnectionRefusedError" in error
    retry_at = message(down, message_ids[0]).next_attempt_at

    second = run(mail_app, at=retry_at + timedelta(seconds=1))

    assert second.sent == 2
    assert sorted(m["To"] for m in inbox.messages) == ["sender0@example.net",
                                                       "sender1@example.net"]


def test_retries_back_off_then_give_up_and_staff_can_see_and_retry(mail_app, smtp, queue):
    _, inbox = smtp
    [message_id] = queue()
    inbox.always_refuse = "451 4.7.1 Greylisted, come back later"
    now = utcnow()
    delays = []

    for _ in range(MAX_ATTEMPTS):
        report = run(mail_app, at=now)
        assert report.due == 1
        row = message(mail_app, message_id)
        if row.status is OutboxStatus.QUEUED:
            delays.append(row.next_attempt_at - now)
            now = row.next_attempt_at

    assert delays == [timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30),
                      timedelta(hours=2), timedelta(hours=12)]
    assert report.failed == 1
    given_up = message(mail_app, message_id)
    assert (given_up.status, given_up.attempts) == (OutboxStatus.FAILED, MAX_ATTEMPTS)
    assert len(attempts(mail_app, message_id)) == MAX_ATTEMPTS
    assert run(mail_app, at=now + timedelta(days=7)).due == 0  # never tried again by itself

    runner = mail_app.test_cli_runner()
    status = runner.invoke(args=["notify", "status"])
    assert status.exit_code == 0
    assert "1 failed" in status.output
    assert f"#{message_id} note {given_up.contribution_id} approved, 6 attempts: " \
           "451 4.7.1 Greylisted, come back later" in status.output
    detail = runner.invoke(args=["notify", "status", str(message_id)])
    assert detail.output.count(" failed: 451 4.7.1 Greylisted") == MAX_ATTEMPTS

    inbox.always_refuse = None
    retried = runner.invoke(args=["notify", "retry", str(message_id)])
    assert retried.output == "Queued 1 failed email again.\n"
    assert runner.invoke(args=["notify", "send"]).exit_code == 0
    assert len(inbox.messages) == 1
    assert message(mail_app, message_id).status is OutboxStatus.SENT


def test_a_recipient_refused_for_good_is_given_up_at_once_without_our_address(mail_app, smtp,
                                                                              queue):
    _, inbox = smtp
    [message_id] = queue()
    inbox.refuse_rcpt.append("550 5.1.1 Mailbox unavailable")

    report = run(mail_app)

    assert (report.failed, report.retrying) == (1, 0)
    row = message(mail_app, message_id)
    assert row.status is OutboxStatus.FAILED
    assert row.last_error == "recipient refused: 550 5.1.1 Mailbox unavailable"
    assert "sender0@example.net" not in row.last_error


@pytest.mark.slow
def test_two_senders_at_once_never_send_one_email_twice(make_app, mail_app, smtp, queue):
    _, inbox = smtp
    message_ids = queue(12)
    senders = [make_app(**{k: mail_app.config[k] for k in (
        "MAIL_SERVER", "MAIL_PORT", "MAIL_FROM", "PUBLIC_BASE_URL")}) for _ in range(2)]
    start = threading.Barrier(2)
    reports = {}

    def sender(n):
        with senders[n].app_context():
            start.wait()
            reports[n] = send_due()

    threads = [threading.Thread(target=sender, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert sorted(m["To"] for m in inbox.messages) == \
        sorted(f"sender{n}@example.net" for n in range(12))
    assert reports[0].sent + reports[1].sent == 12
    with mail_app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxAttempt)) == 12
    assert {message(mail_app, m).status for m in message_ids} == {OutboxStatus.SENT}


def test_a_claimed_email_is_left_to_its_sender_and_retried_if_that_sender_died(mail_app, smtp,
                                                                              queue):
    _, inbox = smtp
    [message_id] = queue()
    now = utcnow()
    with mail_app.app_context():
        assert claim(message_id, now) is not None  # a sender claims it, then dies
        assert claim(message_id, now) is None  # nobody else can take it meanwhile

    assert run(mail_app, at=now + LEASE - timedelta(seconds=1)).due == 0
    report = run(mail_app, at=now + LEASE)

    assert report.sent == 1 and len(inbox.messages) == 1
    assert attempts(mail_app, message_id) == [(None, ""), ("sent", "")]
    detail = mail_app.test_cli_runner().invoke(args=["notify", "status", str(message_id)])
    assert " interrupted" in detail.output


def test_settings_that_cannot_work_stop_the_run_before_any_email_is_touched(
        make_app, smtp, queue):
    port, inbox = smtp
    [message_id] = queue()
    mail = {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": port}
    login_port = free_port()
    strict = Controller(Inbox(), hostname="127.0.0.1", port=login_port,
                        authenticator=refuse_every_login, auth_require_tls=False)
    strict.start()
    try:
        cases = {
            "PUBLIC_BASE_URL is not set": make_app(**mail),
            "MAIL_USE_SSL and MAIL_USE_TLS are both on": make_app(
                **mail, PUBLIC_BASE_URL="https://photos.example.org", MAIL_USE_SSL=True,
                MAIL_USE_TLS=True),
            "refused the login (535): check MAIL_USERNAME and MAIL_PASSWORD": make_app(
                MAIL_SERVER="127.0.0.1", MAIL_PORT=login_port, MAIL_USERNAME="archive",
                MAIL_PASSWORD="wrong", PUBLIC_BASE_URL="https://photos.example.org"),
        }
        for expected, app in cases.items():
            result = app.test_cli_runner().invoke(args=["notify", "send"])
            assert result.exit_code == 2, result.output
            assert result.output.startswith("Error: ") and expected in result.output
            assert result.output.count("\n") == 1
    finally:
        strict.stop()

    untouched = message(make_app(), message_id)
    assert (untouched.status, untouched.attempts) == (OutboxStatus.QUEUED, 0)
    assert inbox.messages == []


@pytest.mark.database_independent
def test_a_mistake_in_the_settings_shows_before_any_email_is_due(make_app):
    app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port())

    result = app.test_cli_runner().invoke(args=["notify", "send"])

    assert result.exit_code == 2
    assert result.output.startswith("Error: PUBLIC_BASE_URL is not set")


def test_only_the_limit_is_sent_per_run(mail_app, smtp, queue):
    queue(3)

    result = mail_app.test_cli_runner().invoke(args=["notify", "send", "--limit", "2"])

    assert result.output == "Sent 2 of 2 due emails.\n"
    assert run(mail_app).sent == 1


def test_the_loop_sends_until_it_is_told_to_stop(mail_app, smtp, queue, monkeypatch):
    import os
    import signal

    _, inbox = smtp
    queue(2)
    runs = []

    def send_then_stop(**kwargs):
        report = send_due(**kwargs)
        runs.append(report)
        if len(runs) == 2:
            os.kill(os.getpid(), signal.SIGTERM)  # what systemd sends to stop the service
        return report

    monkeypatch.setattr("archive.moderation.cli.send_due", send_then_stop)
    before = signal.getsignal(signal.SIGTERM)

    result = mail_app.test_cli_runner().invoke(
        args=["notify", "send", "--loop", "1", "--limit", "1"])

    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "Sending due emails every 1 second; stop with SIGTERM or Ctrl-C.",
        "Sent 1 of 1 due email.", "Sent 1 of 1 due email.", "Stopped."]
    assert len(inbox.messages) == 2
    assert signal.getsignal(signal.SIGTERM) == before


def test_a_rolled_back_decision_leaves_nothing_in_the_outbox(app, archivist, make_item,
                                                             make_contribution):
    from archive.models import User

    note = make_contribution(make_item(with_image=False), email="kim@example.net")
    with app.app_context():
        moderator = db.session.get(User, archivist.id)
        contribution = db.session.get(Contribution, note.id)
        reject_contribution(contribution, moderator, reason="No.")
        assert queue_outcome_emails([contribution]) == 1
        db.session.rollback()
        assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 0
        assert db.session.get(Contribution, note.id).status.value == "pending"
