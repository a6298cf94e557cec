"""A real browser against the app served over HTTP: Playwright driving Debian's Chromium.

The browser is started once per test session; each test gets a fresh browser context (its own
cookies) and the app served by werkzeug on 127.0.0.1, on the test's own database.
"""

from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade
from werkzeug.serving import WSGIRequestHandler, make_server

from archive import create_app
from archive.demo.loader import DEMO_USERS, load_demo
from archive.extensions import db
from archive.models import Contribution, ContributionStatus, Item

PROJECT_ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
AXE_SCRIPT = PROJECT_ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = PROJECT_ROOT / "docs" / "screenshots"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 360, "height": 740}


class QuietRequestHandler(WSGIRequestHandler):
    """Keeps one line per request out of the test output; errors are still logged."""

    def log_request(self, code="-", size="-") -> None:
        pass


def closing_each_response(app):
    """Read each response whole and close it before the server starts sending it.

    The development server closes a response's file only once it has written it out; when the
    browser drops a connection (a lazy image it no longer needs), that can happen after the
    test has ended, and the file is reported unclosed in some later test. Test responses are
    small, so reading them whole first is harmless.
    """

    def wsgi(environ, start_response):
        iterable = app(environ, start_response)
        try:
            return [b"".join(iterable)]
        finally:
            if hasattr(iterable, "close"):
                iterable.close()

    return wsgi


class LiveServer:
    def __init__(self, app) -> None:
        self.app = app
        self._server = make_server("127.0.0.1", 0, closing_each_response(app), threaded=True,
                                   request_handler=QuietRequestHandler)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)


@pytest.fixture
def serve(make_app):
    """``serve(app)``: serve ``app`` over HTTP until the end of the test; returns the server."""
    servers: list[LiveServer] = []

    def factory(app) -> LiveServer:
        server = LiveServer(app)
        servers.append(server)
        return server

    yield factory
    for server in servers:
        server.stop()


@pytest.fixture
def live_server(app, serve, make_app):
    """The app as a browser meets it: CSRF protection on, served over HTTP.

    Depends on ``app`` so that the factories (``make_item`` …) share its database, and builds
    its own app afterwards with the settings a real deployment has.
    """
    return serve(make_app(WTF_CSRF_ENABLED=True))


@pytest.fixture(scope="session")
def playwright_driver():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright_driver):
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(
            f"Chromium is not installed at {CHROMIUM}. Install Debian's package "
            "(apt-get install chromium) or point CHROMIUM_PATH at a Chromium binary.",
            pytrace=False,
        )
    browser = playwright_driver.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@dataclass
class PageProblems:
    """What the browser complained about: console errors (CSP violations among them)."""

    messages: list[str] = field(default_factory=list)

    def watch(self, page) -> None:
        page.on("console", self._console)
        page.on("response", self._response)
        page.on("pageerror", lambda error: self.messages.append(f"uncaught: {error}"))

    def _console(self, message) -> None:
        # A failed load is reported by _response with its address, and an error page the
        # test asked for (a 404, a 429) is not a problem.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            self.messages.append(f"{message.text} ({message.location.get('url')})")

    def _response(self, response) -> None:
        if response.status >= 400 and response.request.resource_type != "document":
            self.messages.append(f"{response.status} for {response.url}")


