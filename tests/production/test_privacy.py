"""``flask privacy erase`` and ``purge``: personal data goes, published notes stay anonymous,
and every erasure is in the moderation log."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from archive.extensions import db
from archive.models import ANONYMOUS_CREDIT, Contribution, ModerationEvent, Role, User, utcnow
from archive.ops.privacy import ERASED_BY_RETENTION, ERASED_ON_REQUEST


def _note(app, note_id) -> Contribution:
    with app.app_context():
        note = db.session.get(Contribution, note_id)
        db.session.expunge(note)
        return note


def _events(app, note_id) -> list[tuple[str, str | None]]:
    with app.app_context():
        return [(e.action, e.actor_id) for e in db.session.scalars(
            sa.select(ModerationEvent).where(ModerationEvent.contribution_id == note_id)
            .order_by(ModerationEvent.id))]


def test_erase_keeps_published_notes_anonymous_and_erases_the_rest(
        app, runner, client, make_item, make_contribution, make_user):
    archivist = make_user(Role.ARCHIVIST)
    item = make_item()
    mine = {"email": "ada@example.org", "credit_name": "Ada Lovelace", "show_name": True,
            "ip_hash": "f" * 64}
    published = make_contribution(item, status="approved", decided_by=archivist,
                                  body="This is my grandmother's shop.", **mine)
    pending = make_contribution(item, body="My phone is 0113 496 0000", **mine)
    rejected = make_contribution(item, status="rejected", decided_by=archivist,
                                 body="Call me", suggested_place="12 Acacia Avenue",
                                 **{**mine, "email": "ADA@Example.org"})
    someone_else = make_contribution(item, status="approved", decided_by=archivist,
                                     email="bob@example.org", credit_name="Bob",
                                     show_name=True, body="Bob's note")
    assert "Ada Lovelace" in client.get(f"/items/{item.identifier}").text

    result = runner.invoke(args=["privacy", "erase", "--email", "ada@example.org"])

    assert result.exit_code == 0, result.output
    assert "2 unpublished notes" in result.output and "1 published" in result.output
    kept = _note(app, published.id)
    assert kept.body == "This is my grandmother's shop."
    assert kept.status.value == "approved"
    assert (kept.email, kept.credit_name, kept.show_name, kept.ip_hash) == (None, "", False, None)
    assert kept.credit == ANONYMOUS_CREDIT
    for note_id in (pending.id, rejected.id):
        gone = _note(app, note_id)
        assert gone.body == ERASED_ON_REQUEST
        assert (gone.email, gone.ip_hash, gone.credit_name, gone.suggested_place) == \
            (None, None, "", "")
        assert gone.status.value == "rejected"  # a pending one leaves the queue
        assert gone.erased_at is not None
    for note_id in (published.id, pending.id, rejected.id):
        assert ("erase_personal_data", None) in _events(app, note_id)
    with app.app_context():
        logged = " ".join(e.reason for e in db.session.scalars(sa.select(ModerationEvent)))
    assert "ada@example.org" not in logged.lower()
    assert _note(app, someone_else.id).email == "bob@example.org"
    page = client.get(f"/items/{item.identifier}").text
    assert "Ada Lovelace" not in page and "grandmother" in page


def test_erase_closes_a_contributor_account_and_its_sessions(
        app, runner, make_item, make_contribution, make_user, login_client):
    account = make_user(Role.CONTRIBUTOR, email="ada@example.org", display_name="Ada")
    note = make_contribution(make_item(), submitted_by_id=account.id, body="Mine")
    session = login_client(app, account)
    assert "Log out Ada" in session.get("/").text  # the session works before erasure

    result = runner.invoke(args=["privacy", "erase", "--email", "ada@example.org"])

    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.get(User, account.id)
        assert user.email != "ada@example.org" and "ada" not in user.email
        assert user.display_name != "Ada" and not user.active
    assert _note(app, note.id).body == ERASED_ON_REQUEST
    assert "Log out" not in session.get("/").text  # the session is gone
    assert session.post("/logout").status_code == 302  # sent to log in


def test_erase_refuses_staff_accounts(app, runner, make_user):
    make_user(Role.ARCHIVIST, email="staff@example.org")

    result = runner.invoke(args=["privacy", "erase", "--email", "staff@example.org"])

    assert result.exit_code != 0
    assert "staff account" in result.output


def test_purge_applies_the_retention_period_to_rejected_and_spam_only(
        app, runner, make_item, make_contribution, make_user):
    archivist = make_user(Role.ARCHIVIST)
    item = make_item()
    old = utcnow() - timedelta(days=91)
    recent = utcnow() - timedelta(days=10)
    expired = [make_contribution(item, status=s, decided_by=archivist, decided_at=old,
                                 created_at=old, email="x@example.org", ip_hash="a" * 64,
                                 body=f"old {s}") for s in ("rejected", "spam")]
    young = make_contribution(item, status="spam", decided_by=archivist, decided_at=recent,
                              created_at=recent, body="young spam", ip_hash="b" * 64)
    approved = make_contribution(item, status="approved", decided_by=archivist,
                                 decided_at=old, created_at=old, body="published",
                                 ip_hash="c" * 64)

    result = runner.invoke(args=["privacy", "purge"])
    again = runner.invoke(args=["privacy", "purge"])

    assert result.exit_code == 0, result.output
    assert "Purged 2" in result.output and "90 days" in result.output
    assert "Purged 0" in again.output
    for note in expired:
        purged = _note(app, note.id)
        assert (purged.body, purged.email, purged.ip_hash) == (ERASED_BY_RETENTION, None, None)
        assert _events(app, note.id) == [("retention_purge", None)]
    assert _note(app, young.id).body == "young spam"
    assert _note(app, young.id).ip_hash == "b" * 64
    kept = _note(app, approved.id)
    assert kept.body == "published" and kept.ip_hash is None  # hashes expire everywhere


def test_the_retention_period_is_configurable(make_app, make_item, make_contribution,
                                              make_user):
    app = make_app(PRIVACY_RETENTION_DAYS=5)
    archivist = make_user(Role.ARCHIVIST)
    week_ago = utcnow() - timedelta(days=7)
    note = make_contribution(make_item(), status="rejected", decided_by=archivist,
                             decided_at=week_ago, body="rejected a week ago")

    result = app.test_cli_runner().invoke(args=["privacy", "purge"])

    assert "Purged 1" in result.output
    assert _note(app, note.id).body == ERASED_BY_RETENTION


def test_exports_never_carry_emails(app, make_item, make_contribution, make_user,
                                    login_client):
    curator = make_user(Role.CURATOR)
    make_contribution(make_item(), status="approved", decided_by=curator,
                      email="private@example.org", body="Published note")
    client = login_client(app, curator)
    from archive.harvesting.exporters import FORMATS

    for fmt in FORMATS:
        response = client.get(f"/curation/export.{fmt}")
        text = response.get_data(as_text=True)
        assert "Published note" in text, fmt
        assert "private@example.org" not in text, fmt


def _outbox(app) -> list[tuple[int, str]]:
    from archive.models import OutboxMessage

    with app.app_context():
        return [(m.contribution_id, m.status.value) for m in db.session.scalars(
            sa.select(OutboxMessage).order_by(OutboxMessage.id))]


def _queue_email(app, note_id: int, *, created_at=None, failed_with: str = "") -> None:
    """The email announcing a note's decision, queued (or, with ``failed_with``, given up)."""
    from archive.models import OutboxAttempt, OutboxMessage, OutboxStatus
    from archive.moderation.outbox import queue_outcome_emails

    with app.app_context():
        queue_outcome_emails([db.session.get(Contribution, note_id)])
        message = db.session.scalar(sa.select(OutboxMessage)
                                    .where(OutboxMessage.contribution_id == note_id))
        if created_at is not None:
            message.created_at = created_at
        if failed_with:
            message.status, message.attempts, message.last_error = \
                OutboxStatus.FAILED, 1, failed_with
            db.session.add(OutboxAttempt(message_id=message.id, error=failed_with))
        db.session.commit()


