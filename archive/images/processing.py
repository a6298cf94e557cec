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
from typing import BinaryIO, cast

from flask_babel import gettext
from PIL import ExifTags, Image, ImageCms, ImageOps, UnidentifiedImageError

THUMB_SIZE = 400
DISPLAY_SIZE = 1600
DERIVATIVE_EDGES = (200, THUMB_SIZE, 800, DISPLAY_SIZE)
MAX_PIXELS = 180_000_000  # refuse decompression bombs beyond this many pixels
# The most memory one image may take once decoded, in bytes (see ``decoded_bytes``): a small
# file can hold a huge picture (a flat 13,000 x 13,000 PNG is 657 KB), and decoding it costs its
# full size. Processing one image takes at most about twice this.
DECODE_BUDGET = 512 * 1024 * 1024
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


def full_size_path(sha: str) -> str:
    """The public full-size copy: the original's pixels without its metadata (see
    :func:`make_full_size`). The original itself is for staff only."""
    return f"derivatives/{_shard(sha)}/{sha}-full.jpg"


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


def decoded_bytes(im: Image.Image) -> int:
    """The memory ``im`` takes once decoded, at the size it will be decoded at: Pillow keeps
    one byte a pixel for greyscale and bilevel images and four for every other mode (RGB
    included), and a palette image is turned into colour to be processed."""
    width, height = im.size
    return width * height * (1 if im.mode in ("1", "L") else 4)


def check_decode_budget(im: Image.Image, budget: int) -> None:
    """Refuse, from its header alone, an image whose decoding would take more than
    ``budget`` bytes."""
    needed = decoded_bytes(im)
    if needed > budget:
        width, height = im.size
        raise ImageError(gettext(
            "the image is too large to process (%(width)dx%(height)d pixels would take "
            "%(needed)s MiB of memory; the limit is %(limit)s MiB)",
            width=width, height=height, needed=f"{needed / 2**20:,.0f}",
            limit=f"{budget / 2**20:,.0f}"))


def inspect_image(path: Path, *, decode: bool = True,
                  decode_budget: int = DECODE_BUDGET) -> tuple[str, int, int]:
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
            if fmt == "JPEG":  # decode at reduced scale: every byte is still read, in less memory
                im.draft("RGB", (DISPLAY_SIZE, DISPLAY_SIZE))
            check_decode_budget(im, decode_budget)
            if not decode:
                return fmt, width, height
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
    """An RGB image in sRGB, with orientation applied; embedded profiles are converted.

    ``im`` itself is changed (turned upright) and may be returned: no full-size copy is made
    that the result does not need.
    """
    ImageOps.exif_transpose(im, in_place=True)
    icc = im.info.get("icc_profile")
    if im.mode in ("I;16", "I;16B", "I;16L", "I"):
        im = im.point(lambda v: v / 256).convert("L")
    if im.mode in ("RGBA", "LA", "PA") or (im.mode == "P" and "transparency" in im.info):
        im = _on_white(im if im.mode == "RGBA" else im.convert("RGBA"))
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
    return im if im.mode == "RGB" else im.convert("RGB")


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


# --- the public full-size copy ---------------------------------------------------------------
#
# What a camera or scanner writes beside the pixels can say where and when a photograph was
# taken (GPS position, dates, serial numbers), who took it, and anything typed in a caption or
# comment. The public full-size copy keeps the pixels, their orientation and their colour
# profile, and nothing else. A JPEG is copied segment by segment, without decoding (no loss, and
# memory that does not grow with the scan); other formats are decoded once and saved as JPEG.

_JPEG_SOI, _JPEG_EOI, _JPEG_SOS = 0xD8, 0xD9, 0xDA
# Metadata segments kept: JFIF (without its thumbnail), the ICC profile, Adobe's colour transform.
_KEPT_SEGMENTS = {0xE0: b"JFIF\0", 0xE2: b"ICC_PROFILE\0", 0xEE: b"Adobe"}
_CHUNK = 1 << 20


