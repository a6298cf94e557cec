"""Administration: staff accounts and their roles."""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

from archive.admin import routes  # noqa: E402,F401