def test_erase_takes_the_contributors_emails_out_of_the_outbox(
        app, runner, make_item, make_contribution, make_user):
    from archive.models import OutboxAttempt

    archivist = make_user(Role.ARCHIVIST)
    item = make_item()
    queued = make_contribution(item, status="approved", decided_by=archivist,
                               email="ada@example.org")
    refused = make_contribution(item, status="rejected", decided_by=archivist,
                                email="ada@example.org")
    other = make_contribution(item, status="approved", decided_by=archivist,
                              email="bob@example.org")
    _queue_email(app, queued.id)
    _queue_email(app, refused.id, failed_with="550 5.1.1 <ada@example.org>: no such user")
    _queue_email(app, other.id)

    result = runner.invoke(args=["privacy", "erase", "--email", "ada@example.org"])

    assert result.exit_code == 0, result.output
    assert _outbox(app) == [(other.id, "queued")]  # nothing about Ada is left to send
    with app.app_context():
        errors = list(db.session.scalars(sa.select(OutboxAttempt.error)))
    assert errors == []  # nor what a mail server said about her address


def test_purge_keeps_no_outbox_email_past_the_retention_period(
        app, runner, make_item, make_contribution, make_user):
    archivist = make_user(Role.ARCHIVIST)
    item = make_item()
    old = utcnow() - timedelta(days=91)
    expired = make_contribution(item, status="rejected", decided_by=archivist, decided_at=old,
                                created_at=old, email="x@example.org")
    old_approval = make_contribution(item, status="approved", decided_by=archivist,
                                     decided_at=old, created_at=old, email="y@example.org")
    recent = make_contribution(item, status="approved", decided_by=archivist,
                               email="z@example.org")
    _queue_email(app, expired.id)  # recent, but its note is purged
    _queue_email(app, old_approval.id, created_at=old, failed_with="451 try later")
    _queue_email(app, recent.id)

    result = runner.invoke(args=["privacy", "purge"])

    assert result.exit_code == 0, result.output
    assert _outbox(app) == [(recent.id, "queued")]