def make_full_size(original: Path | BinaryIO, destination: Path, *,
                   decode_budget: int = DECODE_BUDGET) -> None:
    """Write the public full-size copy of ``original`` (a path or an open file): its pixels at
    full size, oriented as a viewer shows them, with its ICC profile, and without EXIF, GPS, XMP,
    IPTC or comments. Only formats other than JPEG are decoded, within ``decode_budget``."""
    if isinstance(original, (str, Path)):
        with open(original, "rb") as fh:
            return make_full_size(fh, destination, decode_budget=decode_budget)
    with Image.open(original) as im:
        fmt = im.format
        if fmt in ("JPEG", "MPO"):
            orientation = im.getexif().get(ExifTags.Base.Orientation, 1)
        else:  # (a PNG's EXIF may follow its pixels: reading it would decode them all)
            check_decode_budget(im, decode_budget)
            orientation = 1  # applied to the pixels when decoded
    original.seek(0)
    tmp = _temporary_sibling(destination)
    try:
        if fmt in ("JPEG", "MPO"):
            with open(tmp, "wb") as dst:
                _copy_jpeg_without_metadata(original, dst, orientation)
        else:
            _save_full_size(original, tmp)
        os.replace(tmp, destination)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _orientation_segment(orientation: int) -> bytes:
    """An APP1 segment holding only the EXIF orientation (1 needs none)."""
    if orientation not in range(2, 9):
        return b""
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = orientation
    data = exif.tobytes()
    return b"\xff\xe1" + (len(data) + 2).to_bytes(2, "big") + data


def _copy_jpeg_without_metadata(src, dst, orientation: int) -> None:
    """Copy a JPEG's image segments, dropping every metadata segment but those kept.

    Everything after the first image's end is dropped too: the extra pictures of a camera's
    MPO file (each with its own EXIF) and anything appended to the file.
    """
    unreadable = ImageError(gettext("the image could not be read (%(error)s)",
                                    error="truncated JPEG"))
    if src.read(2) != b"\xff\xd8":
        raise unreadable
    dst.write(b"\xff\xd8")
    pending_orientation = _orientation_segment(orientation)
    while True:
        byte = src.read(1)
        if byte != b"\xff":
            raise unreadable
        marker = src.read(1)
        while marker == b"\xff":  # fill bytes before a marker
            marker = src.read(1)
        if not marker:
            raise unreadable
        code = marker[0]
        if code == _JPEG_EOI:
            dst.write(b"\xff\xd9")
            return
        if code == 0x01 or 0xD0 <= code <= 0xD7:  # markers without a length
            dst.write(b"\xff" + marker)
            continue
        length_bytes = src.read(2)
        if len(length_bytes) != 2 or int.from_bytes(length_bytes, "big") < 2:
            raise unreadable
        payload = src.read(int.from_bytes(length_bytes, "big") - 2)
        if len(payload) != int.from_bytes(length_bytes, "big") - 2:
            raise unreadable
        if 0xE0 <= code <= 0xEF or code == 0xFE:  # APPn and comments
            signature = _KEPT_SEGMENTS.get(code)
            if signature is None or not payload.startswith(signature):
                continue
            if code == 0xE0:  # JFIF: no thumbnail (it would show the unrotated picture)
                payload = payload[:12] + b"\x00\x00"
            dst.write(b"\xff" + marker + (len(payload) + 2).to_bytes(2, "big") + payload)
            continue
        if pending_orientation:  # before the first image segment, after JFIF
            dst.write(pending_orientation)
            pending_orientation = b""
        dst.write(b"\xff" + marker + length_bytes + payload)
        if code == _JPEG_SOS:
            _copy_entropy_coded_data(src, dst, unreadable)


def _copy_entropy_coded_data(src, dst, unreadable: ImageError) -> None:
    """Copy the compressed data after a start-of-scan, leaving ``src`` at the next marker."""
    while True:
        start = src.tell()
        chunk = src.read(_CHUNK)
        if len(chunk) < 2:
            raise unreadable
        at = 0
        while True:
            found = chunk.find(b"\xff", at)
            if found == -1 or found == len(chunk) - 1:  # no marker here (or split across reads)
                end = len(chunk) if found == -1 else found
                dst.write(chunk[:end])
                src.seek(start + end)
                break
            following = chunk[found + 1]
            if following == 0x00 or 0xD0 <= following <= 0xD7 or following == 0xFF:
                at = found + 1 if following == 0xFF else found + 2  # data, restart, fill
                continue
            dst.write(chunk[:found])
            src.seek(start + found)
            return


def _save_full_size(original: BinaryIO, destination: Path) -> None:
    """Decode a PNG, TIFF, WebP or GIF, apply its orientation, save as JPEG with its profile.

    Transparent images are laid on white a strip at a time: the picture and its copy on white
    are the only full-size images held at once.
    """
    with Image.open(original) as im:
        im.load()
        ImageOps.exif_transpose(im, in_place=True)
        icc = im.info.get("icc_profile")
        picture: Image.Image = im
        if picture.mode in ("I;16", "I;16B", "I;16L", "I"):
            picture = picture.point(lambda v: v / 256).convert("L")
        if picture.mode in ("RGBA", "LA", "PA") or (picture.mode == "P"
                                                   and "transparency" in picture.info):
            picture = _on_white(picture if picture.mode == "RGBA" else picture.convert("RGBA"))
        elif picture.mode not in ("RGB", "L", "CMYK"):
            picture = picture.convert("RGB")
        picture.info.clear()  # Pillow would carry comments over unless told not to
        options = {"icc_profile": icc} if icc else {}
        # Not optimize=True: libjpeg would then hold every coefficient of the picture at once.
        picture.save(destination, "JPEG", quality=92, **options)


