"""The /media/ route: content-addressed files, cached for a year, and nothing else."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from archive.images.processing import store_image

ONE_YEAR = 365 * 24 * 3600


@pytest.fixture
def stored(app, tmp_path):
    source = tmp_path / "scan.png"
    Image.new("RGB", (900, 600), (90, 120, 150)).save(source)
    return store_image(source, Path(app.config["MEDIA_ROOT"]))


def fetch(client, url, **kwargs):
    """GET ``url`` and read the whole body, closing the file behind the response."""
    with client.get(url, **kwargs) as response:
        response.get_data()
        return response


@pytest.mark.database_independent
@pytest.mark.parametrize(
    ("kind", "content_type"),
    [("original_path", "image/png"), ("display_path", "image/jpeg"), ("thumb_path", "image/jpeg")],
)
def test_stored_files_are_served_with_long_lived_caching(app, client, stored, kind, content_type):
    relative = getattr(stored, kind)

    response = fetch(client, f"/media/{relative}")

    assert response.status_code == 200
    assert response.mimetype == content_type
    assert response.get_data() == (Path(app.config["MEDIA_ROOT"]) / relative).read_bytes()
    cache = response.cache_control
    assert cache.public
    assert cache.max_age == ONE_YEAR
    assert cache.immutable
    assert response.headers["ETag"]


@pytest.mark.database_independent
def test_revalidation_with_the_etag_gets_304_without_a_body(client, stored):
    url = f"/media/{stored.display_path}"
    etag = fetch(client, url).headers["ETag"]

    again = fetch(client, url, headers={"If-None-Match": etag})

    assert again.status_code == 304
    assert again.get_data() == b""
    assert again.headers["ETag"] == etag


@pytest.mark.database_independent
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


@pytest.mark.database_independent
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


@pytest.mark.database_independent
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
