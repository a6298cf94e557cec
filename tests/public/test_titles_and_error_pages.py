"""Every page's <title> ends with the archive's name once; every error renders one template."""

from __future__ import annotations

import html
import io
import re

import pytest
import sqlalchemy as sa
from flask import abort, template_rendered

from archive import errors
from archive.extensions import db, limiter
from archive.models import Role

UNREACHABLE = "postgresql+psycopg://postgres@127.0.0.1:1/nowhere?connect_timeout=2"
SUFFIX = " · "


def title(response) -> str:
    match = re.search(r"<title>(.*?)</title>", response.get_data(as_text=True), re.S)
    assert match, "the page has no <title>"
    return html.unescape(match.group(1))


def heading(response) -> str:
    match = re.search(r"<h1>(.*?)</h1>", response.get_data(as_text=True), re.S)
    assert match, "the page has no <h1>"
    return html.unescape(match.group(1))


class Rendered:
    """The templates rendered while the block runs (Flask's template_rendered signal)."""

    def __init__(self, app):
        self.app = app
        self.names: list[str] = []

    def _record(self, _sender, template, context, **_extra):
        self.names.append(template.name)

    def __enter__(self):
        template_rendered.connect(self._record, self.app)
        return self

    def __exit__(self, *exc):
        template_rendered.disconnect(self._record, self.app)


@pytest.fixture
def error_responses(app, make_app, make_item, make_user, make_collection, login_client):
    """``name -> (the ErrorPage meant, the response, the templates rendered for it)``.

    Each error is caused the way a visitor causes it, except the 500 and the database's
    refusal of a value, which come from a route added for the test.
    """
    make_collection(slug="streets", title="Streets")
    make_item()
    gone = make_item()
    contributor = make_user("contributor")
    curator = make_user("curator")
    with app.app_context():
        from archive.curation.withdrawal import withdraw_item
        from archive.models import Item, User

        withdraw_item(db.session.get(Item, gone.id), db.session.get(User, curator.id),
                      reason="Rights unclear")
        db.session.commit()

    results = {}

    def record(name, page, app, send):
        with Rendered(app) as rendered:
            response = send()
        results[name] = (page, response, rendered.names)

    small = make_app(MAX_CONTENT_LENGTH=50_000)

    @small.get("/test-only/server-error")
    def server_error():
        abort(500)

    @small.get("/test-only/unstorable")
    def unstorable():
        raise sa.exc.DataError("INSERT", {}, Exception("value out of range"))

    client = small.test_client()
    record("400", errors.BAD_REQUEST, small, lambda: client.get("/?q=%00"))
    record("400 unstorable", errors.BAD_REQUEST, small,
           lambda: client.get("/test-only/unstorable"))
    record("403", errors.FORBIDDEN, small,
           lambda: login_client(small, contributor).get("/moderation/"))
    record("404", errors.NOT_FOUND, small, lambda: client.get("/no-such-page"))
    record("405", errors.METHOD_NOT_ALLOWED, small, lambda: client.get("/logout"))
    record("410", errors.GONE, small, lambda: client.get(f"/items/{gone.identifier}"))
    record("413", errors.TOO_LARGE, small,
           lambda: client.post("/login", data={"field": "x" * 100_000}))
    record("413 upload", errors.UPLOAD_TOO_LARGE, small,
           lambda: login_client(small, curator).post(
               "/catalogue/items/new", content_type="multipart/form-data",
               data={"title": "Big", "image": (io.BytesIO(b"x" * 100_000), "big.jpg")}))
    record("500", errors.SERVER_ERROR, small, lambda: client.get("/test-only/server-error"))

    csrf_app = make_app(WTF_CSRF_ENABLED=True)
    record("csrf", errors.FORM_EXPIRED, csrf_app,
           lambda: csrf_app.test_client().post("/login", data={"email": "a@example.org"}))

    broken = make_app(SQLALCHEMY_DATABASE_URI=UNREACHABLE)
    record("503", errors.DATABASE_UNAVAILABLE, broken, lambda: broken.test_client().get("/"))

    # Flask-Limiter keeps one "enabled" flag per process: the limited app is made last.
    # (A paused note is not shown this page: its form comes back as typed.)
    limited = make_app(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://",
                       LOGIN_RATE_LIMIT="1 per hour")
    limiter.reset()
    limited_client = limited.test_client()
    guess = {"email": "a@example.org", "password": "wrong"}
    limited_client.post("/login", data=guess)

    def too_many():
        return limited_client.post("/login", data=guess)

    record("429", errors.TOO_MANY_REQUESTS, limited, too_many)
    return results


