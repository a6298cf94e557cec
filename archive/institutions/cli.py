"""``flask institutions``: the institutions sharing this installation."""

from __future__ import annotations

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from archive.extensions import db
from archive.institutions.services import InstitutionError, all_institutions, create_institution
from archive.models import Collection, Membership

institutions_cli = AppGroup("institutions", help="Manage the institutions sharing this site.")


@institutions_cli.command("create")
@click.argument("slug")
@click.option("--name", required=True, help="The institution's name, in English.")
@click.option("--name-cy", default="", help="Its name in Welsh, if it has one.")
def create(slug: str, name: str, name_cy: str) -> None:
    """Add an institution, known in addresses and commands by SLUG."""
    try:
        institution = create_institution(slug, name, name_cy=name_cy)
    except InstitutionError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
    db.session.commit()
    click.echo(f"Created institution {institution.slug} ({institution.name}).")


@institutions_cli.command("list")
def list_institutions() -> None:
    """List the institutions, with their collections and staff."""
    institutions = all_institutions()
    if not institutions:
        click.echo("No institutions yet. Create one with: "
                   "flask institutions create SLUG --name NAME")
        return
    collections: dict[int, int] = dict(db.session.execute(
            sa.select(Collection.institution_id, sa.func.count())
            .group_by(Collection.institution_id)).all())
    staff: dict[int, int] = dict(db.session.execute(
            sa.select(Membership.institution_id, sa.func.count())
            .group_by(Membership.institution_id)).all())
    click.echo(f"{'slug':<30} {'collections':>11} {'staff':>5}  name")
    for institution in institutions:
        click.echo(f"{institution.slug:<30} {collections.get(institution.id, 0):>11} "
                   f"{staff.get(institution.id, 0):>5}  {institution.name}")
