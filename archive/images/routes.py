"""Media files: derivatives for everyone while a record in public view shows them, originals
(with whatever metadata the camera wrote) and everything else for staff only.

Files are named after the SHA-256 of the original, but the right to see them is not fixed: a
curator may withdraw an item or remove an image from a record. Every request is therefore
checked against the database (the public sees the files of images shown by items in public
view; staff see every file), and caches may keep a file only for ``MEDIA_CACHE_SECONDS``
before asking again (a revalidation costs a 304, not the file).
"""

from __future__ import annotations

import mimetypes
import os
import re
import stat
from pathlib import Path

import sqlalchemy as sa
from flask import Response, abort, current_app, request, send_file, send_from_directory, url_for
from flask_login import current_user

from archive.extensions import db
from archive.images import bp
from archive.images.processing import (
    ImageError,
    derivative_path,
    derivative_sizes,
    full_size_path,
    make_full_size,
)
from archive.models import Image, Role
from archive.queries import image_in_public_view
from archive.resources import resource

# Only the content-addressed names the app itself writes are served.
MEDIA_PATH = re.compile(
    r"^(originals/[0-9a-f]{2}/[0-9a-f]{2}/(?P<original>[0-9a-f]{64})\.(jpg|png|tif|webp|gif)"
    r"|derivatives/[0-9a-f]{2}/[0-9a-f]{2}/(?P<derivative>[0-9a-f]{64})"
    r"-(?P<size>[1-9][0-9]{1,4}|full)\.jpg)$"
)


