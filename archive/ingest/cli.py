from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from archive.text import counted


@click.command("import")
@click.argument("metadata", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--images", "images_dir", required=True,
              type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Folder holding the image files the CSV names.")
@click.option("--collection", "collection", default=None,
              help="Collection slug for rows whose collection cell is empty.")
@click.option("--institution", "institution_slug", default=None,
              help="Institution that new collections belong to (needed when the site has "
                   "several); another institution's collections are refused.")
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="Processes making derivatives (default: one per core).")
@with_appcontext
def import_command(metadata: Path, images_dir: Path, collection: str | None,
                   institution_slug: str | None, workers: int | None) -> None:
    """Import (or update) records from METADATA.csv and their images from --images."""
    from archive.images.processing import DECODE_BUDGET, MAX_PIXELS
    from archive.ingest.importer import ImportFileError, run_import
    from archive.institutions.services import InstitutionError, resolve_institution

    try:
        institution = resolve_institution(institution_slug) if institution_slug else None
    except InstitutionError as problem:
        raise click.ClickException(str(problem)) from None
    media_root = Path(current_app.config["MEDIA_ROOT"])
    bar = None

    def on_total(total: int) -> None:
        nonlocal bar
        bar = click.progressbar(length=total, label="Processing images",
                                file=sys.stderr)
        bar.__enter__()

    try:
        summary = run_import(metadata, images_dir, media_root, default_collection=collection,
                             institution=institution, workers=workers, on_total=on_total,
                             max_pixels=current_app.config.get("IMAGE_MAX_PIXELS") or MAX_PIXELS,
                             decode_budget=current_app.config.get("IMAGE_DECODE_BUDGET")
                             or DECODE_BUDGET,
                             progress=lambda n: bar.update(n) if bar else None)
    except ImportFileError as exc:
        raise click.ClickException(f"{metadata}: {exc}") from exc
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)

    for error in summary.errors:
        who = f" ({error.identifier})" if error.identifier else ""
        where = f" (line {error.line})" if error.line is not None else ""
        click.echo(f"row {error.row}{where}{who}: {error.reason}", err=True)
    click.echo(f"{counted(summary.rows, 'row')}: {summary.created} added, "
               f"{summary.updated} updated, {summary.unchanged} unchanged, "
               f"{summary.failed} failed; {counted(summary.images_processed, 'image')} processed, "
               f"{summary.images_reused} already stored.")
    if summary.failed:
        raise click.exceptions.Exit(1)