def test_erase_and_purge_forget_that_an_address_was_confirmed_and_the_link_sent_to_it(
        app, runner, make_item, make_contribution, make_user):
    from archive.moderation.outbox import queue_address_confirmation

    archivist = make_user(Role.ARCHIVIST)
    item = make_item()
    old = utcnow() - timedelta(days=91)
    confirmed = make_contribution(item, status="approved", decided_by=archivist,
                                  email="ada@example.org")
    asked = make_contribution(item, email="ada@example.org", email_confirmed_at=None)
    expired = make_contribution(item, status="rejected", decided_by=archivist, decided_at=old,
                                created_at=old, email="x@example.org")
    unconfirmed = make_contribution(item, status="rejected", decided_by=archivist,
                                    decided_at=old, created_at=old, email="y@example.org",
                                    email_confirmed_at=None)
    with app.app_context():
        for note in (asked, unconfirmed):
            queue_address_confirmation(db.session.get(Contribution, note.id))
        db.session.commit()
    assert _note(app, confirmed.id).email_confirmed_at is not None
    assert len(_outbox(app)) == 2

    erased = runner.invoke(args=["privacy", "erase", "--email", "ada@example.org"])
    purged = runner.invoke(args=["privacy", "purge"])

    assert erased.exit_code == 0 and purged.exit_code == 0, erased.output + purged.output
    for note in (confirmed, asked, expired, unconfirmed):
        row = _note(app, note.id)
        assert (row.email, row.email_confirmed_at) == (None, None)
    assert _outbox(app) == []  # no link is left to send to the addresses


# --- every place a person's data can reach -----------------------------------------------------

EMAIL, NAME, IP = "ada@example.org", "Ada Lovelace", "d" * 64


