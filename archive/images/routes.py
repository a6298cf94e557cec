"""Media files: originals and derivatives, served with long-lived caching."""

from __future__ import annotations

import mimetypes
import os
import re

from flask import Response, abort, current_app, request, send_from_directory, url_for

from archive.images import bp
from archive.images.processing import derivative_path, derivative_sizes
from archive.resources import resource

# Only the content-addressed names the app itself writes are served.
MEDIA_PATH = re.compile(
    r"^(originals/[0-9a-f]{2}/[0-9a-f]{2}/[0-9a-f]{64}\.(jpg|png|tif|webp|gif)"
    r"|derivatives/[0-9a-f]{2}/[0-9a-f]{2}/[0-9a-f]{64}-[1-9][0-9]{1,4}\.jpg)$"
)
ONE_YEAR = 365 * 24 * 3600


@bp.get("/media/<path:filename>")
def media(filename: str):
    if not MEDIA_PATH.fullmatch(filename):
        abort(404)
    root = os.path.realpath(current_app.config["MEDIA_ROOT"])
    # A symbolic link planted in the media folder must not reach files outside it.
    if os.path.commonpath([root, os.path.realpath(os.path.join(root, filename))]) != root:
        abort(404)
    accel_prefix = current_app.config.get("MEDIA_X_ACCEL_PREFIX")
    if accel_prefix:
        return _accel_redirect(accel_prefix, filename)
    response = send_from_directory(
        current_app.config["MEDIA_ROOT"], filename, max_age=ONE_YEAR, conditional=True, etag=True
    )
    # The name is the content's hash: the bytes behind this URL never change.
    response.cache_control.public = True
    response.cache_control.immutable = True
    return response


def _accel_redirect(prefix: str, filename: str):
    """Let nginx send the file (``X-Accel-Redirect`` to an ``internal`` location).

    The app still checks the name, answers revalidations itself and sets the caching headers,
    which nginx keeps; nginx only streams the bytes.
    """
    if not os.path.isfile(os.path.join(current_app.config["MEDIA_ROOT"], filename)):
        abort(404)
    etag = filename.rsplit("/", 1)[-1].split(".", 1)[0]  # the content hash (and size)
    if request.if_none_match.contains(etag):
        response = Response(status=304)
    else:
        response = Response(status=200, mimetype=mimetypes.guess_type(filename)[0]
                            or "application/octet-stream")
        response.headers["X-Accel-Redirect"] = prefix.rstrip("/") + "/" + filename
    response.set_etag(etag)
    response.cache_control.max_age = ONE_YEAR
    response.cache_control.public = True
    response.cache_control.immutable = True
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
def viewer_levels(image) -> list[dict]:
    """The derivatives of ``image`` as the levels of an image pyramid, smallest first."""
    return [{"url": url_for("images.media", filename=derivative_path(image.sha256, edge)),
             "width": w, "height": h}
            for edge, w, h in derivative_sizes(image.width, image.height)]
