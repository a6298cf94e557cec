from flask import Blueprint

bp = Blueprint("images", __name__)

from archive.images import routes  # noqa: E402,F401
