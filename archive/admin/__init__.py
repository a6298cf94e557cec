"""Administration: staff accounts and their roles, and the institutions sharing the site."""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

from archive.admin import institutions, routes  # noqa: E402,F401  (registers the views)
