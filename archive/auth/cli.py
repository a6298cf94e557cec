from __future__ import annotations

import sys

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from archive.auth.services import UserError, create_user, promote_to_admin, set_password
from archive.extensions import db
from archive.institutions.services import (
    STAFF_ROLES,
    InstitutionError,
    grant,
    resolve_institution,
)
from archive.models import Role, User

users_cli = AppGroup("users", help="Manage staff accounts.")


@users_cli.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--institution", "institution_slug", default=None,
              help="For an archivist or curator: the institution they work for (needed when "
                   "the site has several).")
@click.option("--name", "display_name", default="", help="Name shown in the audit log.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def create(email: str, role: str, institution_slug: str | None, display_name: str,
           password_stdin: bool) -> None:
    """Create an account. Asks for the password unless --password-stdin is given.

    Archivists and curators hold their role at an institution; an admin runs the whole
    platform and belongs to none.
    """
    wanted = Role(role)
    if institution_slug and wanted not in STAFF_ROLES:
        raise click.UsageError(f"--institution is for archivists and curators, not {role}s")
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user = create_user(email, password, wanted, display_name)
        where = ""
        if wanted in STAFF_ROLES:
            institution = resolve_institution(institution_slug)
            grant(user, institution, wanted)
            where = f" at {institution.slug}"
    except (UserError, InstitutionError) as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(f"Created {user.role.value} {user.email}{where} (id {user.id}).")


@users_cli.command("grant")
@click.argument("email")
@click.option("--institution", "institution_slug", required=True)
@click.option("--role", type=click.Choice([r.value for r in STAFF_ROLES]), required=True)
def grant_command(email: str, institution_slug: str, role: str) -> None:
    """Give a user a role at an institution (an archivist here can be a curator there)."""
    user = db.session.scalar(sa.select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise click.ClickException(f"no user has the email {email}")
    try:
        institution = resolve_institution(institution_slug)
        grant(user, institution, Role(role))
    except InstitutionError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(f"{user.email} is now {role} at {institution.slug}.")


@users_cli.command("promote")
@click.argument("email")
def promote_command(email: str) -> None:
    """Make an account an active administrator: the way back in when none is left.

    Works on an existing account (a demoted or deactivated administrator, say); to start
    from nothing, use `users create EMAIL --role admin`. The account logs in again.
    """
    user = db.session.scalar(sa.select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise click.ClickException(f"no user has the email {email}; create one with: "
                                   f"flask users create {email} --role admin")
    if not promote_to_admin(user):
        click.echo(f"{user.email} is already an active administrator.")
        return
    db.session.commit()
    click.echo(f"{user.email} is now an active administrator; they log in again.")


@users_cli.command("list")
def list_users() -> None:
    """List staff accounts."""
    users = db.session.scalars(sa.select(User).order_by(User.id)).all()
    if not users:
        click.echo("No users yet. Create one with: flask users create EMAIL --role admin")
        return
    click.echo(f"{'id':>4}  {'role':<10} {'active':<6} {'email':<40} name")
    for u in users:
        click.echo(f"{u.id:>4}  {u.role.value:<10} {'yes' if u.active else 'no':<6} "
                   f"{u.email:<40} {u.display_name}")


@users_cli.command("set-password")
@click.argument("email")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def set_password_command(email: str, password_stdin: bool) -> None:
    """Give a user a new password; every session they have open ends."""
    user = db.session.scalar(sa.select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise click.ClickException(f"no user has the email {email}")
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("New password", hide_input=True, confirmation_prompt=True)
    try:
        set_password(user, password)
    except UserError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(f"New password set for {user.email}; their other sessions have ended.")
