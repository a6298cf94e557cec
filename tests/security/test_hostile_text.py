"""Hostile text sent through the form stays inert everywhere it is shown or exported."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pytest
import sqlalchemy as sa
from flask import url_for

from archive.extensions import db
from archive.harvesting.exporters import FORMATS
from archive.models import Contribution, ContributionStatus, Item, ModerationEvent, Role
from archive.moderation.services import approve_contribution, decide

XSS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg/onload=alert(1)>",
    "\"><script>alert(document.cookie)</script>",
    "'><iframe src=javascript:alert(1)></iframe>",
    "<a href=\"javascript:alert(1)\">click</a>",
    "<body onload=alert(1)>",
    "</script><script>alert(1)</script>",
    "<style>*{background:url(//evil.example/x)}</style>",
    "{{ 7*7 }} {% raw %} ${7*7} #{7*7}",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<div style=\"background:url(javascript:alert(1))\">x</div>",
    "javascript:/*--></title></style></textarea></script><svg/onload='+/\"/+/onmouseover=1/+/[*/[]/+alert(1)//'>",
]
WORLD_TEXT = "שלום, זה הרחוב שלנו — مرحبا بكم 👋🏽👨‍👩‍👧 1950s 日本語 Ωμέγα"
SQL = ["' OR '1'='1", "1; DROP TABLE items; --", "\" OR \"\"=\"", "1' UNION SELECT email, "
       "password_hash FROM users --", "%' AND 1=1 --", "x') OR 1=1 --", "' || pg_sleep(5) --"]


class ActiveContent(HTMLParser):
    """Collects what a browser would run: scripts, handlers, javascript: links, styles."""

    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and "src" not in attrs \
                and attrs.get("type") != "application/ld+json":
            self.found.append(f"inline script {attrs}")
        if tag == "script" and attrs.get("src", "").startswith(("http", "//")):
            self.found.append(f"foreign script {attrs}")
        if tag in ("iframe", "svg", "math", "style", "object", "embed", "body") and \
                tag != "body":
            self.found.append(tag)
        for name, value in attrs.items():
            if name.startswith("on") or name == "style":
                self.found.append(f"{tag} {name}")
            if name in ("href", "src", "action", "formaction", "data", "xlink:href") and \
                    value and value.strip().lower().startswith("javascript:"):
                self.found.append(f"{tag} {name}=javascript:")


def assert_inert(html: str, where: str):
    parser = ActiveContent()
    parser.feed(html)
    assert parser.found == [], where
    assert html.count("<body") == 1, where


def _submit(client, item, **fields):
    data = {"body": "note", "consent": "y", **fields}
    return client.post(f"/items/{item.identifier}/contribute", data=data)


@pytest.fixture
def hostile(app, make_item, make_user):
    item = make_item(title="Market day", place="Leeds")
    client = app.test_client()
    for payload in XSS:
        response = _submit(client, item, body=payload, credit_name=payload[:200],
                           show_name="y", suggested_place=payload[:300],
                           suggested_people=payload)
        assert response.status_code == 303, payload
    return item, make_user(Role.ADMIN)


def test_payloads_are_stored_exactly_as_sent(app, hostile):
    with app.app_context():
        bodies = db.session.scalars(sa.select(Contribution.body).order_by(Contribution.id)).all()
    assert bodies == XSS


def test_payloads_are_inert_in_the_queue_and_every_staff_page(app, hostile, login_client):
    _item, admin = hostile
    client = login_client(app, admin)
    html = client.get("/moderation/").text
    assert_inert(html, "queue")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    with app.app_context():
        ids = db.session.scalars(sa.select(Contribution.id)).all()
    for note_id in ids:
        assert_inert(client.get(f"/moderation/contributions/{note_id}").text, "note page")
    # Every staff page without arguments (audit logs and the like), whoever added it.
    with app.test_request_context():
        pages = [url_for(rule.endpoint) for rule in app.url_map.iter_rules()
                 if "GET" in rule.methods and not rule.arguments
                 and getattr(app.view_functions[rule.endpoint], "required_role", None)]
    for page in pages:
        response = client.get(page)
        if response.mimetype == "text/html":
            assert_inert(response.text, page)
        response.close()


def _approve_all(app, admin):
    with app.app_context():
        from archive.models import User

        moderator = db.session.get(User, admin.id)
        notes = db.session.scalars(sa.select(Contribution).order_by(Contribution.id)).all()
        for n, note in enumerate(notes):
            if n % 2:
                approve_contribution(note, moderator, reason=XSS[n])
            else:
                approve_contribution(note, moderator)
        db.session.commit()


def test_payloads_are_inert_on_the_public_page_and_in_the_audit_log(
        app, hostile, login_client):
    item, admin = hostile
    _approve_all(app, admin)

    html = app.test_client().get(f"/items/{item.identifier}").text
    assert_inert(html, "item page")
    for payload in XSS[:3]:
        assert payload not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html

    client = login_client(app, admin)
    with app.app_context():
        ids = db.session.scalars(sa.select(Contribution.id)).all()
        reasons = [e.reason for e in db.session.scalars(sa.select(ModerationEvent))]
    assert set(XSS[1::2]) <= set(reasons)
    for note_id in ids:
        assert_inert(client.get(f"/moderation/contributions/{note_id}").text, "audit log")


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def _export_strings(fmt: str, response) -> list[str]:
    text = response.get_data(as_text=True)
    mimetype = FORMATS[fmt].mimetype
    if "csv" in mimetype:
        return [cell for row in csv.reader(io.StringIO(text.lstrip("\ufeff")))
                for cell in row for cell in [cell, *_cell_json(cell)]]
    if "ndjson" in mimetype or fmt == "jsonl":
        return [s for line in text.splitlines() if line.strip()
                for s in _strings(json.loads(line))]
    if "json" in mimetype:
        return list(_strings(json.loads(text)))
    if "xml" in mimetype:
        return list(ET.fromstring(text.encode("utf-8")).itertext())  # noqa: S314 - our own export
    raise AssertionError(f"no reader for the {fmt} export ({mimetype}): add one here")


def _cell_json(cell: str):
    try:
        return list(_strings(json.loads(cell)))
    except ValueError:
        return []


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_every_export_carries_the_text_exactly_and_is_never_html(
        app, hostile, login_client, fmt):
    item, admin = hostile
    _approve_all(app, admin)
    with app.app_context():
        db.session.add(Contribution(item_id=item.id, body=WORLD_TEXT, licence="CC BY 4.0",
                                    status=ContributionStatus.PENDING))
        db.session.commit()
        note = db.session.scalar(sa.select(Contribution).where(Contribution.body == WORLD_TEXT))
        from archive.models import User
        decide(note, db.session.get(User, admin.id), ContributionStatus.APPROVED)
        db.session.commit()
    client = login_client(app, admin)

    response = client.get(f"/curation/export.{fmt}")

    assert response.status_code == 200
    assert response.mimetype != "text/html"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Disposition"].startswith("attachment")
    strings = _export_strings(fmt, response)
    joined = "\n".join(strings)
    for payload in [*XSS, WORLD_TEXT]:
        assert payload in joined, (fmt, payload)


# --- malformed input -----------------------------------------------------------------------------


def test_nul_bytes_are_dropped_not_stored_and_do_not_break_the_database(app, client, make_item):
    item = make_item()

    response = _submit(client, item, body="Briggate\x00 in 1930", credit_name="Ada\x00",
                       suggested_place="Leeds\x00", suggested_people="Ada\x00; Bob")

    assert response.status_code == 303
    with app.app_context():
        note = db.session.scalar(sa.select(Contribution))
        assert note.body == "Briggate in 1930"
        assert "\x00" not in note.credit_name + note.suggested_place + note.suggested_people


@pytest.mark.parametrize("url", [
    "/items/%00", "/collections/%00", "/browse?sort=%00", "/browse?page=%00",
    "/search?q=%00", "/media/%00", "/items/x%00y/contribute",
])
def test_nul_bytes_in_addresses_are_refused_cleanly(client, make_item, url):
    make_item()
    response = client.get(url) if "contribute" not in url else client.post(url, data={})

    assert response.status_code < 500, url


def test_invalid_utf8_in_a_form_is_not_a_server_error(app, client, make_item):
    item = make_item()

    response = client.post(f"/items/{item.identifier}/contribute",
                           data=b"body=caf%C3%A9+%FF%FE+bar&consent=y",
                           content_type="application/x-www-form-urlencoded")

    assert response.status_code in (303, 400)
    with app.app_context():
        for body in db.session.scalars(sa.select(Contribution.body)):
            body.encode("utf-8")  # whatever was kept is valid text


def test_invalid_utf8_in_addresses_is_not_a_server_error(client):
    for url in ("/items/%FF%FE", "/collections/%C3%28", "/search?q=%FF", "/browse?sort=%FF"):
        assert client.get(url).status_code < 500, url


def test_a_ten_megabyte_note_is_refused_and_nothing_is_kept(app, client, make_item):
    item = make_item()

    response = _submit(client, item, body="x" * (10 * 1024 * 1024))

    assert response.status_code == 413
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Contribution.id))) == 0


@pytest.mark.database_independent
@pytest.mark.parametrize("path", ["/login", "/oai", "/register"])
def test_an_over_large_body_gets_the_friendly_413_page_on_any_route(client, path):
    response = client.post(path, data={"field": "x" * (2 * 1024 * 1024)})

    assert response.status_code == 413
    assert "too large" in response.get_data(as_text=True).lower()


def test_right_to_left_and_emoji_text_is_stored_and_shown_exactly(app, client, make_item,
                                                                 make_user):
    item = make_item()
    _submit(client, item, body=WORLD_TEXT, credit_name="דוד 🌻", show_name="y")
    with app.app_context():
        note = db.session.scalar(sa.select(Contribution))
        assert note.body == WORLD_TEXT
        assert note.credit_name == "דוד 🌻"
        from archive.models import User
        admin = make_user(Role.ADMIN)
        decide(note, db.session.get(User, admin.id), ContributionStatus.APPROVED)
        db.session.commit()
    page = client.get(f"/items/{item.identifier}").text
    assert WORLD_TEXT in page
    assert "דוד 🌻" in page


@pytest.mark.parametrize("payload", SQL)
def test_sql_injection_strings_in_search_and_filters_are_only_text(app, client, make_item,
                                                                  payload):
    make_item(title="Market day")
    make_item(title="Tram depot")
    targets = [("/browse", {"sort": payload, "page": payload}),
               ("/search", {"q": payload}),
               ("/search", {"q": payload, "collection": payload, "sort": payload})]
    for path, query in targets:
        response = client.get(path, query_string=query)
        assert response.status_code < 500, (path, payload)
    for path in (f"/items/{payload}", f"/collections/{payload}"):
        assert client.get(path).status_code == 404, path
    assert client.post("/login", data={"email": payload, "password": payload}) \
        .status_code in (400, 401)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Item.id))) == 2


def test_nul_bytes_in_the_login_form_are_refused_cleanly(client, make_user):
    make_user("archivist", email="ada@example.org")

    response = client.post("/login", data={"email": "ada@example.org\x00",
                                           "password": "correct horse battery"})

    assert response.status_code in (400, 401)


@pytest.mark.parametrize("path", ["/login", "/register", "/oai", "/items/P-1/contribute"])
def test_large_multipart_bodies_to_public_forms_are_refused_unread(app, client, make_item, path):
    """A public form needs kilobytes: 64 MB of multipart is refused before it is read."""
    import io

    make_item(identifier="P-1")
    stream = io.BytesIO(b"--B\r\nContent-Disposition: form-data; name=\"f\"; filename=\"a\"\r\n\r\n"
                        + b"x" * (64 * 1024 * 1024) + b"\r\n--B--\r\n")

    response = client.post(path, input_stream=stream,
                           headers={"Content-Type": "multipart/form-data; boundary=B",
                                    "Content-Length": str(len(stream.getvalue()))})

    assert response.status_code == 413
    assert stream.tell() == 0  # not a byte of it read


def test_nginx_takes_large_bodies_only_where_curators_upload():
    import re

    from archive import PROJECT_ROOT

    text = (PROJECT_ROOT / "deploy" / "nginx.conf").read_text(encoding="utf-8")
    config = "\n".join(line.split("#", 1)[0] for line in text.splitlines())
    server = config[config.index("listen 443 ssl;"):]

    sizes = re.findall(r"client_max_body_size\s+(\S+);", server)
    assert sizes[0] == "1m"  # the server's own, for every location without one
    large = re.findall(r"location\s+(\S+)\s*\{[^}]*client_max_body_size\s+64m;", server)
    assert large == ["/catalogue/"]
