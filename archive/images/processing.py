"""Image processing: plain functions over Pillow and paths (no Flask app needed).

An original is stored unchanged under ``originals/``; its derivatives are JPEGs whose longest
edge is one of ``DERIVATIVE_EDGES`` (never larger than the original), written under
``derivatives/``. The thumbnail is the 400 px one, the display copy the 1600 px one, and the
whole set is what the IIIF level 0 image service lists as its ``sizes``. Every file is named
after the SHA-256 of the original, so identical scans are stored once and a URL always means
the same bytes.

The messages of :class:`ImageError` are in the page's language when a person uploads a file
(Flask-Babel's ``gettext``), and in English everywhere else (commands, no request).
"""

from __future__ import annotations

import hashlib
import io
import os
import secrets
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import cast

from flask_babel import gettext
from PIL import ExifTags, Image, ImageCms, ImageOps, UnidentifiedImageError

THUMB_SIZE = 400
DISPLAY_SIZE = 1600
DERIVATIVE_EDGES = (200, THUMB_SIZE, 800, DISPLAY_SIZE)
MAX_PIXELS = 180_000_000  # refuse decompression bombs beyond this many pixels
ACCEPTED_FORMATS = {"JPEG": "jpg", "PNG": "png", "TIFF": "tif", "WEBP": "webp", "GIF": "gif"}

Image.MAX_IMAGE_PIXELS = MAX_PIXELS

_SRGB = ImageCms.createProfile("sRGB")


class ImageError(ValueError):
    """The file is not an image we can accept. The message is fit to show a person."""


@dataclass(frozen=True)
class StoredImage:
    sha256: str
    original_path: str  # relative to the media root, with forward slashes
    thumb_path: str
    display_path: str
    media_type: str
    width: int
    height: int


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _shard(sha: str) -> str:
    return f"{sha[:2]}/{sha[2:4]}"


def derivative_path(sha: str, edge: int) -> str:
    return f"derivatives/{_shard(sha)}/{sha}-{edge}.jpg"


def scaled_size(width: int, height: int, edge: int) -> tuple[int, int]:
    """The size of a copy whose longest edge is ``edge`` (never upscaled)."""
    longest = max(width, height)
    if edge >= longest:
        return width, height
    factor = edge / longest
    return max(1, round(width * factor)), max(1, round(height * factor))


def derivative_edges(width: int, height: int) -> list[int]:
    """The longest edges of the derivatives made for an image of this size, smallest first."""
    return sorted({min(edge, max(width, height)) for edge in DERIVATIVE_EDGES})


def derivative_sizes(width: int, height: int) -> list[tuple[int, int, int]]:
    """``(edge, width, height)`` of every derivative: what a IIIF level 0 service lists."""
    return [(edge, *scaled_size(width, height, edge)) for edge in derivative_edges(width, height)]


def thumb_and_display_paths(sha: str, width: int, height: int) -> tuple[str, str]:
    longest = max(width, height)
    return (derivative_path(sha, min(THUMB_SIZE, longest)),
            derivative_path(sha, min(DISPLAY_SIZE, longest)))


def inspect_image(path: Path, *, decode: bool = True) -> tuple[str, int, int]:
    """Check that ``path`` is a whole, decodable image. Returns (format, width, height).

    With ``decode=False`` only the header is checked (the caller decodes it itself).
    """
    try:
        with Image.open(path) as im:
            fmt = im.format or ""
            if fmt == "MPO":  # a camera JPEG with extra pictures (depth map, preview) inside
                fmt = "JPEG"
            if fmt not in ACCEPTED_FORMATS:
                raise ImageError(
                    gettext("%(format)s files are not accepted; use JPEG, PNG or TIFF",
                            format=fmt) if fmt else
                    gettext("files of this type are not accepted; use JPEG, PNG or TIFF"))
            width, height = im.size
            if width * height > MAX_PIXELS:
                raise ImageError(gettext("the image is too large (%(width)dx%(height)d pixels)",
                                         width=width, height=height))
            if not decode:
                return fmt, width, height
            if fmt == "JPEG":  # decode at reduced scale: every byte is still read, in less memory
                im.draft("RGB", (DISPLAY_SIZE, DISPLAY_SIZE))
            im.load()  # decodes fully: catches truncated files
    except ImageError:
        raise
    except Image.DecompressionBombError as exc:
        raise ImageError(gettext("the image has too many pixels to be processed safely")) from exc
    except UnidentifiedImageError as exc:
        raise ImageError(gettext("the file is not an image")) from exc
    except (OSError, SyntaxError, ValueError) as exc:
        raise ImageError(gettext("the image could not be read (%(error)s)", error=exc)) from exc
    return fmt, width, height


