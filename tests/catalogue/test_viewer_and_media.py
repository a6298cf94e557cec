"""The zoomable viewer on the item page, its assets, and media handed to the web server."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from archive import PROJECT_ROOT


def test_the_item_page_offers_a_viewer_over_all_derivatives_and_keeps_the_plain_image(
        app, client, make_item):
    item = make_item()
    image = item.images[0]

    html = client.get(f"/items/{item.identifier}").get_data(as_text=True)

    assert f'<img src="/media/{image.display_path}"' in html  # without JavaScript
    levels = json.loads(re.search(r'data-levels="([^"]+)"', html).group(1)
                        .replace("&#34;", '"').replace("&quot;", '"'))
    assert [(lv["width"], lv["height"]) for lv in levels] == [(200, 150), (400, 300),
                                                               (640, 480)]
    for level in levels:
        with client.get(level["url"]) as response:
            assert response.status_code == 200
    assert 'data-viewer-open hidden' in html  # shown by the script only
    assert "<script>" not in html and "style=" not in html
    assert 'src="/vendor/openseadragon/openseadragon.min.js"' in html
    assert 'src="/static/js/viewer.js"' in html


@pytest.mark.database_independent
def test_openseadragon_is_served_from_the_installed_package(app, client):
    installed = PROJECT_ROOT / "node_modules/openseadragon/build/openseadragon"
    assert installed.is_dir(), "run `npm ci` first"

    with client.get("/vendor/openseadragon/openseadragon.min.js") as response:
        assert response.status_code == 200
        assert response.get_data() == (installed / "openseadragon.min.js").read_bytes()
    with client.get("/vendor/openseadragon/images/zoomin_rest.png") as response:
        assert response.status_code == 200
    assert client.get("/vendor/openseadragon/../../package.json").status_code == 404
    assert client.get("/vendor/other/x.js").status_code == 404


def test_media_can_be_handed_to_nginx_with_x_accel_redirect(make_app, make_item):
    app = make_app(MEDIA_X_ACCEL_PREFIX="/protected-media/")
    item = make_item()
    path = item.images[0].thumb_path
    client = app.test_client()

    response = client.get(f"/media/{path}")

    assert response.status_code == 200
    assert response.headers["X-Accel-Redirect"] == f"/protected-media/{path}"
    assert response.get_data() == b""
    assert response.mimetype == "image/jpeg"
    assert "must-revalidate" in response.headers["Cache-Control"]
    assert "immutable" not in response.headers["Cache-Control"]
    etag = response.headers["ETag"]
    again = client.get(f"/media/{path}", headers={"If-None-Match": etag})
    assert again.status_code == 304 and "X-Accel-Redirect" not in again.headers
    assert client.get(f"/media/{path.replace('-400', '-999')}").status_code == 404


def test_x_sendfile_hands_the_path_to_the_server(make_app, make_item):
    app = make_app(USE_X_SENDFILE=True)
    item = make_item()
    path = item.images[0].display_path

    response = app.test_client().get(f"/media/{path}")

    assert response.headers["X-Sendfile"] == str(Path(app.config["MEDIA_ROOT"]) / path)
    response.close()
