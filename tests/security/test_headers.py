"""Protective HTTP headers and cookie flags, as a production deployment sends them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from archive import VIEWER_STYLE_HASH

PASSWORD = "correct horse battery"
# An executable script without src=; JSON-LD data blocks are not run by browsers.
INLINE_SCRIPT = r"<script(?![^>]*\b(src=|type=\"application/ld\+json\"))[^>]*>"
TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def _directives(csp: str) -> dict[str, list[str]]:
    result = {}
    for part in csp.split(";"):
        words = part.split()
        if words:
            result[words[0]] = words[1:]
    return result


@pytest.mark.parametrize("path", ["/", "/browse", "/login", "/no-such-page", "/healthz"])
def test_every_response_carries_a_strict_policy(client, path):
    response = client.get(path)
    csp = _directives(response.headers["Content-Security-Policy"])

    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'"]
    # Styles: our own files, and the viewer's one fixed block by its hash (never 'unsafe-…').
    assert csp["style-src"] == ["'self'", VIEWER_STYLE_HASH]
    assert VIEWER_STYLE_HASH.startswith("'sha256-")
    for directive in ("script-src", "style-src"):
        assert not any("unsafe" in v for v in csp[directive])
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["base-uri"] == ["'self'"]
    assert csp["form-action"] == ["'self'"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_hsts_only_over_https(client):
    plain = client.get("/")
    secure = client.get("/", base_url="https://photos.example.org")

    assert "Strict-Transport-Security" not in plain.headers
    hsts = secure.headers["Strict-Transport-Security"]
    assert int(re.search(r"max-age=(\d+)", hsts).group(1)) >= 31536000


def test_https_seen_through_a_trusted_proxy_gets_hsts(make_app):
    app = make_app(TRUSTED_PROXY_COUNT=1)
    response = app.test_client().get("/", headers={"X-Forwarded-Proto": "https"})

    assert "Strict-Transport-Security" in response.headers


def test_pages_have_no_inline_script_or_style(client, make_item):
    item = make_item()
    for path in ("/", "/browse", f"/items/{item.identifier}", "/login"):
        html = client.get(path).text
        assert not re.search(INLINE_SCRIPT, html), path
        assert "<style" not in html, path
        assert not re.search(r"\sstyle=", html), path
        assert not re.search(r"\son[a-z]+=", html), path
        assert "javascript:" not in html, path


def test_no_template_has_inline_script_style_or_handlers():
    for template in TEMPLATES.rglob("*.html"):
        text = template.read_text(encoding="utf-8")
        assert not re.search(INLINE_SCRIPT, text), template
        assert "<style" not in text, template
        assert not re.search(r"\sstyle=", text), template
        assert not re.search(r"\son[a-z]+=", text), template


def test_production_session_cookies_are_secure_httponly_and_samesite(make_app, make_user):
    make_user("archivist", email="ada@example.org")
    app = make_app(TESTING=False, DEMO=False,
                   SECRET_KEY="a-long-random-production-secret-0123456789")
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_SECURE"]
    client = app.test_client()

    response = client.post("/login", base_url="https://photos.example.org",
                           data={"email": "ada@example.org", "password": PASSWORD,
                                 "remember": "y"})

    assert response.status_code == 303
    cookies = {c.split("=", 1)[0]: c for c in response.headers.getlist("Set-Cookie")}
    for name in ("session", "remember_token"):
        flags = [f.strip().lower() for f in cookies[name].split(";")]
        assert "secure" in flags, name
        assert "httponly" in flags, name
    assert "samesite=lax" in [f.strip().lower() for f in cookies["session"].split(";")]


@pytest.mark.database_independent
def test_login_uses_strong_session_protection(app):
    from archive.extensions import login_manager

    assert login_manager.session_protection == "strong"


def test_pages_for_logged_in_people_are_never_stored(app, make_user, make_item, make_contribution,
                                                     login_client):
    """Staff pages show contributors' emails; no cache, not even the browser's, may keep them."""
    item = make_item()
    note = make_contribution(item, email="private.person@example.net")
    admin = login_client(app, make_user("admin", email="the.admin@example.org"))

    for url in ("/moderation/", f"/moderation/contributions/{note.id}", "/admin/users",
                f"/items/{item.identifier}"):
        response = admin.get(url)
        assert response.status_code == 200, url
        assert response.cache_control.no_store and response.cache_control.private, url
    accounts = admin.get("/admin/users").get_data(as_text=True)
    assert "the.admin@example.org" in accounts  # (what is being protected)
    contributor = login_client(app, make_user("contributor"))
    assert contributor.get("/my/contributions").cache_control.no_store


def test_public_pages_for_visitors_keep_their_own_caching(make_app, make_item):
    app = make_app(PUBLIC_BASE_URL="https://photos.example.org")
    item = make_item()

    response = app.test_client().get(f"/items/{item.identifier}")

    assert not response.cache_control.no_store
