from flask import Blueprint

bp = Blueprint("curation", __name__, url_prefix="/curation")

from archive.curation import routes  # noqa: E402,F401
