"""How the app reads requests: a small body limit everywhere, the large one where files come in."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar
from urllib.parse import urlsplit

from flask import Request, current_app

View = TypeVar("View", bound=Callable)


def accepts_uploads(view: View) -> View:
    """Mark a view whose form carries files: its body may reach ``MAX_CONTENT_LENGTH``."""
    view.accepts_uploads = True  # type: ignore[attr-defined]
    return view


class ArchiveRequest(Request):
    """A request whose body is limited to ``MAX_FORM_BYTES`` unless its view takes uploads.

    Werkzeug parses an urlencoded form whole, whatever its size below ``MAX_CONTENT_LENGTH``
    (its per-field memory limit applies to multipart forms only), so without this a 10 MB note
    would be read, parsed and only then refused by the form. Over the limit, the body is not
    read at all and the visitor gets the friendly 413 page, on every route.
    """

    @property
    def max_content_length(self) -> int | None:
        limit = Request.max_content_length.fget(self)  # type: ignore[attr-defined]
        if self._max_content_length is not None or not current_app or self.url_rule is None:
            return limit
        view = current_app.view_functions.get(self.url_rule.endpoint)
        if getattr(view, "accepts_uploads", False):
            return limit
        form_limit = current_app.config["MAX_FORM_BYTES"]
        return form_limit if limit is None else min(limit, form_limit)

    @max_content_length.setter
    def max_content_length(self, value: int | None) -> None:
        self._max_content_length = value


def safe_next_url(target: str | None) -> str | None:
    """Only local paths: never send a person off-site after logging in."""
    if not target:
        return None
    # Browsers read a backslash as "/" and drop tabs and line breaks, so a path such as
    # "/<backslash>evil.example" or "/<tab>/evil.example" would lead off-site.
    if "\\" in target or any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target
