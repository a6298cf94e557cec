from __future__ import annotations

import os
import sys
from datetime import UTC, datetime

import click
from flask import current_app
from flask.cli import with_appcontext

from archive.harvesting.exporters import FORMATS, export_chunks
from archive.harvesting.records import RecordFilter, count_records
from archive.institutions.services import InstitutionError, resolve_institution
from archive.scope import EVERYTHING, Scope
from archive.text import counted

DATE_FORMATS = ["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M:%SZ"]


def _utc(value: datetime | None) -> datetime | None:
    """Dates on the command line are UTC."""
    return value.replace(tzinfo=UTC) if value is not None else None


@click.command("export")
@click.argument("fmt", metavar="FORMAT", type=click.Choice(sorted(FORMATS)))
@click.option("--collection", "collection_slug", help="Only this collection (its slug).")
@click.option("--institution", "institution_slug",
              help="Only this institution's records (its slug); --collection then names one "
                   "of its collections.")
@click.option("--changed-since", type=click.DateTime(DATE_FORMATS), default=None,
              help="Only records changed at or after this UTC date or time.")
@click.option("--new-notes-since", type=click.DateTime(DATE_FORMATS), default=None,
              help="Only records with notes approved at or after this UTC date or time.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True),
              help="Write to this file instead of standard output (shows progress).")
@click.option("--base-url", default=None,
              help="Public address of the site, for item links (default: PUBLIC_BASE_URL).")
@with_appcontext
def export_command(fmt: str, collection_slug: str | None, institution_slug: str | None,
                   changed_since: datetime | None, new_notes_since: datetime | None,
                   output: str | None, base_url: str | None) -> None:
    """Export the enriched records as CSV, JSON or JSON Lines."""
    base = base_url or current_app.config.get("PUBLIC_BASE_URL") or "http://127.0.0.1:5000"
    scope = EVERYTHING
    if institution_slug:
        try:
            scope = Scope(frozenset({resolve_institution(institution_slug).id}))
        except InstitutionError as error:
            raise click.ClickException(str(error)) from error
    filters = RecordFilter(collection_slug=collection_slug, changed_since=_utc(changed_since),
                           notes_since=_utc(new_notes_since), scope=scope)
    if output is None:
        try:
            chunks = export_chunks(fmt, base_url=base, filters=filters)
        except LookupError as error:
            raise click.ClickException(str(error)) from error
        for chunk in chunks:
            sys.stdout.write(chunk)
        sys.stdout.flush()
        return
    try:
        total = count_records(filters)
    except LookupError as error:
        raise click.ClickException(str(error)) from error
    tmp = output + ".part"
    try:
        with (
            click.progressbar(length=total, label="Exporting", file=sys.stderr,
                              show_pos=True) as bar,
            open(tmp, "w", encoding="utf-8", newline="") as fh,
        ):
            for chunk in export_chunks(fmt, base_url=base, filters=filters,
                                       progress=bar.update):
                fh.write(chunk)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise
    os.replace(tmp, output)  # a half-written export never takes the real file's name
    click.echo(f"Wrote {output} ({counted(total, 'record')})", err=True)
