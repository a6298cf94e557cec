"""The /media/ route: content-addressed files, served while a public record shows them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PIL import Image

from archive.extensions import db
from archive.images.processing import full_size_path, store_image
from archive.models import Image as ImageRow
from archive.models import Item, User

ONE_HOUR = 3600


def _image_row(stored, position=0) -> ImageRow:
    return ImageRow(position=position, sha256=stored.sha256, original_name="scan.png",
                    original_path=stored.original_path, thumb_path=stored.thumb_path,
                    display_path=stored.display_path, media_type=stored.media_type,
                    width=stored.width, height=stored.height)


@pytest.fixture
def stored(app, tmp_path, make_item):
    """An image stored with its derivatives, shown by an item in public view."""
    source = tmp_path / "scan.png"
    Image.new("RGB", (900, 600), (90, 120, 150)).save(source)
    stored = store_image(source, Path(app.config["MEDIA_ROOT"]))
    item = make_item(with_image=False)
    with app.app_context():
        row = db.session.get(Item, item.id)
        row.images.append(_image_row(stored))
        db.session.commit()
    return stored


def fetch(client, url, **kwargs):
    """GET ``url`` and read the whole body, closing the file behind the response."""
    with client.get(url, **kwargs) as response:
        response.get_data()
        return response


@pytest.mark.parametrize(
    ("kind", "content_type"),
    [("full_size", "image/jpeg"), ("display_path", "image/jpeg"), ("thumb_path", "image/jpeg")],
)
def test_stored_files_are_served_with_bounded_caching(app, client, stored, kind, content_type):
    relative = (full_size_path(stored.sha256) if kind == "full_size"
                else getattr(stored, kind))

    response = fetch(client, f"/media/{relative}")

    assert response.status_code == 200
    assert response.mimetype == content_type
    assert response.get_data() == (Path(app.config["MEDIA_ROOT"]) / relative).read_bytes()
    cache = response.cache_control
    assert cache.public
    # An item can be withdrawn: caches keep its files an hour at most, then ask again.
    assert cache.max_age == ONE_HOUR
    assert cache.must_revalidate
    assert not cache.immutable
    assert response.headers["ETag"]


def test_revalidation_with_the_etag_gets_304_without_a_body(client, stored):
    url = f"/media/{stored.display_path}"
    etag = fetch(client, url).headers["ETag"]

    again = fetch(client, url, headers={"If-None-Match": etag})

    assert again.status_code == 304
    assert again.get_data() == b""
    assert again.headers["ETag"] == etag


def test_a_stale_etag_gets_the_file_again(client, stored):
    response = fetch(
        client, f"/media/{stored.thumb_path}", headers={"If-None-Match": '"not-the-current-one"'}
    )

    assert response.status_code == 200
    assert response.get_data().startswith(b"\xff\xd8")  # a JPEG


@pytest.fixture
def secrets_beside_media(app):
    """Files an attacker would like: next to MEDIA_ROOT, and inside it but not media."""
    media_root = Path(app.config["MEDIA_ROOT"])
    media_root.mkdir(parents=True, exist_ok=True)
    (media_root.parent / "secret.txt").write_text("TOP SECRET outside")
    (media_root / "notes.txt").write_text("TOP SECRET inside")
    return media_root


@pytest.mark.parametrize(
    "url",
    [
        "/media/../secret.txt",
        "/media/%2e%2e/secret.txt",
        "/media/%2E%2E%2Fsecret.txt",
        "/media/originals/../../secret.txt",
        "/media/originals/%2e%2e/%2e%2e/secret.txt",
        "/media/notes.txt",
        "/media/originals/00/00/" + "0" * 64 + ".jpg",  # well-formed, but no such file
        "/media/originals/00/00/" + "0" * 64 + ".txt",
        "/media/derivatives/00/00/" + "0" * 64 + "-huge.jpg",
        "/media/derivatives/00/00/" + "0" * 64 + "-0400.jpg",
        "/media/originals/AB/CD/" + "AB" * 32 + ".jpg",
        "/media/",
    ],
)
def test_unknown_malformed_and_traversal_paths_are_not_found(
    client, stored, secrets_beside_media, url
):
    response = fetch(client, url)

    assert response.status_code == 404
    assert b"TOP SECRET" not in response.get_data()
    assert b"Page not found" in response.get_data()


@pytest.mark.database_independent
@pytest.mark.parametrize("url", ["/media//etc/passwd", "/media/%2Fetc%2Fpasswd"])
def test_absolute_paths_are_not_served(client, url):
    response = fetch(client, url, follow_redirects=True)

    assert response.status_code == 404
    assert b"root:" not in response.get_data()


def test_a_real_file_under_an_altered_name_is_not_served(client, stored):
    # The right hash with a stray suffix or a different extension is not a name we wrote.
    for url in (
        f"/media/{stored.original_path}.bak",
        f"/media/{stored.original_path[:-4]}.jpg",
        f"/media/{stored.display_path}%0A",
    ):
        assert fetch(client, url).status_code == 404, url


def test_media_is_the_same_for_everyone_so_caches_may_share_it(app, stored, make_user):
    """No ``Vary: Cookie`` and no cookie set, even for a logged-in member of staff."""
    user = make_user("archivist")
    client = app.test_client()
    client.post("/login", data={"email": user.email, "password": "correct horse battery"})
    response = fetch(client, f"/media/{stored.thumb_path}")
    assert response.status_code == 200
    assert "cookie" not in response.headers.get("Vary", "").lower()
    assert "Set-Cookie" not in response.headers
    # Pages still vary with the session, as they must.
    page = client.get("/moderation/")
    assert page.status_code == 200
    assert "cookie" in page.headers.get("Vary", "").lower()


# --- withdrawn items and removed images -------------------------------------------------------


def _all_files(stored) -> list[str]:
    from archive.images.processing import derivative_path, derivative_sizes

    return [full_size_path(stored.sha256)] + [derivative_path(stored.sha256, edge)
                                     for edge, _, _ in derivative_sizes(stored.width,
                                                                        stored.height)]


def _withdraw(app, stored, make_user) -> None:
    from archive.curation.withdrawal import withdraw_item

    curator = make_user("curator")
    with app.app_context():
        item = db.session.scalar(db.select(Item).join(ImageRow)
                                 .where(ImageRow.sha256 == stored.sha256))
        withdraw_item(item, db.session.get(User, curator.id), reason="Rights not cleared")
        db.session.commit()


def test_a_withdrawn_items_files_are_not_served_to_the_public(app, client, stored, make_user):
    for relative in _all_files(stored):
        assert fetch(client, f"/media/{relative}").status_code == 200, relative

    _withdraw(app, stored, make_user)

    for relative in _all_files(stored):
        response = fetch(client, f"/media/{relative}")
        assert response.status_code == 404, relative
        assert not response.get_data().startswith(b"\xff\xd8")
    # Not even through the IIIF image service.
    largest = fetch(client, f"/iiif/image/{stored.sha256}/full/max/0/default.jpg")
    assert largest.status_code == 404


def test_staff_still_see_a_withdrawn_items_files_and_nothing_keeps_them(
        app, stored, make_user, login_client):
    _withdraw(app, stored, make_user)
    staff = login_client(app, make_user("archivist"))

    for relative in [stored.original_path, *_all_files(stored)]:
        response = fetch(staff, f"/media/{relative}")
        assert response.status_code == 200, relative
        assert response.get_data() == (Path(app.config["MEDIA_ROOT"]) / relative).read_bytes()
        cache = response.cache_control
        assert cache.private and cache.no_store and not cache.public
        assert "cookie" in response.headers.get("Vary", "").lower()
    # A contributor's account is not staff.
    contributor = login_client(app, make_user("contributor"))
    assert fetch(contributor, f"/media/{stored.thumb_path}").status_code == 404


def test_an_image_removed_from_its_record_is_no_longer_served(app, client, stored, make_user,
                                                               login_client):
    from archive.catalogue.services import remove_image

    with app.app_context():
        image = db.session.scalar(db.select(ImageRow).where(ImageRow.sha256 == stored.sha256))
        remove_image(image.item, image.id)
        db.session.commit()

    for relative in _all_files(stored):
        assert fetch(client, f"/media/{relative}").status_code == 404, relative
    staff = login_client(app, make_user("curator"))
    assert fetch(staff, f"/media/{stored.display_path}").status_code == 200


def test_a_file_an_item_in_public_view_shows_stays_public(app, client, stored, make_item,
                                                          make_user):
    """The same scan shown by two items: withdrawing one leaves the other's photo visible."""
    other = make_item(with_image=False, identifier="SAME-SCAN")
    with app.app_context():
        row = db.session.get(Item, other.id)
        row.images.append(_image_row(stored))
        db.session.commit()
    from archive.curation.withdrawal import withdraw_item

    curator = make_user("curator")
    with app.app_context():
        first = db.session.scalar(db.select(Item).join(ImageRow)
                                  .where(ImageRow.sha256 == stored.sha256,
                                         Item.identifier != "SAME-SCAN"))
        withdraw_item(first, db.session.get(User, curator.id), reason="Duplicate record")
        db.session.commit()

    assert fetch(client, f"/media/{stored.display_path}").status_code == 200