def to_srgb(im: Image.Image) -> Image.Image:
    """An RGB image in sRGB, with orientation applied; embedded profiles are converted."""
    im = ImageOps.exif_transpose(im)
    icc = im.info.get("icc_profile")
    if im.mode in ("I;16", "I;16B", "I;16L", "I"):
        im = im.point(lambda v: v / 256).convert("L")
    if im.mode in ("RGBA", "LA", "P", "PA"):
        im = im.convert("RGBA")
        background = Image.new("RGBA", im.size, (255, 255, 255, 255))
        im = Image.alpha_composite(background, im)
    if icc:
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            mode = im.mode if im.mode in ("RGB", "CMYK", "L") else "RGB"
            if im.mode != mode:
                im = im.convert(mode)
            # A new image: profileToProfile() returns None only when converting in place.
            return cast(Image.Image, ImageCms.profileToProfile(im, source, _SRGB,
                                                               outputMode="RGB"))
        except (ImageCms.PyCMSError, OSError):
            pass  # a broken profile: fall back to a plain conversion
    return im.convert("RGB")


def make_derivative(im: Image.Image, size: tuple[int, int], destination: Path) -> None:
    if im.size == size:
        copy = im.copy()
    else:
        copy = im.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)
    copy.info.clear()  # Pillow re-saves some of it (e.g. JPEG comments) unless told not to
    _atomic_save(copy, destination)


def _temporary_sibling(destination: Path) -> Path:
    """A name of its own beside ``destination``, so concurrent writers never share one.

    (Not ``tempfile.mkstemp``: its files are private to their owner, and a web server running
    as another user could not serve them.)
    """
    destination.parent.mkdir(parents=True, exist_ok=True)
    return destination.with_name(f".{destination.name}.{secrets.token_hex(8)}.part")


def _atomic_save(im: Image.Image, destination: Path) -> None:
    tmp = _temporary_sibling(destination)
    try:
        # No exif=, no icc_profile=: derivatives carry no metadata (no GPS, no camera data).
        im.save(tmp, "JPEG", quality=85, optimize=True, progressive=True)
        os.replace(tmp, destination)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def store_image(source: Path, media_root: Path) -> StoredImage:
    """Validate ``source``, keep it unchanged as the original and make its derivatives.

    The image is decoded once, at reduced scale for JPEGs, and only when a derivative is
    missing; the original is kept only once it has decoded whole.
    """
    source = Path(source)
    fmt, _, _ = inspect_image(source, decode=False)
    sha = sha256_file(source)
    ext = ACCEPTED_FORMATS[fmt]
    original_rel = f"originals/{_shard(sha)}/{sha}.{ext}"

    rgb = None
    try:
        with Image.open(source) as im:
            width, height = im.size
            if im.getexif().get(ExifTags.Base.Orientation) in (5, 6, 7, 8):
                width, height = height, width  # what a viewer sees once orientation is applied
            missing = [(edge, w, h) for edge, w, h in derivative_sizes(width, height)
                       if not (media_root / derivative_path(sha, edge)).exists()]
            if missing or not (media_root / original_rel).exists():
                if fmt == "JPEG":
                    im.draft("RGB", (DISPLAY_SIZE, DISPLAY_SIZE))  # reduced scale: less memory
                rgb = to_srgb(im)  # decodes the whole file: catches truncated ones
    except Image.DecompressionBombError as exc:
        raise ImageError(gettext("the image has too many pixels to be processed safely")) from exc
    except (OSError, SyntaxError, ValueError) as exc:
        raise ImageError(gettext("the image could not be read (%(error)s)", error=exc)) from exc

    original = media_root / original_rel
    if not original.exists():
        tmp = _temporary_sibling(original)
        try:
            shutil.copyfile(source, tmp)
            os.replace(tmp, original)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise

    if rgb is not None and missing:
        if rgb.size != (width, height):  # decoded at reduced scale; keep proportions exact
            rgb = rgb.resize(scaled_size(width, height, max(rgb.size)),
                             Image.Resampling.LANCZOS)
        for edge, w, h in reversed(missing):
            make_derivative(rgb, (w, h), media_root / derivative_path(sha, edge))
    thumb_rel, display_rel = thumb_and_display_paths(sha, width, height)
    return StoredImage(
        sha256=sha,
        original_path=original_rel,
        thumb_path=thumb_rel,
        display_path=display_rel,
        media_type=Image.MIME.get(fmt, "application/octet-stream"),
        width=width,
        height=height,
    )
