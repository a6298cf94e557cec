"""Filters and globals the templates use to display values (never to query)."""

from __future__ import annotations

from datetime import datetime

from flask import Flask, url_for
from flask_babel import format_date as babel_format_date
from flask_babel import format_datetime as babel_format_datetime
from flask_babel import gettext


def format_date(value: datetime | None) -> str:
    """``3 May 2026`` (``3 Mai 2026`` in Welsh): how credits and decisions are dated."""
    if value is None:
        return ""
    return babel_format_date(value, "d MMMM y")


def format_datetime(value: datetime | None) -> str:
    if value is None:
        return ""
    return babel_format_datetime(value, "d MMM y, HH:mm") + " UTC"


def format_credit(value: str | None) -> str:
    """A note's credit as shown: the contributor's own name as given, or the anonymous credit
    in the page's language (exports and annotations keep the stored English)."""
    from archive.models.contribution import ANONYMOUS_CREDIT

    if value == ANONYMOUS_CREDIT:
        return gettext("Anonymous contributor")
    return value or ""


def media_url(path: str | None) -> str:
    return url_for("images.media", filename=path) if path else ""


def register(app: Flask) -> None:
    app.add_template_filter(format_date, "date")
    app.add_template_filter(format_datetime, "datetime")
    app.add_template_filter(format_credit, "credit")
    app.add_template_global(media_url)

    @app.context_processor
    def archive_settings():
        from archive.models import Role

        return {
            "archive_name": app.config["ARCHIVE_NAME"],
            "Role": Role,
        }