def test_a_revalidation_after_withdrawal_is_not_answered_not_modified(app, client, stored,
                                                                       make_user):
    url = f"/media/{stored.display_path}"
    etag = fetch(client, url).headers["ETag"]

    _withdraw(app, stored, make_user)

    assert fetch(client, url, headers={"If-None-Match": etag}).status_code == 404


def test_with_x_accel_redirect_the_app_still_decides(make_app, make_item, make_user):
    app = make_app(MEDIA_X_ACCEL_PREFIX="/protected-media/")
    item = make_item()
    path = item.images[0].thumb_path
    client = app.test_client()
    assert client.get(f"/media/{path}").headers["X-Accel-Redirect"] == f"/protected-media/{path}"

    from archive.curation.withdrawal import withdraw_item

    curator = make_user("curator")
    with app.app_context():
        withdraw_item(db.session.get(Item, item.id), db.session.get(User, curator.id),
                      reason="Rights")
        db.session.commit()

    gone = client.get(f"/media/{path}")
    assert gone.status_code == 404 and "X-Accel-Redirect" not in gone.headers
    staff = app.test_client(user=curator)
    seen = staff.get(f"/media/{path}")
    assert seen.headers["X-Accel-Redirect"] == f"/protected-media/{path}"
    assert "no-store" in seen.headers["Cache-Control"]


