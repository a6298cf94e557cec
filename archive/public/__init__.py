from flask import Blueprint

bp = Blueprint("public", __name__)

from archive.public import institutions, routes  # noqa: E402,F401  (registers the views)
