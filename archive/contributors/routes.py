"""Accounts for members of the public: register, and follow what became of one's notes.

An account is optional: anonymous notes stay possible. Contributors are not staff; they log in
through the same form.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from archive.auth.decorators import public, role_required
from archive.auth.services import UserError, as_sentence, create_user, start_session
from archive.contributors import bp
from archive.contributors.forms import RegistrationForm
from archive.extensions import db, limiter
from archive.forms import required_text
from archive.models import Contribution, Role, User


def _register_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(_register_limit, methods=["POST"])
@public
def register():
    if current_user.is_authenticated:
        return redirect(url_for("contributors.my_contributions"))
    form = RegistrationForm()
    if form.validate_on_submit():
        email = required_text(form.email).strip().lower()
        if db.session.scalar(sa.select(User.id).where(User.email == email)) is not None:
            form.email.errors.append(  # type: ignore[attr-defined]  # a list once validated
                _("An account with this email address already exists: log in instead."))
        else:
            try:
                user = create_user(email, required_text(form.password), Role.CONTRIBUTOR,
                                   display_name=required_text(form.display_name).strip())
            except UserError as error:
                db.session.rollback()  # a list once validated
                form.password.errors.append(as_sentence(str(error)))  # type: ignore[attr-defined]  # a list once validated
            else:
                db.session.commit()
                start_session(user)
                flash(_("Welcome! Your account is ready: notes you send while logged in are "
                        "listed on this page."), "success")
                return redirect(url_for("contributors.my_contributions"), code=303)
    status = 400 if form.is_submitted() else 200
    return render_template("contributors/register.html", form=form), status


@bp.get("/my/contributions")
@role_required(Role.CONTRIBUTOR)
def my_contributions():
    from archive.moderation.notify import rejection_text

    notes = list(db.session.scalars(
        sa.select(Contribution)
        .where(Contribution.submitted_by_id == current_user.id)
        .order_by(Contribution.created_at.desc(), Contribution.id.desc())
        .limit(500)
    ))
    reasons = {n.id: rejection_text(n) for n in notes if n.status.value == "rejected"}
    return render_template("contributors/my_contributions.html", notes=notes, reasons=reasons)
