"""Accounts for members of the public: register, and follow what became of one's notes.

An account is optional: anonymous notes stay possible. Contributors are not staff; they log in
through the same form.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import exc as sa_exc

from archive.auth.decorators import public, role_required
from archive.auth.services import (
    CONFIRMATION_DAYS,
    UserError,
    as_sentence,
    confirm_account,
    start_session,
)
from archive.contributors import bp
from archive.contributors.forms import RegistrationForm
from archive.contributors.services import register as register_account
from archive.extensions import db, limiter
from archive.forms import required_text
from archive.models import Contribution, Role


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
        try:
            register_account(required_text(form.email), required_text(form.password),
                             required_text(form.display_name))
        except UserError as error:
            db.session.rollback()
            form.password.errors.append(as_sentence(str(error)))  # type: ignore[attr-defined]  # a list once validated
        except sa_exc.IntegrityError:
            # The same new address registered twice at the same moment: the other request
            # opened it and sent its link; this one answers as every registration does.
            db.session.rollback()
            return redirect(url_for("contributors.registration_sent"), code=303)
        else:
            db.session.commit()
            # The same answer whatever the address: whether it has an account is told only
            # to its owner, by email.
            return redirect(url_for("contributors.registration_sent"), code=303)
    status = 400 if form.is_submitted() else 200
    return render_template("contributors/register.html", form=form), status


@bp.get("/register/sent")
@public
def registration_sent():
    return render_template("contributors/register_sent.html", days=CONFIRMATION_DAYS)


@bp.get("/register/confirm")
@public
def confirm():
    """The link in the email: opens the account and logs its owner in."""
    user = confirm_account(request.args.get("token", ""))
    if user is None:
        db.session.rollback()
        return render_template("contributors/confirm_failed.html", days=CONFIRMATION_DAYS), 400
    db.session.commit()
    start_session(user)
    flash(_("Welcome! Your account is ready: notes you send while logged in are listed on "
            "this page."), "success")
    return redirect(url_for("contributors.my_contributions"), code=303)


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