def test_every_error_status_renders_the_one_error_template(error_responses):
    assert {page.status for page, _response, _names in error_responses.values()} == {
        400, 403, 404, 405, 410, 413, 429, 500, 503}
    for name, (page, response, rendered) in error_responses.items():
        assert response.status_code == page.status, name
        assert rendered == [errors.TEMPLATE], name
        assert heading(response) == page.heading, name
        assert page.explanation in html.unescape(response.get_data(as_text=True)), name
        assert 'href="/">Go to the home page</a>' in response.get_data(as_text=True), name


def test_error_pages_keep_their_headers_and_the_503_stays_bare(error_responses):
    unavailable = error_responses["503"][1]
    assert int(unavailable.headers["Retry-After"]) > 0
    assert unavailable.headers["Cache-Control"] == "no-store"
    body = unavailable.get_data(as_text=True)
    # Nothing that would ask the unreachable database who is logged in, or offer a form.
    assert "site-header" not in body and "<form" not in body and "site-footer" not in body
    assert int(error_responses["429"][1].headers["Retry-After"]) > 0
    assert "site-header" in error_responses["404"][1].get_data(as_text=True)


def test_every_error_page_title_ends_with_the_archive_name_once(app, error_responses):
    name = app.config["ARCHIVE_NAME"]
    for label, (page, response, _rendered) in error_responses.items():
        assert title(response) == page.heading + SUFFIX + name, label


@pytest.mark.database_independent
def test_error_pages_are_translated(app, client):
    client.set_cookie("lang", "cy")

    response = client.get("/no-such-page")

    assert response.status_code == 404
    not_found = "Heb ddod o hyd i\N{RIGHT SINGLE QUOTATION MARK}r dudalen"
    assert heading(response) == not_found
    assert title(response) == not_found + SUFFIX + app.config["ARCHIVE_NAME"]


def test_every_page_title_ends_with_the_archive_name_once(
        app, make_collection, make_item, make_contribution, make_user, login_client):
    name = app.config["ARCHIVE_NAME"]
    visitor = app.test_client()
    # A page rendered with a status of its own: pot luck, with no photograph to show yet.
    empty = visitor.get("/pot-luck")
    assert (empty.status_code, title(empty)) == (404, "Nothing to show" + SUFFIX + name)

    make_collection(slug="streets", title="Streets")
    item = make_item(title="Whit Walk", needs_help=True, help_question="Which chapel?")
    note = make_contribution(item)
    staff = {role: login_client(app, make_user(role))
             for role in (Role.CONTRIBUTOR, Role.ARCHIVIST, Role.CURATOR, Role.ADMIN)}
    pages = [
        (visitor, "/browse", "Browse"),
        (visitor, "/collections/streets", "Streets"),
        (visitor, f"/items/{item.identifier}", "Whit Walk"),
        (visitor, "/search", "Search"),
        (visitor, "/search?q=walk", "“walk” · Search"),
        (visitor, "/most-viewed", "Most viewed"),
        (visitor, "/login", "Log in"),
        (visitor, "/register", "Create an account"),
        (staff[Role.CONTRIBUTOR], "/my/contributions", "My contributions"),
        (staff[Role.ARCHIVIST], "/moderation/", "Moderation queue"),
        (staff[Role.ARCHIVIST], "/moderation/dashboard", "Moderation dashboard"),
        (staff[Role.ARCHIVIST], "/moderation/log", "Audit log"),
        (staff[Role.ARCHIVIST], "/moderation/blocks", "Blocked senders"),
        (staff[Role.ARCHIVIST], f"/moderation/contributions/{note.id}", f"Note #{note.id}"),
        (staff[Role.ARCHIVIST], f"/moderation/items/{item.identifier}/question",
         "“Can you help?” · Whit Walk"),
        (staff[Role.CURATOR], "/curation/", "Exports"),
        (staff[Role.CURATOR], "/curation/withdrawn", "Withdrawn items"),
        (staff[Role.CURATOR], f"/curation/items/{item.identifier}/withdraw",
         f"Withdraw {item.identifier}"),
        (staff[Role.CURATOR], "/catalogue/items/new", "New photograph"),
        (staff[Role.CURATOR], f"/catalogue/items/{item.identifier}/edit",
         f"Edit {item.identifier}"),
        (staff[Role.ADMIN], "/admin/users", "Accounts"),
    ]
    for client, url, own_title in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert title(response) == own_title + SUFFIX + name, url
        assert title(response).count(name) == 1, url

    # The home page gives no title of its own: the archive's name alone.
    assert title(visitor.get("/")) == name