def _readable_everywhere(app) -> list[str]:
    """Every text value in every table, as ``table.column: value``, for searching."""
    found = []
    with app.app_context():
        for table in db.metadata.sorted_tables:
            for row in db.session.execute(sa.select(table)).mappings():
                for column, value in row.items():
                    if isinstance(value, str):
                        found.append(f"{table.name}.{column}: {value}")
    return found


def _traces(app, *needles) -> list[str]:
    return [text for text in _readable_everywhere(app)
            if any(needle.lower() in text.split(": ", 1)[1].lower() for needle in needles)]


def test_erase_reaches_blocks_decision_reasons_and_the_logs_reasons(
        app, runner, make_item, make_contribution, make_user):
    from archive.curation.withdrawal import withdraw_item
    from archive.models import BlockKind, Item, OutboxAttempt, OutboxMessage, OutboxStatus
    from archive.moderation.intake import block_sender, lift_block
    from archive.moderation.outbox import queue_outcome_emails
    from archive.moderation.services import approve_contribution, reject_contribution

    archivist, curator = make_user(Role.ARCHIVIST), make_user(Role.CURATOR)
    account = make_user(Role.CONTRIBUTOR, email=EMAIL, display_name=NAME)
    item, other_item = make_item(), make_item()
    mine = {"email": EMAIL, "credit_name": NAME, "show_name": True, "ip_hash": IP}
    published = make_contribution(item, body="My grandmother's shop.", **mine)
    refused = make_contribution(item, body="Call me", **mine)
    by_account = make_contribution(item, body="From my account", submitted_by_id=account.id)
    bob = make_contribution(item, body="Bob's note", email="bob@example.org", credit_name="Bob",
                            ip_hash="e" * 64)
    with app.app_context():
        staff = db.session.get(User, archivist.id)

        def note(n):
            return db.session.get(Contribution, n.id)

        approve_contribution(note(published), staff,
                             reason=f"Checked with {NAME} by phone")
        reject_contribution(note(refused), staff, reason=f"Duplicate of {EMAIL}'s earlier note")
        reject_contribution(note(bob), staff, reason=f"Same sender as {NAME} ({EMAIL.upper()})")
        queue_outcome_emails([note(refused)])
        message = db.session.scalar(sa.select(OutboxMessage))
        message.last_error = f"550 <{EMAIL}>: mailbox full"
        db.session.add(OutboxAttempt(message_id=message.id, error=f"550 <{EMAIL}>"))
        message.status = OutboxStatus.QUEUED
        block_sender(note(refused), BlockKind.EMAIL, staff, reason=f"{NAME} sends adverts")
        block_sender(note(refused), BlockKind.IP_HASH, staff, reason="Same network")
        block_sender(note(by_account), BlockKind.ACCOUNT, staff, reason="Account of adverts")
        lifted = block_sender(note(bob), BlockKind.EMAIL, staff,
                              reason=f"Friend of {NAME}, see {EMAIL}")
        lift_block(lifted, staff)
        withdraw_item(db.session.get(Item, other_item.id), db.session.get(User, curator.id),
                      reason=f"{NAME} ({EMAIL}) asked for it to come down")
        db.session.commit()
    assert len(_traces(app, EMAIL, NAME, IP, "Lovelace")) > 10  # everywhere, before

    result = runner.invoke(args=["privacy", "erase", "--email", EMAIL])

    assert result.exit_code == 0, result.output
    assert _traces(app, EMAIL, NAME, IP, "Lovelace") == []
    # What the archive keeps: the published text, Bob's data and decisions, the log's events.
    assert _note(app, published.id).body == "My grandmother's shop."
    kept_bob = _note(app, bob.id)
    assert (kept_bob.email, kept_bob.ip_hash) == ("bob@example.org", "e" * 64)
    assert kept_bob.decision_reason == "Same sender as [erased] ([erased])"
    assert ("reject", archivist.id) in _events(app, refused.id)
    with app.app_context():
        from archive.models import Block

        left = [(b.kind.value, b.value, b.reason) for b in db.session.scalars(sa.select(Block))]
    assert left == [("email", "bob@example.org", "Friend of [erased], see [erased]")]


