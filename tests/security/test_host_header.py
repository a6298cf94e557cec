"""A forged Host header: refused with TRUSTED_HOSTS, never kept by a cache without it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from archive.config import Config, ConfigError

FORGED = "evil.example"


@pytest.fixture
def image_sha(make_item):
    return make_item(identifier="P-1").images[0].sha256


def _addresses(app, image_sha) -> list[str]:
    return ["/oai?verb=Identify", f"/iiif/image/{image_sha}/info.json", "/iiif/P-1/manifest",
            "/annotations", "/items/P-1"]


def test_without_a_public_address_host_built_responses_are_kept_by_no_cache(
        app, client, image_sha):
    """The ids then follow the Host header, which the client chose: a shared cache must not
    hand one client's forged host to everyone else."""
    for url in _addresses(app, image_sha):
        response = client.get(url, headers={"Host": FORGED})
        assert response.status_code == 200, url
        cache = response.cache_control
        assert cache.no_store and cache.private and not cache.public, url
        assert cache.max_age is None, url
        assert "host" in response.headers.get("Vary", "").lower(), url


def test_the_oai_identify_answer_uses_the_forged_host_only_for_its_sender(client, image_sha):
    response = client.get("/oai?verb=Identify", headers={"Host": FORGED})

    assert f"<baseURL>http://{FORGED}/oai</baseURL>" in response.get_data(as_text=True)
    assert "no-store" in response.headers["Cache-Control"]


def test_with_trusted_hosts_another_host_is_refused(make_app, make_item):
    app = make_app(TRUSTED_HOSTS=["photos.example.org"])
    sha = make_item(identifier="P-1").images[0].sha256
    client = app.test_client()

    for url in _addresses(app, sha):
        refused = client.get(url, headers={"Host": FORGED})
        assert refused.status_code == 400, url
        assert FORGED not in refused.get_data(as_text=True)

    served = client.get(f"/iiif/image/{sha}/info.json", headers={"Host": "photos.example.org"})
    assert served.status_code == 200
    assert served.get_json()["id"].startswith("http://photos.example.org/iiif/image/")
    # Only hosts the operator trusts get here: a cache may keep it, per host.
    assert served.cache_control.public and served.cache_control.max_age == 3600
    assert "host" in served.headers["Vary"].lower()


def test_with_a_public_address_the_host_header_reaches_no_id(make_app, make_item):
    app = make_app(PUBLIC_BASE_URL="https://photos.example.org")
    sha = make_item(identifier="P-1").images[0].sha256
    client = app.test_client()

    for url in _addresses(app, sha):
        response = client.get(url, headers={"Host": FORGED})
        assert FORGED not in response.get_data(as_text=True), url
        assert "host" not in response.headers.get("Vary", "").lower(), url
    info = client.get(f"/iiif/image/{sha}/info.json", headers={"Host": FORGED})
    assert info.get_json()["id"] == f"https://photos.example.org/iiif/image/{sha}"
    assert info.cache_control.public and info.cache_control.max_age == 3600
    identify = client.get("/oai?verb=Identify", headers={"Host": FORGED}).get_data(as_text=True)
    assert "<adminEmail>archive@photos.example.org</adminEmail>" in identify


@pytest.mark.parametrize(("raw", "hosts"), [
    ("photos.example.org", ["photos.example.org"]),
    ("Photos.Example.org, .example.net localhost", ["photos.example.org", ".example.net",
                                                     "localhost"]),
])
def test_trusted_hosts_are_read_from_the_environment(raw, hosts):
    assert Config.from_env({"TRUSTED_HOSTS": raw})["TRUSTED_HOSTS"] == hosts


@pytest.mark.parametrize("raw", ["https://photos.example.org", "photos.example.org:443",
                                 "photos..example.org", "*.example.org"])
def test_unusable_trusted_hosts_stop_the_app_with_one_line(raw):
    with pytest.raises(ConfigError, match="TRUSTED_HOSTS"):
        Config.from_env({"TRUSTED_HOSTS": raw})


def test_the_shipped_nginx_configuration_refuses_unknown_hosts():
    from archive import PROJECT_ROOT

    text = (Path(PROJECT_ROOT) / "deploy" / "nginx.conf").read_text(encoding="utf-8")
    config = "\n".join(line.split("#", 1)[0] for line in text.splitlines())

    assert re.search(r"listen 80 default_server;[^}]*return 444;", config)
    assert re.search(r"listen 443 ssl default_server;[^}]*ssl_reject_handshake on;", config)
    assert "return 301 https://$host" not in config  # never redirect to a host a client chose
