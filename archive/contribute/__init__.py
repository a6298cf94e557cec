from flask import Blueprint

bp = Blueprint("contribute", __name__)

from archive.contribute import routes  # noqa: E402,F401
