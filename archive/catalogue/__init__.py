"""Curators create and edit catalogue records and upload their images."""

from flask import Blueprint

bp = Blueprint("catalogue", __name__)

from archive.catalogue import routes  # noqa: E402,F401
