"""``flask notify send|status|retry``: the outbox of contributors' emails, from the command line.

``send`` is meant to run every minute from cron or a systemd timer (or to keep running with
``--loop``). Output is one line per run, in English like every command.
"""

from __future__ import annotations

import signal
import threading
from datetime import datetime

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import AppGroup

from archive.config import ConfigError
from archive.extensions import db
from archive.models import OutboxAttempt, OutboxMessage, OutboxStatus
from archive.moderation.outbox import (
    MAX_ATTEMPTS,
    outbox_summary,
    retry_failed,
    send_due,
)
from archive.text import counted

notify_cli = AppGroup("notify", help="Send contributors' emails from the outbox; see its state.")

NO_MAIL_SERVER = ("MAIL_SERVER is not set: {count} emails stay queued (set MAIL_SERVER and the "
                  "other MAIL_* settings to send them).")


def _when(moment: datetime | None) -> str:
    return f"{moment:%Y-%m-%d %H:%M} UTC" if moment else "-"


def _queued() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)
                             .where(OutboxMessage.status == OutboxStatus.QUEUED)) or 0


@notify_cli.command("send")
@click.option("--limit", type=click.IntRange(min=1), default=100, show_default=True,
              help="Most emails to send in one run.")
@click.option("--loop", "loop_seconds", type=click.IntRange(min=1), default=None,
              metavar="SECONDS",
              help="Keep running, sending what is due every SECONDS, until stopped.")
def notify_send(limit: int, loop_seconds: int | None) -> None:
    """Send the emails that are due.

    Exit status 1 when an email failed (it is tried again later), 2 when the settings cannot
    work.
    """
    if not current_app.config.get("MAIL_SERVER"):
        if loop_seconds is not None:
            raise ConfigError("MAIL_SERVER is not set: there is nothing for --loop to send "
                              "through; set MAIL_SERVER and the other MAIL_* settings.")
        click.echo(NO_MAIL_SERVER.format(count=_queued()))
        return
    if loop_seconds is None:
        report = send_due(limit=limit)
        click.echo(report.summary())
        if report.had_failures:
            raise click.exceptions.Exit(1)
        return
    _send_in_a_loop(limit, loop_seconds)


def _send_in_a_loop(limit: int, seconds: int) -> None:
    """Send what is due, wait, again; SIGTERM or Ctrl-C stops it between runs."""
    stop = threading.Event()
    previous = {sig: signal.signal(sig, lambda *_args: stop.set())
                for sig in (signal.SIGTERM, signal.SIGINT)}
    click.echo(f"Sending due emails every {counted(seconds, 'second')}; "
               "stop with SIGTERM or Ctrl-C.")
    try:
        while not stop.is_set():
            report = send_due(limit=limit)
            if report.due:
                click.echo(report.summary())
            db.session.remove()
            if report.due < limit:  # a full batch: more may be due at once
                stop.wait(seconds)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    click.echo("Stopped.")


@notify_cli.command("status")
@click.argument("message_id", type=int, required=False)
def notify_status(message_id: int | None) -> None:
    """Emails by state, and those given up or retrying.

    With MESSAGE_ID, every attempt at sending that one.
    """
    if message_id is not None:
        _message_status(message_id)
        return
    summary = outbox_summary()
    counts = ", ".join(f"{count} {status.value}" for status, count in summary.counts.items())
    line = f"Outbox: {counts}."
    if summary.oldest_due:
        line += f" Oldest queued since {_when(summary.oldest_due)}."
    click.echo(line)
    if not current_app.config.get("MAIL_SERVER"):
        click.echo("MAIL_SERVER is not set: nothing is sent.")
    if summary.failed:
        click.echo("Given up (flask notify retry ID… queues them again):")
        for message in summary.failed:
            click.echo(f"  #{message.id} {message.subject}, {message.attempts} attempts: "
                       f"{message.last_error}")
    if summary.retrying:
        click.echo("Retrying:")
        for message in summary.retrying:
            click.echo(f"  #{message.id} {message.subject}, attempt {message.attempts + 1} of "
                       f"{MAX_ATTEMPTS} at {_when(message.next_attempt_at)}: "
                       f"{message.last_error}")


def _message_status(message_id: int) -> None:
    message = db.session.get(OutboxMessage, message_id)
    if message is None:
        raise click.ClickException(f"There is no email #{message_id} in the outbox.")
    click.echo(f"#{message.id} {message.subject}: "
               f"{message.status.value}, queued {_when(message.created_at)}"
               + (f", sent {_when(message.sent_at)}" if message.sent_at else "")
               + (f", next attempt {_when(message.next_attempt_at)}"
                  if message.status is OutboxStatus.QUEUED else "") + ".")
    attempts = db.session.scalars(sa.select(OutboxAttempt)
                                  .where(OutboxAttempt.message_id == message.id)
                                  .order_by(OutboxAttempt.id))
    for attempt in attempts:
        outcome = attempt.outcome.value if attempt.outcome else "interrupted"
        error = f": {attempt.error}" if attempt.error else ""
        click.echo(f"  {_when(attempt.started_at)} {outcome}{error}")


@notify_cli.command("retry")
@click.argument("message_ids", type=int, nargs=-1)
@click.option("--all-failed", is_flag=True, help="Every email that was given up.")
def notify_retry(message_ids: tuple[int, ...], all_failed: bool) -> None:
    """Queue given-up emails again, once what made them fail is fixed."""
    if not message_ids and not all_failed:
        raise click.UsageError("Name the emails to retry (see flask notify status), "
                               "or give --all-failed.")
    count = retry_failed(message_ids, all_failed=all_failed)
    db.session.commit()
    click.echo(f"Queued {counted(count, 'failed email')} again.")
