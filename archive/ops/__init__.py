"""Running the archive in production: health check, backups, privacy housekeeping."""

from flask import Blueprint

bp = Blueprint("ops", __name__)

from archive.ops import health  # noqa: E402,F401
