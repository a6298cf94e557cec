from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, logout_user

from archive.auth import bp
from archive.auth.decorators import role_required
from archive.auth.forms import LoginForm, LogoutForm
from archive.auth.services import authenticate, end_sessions, start_session
from archive.extensions import db, limiter
from archive.forms import required_text
from archive.http import safe_next_url
from archive.models import Role


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _landing_page() -> str:
    """Staff start at the moderation queue; contributors at their own notes."""
    if current_user.is_authenticated and current_user.has_role(Role.ARCHIVIST):
        return url_for("moderation.queue")
    return url_for("contributors.my_contributions")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(_landing_page())
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(required_text(form.email), required_text(form.password))
        if user is not None:
            start_session(user, remember=bool(form.remember.data))
            return redirect(safe_next_url(request.args.get("next")) or _landing_page(), code=303)
        form.password.errors.append(  # type: ignore[attr-defined]  # a list once validated
            _("The email or password is not right."))
        return render_template("auth/login.html", form=form), 401
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
@role_required(Role.CONTRIBUTOR)  # anyone logged in
def logout():
    if LogoutForm().validate_on_submit():
        # The token in the session's user id is replaced, so a copy of this session cookie
        # (or of the remember-me cookie) no longer logs anyone in.
        end_sessions(current_user._get_current_object())
        db.session.commit()
        logout_user()
        flash(_("You have logged out."), "info")
    return redirect(url_for("public.home"), code=303)
