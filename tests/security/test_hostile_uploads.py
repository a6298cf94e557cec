"""Hostile image files and media paths are refused cleanly (processing and /media level)."""

from __future__ import annotations

import os
import struct
import zlib
from pathlib import Path

import pytest
from PIL import Image

from archive.images.processing import ImageError, full_size_path, store_image


def _png_header_only(path: Path, width: int, height: int) -> Path:
    """A tiny PNG that declares enormous dimensions (a decompression bomb's calling card)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr)
                     + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b""))
    return path


@pytest.fixture
def media(tmp_path) -> Path:
    return tmp_path / "media"


@pytest.mark.parametrize("size", [(100_000, 100_000), (1, 2_000_000_000), (60_000, 60_000)])
def test_huge_declared_dimensions_are_refused_without_decoding(tmp_path, media, size):
    source = _png_header_only(tmp_path / "bomb.png", *size)

    with pytest.raises(ImageError):
        store_image(source, media)
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))


@pytest.mark.parametrize("name, content", [
    ("photo.jpg", b"<html><script>alert(1)</script></html>"),
    ("photo.png", b"GIF89a/*<script>alert(1)</script>*/=1;"),  # a GIF/JavaScript polyglot
    ("photo.jpg", b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" '
                  b'onload="alert(1)"/>'),
    ("photo.jpg", b"%PDF-1.4\n1 0 obj<<>>endobj\n"),
    ("photo.jpg", b"PK\x03\x04" + b"\x00" * 40),
    ("photo.jpg", b""),
])
def test_files_that_only_pretend_to_be_images_are_refused(tmp_path, media, name, content):
    source = tmp_path / name
    source.write_bytes(content)

    with pytest.raises(ImageError):
        store_image(source, media)


def test_a_truncated_image_is_refused(tmp_path, media, make_image_file):
    good = make_image_file(size=(400, 300))
    source = tmp_path / "cut.jpg"
    source.write_bytes(good.read_bytes()[:600])

    with pytest.raises(ImageError):
        store_image(source, media)


def test_the_real_format_decides_not_the_extension(tmp_path, media):
    source = tmp_path / "really-a-png.jpg"
    Image.new("RGB", (50, 40), (10, 20, 30)).save(source, "PNG")

    stored = store_image(source, media)

    assert stored.media_type == "image/png"
    assert stored.original_path.endswith(".png")


def test_a_symlink_to_a_secret_is_not_taken_for_an_image(tmp_path, media):
    secret = tmp_path / "secret.txt"
    secret.write_text("root:x:0:0")
    link = tmp_path / "photo.jpg"
    link.symlink_to(secret)

    with pytest.raises(ImageError):
        store_image(link, media)


def test_a_jpeg_with_html_appended_is_served_only_as_an_image(app, tmp_path, make_image_file,
                                                             make_user, login_client):
    payload = b"<html><script>alert(document.cookie)</script></html>"
    source = make_image_file(size=(300, 200))
    source.write_bytes(source.read_bytes() + payload)
    stored = store_image(source, Path(app.config["MEDIA_ROOT"]))
    client = login_client(app, make_user("curator"))  # no record shows it: staff only

    original = client.get(f"/media/{stored.original_path}")
    derivative = client.get(f"/media/{stored.thumb_path}")

    assert original.mimetype == "image/jpeg"
    assert original.headers["X-Content-Type-Options"] == "nosniff"
    assert "script-src 'self'" in original.headers["Content-Security-Policy"]
    assert payload in original.data  # the original is kept byte for byte...
    assert payload not in derivative.data  # ...but what pages show is re-encoded
    full = client.get(f"/media/{full_size_path(stored.sha256)}")
    assert full.status_code == 200 and payload not in full.data  # and the full size ends clean
    original.close()
    derivative.close()
    full.close()


@pytest.mark.database_independent
def test_a_symlink_planted_in_the_media_folder_is_not_followed(app, client, tmp_path):
    secret = tmp_path / "secret.jpg"
    secret.write_bytes(b"not for the public")
    sha = "ab" * 32
    planted = Path(app.config["MEDIA_ROOT"]) / "originals" / "ab" / "ab" / f"{sha}.jpg"
    planted.parent.mkdir(parents=True, exist_ok=True)
    os.symlink(secret, planted)

    response = client.get(f"/media/originals/ab/ab/{sha}.jpg")

    assert response.status_code == 404
    assert b"not for the public" not in response.data


def _plant_link(target: Path, link: Path) -> None:
    """Replace ``link`` (a file or folder the app wrote) with a symbolic link to ``target``."""
    import shutil

    if link.is_dir():
        shutil.rmtree(link)
    else:
        link.unlink()
    os.symlink(target, link)


@pytest.mark.parametrize("planted", ["file", "folder"])
def test_a_symlink_planted_for_a_public_image_is_followed_by_no_route(
        app, client, make_item, tmp_path, planted):
    """A link in place of a derivative (or of its folder) of an image the public may see."""
    from archive.images.processing import derivative_path, derivative_sizes

    secret = tmp_path / "outside"
    secret.mkdir()
    (secret / "passwd").write_bytes(b"root:x:0:0:not for the public")
    item = make_item()
    image = item.images[0]
    edge, width, height = derivative_sizes(image.width, image.height)[-1]
    relative = derivative_path(image.sha256, edge)
    target = Path(app.config["MEDIA_ROOT"]) / relative
    if planted == "file":
        _plant_link(secret / "passwd", target)
    else:  # the folder holding it: derivatives/ab/cd -> outside
        for name in os.listdir(target.parent):
            (secret / name).write_bytes(b"root:x:0:0:not for the public")
        _plant_link(secret, target.parent)

    for url in (f"/iiif/image/{image.sha256}/full/{width},{height}/0/default.jpg",
                f"/iiif/image/{image.sha256}/full/max/0/default.jpg",
                f"/media/{relative}"):
        with client.get(url) as response:
            assert response.status_code == 404, url
            assert b"not for the public" not in response.get_data(), url


@pytest.mark.database_independent
@pytest.mark.parametrize("path", [
    "../../../etc/passwd", "..%2F..%2Fetc%2Fpasswd", "originals/../../secret.jpg",
    "%2e%2e/%2e%2e/etc/passwd", "originals/ab/ab/" + "ab" * 32 + ".jpg%00.html",
    "originals\\..\\..\\etc\\passwd",
])
def test_traversal_in_media_paths_is_not_found(client, path):
    response = client.get(f"/media/{path}")

    assert response.status_code in (404, 400)
    response.close()