def _nginx_locations(text: str) -> list[tuple[str, str]]:
    """(location line, body) of every location block of an nginx configuration."""
    found = []
    for match in re.finditer(r"location\s+([^{]*)\{", text):
        depth, start = 1, match.end()
        end = start
        while depth:
            depth += {"{": 1, "}": -1}.get(text[end], 0)
            end += 1
        found.append((match.group(1).strip(), text[start:end - 1]))
    return found


def test_the_shipped_nginx_configuration_never_serves_media_past_the_app():
    from archive import PROJECT_ROOT

    text = (Path(PROJECT_ROOT) / "deploy" / "nginx.conf").read_text(encoding="utf-8")
    lines = [line.split("#", 1)[0] for line in text.splitlines()]
    config = "\n".join(lines)

    assert "immutable" not in config
    assert "expires max" not in config
    media_blocks = [(where, body) for where, body in _nginx_locations(config)
                    if "recollect-media" in body]
    assert media_blocks, "the media volume is served by some location"
    for where, body in media_blocks:
        # Only reachable through the app's X-Accel-Redirect, never by a visitor's URL.
        assert re.search(r"^\s*internal\s*;", body, re.M), where
        assert "disable_symlinks on" in body, where


# --- originals are for staff; the public has a full-size copy without metadata ----------------


@pytest.fixture
def located(app, make_item, tmp_path):
    """An item in public view whose photo's original says where it was taken, and by whom."""
    from PIL import ExifTags

    exif = Image.Exif()
    exif[ExifTags.Base.ImageDescription] = "Outside 4 Elm Row, home of J. Smith"
    exif[ExifTags.Base.Orientation] = 6
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (53.0, 47.0, 59.0)
    source = tmp_path / "located.jpg"
    Image.effect_noise((640, 480), 50).convert("RGB").save(
        source, exif=exif, comment=b"J. Smith's house",
        xmp=b"<x:xmpmeta><exif:GPSLatitude>53,47.98N</exif:GPSLatitude></x:xmpmeta>")
    stored = store_image(source, Path(app.config["MEDIA_ROOT"]))
    item = make_item(with_image=False, identifier="LOCATED")
    with app.app_context():
        row = db.session.get(Item, item.id)
        row.images.append(_image_row(stored))
        db.session.commit()
    return stored


def _link(html: str, text: str) -> str:
    found = re.search(r'<a href="([^"]+)">' + re.escape(text), html)
    assert found, text
    return found.group(1)


def test_the_public_full_size_image_carries_no_location_or_description(client, located):
    from PIL import ExifTags

    page = client.get("/items/LOCATED").get_data(as_text=True)
    url = _link(page, "Full-size image")
    assert located.original_path not in page

    response = fetch(client, url)

    assert response.status_code == 200 and response.mimetype == "image/jpeg"
    data = response.get_data()
    for secret in (b"Elm Row", b"J. Smith", b"GPSLatitude"):
        assert secret not in data
    copy = Image.open(__import__("io").BytesIO(data))
    assert dict(copy.getexif()) == {ExifTags.Base.Orientation: 6}  # shown the right way up
    assert copy.size == (640, 480)


def test_originals_are_for_staff_only(app, client, located, make_user, login_client):
    assert fetch(client, f"/media/{located.original_path}").status_code == 404
    contributor = login_client(app, make_user("contributor"))
    assert fetch(contributor, f"/media/{located.original_path}").status_code == 404

    staff = login_client(app, make_user("archivist"))
    response = fetch(staff, f"/media/{located.original_path}")
    assert response.status_code == 200
    assert b"Elm Row" in response.get_data()  # the original, byte for byte
    assert response.cache_control.private and response.cache_control.no_store
    page = staff.get("/items/LOCATED").get_data(as_text=True)
    assert _link(page, "Original file") == f"/media/{located.original_path}"


def test_a_missing_full_size_copy_is_made_when_first_asked_for(app, client, located):
    """Images stored before full-size copies existed get theirs on first request."""
    copy = Path(app.config["MEDIA_ROOT"]) / full_size_path(located.sha256)
    copy.unlink()

    response = fetch(client, f"/media/{full_size_path(located.sha256)}")

    assert response.status_code == 200
    assert copy.is_file() and b"Elm Row" not in copy.read_bytes()
    assert response.get_data() == copy.read_bytes()
