"""``flask demo``: load the demo archive, and serve it for trying the app locally."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_migrate import upgrade

from archive.extensions import db
from archive.text import counted


@click.command("demo")
@click.option("--serve", is_flag=True,
              help="Then serve the app on http://127.0.0.1:5000 (for trying it locally).")
@click.option("--port", default=5000, show_default=True)
@with_appcontext
def demo_command(serve: bool, port: int) -> None:
    """Create or upgrade the database and load the demo archive (idempotent)."""
    from archive.config import ConfigError
    from archive.demo.loader import load_demo

    if serve and current_app.config["SECRET_KEY_IS_EPHEMERAL"]:
        raise ConfigError("demo --serve serves the demo over plain HTTP: set ARCHIVE_DEMO=1 "
                          "(never in production), or SECRET_KEY and serve with gunicorn.")
    upgrade()
    summary = load_demo(Path(current_app.config["MEDIA_ROOT"]))
    db.session.commit()
    click.echo(f"Demo archive: added {counted(summary.collections, 'collection')}, "
               f"{counted(summary.items, 'item')}, "
               f"{counted(summary.contributions, 'note')} from the public.")
    for line in summary.users:
        click.echo(f"  demo login: {line}")
    if serve:
        from werkzeug.serving import run_simple

        click.echo(f"Serving on http://127.0.0.1:{port}/ — press Ctrl+C to stop.")
        # current_app is a LocalProxy, which Flask types as the Flask object it stands for.
        app = current_app._get_current_object()  # type: ignore[attr-defined]
        run_simple("127.0.0.1", port, app, threaded=True)
