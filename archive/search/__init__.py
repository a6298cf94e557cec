"""Full-text search, a random photograph and the most viewed list."""

from flask import Blueprint, Flask

bp = Blueprint("search", __name__)


def init_app(app: Flask) -> None:
    """Keep search text up to date at each commit of the app's session (see ``indexing``)."""
    from archive.search import indexing

    indexing.init_app(app)


from archive.search import routes  # noqa: E402,F401
