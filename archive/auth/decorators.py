from __future__ import annotations

from functools import wraps

from flask import abort
from flask_login import current_user

from archive.extensions import login_manager
from archive.models import Role


def role_required(role: Role):
    """Allow the view to users holding ``role`` or a higher one; others get login or 403."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not current_user.has_role(role):
                abort(403)
            return view(*args, **kwargs)

        wrapped.required_role = role  # type: ignore[attr-defined]  # a mark tests read
        return wrapped

    return decorator


def public(view):
    """Mark a view as open to everyone, on purpose (the authorisation tests read the mark)."""
    view.is_public = True
    return view
