from __future__ import annotations

import click
from flask.cli import with_appcontext

from archive.extensions import db
from archive.text import counted


@click.group("search")
def search_cli() -> None:
    """Search index maintenance."""


@search_cli.command("rebuild")
@with_appcontext
def rebuild_command() -> None:
    """Recompute every item's search document (the database index follows it)."""
    from archive.search.indexing import rebuild_all

    count = rebuild_all(db.session())  # the Session itself, not its scoped proxy
    db.session.commit()
    click.echo(f"Search documents checked for {counted(count, 'item')}.")
