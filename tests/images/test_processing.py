"""Image processing: originals kept unchanged, clean sRGB derivatives, bad files refused."""

from __future__ import annotations

import hashlib
import os
import stat
import struct
from pathlib import Path

import pytest
from PIL import ExifTags, Image

from archive.images import processing
from archive.images.processing import (
    DISPLAY_SIZE,
    THUMB_SIZE,
    ImageError,
    derivative_path,
    derivative_sizes,
    store_image,
)

RED, BLUE, GREY = (200, 20, 20), (20, 20, 200), (128, 128, 128)


@pytest.fixture
def media_root(tmp_path) -> Path:
    return tmp_path / "media"


@pytest.fixture
def source_dir(tmp_path) -> Path:
    folder = tmp_path / "sources"
    folder.mkdir()
    return folder


def opened(media_root: Path, relative: str) -> Image.Image:
    """A derivative, fully loaded (the file is closed again at once)."""
    with Image.open(media_root / relative) as im:
        im.load()
        return im


def stored_files(media_root: Path) -> list[Path]:
    return sorted(p for p in media_root.rglob("*") if p.is_file()) if media_root.exists() else []


def near(actual, expected, tolerance=12) -> bool:
    return all(abs(a - e) <= tolerance for a, e in zip(actual, expected, strict=True))


# --- originals and derivatives ----------------------------------------------------------------


def test_original_is_kept_byte_identical_under_its_hash(source_dir, media_root):
    source = source_dir / "scan.jpg"
    Image.new("RGB", (2000, 1500), RED).save(source, "JPEG", quality=92)
    content = source.read_bytes()

    stored = store_image(source, media_root)

    sha = hashlib.sha256(content).hexdigest()
    assert stored.sha256 == sha
    assert stored.original_path == f"originals/{sha[:2]}/{sha[2:4]}/{sha}.jpg"
    assert (media_root / stored.original_path).read_bytes() == content
    assert stored.media_type == "image/jpeg"
    assert (stored.width, stored.height) == (2000, 1500)
    assert source.read_bytes() == content  # the uploaded file itself is left alone


def test_derivatives_are_rgb_jpegs_within_their_size_limits(source_dir, media_root):
    source = source_dir / "wide.png"
    Image.new("RGB", (2000, 1500), RED).save(source)

    stored = store_image(source, media_root)

    display = opened(media_root, stored.display_path)
    thumb = opened(media_root, stored.thumb_path)
    assert (display.format, display.mode, display.size) == ("JPEG", "RGB", (DISPLAY_SIZE, 1200))
    assert (thumb.format, thumb.mode, thumb.size) == ("JPEG", "RGB", (THUMB_SIZE, 300))
    assert near(display.getpixel((800, 600)), RED)
    assert stored.media_type == "image/png"
    assert stored.original_path.endswith(".png")


def test_small_images_are_not_enlarged(source_dir, media_root):
    source = source_dir / "small.jpg"
    Image.new("RGB", (300, 200), BLUE).save(source)

    stored = store_image(source, media_root)

    assert opened(media_root, stored.display_path).size == (300, 200)
    assert opened(media_root, stored.thumb_path).size == (300, 200)


def test_exif_orientation_is_applied_and_reported(source_dir, media_root):
    # Stored landscape, red on the left; the camera says "rotate 90° clockwise to view".
    picture = Image.new("RGB", (600, 400), RED)
    picture.paste(BLUE, (300, 0, 600, 400))
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    source = source_dir / "phone.jpg"
    picture.save(source, "JPEG", exif=exif)

    stored = store_image(source, media_root)

    assert (stored.width, stored.height) == (400, 600)
    display = opened(media_root, stored.display_path)
    assert display.size == (400, 600)
    assert near(display.getpixel((200, 100)), RED)  # the left half is now on top
    assert near(display.getpixel((200, 500)), BLUE)
    assert ExifTags.Base.Orientation not in display.getexif()  # not rotated twice by viewers
    assert opened(media_root, stored.thumb_path).size == (267, 400)