def test_the_log_keeps_no_free_text_erasure_cannot_reach():
    """The append-only table has no column of free text: reasons live beside it."""
    from archive.models import EventReason

    columns = {c.name: c for c in ModerationEvent.__table__.columns}
    assert set(columns) == {"id", "contribution_id", "allowance_id", "actor_id", "action",
                            "from_status", "to_status", "created_at"}
    assert {c.name for c in EventReason.__table__.columns} >= {"event_id", "text", "erased_at"}


def test_purge_erases_the_reasons_of_what_it_purges_and_old_blocks(
        app, runner, make_item, make_contribution, make_user):
    from archive.models import Block, BlockKind, EventReason
    from archive.moderation.intake import block_sender, lift_block
    from archive.moderation.services import reject_contribution

    archivist = make_user(Role.ARCHIVIST)
    item = make_item()
    old_note = make_contribution(item, email="eve@example.org", ip_hash="a" * 64,
                                 body="Buy now")
    recent = make_contribution(item, email="kim@example.org", ip_hash="b" * 64, body="Hello")
    long_ago = utcnow() - timedelta(days=120)
    with app.app_context():
        staff = db.session.get(User, archivist.id)
        reject_contribution(db.session.get(Contribution, old_note.id), staff,
                            reason="Advert from eve@example.org")
        old_ip = block_sender(db.session.get(Contribution, old_note.id), BlockKind.IP_HASH,
                              staff, reason="eve's network")
        old_lifted = block_sender(db.session.get(Contribution, old_note.id), BlockKind.EMAIL,
                                  staff, reason="eve@example.org adverts")
        lift_block(old_lifted, staff)
        block_sender(db.session.get(Contribution, recent.id), BlockKind.EMAIL, staff,
                     reason="kim, recently")
        db.session.execute(sa.update(Contribution).where(Contribution.id == old_note.id)
                           .values(decided_at=long_ago, created_at=long_ago))
        db.session.execute(sa.update(Block).where(Block.id.in_([old_ip.id, old_lifted.id]))
                           .values(created_at=long_ago))
        db.session.execute(sa.update(Block).where(Block.id == old_lifted.id)
                           .values(lifted_at=long_ago))
        db.session.commit()

    result = runner.invoke(args=["privacy", "purge"])

    assert result.exit_code == 0, result.output
    assert _traces(app, "eve@", "eve's", "a" * 64) == []
    assert _note(app, old_note.id).decision_reason == ""
    with app.app_context():
        assert [b.reason for b in db.session.scalars(sa.select(Block))] == ["kim, recently"]
        assert db.session.scalar(sa.select(sa.func.count(EventReason.id))) >= 1
    assert _note(app, recent.id).email == "kim@example.org"


def test_purge_keeps_no_unconfirmed_address_past_the_retention_period(
        app, runner, make_item, make_contribution, make_user):
    """An address whose owner never confirmed it is never written to; after the retention
    period it is not kept at all. Confirmed addresses, and recent ones, stay."""
    archivist = make_user(Role.ARCHIVIST)
    item = make_item()
    old = utcnow() - timedelta(days=91)
    unconfirmed = make_contribution(item, status="approved", decided_by=archivist,
                                    decided_at=old, created_at=old, email="u@example.org",
                                    email_confirmed_at=None)
    confirmed = make_contribution(item, status="approved", decided_by=archivist,
                                  decided_at=old, created_at=old, email="c@example.org")
    recent = make_contribution(item, email="r@example.org", email_confirmed_at=None)

    result = runner.invoke(args=["privacy", "purge"])

    assert result.exit_code == 0, result.output
    assert _note(app, unconfirmed.id).email is None
    assert _note(app, unconfirmed.id).body  # the published note itself stays
    assert _note(app, confirmed.id).email == "c@example.org"
    assert _note(app, recent.id).email == "r@example.org"
