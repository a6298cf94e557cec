from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from archive.admin import bp
from archive.admin.forms import AccountForm, NewAccountForm
from archive.admin.services import all_users, update_account
from archive.auth.decorators import role_required
from archive.auth.services import UserError, as_sentence, create_user
from archive.extensions import db
from archive.forms import required_text
from archive.institutions.services import (
    STAFF_ROLES,
    InstitutionError,
    all_institutions,
    grant,
    leave_every_institution,
    memberships_by_user,
    resolve_institution,
)
from archive.models import Role, User


def _with_institutions(form, current: str = ""):
    """Offer the site's institutions; with one, it is the only choice and already chosen."""
    institutions = all_institutions()
    form.institution.choices = [("", "—")] if len(institutions) != 1 else []
    form.institution.choices += [(i.slug, i.name) for i in institutions]
    if not form.is_submitted():
        form.institution.data = current or (institutions[0].slug if len(institutions) == 1
                                            else "")
    return form


def _page(new_form: NewAccountForm, status: int = 200):
    users = all_users()
    memberships = memberships_by_user()
    forms = {u.id: _with_institutions(
        AccountForm(prefix=f"u{u.id}", obj=u, role=u.role.value),
        memberships[u.id][0].institution.slug if memberships.get(u.id) else "")
        for u in users}
    return render_template("admin/users.html", users=users, forms=forms,
                           memberships=memberships,
                           new_form=_with_institutions(new_form)), status


def _grant_where_chosen(user: User, role: Role, slug: str | None) -> None:
    """An archivist or a curator works for the chosen institution (the only one, if one)."""
    if role is Role.CONTRIBUTOR:
        leave_every_institution(user)  # no longer staff anywhere
    if role not in STAFF_ROLES:
        return
    if not slug and len(all_institutions()) > 1:
        raise InstitutionError(_("Choose the institution this archivist or curator works for."))
    grant(user, resolve_institution(slug), role)


@bp.get("/users")
@role_required(Role.ADMIN)
def users():
    return _page(NewAccountForm())


@bp.post("/users")
@role_required(Role.ADMIN)
def create():
    form = NewAccountForm()
    if form.validate_on_submit():
        try:
            user = create_user(required_text(form.email), required_text(form.password),
                               Role(form.role.data), required_text(form.display_name))
            _grant_where_chosen(user, user.role, form.institution.data)
        except InstitutionError as error:
            db.session.rollback()
            form.institution.errors.append(as_sentence(str(error)))  # type: ignore[attr-defined]  # a list once validated
        except UserError as error:
            db.session.rollback()
            form.password.errors.append(as_sentence(str(error)))  # type: ignore[attr-defined]  # a list once validated
        else:
            db.session.commit()
            flash(_("Account created for %(email)s (%(role)s).", email=user.email,
                    role=_(user.role.label)), "success")
            return redirect(url_for("admin.users"), code=303)
    form.password.data = ""  # never sent back to the browser
    return _page(form, 400)


@bp.post("/users/<int:user_id>")
@role_required(Role.ADMIN)
def update(user_id: int):
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    form = AccountForm(prefix=f"u{user.id}")
    if not form.validate_on_submit():
        flash(_("That change could not be read; please try again."), "error")
        return redirect(url_for("admin.users"), code=303)
    try:
        role = Role(form.role.data)
        changed = update_account(user, role=role, active=form.active.data,
                                 display_name=required_text(form.display_name),
                                 acting_admin=current_user)
        _grant_where_chosen(user, role, form.institution.data)
    except (UserError, InstitutionError) as error:
        db.session.rollback()
        flash(str(error), "warning")
        return redirect(url_for("admin.users"), code=303)
    db.session.commit()
    flash(_("Saved %(email)s.", email=user.email) if changed
          else _("Nothing changed for %(email)s.", email=user.email),
          "success" if changed else "info")
    return redirect(url_for("admin.users"), code=303)