_STRIP_ROWS = 256


def _on_white(rgba: Image.Image) -> Image.Image:
    """``rgba`` laid on a white background, composed a strip of rows at a time."""
    width, height = rgba.size
    out = Image.new("RGB", rgba.size, (255, 255, 255))
    for top in range(0, height, _STRIP_ROWS):
        box = (0, top, width, min(height, top + _STRIP_ROWS))
        strip = rgba.crop(box)
        out.paste(strip.convert("RGB"), box, strip)
    return out


def _reduced(im: Image.Image) -> Image.Image:
    """A decoded image shrunk by a whole factor before colour work, when it is far larger
    than the largest derivative: the colour conversions then never copy the full size. (The
    derivatives are resized from it with Lanczos, from at least twice their size.)"""
    factor = max(im.size) // (2 * DISPLAY_SIZE)
    if factor < 2:
        return im
    if im.mode == "P":
        im = im.convert("RGBA" if "transparency" in im.info else "RGB")
    elif im.mode == "1":
        im = im.convert("L")
    elif im.mode.startswith("I;16"):
        im = im.convert("I")
    return im.reduce(factor)


def _decode_for_derivatives(source: Path, fmt: str, needed) -> tuple[int, int,
                                                                      Image.Image | None]:
    """(width, height) as a viewer sees the image, and its pixels in sRGB at the size the
    derivatives are made from, when ``needed(width, height)`` says there is work to do.

    Only the returned image outlives this function: the decoded full size is freed on return.
    """
    with Image.open(source) as im:
        width, height = im.size
        # What a viewer sees once orientation is applied. (Pillow reads a TIFF's
        # orientation itself, and gives its size already turned.)
        if fmt != "TIFF" and im.getexif().get(ExifTags.Base.Orientation) in (5, 6, 7, 8):
            width, height = height, width
        if not needed(width, height):
            return width, height, None
        if fmt == "JPEG":
            im.draft("RGB", (DISPLAY_SIZE, DISPLAY_SIZE))  # reduced scale: less memory
        im.load()  # decodes the whole file: catches truncated ones
        decoded = _reduced(im)
        if decoded is not im:
            im.close()  # the full size is no longer needed: free it now
        return width, height, to_srgb(decoded)


def store_image(source: Path, media_root: Path, *,
                decode_budget: int = DECODE_BUDGET) -> StoredImage:
    """Validate ``source``, keep it unchanged as the original and make its derivatives.

    The image is decoded once, at reduced scale for JPEGs, and only when a derivative is
    missing; the original is kept only once it has decoded whole. An image whose decoding
    would take more than ``decode_budget`` bytes is refused before it is decoded.
    """
    source = Path(source)
    fmt, _, _ = inspect_image(source, decode=False, decode_budget=decode_budget)
    sha = sha256_file(source)
    ext = ACCEPTED_FORMATS[fmt]
    original_rel = f"originals/{_shard(sha)}/{sha}.{ext}"

    def missing_sizes(w: int, h: int) -> list[tuple[int, int, int]]:
        return [(edge, dw, dh) for edge, dw, dh in derivative_sizes(w, h)
                if not (media_root / derivative_path(sha, edge)).exists()]

    try:
        width, height, rgb = _decode_for_derivatives(
            source, fmt, lambda w, h: bool(missing_sizes(w, h))
            or not (media_root / original_rel).exists())
    except Image.DecompressionBombError as exc:
        raise ImageError(gettext("the image has too many pixels to be processed safely")) from exc
    except (OSError, SyntaxError, ValueError) as exc:
        if isinstance(exc, ImageError):
            raise
        raise ImageError(gettext("the image could not be read (%(error)s)", error=exc)) from exc
    missing = missing_sizes(width, height)

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
    rgb = None  # the derivatives' pixels are no longer needed: decode the full size alone
    if not (media_root / full_size_path(sha)).exists():
        try:
            make_full_size(original, media_root / full_size_path(sha),
                           decode_budget=decode_budget)
        except (OSError, SyntaxError, ValueError) as exc:
            if isinstance(exc, ImageError):
                raise
            raise ImageError(gettext("the image could not be read (%(error)s)",
                                     error=exc)) from exc
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
