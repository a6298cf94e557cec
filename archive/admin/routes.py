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
from archive.models import Role, User


def _page(new_form: NewAccountForm, status: int = 200):
    users = all_users()
    forms = {u.id: AccountForm(prefix=f"u{u.id}", obj=u, role=u.role.value) for u in users}
    return render_template("admin/users.html", users=users, forms=forms,
                           new_form=new_form), status


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
        changed = update_account(user, role=Role(form.role.data), active=form.active.data,
                                 display_name=required_text(form.display_name),
                                 acting_admin=current_user)
    except UserError as error:
        db.session.rollback()
        flash(str(error), "warning")
        return redirect(url_for("admin.users"), code=303)
    db.session.commit()
    flash(_("Saved %(email)s.", email=user.email) if changed
          else _("Nothing changed for %(email)s.", email=user.email),
          "success" if changed else "info")
    return redirect(url_for("admin.users"), code=303)
