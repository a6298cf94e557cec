"""Accounts for members of the public: register, and follow what became of one's notes."""

from flask import Blueprint

bp = Blueprint("contributors", __name__)

from archive.contributors import routes  # noqa: E402,F401
