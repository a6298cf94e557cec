"""How far a visitor can page through a search, in a real browser against the served app."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.slow


def test_a_visitor_pages_to_the_end_of_a_search_and_is_told_how_to_find_more(
        app, serve, make_app, make_item, new_page, monkeypatch, checks):
    from archive.search import services

    # The served app runs in this process: the bounds shrink to fit a small archive.
    monkeypatch.setattr(services, "MAX_RESULTS", 4)
    monkeypatch.setattr(services, "FACET_LIMIT", 4)
    for n in range(6):
        make_item(title=f"Canal basin {n}")
    live_server = serve(make_app(WTF_CSRF_ENABLED=True, ITEMS_PER_PAGE=2))
    page = new_page(bypass_csp=True)  # axe-core is injected at the end

    page.goto(f"{live_server.url}/search")
    page.locator("#search-q").fill("canal")
    page.locator("#search-q").press("Enter")
    page.wait_for_url("**/search?q=canal*")
    assert "A search shows its first" not in page.content()
    page.get_by_role("link", name="Next").click()
    page.wait_for_url("**page=2*")

    assert page.get_by_text("A search shows its first 4 results. To find others, add a word "
                            "or choose a filter.").is_visible()
    assert page.get_by_role("link", name="Next").count() == 0
    assert page.locator(".hit").count() == 2

    # A deeper page, typed by hand, is refused kindly, with the words kept in the box.
    page.goto(f"{live_server.url}/search?q=canal&page=3")
    assert page.get_by_text("A search shows its first 4 results, up to page 2.").is_visible()
    assert page.locator("#search-q").input_value() == "canal"
    assert page.locator(".hit").count() == 0
    checks.accessible(page)
