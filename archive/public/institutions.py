"""The public pages of the institutions sharing the platform, and what the public's help has
added up to."""

from __future__ import annotations

import re

import sqlalchemy as sa
from flask import (
    abort,
    current_app,
    make_response,
    redirect,
    render_template,
    send_from_directory,
    url_for,
)

from archive.extensions import db
from archive.institutions.services import all_institutions, institution_by_slug
from archive.models import Institution, Item
from archive.public import bp
from archive.public.impact import impact
from archive.public.services import collections_with_counts, open_questions, recent_notes
from archive.scope import Scope

ACCENT = re.compile(r"#[0-9a-fA-F]{6}")


def _institution_or_404(slug: str) -> Institution:
    institution = institution_by_slug(slug)
    if institution is None:
        abort(404)
    return institution


@bp.get("/institutions/")
def institutions():
    institutions = all_institutions()
    return render_template("institutions/index.html", institutions=institutions,
                           figures={i.id: impact(Scope.of(i)) for i in institutions})


@bp.get("/institutions/<slug>")
def institution(slug: str):
    institution = _institution_or_404(slug)
    scope = Scope.of(institution)
    return render_template(
        "institutions/page.html", institution=institution,
        collections=collections_with_counts(scope), questions=open_questions(scope=scope),
        notes=recent_notes(scope=scope), figures=impact(scope))


@bp.get("/institutions/<slug>/items/<reference>")
def institution_item(slug: str, reference: str):
    """A photograph by its institution's own reference: the address a catalogue can link to
    knowing only its own numbers. It leads to the photograph's page."""
    institution = _institution_or_404(slug)
    identifier = db.session.scalar(sa.select(Item.identifier).where(
        Item.institution_id == institution.id, Item.reference == reference))
    if identifier is None:
        abort(404)
    return redirect(url_for("public.item", identifier=identifier), code=301)


@bp.get("/institutions/<slug>/impact")
def institution_impact(slug: str):
    institution = _institution_or_404(slug)
    return render_template("institutions/impact.html", institution=institution,
                           figures=impact(Scope.of(institution)))


@bp.get("/impact")
def platform_impact():
    institutions = all_institutions()
    return render_template("institutions/impact.html", institution=None, figures=impact(),
                           institutions=institutions,
                           by_institution={i.id: impact(Scope.of(i)) for i in institutions})


@bp.get("/institutions/theme.css")
def institution_theme():
    """Each institution's accent colour, for the pages that wear it (inline styles are not
    allowed by the site's content security policy)."""
    rules = [f'[data-institution="{i.slug}"] {{ --accent: {i.accent_colour}; }}'
             for i in all_institutions() if ACCENT.fullmatch(i.accent_colour)]
    response = make_response("\n".join(rules) + "\n")
    response.mimetype = "text/css"
    response.cache_control.public = True
    response.cache_control.max_age = 300
    return response


@bp.get("/institutions/<slug>/logo")
def institution_logo(slug: str):
    institution = _institution_or_404(slug)
    if not institution.logo_path:
        abort(404)
    response = send_from_directory(current_app.config["MEDIA_ROOT"], institution.logo_path,
                                   max_age=3600)
    return response
