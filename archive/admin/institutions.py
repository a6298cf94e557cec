"""Platform administrators manage the institutions sharing the site, in the browser."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from archive.admin import bp
from archive.admin.forms import InstitutionForm, NewInstitutionForm
from archive.auth.decorators import role_required
from archive.catalogue.services import CatalogueError, store_upload
from archive.extensions import db
from archive.forms import required_text
from archive.http import accepts_uploads
from archive.institutions.services import (
    InstitutionError,
    all_institutions,
    create_institution,
    institution_by_slug,
)
from archive.models import Institution, Role

PROFILE_FIELDS = ("name", "name_cy", "description", "description_cy", "website",
                  "contact_email", "accent_colour", "licence_label", "licence_uri",
                  "rejection_reasons", "standing_questions")


def _list_page(form: NewInstitutionForm, status: int = 200):
    return render_template("admin/institutions.html", institutions=all_institutions(),
                           form=form), status


@bp.get("/institutions")
@role_required(Role.ADMIN)
def institutions():
    return _list_page(NewInstitutionForm())


@bp.post("/institutions")
@role_required(Role.ADMIN)
def create_institution_page():
    form = NewInstitutionForm()
    if not form.validate_on_submit():
        return _list_page(form, 400)
    try:
        institution = create_institution(required_text(form.slug), required_text(form.name),
                                         name_cy=form.name_cy.data or "")
    except InstitutionError as error:
        db.session.rollback()
        form.slug.errors.append(str(error))  # type: ignore[attr-defined]  # a list once validated
        return _list_page(form, 400)
    db.session.commit()
    flash(_("%(name)s is created: now give it its description, colour and logo.",
            name=institution.name), "success")
    return redirect(url_for("admin.edit_institution", slug=institution.slug), code=303)


def _store_logo(form: InstitutionForm) -> str | None:
    """The uploaded logo checked like any upload and stored; None when none was sent."""
    stored = store_upload(form.logo.data)
    return stored.thumb_path if stored is not None else None


@bp.route("/institutions/<slug>", methods=["GET", "POST"])
@role_required(Role.ADMIN)
@accepts_uploads
def edit_institution(slug: str):
    institution = institution_by_slug(slug)
    if institution is None:
        abort(404)
    form = InstitutionForm(obj=institution)
    status = 200
    if request.method == "POST":
        status = 400
        if form.validate_on_submit():
            try:
                logo = _store_logo(form)
            except CatalogueError as error:
                form.logo.errors = [_("This file cannot be used: %(problem)s. Nothing was "
                                      "saved; choose another file.", problem=str(error))]
            else:
                _save(institution, form, logo)
                db.session.commit()
                flash(_("Saved %(name)s.", name=institution.name), "success")
                return redirect(url_for("admin.edit_institution", slug=institution.slug),
                                code=303)
    return render_template("admin/institution.html", institution=institution,
                           form=form), status


def _save(institution: Institution, form: InstitutionForm, logo: str | None) -> None:
    for name in PROFILE_FIELDS:
        value = getattr(form, name).data or ""
        setattr(institution, name, value.strip() if name != "standing_questions" else value)
    institution.accent_colour = institution.accent_colour.lower()
    if logo is not None:
        institution.logo_path = logo
    elif form.remove_logo.data:
        institution.logo_path = ""