def test_derivatives_carry_no_metadata(source_dir, media_root):
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "SecretCam"
    exif[ExifTags.Base.Model] = "Model X"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (53.0, 47.0, 59.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "W"
    gps[ExifTags.GPS.GPSLongitude] = (1.0, 32.0, 58.0)
    source = source_dir / "located.jpg"
    Image.new("RGB", (500, 400), GREY).save(
        source,
        "JPEG",
        exif=exif,
        comment=b"home of J. Smith, 4 Elm Row",
        xmp=b"<x:xmpmeta><exif:GPSLatitude>53,47.98N</exif:GPSLatitude></x:xmpmeta>",
    )
    with Image.open(source) as original:  # the source really carries it all
        assert original.getexif().get_ifd(ExifTags.IFD.GPSInfo)
        assert original.info.get("comment")

    stored = store_image(source, media_root)

    for relative in (stored.display_path, stored.thumb_path):
        derivative = opened(media_root, relative)
        assert dict(derivative.getexif()) == {}
        assert not {"exif", "xmp", "comment", "icc_profile"} & set(derivative.info)
        raw = (media_root / relative).read_bytes()
        for secret in (b"SecretCam", b"Elm Row", b"GPSLatitude", b"Exif\x00"):
            assert secret not in raw


# --- the public full-size copy ------------------------------------------------------------------


def _located_exif(orientation: int = 1) -> Image.Exif:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "SecretCam"
    exif[ExifTags.Base.ImageDescription] = "Taken from 4 Elm Row, home of J. Smith"
    if orientation != 1:
        exif[ExifTags.Base.Orientation] = orientation
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (53.0, 47.0, 59.0)
    return exif


SECRETS = (b"SecretCam", b"Elm Row", b"GPSLatitude", b"J. Smith", b"Photoshop 3.0", b"MPF")


def _app13_iptc(payload: bytes) -> bytes:
    data = b"Photoshop 3.0\x00" + payload
    return b"\xff\xed" + (len(data) + 2).to_bytes(2, "big") + data


@pytest.mark.parametrize("progressive", [False, True])
def test_the_full_size_copy_of_a_jpeg_keeps_pixels_orientation_and_profile_only(
        source_dir, media_root, progressive):
    source = source_dir / "located.jpg"
    picture = Image.effect_noise((640, 480), 60).convert("RGB")
    picture.paste(BLUE, (0, 0, 320, 480))  # left half blue
    icc = _linear_rgb_icc_profile()
    picture.save(source, "JPEG", exif=_located_exif(orientation=6), icc_profile=icc,
                 comment=b"home of J. Smith, 4 Elm Row", progressive=progressive,
                 xmp=b"<x:xmpmeta><exif:GPSLatitude>53,47.98N</exif:GPSLatitude></x:xmpmeta>")
    data = source.read_bytes()  # an IPTC block (APP13) too, and bytes appended after the end
    source.write_bytes(data[:2] + _app13_iptc(b"J. Smith") + data[2:] + b"MPF J. Smith")

    stored = store_image(source, media_root)
    full = media_root / processing.full_size_path(stored.sha256)

    raw = full.read_bytes()
    for secret in SECRETS:
        assert secret not in raw
    with Image.open(full) as copy, Image.open(source) as original:
        assert dict(copy.getexif()) == {ExifTags.Base.Orientation: 6}
        assert copy.info["icc_profile"] == icc
        assert not {"comment", "xmp", "photoshop"} & set(copy.info)
        assert copy.tobytes() == original.tobytes()  # not re-encoded: the very same pixels
        from PIL import ImageOps

        shown = ImageOps.exif_transpose(copy)
        assert shown.size == (stored.width, stored.height) == (480, 640)
        assert near(shown.getpixel((240, 20)), BLUE, tolerance=40)  # left half now on top


@pytest.mark.parametrize("fmt", ["PNG", "TIFF", "WEBP"])
def test_the_full_size_copy_of_other_formats_is_an_oriented_jpeg_with_the_profile(
        source_dir, media_root, fmt):
    source = source_dir / f"located.{fmt.lower()}"
    picture = Image.new("RGB", (300, 200), RED)
    picture.paste(BLUE, (0, 0, 150, 200))
    icc = _linear_rgb_icc_profile()
    options = {"exif": _located_exif(orientation=8), "icc_profile": icc}
    if fmt == "PNG":
        from PIL import PngImagePlugin

        text = PngImagePlugin.PngInfo()
        text.add_text("Comment", "home of J. Smith, 4 Elm Row")
        text.add_itxt("XML:com.adobe.xmp", "<exif:GPSLatitude>53N</exif:GPSLatitude>")
        options["pnginfo"] = text
    picture.save(source, fmt, **options)

    stored = store_image(source, media_root)
    full = media_root / processing.full_size_path(stored.sha256)

    raw = full.read_bytes()
    for secret in SECRETS:
        assert secret not in raw
    with Image.open(full) as copy:
        assert copy.format == "JPEG"
        assert dict(copy.getexif()) == {}  # orientation applied to the pixels themselves
        assert copy.info["icc_profile"] == icc
        assert copy.size == (stored.width, stored.height) == (200, 300)
        assert near(copy.getpixel((100, 290)), BLUE)  # rotated: the left half is at the bottom


def test_a_truncated_jpeg_gets_no_full_size_copy(source_dir, media_root):
    source = source_dir / "whole.jpg"
    Image.effect_noise((400, 300), 60).convert("RGB").save(source)
    target = media_root / "copy.jpg"
    media_root.mkdir()
    cut = source_dir / "cut.jpg"
    cut.write_bytes(source.read_bytes()[:2000])

    with pytest.raises(ImageError):
        processing.make_full_size(cut, target)
    assert list(media_root.iterdir()) == []


def _cmyk_jpeg(path):
    Image.new("CMYK", (120, 80), (0, 255, 255, 0)).save(path, "JPEG")


def _cmyk_tiff(path):
    Image.new("CMYK", (120, 80), (0, 255, 255, 0)).save(path, "TIFF")


def _rgba_png(path):
    im = Image.new("RGBA", (120, 80), (255, 0, 0, 0))  # left half fully transparent
    im.paste((0, 0, 255, 255), (60, 0, 120, 80))
    im.save(path)


def _palette_png(path):
    im = Image.new("P", (120, 80), 0)
    im.putpalette([0, 0, 0, 0, 160, 0])
    im.paste(1, (60, 0, 120, 80))
    im.save(path, transparency=0)  # index 0 is transparent


def _grey16_png(path):
    Image.new("I;16", (120, 80), 0x8000).save(path)


def _grey16_tiff(path):
    Image.new("I;16", (120, 80), 0x8000).save(path, "TIFF")


def _grey_alpha_png(path):
    Image.new("LA", (120, 80), (100, 255)).save(path)


@pytest.mark.parametrize(
    ("name", "write", "source_mode", "left", "right"),
    [
        ("cmyk.jpg", _cmyk_jpeg, "CMYK", (255, 0, 0), (255, 0, 0)),
        ("cmyk.tif", _cmyk_tiff, "CMYK", (255, 0, 0), (255, 0, 0)),
        ("rgba.png", _rgba_png, "RGBA", (255, 255, 255), (0, 0, 255)),
        ("palette.png", _palette_png, "P", (255, 255, 255), (0, 160, 0)),
        ("grey16.png", _grey16_png, "I;16", GREY, GREY),
        ("grey16.tif", _grey16_tiff, "I;16", GREY, GREY),
        ("grey-alpha.png", _grey_alpha_png, "LA", (100, 100, 100), (100, 100, 100)),
    ],
)
def test_other_colour_modes_become_rgb(
    source_dir, media_root, name, write, source_mode, left, right
):
    source = source_dir / name
    write(source)
    with Image.open(source) as im:
        assert im.mode == source_mode

    stored = store_image(source, media_root)

    for relative in (stored.display_path, stored.thumb_path):
        derivative = opened(media_root, relative)
        assert derivative.mode == "RGB"
        assert near(derivative.getpixel((20, 40)), left)  # transparency shown as white
        assert near(derivative.getpixel((100, 40)), right)


def _linear_rgb_icc_profile() -> bytes:
    """A minimal ICC v2 display profile: sRGB primaries but a linear tone curve (gamma 1.0).

    Mid-grey 128 in this space is about 188 in sRGB, so a conversion is easy to see.
    """

    def s15f16(value: float) -> bytes:
        return struct.pack(">i", round(value * 65536))

    def xyz(x: float, y: float, z: float) -> bytes:
        return b"XYZ " + bytes(4) + s15f16(x) + s15f16(y) + s15f16(z)

    curve = b"curv" + bytes(4) + struct.pack(">IH", 1, 0x0100)
    text = b"Linear RGB test profile\0"
    desc = b"desc" + bytes(4) + struct.pack(">I", len(text)) + text + bytes(8 + 3 + 67)
    tags = [
        (b"desc", desc),
        (b"wtpt", xyz(0.9642, 1.0, 0.8249)),
        (b"rXYZ", xyz(0.4361, 0.2225, 0.0139)),
        (b"gXYZ", xyz(0.3851, 0.7169, 0.0971)),
        (b"bXYZ", xyz(0.1431, 0.0606, 0.7141)),
        (b"rTRC", curve),
        (b"gTRC", curve),
        (b"bTRC", curve),
    ]
    first = 128 + 4 + 12 * len(tags)
    table = body = b""
    for signature, data in tags:
        data += bytes(-len(data) % 4)
        table += signature + struct.pack(">II", first + len(body), len(data))
        body += data
    header = (
        struct.pack(">I", first + len(body))
        + bytes(4)
        + struct.pack(">I", 0x02100000)
        + b"mntrRGB XYZ "
        + bytes(12)
        + b"acsp"
        + bytes(28)
        + s15f16(0.9642)
        + s15f16(1.0)
        + s15f16(0.8249)
        + bytes(48)
    )
    return header + struct.pack(">I", len(tags)) + table + body


@pytest.mark.parametrize("fmt", ["JPEG", "PNG"])
def test_embedded_colour_profile_is_converted_to_srgb(source_dir, media_root, fmt):
    source = source_dir / f"linear.{fmt.lower()}"
    Image.new("RGB", (200, 100), GREY).save(source, fmt, icc_profile=_linear_rgb_icc_profile())

    stored = store_image(source, media_root)

    display = opened(media_root, stored.display_path)
    assert display.mode == "RGB"
    assert near(display.getpixel((100, 50)), (188, 188, 188), tolerance=4)
    assert "icc_profile" not in display.info  # plain sRGB, as browsers assume


def test_camera_jpeg_with_extra_pictures_is_accepted_as_jpeg(source_dir, media_root):
    """Phones write JPEGs with a second picture inside (MPO); Pillow names them "MPO"."""
    source = source_dir / "phone.jpg"
    main, depth_map = Image.new("RGB", (300, 200), RED), Image.new("RGB", (300, 200), BLUE)
    main.save(source, "MPO", save_all=True, append_images=[depth_map])
    content = source.read_bytes()
    assert content.startswith(b"\xff\xd8")  # it is a JPEG file

    stored = store_image(source, media_root)

    assert stored.media_type == "image/jpeg"
    assert stored.original_path.endswith(".jpg")
    assert (media_root / stored.original_path).read_bytes() == content
    assert near(opened(media_root, stored.display_path).getpixel((150, 100)), RED)


# --- content addressing -----------------------------------------------------------------------


def test_the_same_file_is_stored_once(source_dir, media_root):
    first = source_dir / "first.jpg"
    Image.new("RGB", (640, 480), RED).save(first)
    copy = source_dir / "copy-with-another-name.jpg"
    copy.write_bytes(first.read_bytes())

    a = store_image(first, media_root)
    files_after_first = stored_files(media_root)
    b = store_image(first, media_root)
    c = store_image(copy, media_root)

    assert a == b == c
    assert stored_files(media_root) == files_after_first
    # The original, one derivative per size (200, 400 and the full 640, never upscaled) and
    # the public full-size copy without metadata.
    assert len(files_after_first) == 5


def test_stored_files_can_be_read_by_a_web_server_running_as_another_user(source_dir, media_root):
    source = source_dir / "scan.jpg"
    Image.new("RGB", (64, 48), RED).save(source)
    umask = os.umask(0o022)
    try:
        stored = store_image(source, media_root)
    finally:
        os.umask(umask)

    for relative in (stored.original_path, stored.display_path, stored.thumb_path):
        assert stat.S_IMODE((media_root / relative).stat().st_mode) == 0o644, relative
    assert not list(media_root.rglob("*.part"))  # no temporary files left behind


def test_different_files_are_stored_apart(source_dir, media_root):
    one, two = source_dir / "one.jpg", source_dir / "two.jpg"
    Image.new("RGB", (64, 48), RED).save(one)
    Image.new("RGB", (64, 48), BLUE).save(two)

    a, b = store_image(one, media_root), store_image(two, media_root)

    assert a.sha256 != b.sha256
    assert {a.original_path, a.display_path, a.thumb_path}.isdisjoint(
        {b.original_path, b.display_path, b.thumb_path}
    )
    # Each: its original, one derivative (64 px is below every listed size, so the
    # thumbnail and the display copy are the same full-size file) and its public full-size copy.
    assert len(stored_files(media_root)) == 6


# --- refusals ---------------------------------------------------------------------------------


def _text_file(path):
    path.write_text("name,date\nBriggate,1930\n")


def _truncated_jpeg(path):
    Image.effect_noise((800, 600), 64).convert("RGB").save(path, "JPEG")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _bitmap(path):
    Image.new("RGB", (64, 48), RED).save(path, "BMP")


def _empty_file(path):
    path.write_bytes(b"")


@pytest.mark.parametrize(
    ("name", "write", "message"),
    [
        ("notes.jpg", _text_file, "not an image"),
        ("empty.jpg", _empty_file, "not an image"),
        ("cut-off.jpg", _truncated_jpeg, "could not be read"),
        ("picture.bmp", _bitmap, "BMP files are not accepted"),
    ],
)
def test_unreadable_or_unsupported_files_are_refused(source_dir, media_root, name, write, message):
    source = source_dir / name
    write(source)

    with pytest.raises(ImageError, match=message):
        store_image(source, media_root)

    assert stored_files(media_root) == []


def test_image_over_the_pixel_limit_is_refused(source_dir, media_root, monkeypatch):
    monkeypatch.setattr(processing, "MAX_PIXELS", 100 * 100)
    source = source_dir / "huge.png"
    Image.new("RGB", (101, 100), RED).save(source)

    with pytest.raises(ImageError, match=r"too large \(101x100 pixels\)"):
        store_image(source, media_root)

    assert stored_files(media_root) == []


def test_image_at_the_pixel_limit_is_accepted(source_dir, media_root, monkeypatch):
    monkeypatch.setattr(processing, "MAX_PIXELS", 100 * 100)
    source = source_dir / "just-fits.png"
    Image.new("RGB", (100, 100), RED).save(source)

    assert store_image(source, media_root).width == 100


def test_decompression_bomb_is_refused(source_dir, media_root, monkeypatch):
    source = source_dir / "bomb.png"
    Image.new("1", (1000, 1000)).save(source)  # tiny on disk, a million pixels in memory
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)

    with pytest.raises(ImageError, match="too many pixels"):
        store_image(source, media_root)

    assert stored_files(media_root) == []


@pytest.mark.parametrize(("size", "edges"), [
    ((6000, 4000), [200, 400, 800, 1600]),
    ((900, 1350), [200, 400, 800, 1350]),
    ((300, 150), [200, 300]),
])
def test_every_listed_derivative_size_exists_with_exactly_that_size(
    source_dir, media_root, size, edges
):
    """What the IIIF level 0 service promises (its ``sizes``) must be files that exist."""
    source = source_dir / "scan.jpg"
    Image.new("RGB", size, RED).save(source)
    stored = store_image(source, media_root)

    listed = derivative_sizes(*size)
    assert [edge for edge, _, _ in listed] == edges
    for edge, width, height in listed:
        with Image.open(media_root / derivative_path(stored.sha256, edge)) as im:
            assert im.size == (width, height)
            assert max(im.size) == edge
            assert abs(width / height - size[0] / size[1]) < 0.01
    assert stored.thumb_path == derivative_path(stored.sha256, min(400, max(size)))
    assert stored.display_path == derivative_path(stored.sha256, min(1600, max(size)))
