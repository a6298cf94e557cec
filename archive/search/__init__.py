"""Full-text search, a random photograph and the most viewed list."""

from flask import Blueprint

bp = Blueprint("search", __name__)

from archive.search import indexing, routes  # noqa: E402,F401
