from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_migrate import upgrade

from archive.extensions import db


@click.command("demo")
@click.option("--serve", is_flag=True,
              help="Then serve the app on http://127.0.0.1:5000 (for trying it locally).")
@click.option("--port", default=5000, show_default=True)
@with_appcontext
def demo_command(serve: bool, port: int) -> None:
    """Create or upgrade the database and load the demo archive (idempotent)."""
    from archive.config import ConfigError
    from archive.ingest.demo import load_demo

    if serve and current_app.config["SECRET_KEY_IS_EPHEMERAL"]:
        raise ConfigError("demo --serve serves the demo over plain HTTP: set ARCHIVE_DEMO=1 "
                          "(never in production), or SECRET_KEY and serve with gunicorn.")
    upgrade()
    summary = load_demo(Path(current_app.config["MEDIA_ROOT"]))
    db.session.commit()
    click.echo(f"Demo archive: added {summary.collections} collections, {summary.items} items, "
               f"{summary.contributions} notes from the public.")
    for line in summary.users:
        click.echo(f"  demo login: {line}")
    if serve:
        from werkzeug.serving import run_simple

        click.echo(f"Serving on http://127.0.0.1:{port}/ — press Ctrl+C to stop.")
        # current_app is a LocalProxy, which Flask types as the Flask object it stands for.
        app = current_app._get_current_object()  # type: ignore[attr-defined]
        run_simple("127.0.0.1", port, app, threaded=True)


@click.command("import")
@click.argument("metadata", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--images", "images_dir", required=True,
              type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Folder holding the image files the CSV names.")
@click.option("--collection", "collection", default=None,
              help="Collection slug for rows whose collection cell is empty.")
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="Processes making derivatives (default: one per core).")
@with_appcontext
def import_command(metadata: Path, images_dir: Path, collection: str | None,
                   workers: int | None) -> None:
    """Import (or update) records from METADATA.csv and their images from --images."""
    from archive.images.processing import MAX_PIXELS
    from archive.ingest.importer import ImportFileError, run_import

    media_root = Path(current_app.config["MEDIA_ROOT"])
    bar = None

    def on_total(total: int) -> None:
        nonlocal bar
        bar = click.progressbar(length=total, label="Processing images",
                                file=sys.stderr)
        bar.__enter__()

    try:
        summary = run_import(metadata, images_dir, media_root, default_collection=collection,
                             workers=workers, on_total=on_total,
                             max_pixels=current_app.config.get("IMAGE_MAX_PIXELS") or MAX_PIXELS,
                             progress=lambda n: bar.update(n) if bar else None)
    except ImportFileError as exc:
        raise click.ClickException(f"{metadata}: {exc}") from exc
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)

    for error in summary.errors:
        who = f" ({error.identifier})" if error.identifier else ""
        click.echo(f"row {error.row}{who}: {error.reason}", err=True)
    click.echo(f"{summary.rows} rows: {summary.created} added, {summary.updated} updated, "
               f"{summary.unchanged} unchanged, {summary.failed} failed; "
               f"{summary.images_processed} images processed, "
               f"{summary.images_reused} already stored.")
    if summary.failed:
        raise click.exceptions.Exit(1)
