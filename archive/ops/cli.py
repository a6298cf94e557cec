"""``flask backup create|restore`` and ``flask privacy erase|purge``."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from archive.extensions import db
from archive.ops.backup import BackupError, create_backup, restore_backup
from archive.ops.privacy import PrivacyError, erase_contributor, purge_expired
from archive.text import counted

backup_cli = AppGroup("backup", help="Back up the database and media, or restore them.")
privacy_cli = AppGroup("privacy", help="Erase personal data on request; apply retention.")


def _describe(summary) -> str:
    rows = sum(summary.tables.values())
    return (f"{counted(rows, 'row')} in {counted(len(summary.tables), 'table')}, "
            f"{counted(summary.media_files, 'media file')} "
            f"({summary.media_bytes / 1e6:.1f} MB), schema revision {summary.revision}")


@backup_cli.command("create")
@click.argument("file", type=click.Path(dir_okay=False, writable=True, path_type=Path))
def backup_create(file: Path) -> None:
    """Write every table (JSON Lines) and every media file to FILE (.tar.gz)."""
    summary = create_backup(file, Path(current_app.config["MEDIA_ROOT"]))
    click.echo(f"Backed up {_describe(summary)} to {file}")


@backup_cli.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def backup_restore(file: Path) -> None:
    """Restore FILE into this installation's empty, migrated database and media folder."""
    try:
        summary = restore_backup(file, Path(current_app.config["MEDIA_ROOT"]))
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Restored {_describe(summary)} from {file}")


@privacy_cli.command("erase")
@click.option("--email", required=True, help="The contributor's email address.")
def privacy_erase(email: str) -> None:
    """Erase a contributor's personal data; their published notes stay, as anonymous."""
    try:
        report = erase_contributor(email)
    except PrivacyError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(f"Erased: {counted(report.erased, 'unpublished note')}, "
               f"{counted(report.accounts, 'account')}, {counted(report.blocks, 'block')}, "
               f"mentions in {counted(report.mentions, 'other reason')}; "
               f"{counted(report.kept_anonymous, 'published note')} kept as anonymous.")


@privacy_cli.command("purge")
@click.option("--days", type=int, default=None,
              help="Retention period in days (default: PRIVACY_RETENTION_DAYS).")
def privacy_purge(days: int | None) -> None:
    """Erase rejected and spam notes older than the retention period."""
    days = days if days is not None else int(current_app.config["PRIVACY_RETENTION_DAYS"])
    try:
        purged = purge_expired(days=days)
    except PrivacyError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(f"Purged {counted(purged, 'rejected or spam note')} older than "
               f"{counted(days, 'day')}.")
