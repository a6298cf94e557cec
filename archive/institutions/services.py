"""Institutions and memberships: creating them, finding them, and whom they let do what.

Which institutions' records a staff member may work on is decided in :mod:`archive.scope`,
beside the scope every staff list, count and look-up filters through.
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from flask import current_app, g

from archive.extensions import db
from archive.models import Institution, Membership, Role, User
from archive.scope import institution_ids_for

__all__ = ["institution_ids_for"]  # defined beside the scope it decides; imported from here too

SLUG = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,98}[a-z0-9])?")
STAFF_ROLES = (Role.ARCHIVIST, Role.CURATOR)


class InstitutionError(ValueError):
    """A request about institutions that cannot be carried out; the message says why."""


def slug_for(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:100] or "archive"


def institution_by_slug(slug: str) -> Institution | None:
    return db.session.scalar(sa.select(Institution).where(Institution.slug == slug))


def all_institutions() -> list[Institution]:
    return list(db.session.scalars(sa.select(Institution).order_by(Institution.name)))


def create_institution(slug: str, name: str, *, name_cy: str = "") -> Institution:
    slug = slug.strip().lower()
    name = name.strip()
    if not SLUG.fullmatch(slug):
        raise InstitutionError(f"{slug!r} is not a usable slug: lower-case letters, digits and "
                               "hyphens, at most 100")
    if not name:
        raise InstitutionError("an institution needs a name")
    if institution_by_slug(slug) is not None:
        raise InstitutionError(f"an institution with the slug {slug!r} exists already")
    institution = Institution(slug=slug, name=name[:300], name_cy=name_cy.strip()[:300])
    db.session.add(institution)
    db.session.flush()
    return institution


def default_institution() -> Institution:
    """The institution a new collection goes to when none is named.

    With none yet (a new installation), it is created from ``ARCHIVE_NAME``; with several, the
    caller must say which.
    """
    institutions = list(db.session.scalars(sa.select(Institution).limit(2)))
    if len(institutions) == 1:
        return institutions[0]
    if institutions:
        raise InstitutionError("this installation has several institutions: name one "
                               "(--institution SLUG)")
    name = current_app.config["ARCHIVE_NAME"]
    return create_institution(slug_for(name), name)


def resolve_institution(slug: str | None) -> Institution:
    """The institution a slug names, or the default one when no slug is given."""
    if not slug:
        return default_institution()
    institution = institution_by_slug(slug.strip().lower())
    if institution is None:
        raise InstitutionError(f"no institution has the slug {slug!r}")
    return institution


def grant(user: User, institution: Institution, role: Role) -> Membership:
    """Make ``user`` a member of ``institution`` in ``role`` (replacing a role held there)."""
    if role not in STAFF_ROLES:
        raise InstitutionError("staff at an institution are archivists or curators")
    membership = db.session.scalar(sa.select(Membership).where(
        Membership.user_id == user.id, Membership.institution_id == institution.id))
    if membership is None:
        membership = Membership(user_id=user.id, institution_id=institution.id, role=role)
        db.session.add(membership)
    else:
        membership.role = role
    db.session.flush()
    if user.role is not Role.ADMIN:
        # The staff pages open to anyone holding a role somewhere: the highest one decides.
        held = db.session.scalars(sa.select(Membership.role)
                                  .where(Membership.user_id == user.id)).all()
        user.role = max(held, key=lambda r: r.rank)
        db.session.flush()
    return membership


def leave_every_institution(user: User) -> None:
    """End every role ``user`` holds at an institution."""
    db.session.execute(sa.delete(Membership).where(Membership.user_id == user.id))
    db.session.flush()


def notes_licence(institution: Institution) -> tuple[str, str]:
    """(label, address) of the licence the institution publishes notes under: its own, else
    the site's (``CONTRIBUTION_LICENCE``)."""
    if institution.licence_label and institution.licence_uri:
        return institution.licence_label, institution.licence_uri
    return (current_app.config["CONTRIBUTION_LICENCE"],
            current_app.config["CONTRIBUTION_LICENCE_URL"])


def footer_licence(institution: Institution | None = None, *,
                   quiet: bool = False) -> tuple[str, str] | None:
    """(label, address) of the licence the page footer names for notes from the public.

    A page about one institution names that institution's licence. Any other page names the
    licence every institution shares (the site's own when none sets one), or None when they
    differ: each photograph's page then names its institution's licence. A ``quiet`` page (an
    error page, shown when the database may be failing) asks the database nothing: None.
    """
    if institution:  # (a template may pass an undefined value)
        return notes_licence(institution)
    if quiet:
        return None
    if "site_notes_licences" not in g:
        default = (current_app.config["CONTRIBUTION_LICENCE"],
                   current_app.config["CONTRIBUTION_LICENCE_URL"])
        rows = db.session.execute(sa.select(Institution.licence_label,
                                            Institution.licence_uri).distinct())
        g.site_notes_licences = {(label, uri) if label and uri else default
                                 for label, uri in rows}
    licences = g.site_notes_licences
    if len(licences) > 1:
        return None
    return next(iter(licences), (current_app.config["CONTRIBUTION_LICENCE"],
                                 current_app.config["CONTRIBUTION_LICENCE_URL"]))


def memberships_by_user() -> dict[int, list[Membership]]:
    """Every membership, by user id, each user's in the order of the institutions' names."""
    result: dict[int, list[Membership]] = {}
    for membership in db.session.scalars(
            sa.select(Membership).join(Institution).order_by(Institution.name)):
        result.setdefault(membership.user_id, []).append(membership)
    return result