@pytest.fixture
def new_page(browser):
    """``new_page(viewport=DESKTOP, **context_options)``: a page in a fresh browser context.

    At the end of the test every page must have had no console error and no uncaught
    exception: a Content-Security-Policy violation is reported as a console error.
    """
    contexts = []
    problems = PageProblems()

    def factory(viewport=DESKTOP, **options):
        context = browser.new_context(viewport=viewport, **options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        problems.watch(page)
        return page

    yield factory
    for context in contexts:
        context.close()
    assert problems.messages == [], "the browser reported errors:\n" + "\n".join(
        problems.messages)


@pytest.fixture
def page(new_page):
    return new_page()


class Checks:
    """What the browser tests check on a page, handed to tests by the ``checks`` fixture."""

    DESKTOP = DESKTOP
    PHONE = PHONE

    @staticmethod
    def axe_violations(page, *, impacts=("serious", "critical")) -> list[dict]:
        """Run axe-core (WCAG 2.0/2.1 A and AA, and best practice) on the page.

        The page's context must have been made with ``bypass_csp=True``: axe is injected as a
        script of its own, which the site's policy rightly forbids.
        """
        if not AXE_SCRIPT.exists():
            pytest.fail(f"{AXE_SCRIPT} is missing: run `npm ci` (or `npm install`) first.",
                        pytrace=False)
        page.add_script_tag(path=str(AXE_SCRIPT))
        result = page.evaluate(
            """async () => await axe.run(document, {
                   runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa',
                                                   'best-practice']},
                   resultTypes: ['violations'],
               })"""
        )
        return [
            {"rule": v["id"], "impact": v["impact"], "help": v["help"],
             "nodes": [n["target"] for n in v["nodes"]][:5]}
            for v in result["violations"] if v["impact"] in impacts
        ]

    def accessible(self, page) -> None:
        violations = self.axe_violations(page)
        assert violations == [], f"axe found problems on {page.url}:\n" + json.dumps(
            violations, indent=2)

    @staticmethod
    def no_horizontal_scroll(page) -> None:
        width = page.viewport_size["width"]
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        if scroll_width > width:
            wide = page.evaluate(
                """width => [...document.querySelectorAll('body *')]
                    .filter(e => e.getBoundingClientRect().right > width)
                    .slice(0, 8).map(e => e.tagName + '.' + e.className + '#' + e.id)""", width)
            raise AssertionError(f"{page.url} scrolls sideways: {scroll_width}px > {width}px; "
                                 f"too wide: {wide}")

    @staticmethod
    def screenshot(page, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True, animations="disabled")
        return path


@pytest.fixture(scope="session")
def checks() -> Checks:
    return Checks()


DEMO_PASSWORDS: dict[str, tuple[str, str]] = {}
for _email, _name, _role, _password, _roles in DEMO_USERS:  # the first login of each role
    DEMO_PASSWORDS.setdefault(_role.value, (_email, _password))


@dataclass
class DemoSite:
    url: str
    app: object
    logins: dict[str, tuple[str, str]]
    item_with_region: str  # identifier of a photograph with an approved note marking an area
    question_item: str  # identifier of a photograph that asks "Can you help?"


@pytest.fixture(scope="module")
def demo_site(tmp_path_factory):
    """The demo archive served over HTTP, on an SQLite database of its own.

    Made once per module (loading the demo takes a few seconds); tests only read it, apart
    from logging in and sending an empty form.
    """
    folder = tmp_path_factory.mktemp("demo-site")
    app = create_app({
        "TESTING": True,
        "SECRET_KEY": "browser-test-secret-key-not-for-production",
        "RATELIMIT_ENABLED": False,
        "RATELIMIT_STORAGE_URI": "memory://",
        "WTF_CSRF_ENABLED": True,
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'demo.sqlite3'}",
        "MEDIA_ROOT": str(folder / "media"),
    })
    with app.app_context():
        upgrade()
        load_demo(Path(app.config["MEDIA_ROOT"]))
        db.session.commit()
        with_region = db.session.scalar(
            sa.select(Item.identifier).join(Contribution, Contribution.item_id == Item.id)
            .where(Contribution.status == ContributionStatus.APPROVED,
                   Contribution.region_x.is_not(None))
            .order_by(Item.needs_help.desc(), Item.id).limit(1))
        question = db.session.scalar(
            sa.select(Item.identifier).where(Item.needs_help.is_(True)).order_by(Item.id)
            .limit(1))
        db.session.remove()
    assert with_region and question, "the demo archive no longer has the pages tested here"
    server = LiveServer(app)
    yield DemoSite(url=server.url, app=app, logins=DEMO_PASSWORDS,
                   item_with_region=with_region, question_item=question)
    server.stop()
    with app.app_context():
        db.engine.dispose()