def open_media_file(relative: str):
    """The regular file ``relative`` names under MEDIA_ROOT, opened for reading, or None.

    Symbolic links are never followed, wherever they are below the media folder: the app
    writes none, so one found there was planted, and could lead anywhere (``/etc/passwd``).
    Each folder on the way is opened in turn with ``O_NOFOLLOW``, so a link swapped in after a
    check cannot be followed either.
    """
    parts = relative.split("/")
    if any(part in ("", ".", "..") for part in parts):
        return None
    nofollow = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        folder = os.open(os.path.realpath(current_app.config["MEDIA_ROOT"]),
                         os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return None
    try:
        for part in parts[:-1]:
            inner = os.open(part, nofollow | getattr(os, "O_DIRECTORY", 0), dir_fd=folder)
            os.close(folder)
            folder = inner
        fd = os.open(parts[-1], nofollow, dir_fd=folder)
    except OSError:  # missing, or a symbolic link (ELOOP), or not a folder
        return None
    finally:
        os.close(folder)
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        return None
    return os.fdopen(fd, "rb")


def viewer_is_staff() -> bool:
    return bool(current_user.is_authenticated and current_user.has_role(Role.ARCHIVIST))


def send_media(relative: str, *, public: bool, mimetype: str | None = None) -> Response:
    """Send the media file ``relative`` names (404 when there is none).

    ``public``: anyone may see it, so shared caches may keep it for ``MEDIA_CACHE_SECONDS``
    and must then revalidate. Otherwise only the member of staff asking may: nothing keeps it.
    """
    file = open_media_file(relative)
    if file is None:
        abort(404)
    mimetype = mimetype or mimetypes.guess_type(relative)[0] or "application/octet-stream"
    accel_prefix = current_app.config.get("MEDIA_X_ACCEL_PREFIX")
    if accel_prefix or current_app.config["USE_X_SENDFILE"]:
        file.close()  # the web server sends it (and follows no symbolic link either)
    if accel_prefix:
        response = _accel_redirect(accel_prefix, relative, mimetype)
    elif current_app.config["USE_X_SENDFILE"]:
        response = send_file(os.path.join(current_app.config["MEDIA_ROOT"], relative),
                             mimetype=mimetype, conditional=True, etag=True)
    else:
        # The file already opened (never a path opened again): what was checked is what is sent.
        info = os.fstat(file.fileno())
        response = send_file(file, mimetype=mimetype, conditional=True,
                             etag=f"{int(info.st_mtime)}-{info.st_size}-{_etag_name(relative)}",
                             last_modified=info.st_mtime)
    if public:
        response.cache_control.public = True
        response.cache_control.max_age = int(current_app.config["MEDIA_CACHE_SECONDS"])
        # Once stale, ask again: the item may have been withdrawn in the meantime.
        response.cache_control.must_revalidate = True
    else:
        response.cache_control.private = True
        response.cache_control.no_store = True
        response.vary.add("Cookie")
    return response


@bp.get("/media/<path:filename>")
def media(filename: str):
    match = MEDIA_PATH.fullmatch(filename)
    if match is None:
        abort(404)
    sha = match["original"] or match["derivative"]
    # Originals keep what the camera wrote (a GPS position, a caption): staff only. The public
    # has the derivatives, the full-size one included, of images items in public view show.
    if match["derivative"] and image_in_public_view(sha):
        public = True
    elif viewer_is_staff():  # originals, a withdrawn item's files, removed images
        public = False
    else:
        abort(404)
    if match["size"] == "full":
        _make_missing_full_size(sha)
    return send_media(filename, public=public)


def _make_missing_full_size(sha: str) -> None:
    """Images stored before full-size copies existed get theirs when first asked for."""
    existing = open_media_file(full_size_path(sha))
    if existing is not None:
        existing.close()
        return
    original = db.session.scalar(sa.select(Image.original_path).where(Image.sha256 == sha)
                                 .limit(1))
    file = open_media_file(original) if original else None
    if file is None:
        return  # nothing to make it from: a 404
    root = os.path.realpath(current_app.config["MEDIA_ROOT"])
    try:
        with file:  # the file opened without following links, not its name opened again
            make_full_size(file, Path(root) / full_size_path(sha),
                           decode_budget=current_app.config["IMAGE_DECODE_BUDGET"])
    except (ImageError, OSError, SyntaxError, ValueError):
        current_app.logger.warning("no full-size copy could be made of %s", original,
                                   exc_info=True)


def _etag_name(relative: str) -> str:
    return relative.rsplit("/", 1)[-1].split(".", 1)[0]  # the content hash (and size)


def _accel_redirect(prefix: str, filename: str, mimetype: str) -> Response:
    """Let nginx send the file (``X-Accel-Redirect`` to an ``internal`` location).

    The app still checks the name and who may see it, answers revalidations itself and sets
    the caching headers, which nginx keeps; nginx only streams the bytes.
    """
    etag = _etag_name(filename)
    if request.if_none_match.contains(etag):
        response = Response(status=304)
    else:
        response = Response(status=200, mimetype=mimetype)
        response.headers["X-Accel-Redirect"] = prefix.rstrip("/") + "/" + filename
    response.set_etag(etag)
    return response


# Third-party browser code installed by ``npm ci`` (never committed): served from node_modules
# in a checkout, from the copy a wheel carries once installed.
VENDOR_FILES = {
    "openseadragon": resource("vendor/openseadragon",
                              in_checkout="node_modules/openseadragon/build/openseadragon"),
}


@bp.get("/vendor/<package>/<path:filename>")
def vendor(package: str, filename: str):
    folder = VENDOR_FILES.get(package)
    if folder is None:
        abort(404)
    response = send_from_directory(folder, filename, max_age=24 * 3600, conditional=True)
    response.cache_control.public = True
    return response


@bp.app_template_global()
def full_size_url(image) -> str:
    """The public full-size copy of ``image`` (the original without its metadata)."""
    return url_for("images.media", filename=full_size_path(image.sha256))


@bp.app_template_global()
def viewer_levels(image) -> list[dict]:
    """The derivatives of ``image`` as the levels of an image pyramid, smallest first."""
    return [{"url": url_for("images.media", filename=derivative_path(image.sha256, edge)),
             "width": w, "height": h}
            for edge, w, h in derivative_sizes(image.width, image.height)]
