"""Every public page and the staff pages, in a real browser, on the demo archive.

Each page is checked with axe-core (no serious or critical WCAG 2.1 A/AA problem) at desktop
and phone widths, nothing may scroll sideways at 360 px, and the main pages are photographed
into docs/screenshots/ (``home-desktop.png``, ``home-phone.png`` …) for the README.
"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.slow

WIDTHS = ("desktop", "phone")


def log_in(page, site, role: str) -> None:
    email, password = site.logins[role]
    page.goto(f"{site.url}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()
    assert "/login" not in page.url, f"{role} could not log in"


@pytest.fixture(params=WIDTHS)
def width(request):
    return request.param


@pytest.fixture
def audit_page(new_page, checks, width):
    """A page at this test's width whose context lets axe-core be injected."""
    viewport = checks.DESKTOP if width == "desktop" else checks.PHONE
    return new_page(viewport=viewport, bypass_csp=True)


def check_page(page, checks, name: str | None, width: str) -> None:
    if name:
        checks.screenshot(page, f"{name}-{width}")
    checks.accessible(page)
    checks.no_horizontal_scroll(page)


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("/", "home"),
        ("/browse", "browse"),
        ("/browse?sort=oldest&page=2", None),
        ("/items/{item_with_region}", "item"),
        # A card scanned front and back: its strip of images, the back shown.
        ("/items/CB-HAR-0138?image=2", "item-images"),
        ("/login", None),
        ("/items/NO-SUCH-ITEM", None),
        ("/institutions/", None),
        ("/institutions/calderbridge-co-op", "institution"),
        ("/impact", "impact"),
        ("/search?q=mill", None),
    ],
)
def test_public_page_is_accessible(demo_site, audit_page, checks, width, path, name):
    url = demo_site.url + path.format(question_item=demo_site.question_item,
                                      item_with_region=demo_site.item_with_region)
    audit_page.goto(url)
    check_page(audit_page, checks, name, width)


def test_collection_page_is_accessible(demo_site, audit_page, checks, width):
    audit_page.goto(f"{demo_site.url}/")
    audit_page.get_by_role("region", name="Collections").get_by_role("link").first.click()
    audit_page.wait_for_load_state()
    assert "/collections/" in audit_page.url
    check_page(audit_page, checks, None, width)


def test_form_with_errors_is_accessible(demo_site, audit_page, checks, width):
    audit_page.goto(f"{demo_site.url}/items/{demo_site.question_item}")
    audit_page.get_by_role("button", name="Send my note").click()
    audit_page.wait_for_load_state()
    summary = audit_page.get_by_role("alert")
    assert "Your note has not been sent yet" in summary.inner_text()
    check_page(audit_page, checks, "form-errors", width)


def test_moderation_queue_is_accessible(demo_site, audit_page, checks, width):
    log_in(audit_page, demo_site, "archivist")
    audit_page.goto(f"{demo_site.url}/moderation/")
    assert audit_page.get_by_role("heading", level=1).inner_text() == "Moderation queue"
    check_page(audit_page, checks, "queue", width)
    audit_page.get_by_role("link", name="History of note").first.click()
    audit_page.wait_for_load_state()
    check_page(audit_page, checks, None, width)


def test_a_notes_box_in_the_queue_is_accessible(demo_site, audit_page, checks, width):
    """The demo's note about the pencilled name on the back of a card: its box on that image,
    and the form to move or remove it opened."""
    log_in(audit_page, demo_site, "archivist")
    audit_page.goto(f"{demo_site.url}/moderation/?item=CB-HAR-0138")
    figure = audit_page.locator("[data-note-box]")
    assert "Image 2 of 2." in figure.inner_text()
    audit_page.get_by_text("Edit the text or the box before approving").click()
    check_page(audit_page, checks, "queue-box", width)
    audit_page.get_by_role("link", name="History of note").first.click()
    audit_page.wait_for_load_state()
    assert "The box the contributor drew." in audit_page.locator("[data-note-box]").inner_text()
    check_page(audit_page, checks, None, width)


def test_export_page_is_accessible(demo_site, audit_page, checks, width):
    log_in(audit_page, demo_site, "curator")
    audit_page.goto(f"{demo_site.url}/curation/")
    check_page(audit_page, checks, "export", width)


def test_institution_management_is_accessible(demo_site, audit_page, checks, width):
    log_in(audit_page, demo_site, "admin")
    audit_page.goto(f"{demo_site.url}/admin/institutions")
    check_page(audit_page, checks, None, width)
    audit_page.goto(f"{demo_site.url}/admin/institutions/calderbridge-co-op")
    audit_page.get_by_label("Accent colour").fill("#ffcc00")  # too light: refused
    audit_page.get_by_role("button", name="Save").click()
    audit_page.wait_for_load_state()
    assert "WCAG AA asks for 4.5:1" in audit_page.locator("main").inner_text()
    check_page(audit_page, checks, "institution-admin", width)
