"""An archivist marks a "Can you help?" question solved; visitors browsing and searching then
see it thanked for, no longer asked, in English and in Welsh."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.slow

PASSWORD = "correct horse battery"


def card(page, title: str):
    return page.locator(".card").filter(has_text=title)


def test_a_solved_question_is_thanked_for_in_browse_and_search(
        app, live_server, make_item, make_user, make_contribution, new_page):
    archivist = make_user("archivist")
    solved = make_item(title="Mill chimney", needs_help=True,
                       help_question="Which mill is this?")
    make_item(title="Mill yard", needs_help=True, help_question="Who are the workers?")
    make_contribution(solved, status="approved", decided_by=archivist,
                      body="Salts Mill, Saltaire.", credit_name="Edna Wood", show_name=True)

    desk = new_page()
    desk.goto(f"{live_server.url}/login")
    desk.get_by_label("Email").fill(archivist.email)
    desk.get_by_label("Password").fill(PASSWORD)
    desk.get_by_role("button", name="Log in").click()
    desk.wait_for_url(f"{live_server.url}/moderation/")
    desk.goto(f"{live_server.url}/moderation/items/{solved.identifier}/question")
    desk.get_by_label("Salts Mill, Saltaire.", exact=False).check()
    desk.get_by_role("button", name="Mark solved").click()
    desk.wait_for_load_state()
    assert "Marked solved" in desk.get_by_role("status").first.inner_text()

    visitor = new_page()
    visitor.goto(f"{live_server.url}/browse")
    assert card(visitor, "Mill chimney").locator(".badge").all_inner_texts() == [
        "Solved with your help"]
    assert card(visitor, "Mill yard").locator(".badge").all_inner_texts() == ["Can you help?"]

    visitor.goto(f"{live_server.url}/search?q=mill")
    facets = visitor.get_by_role("complementary", name="Narrow the results")
    facets.get_by_role("link", name="Solved with your help (1)").click()
    visitor.wait_for_url("**solved=1**")
    results = visitor.locator(".hit")
    assert results.locator("h3").all_inner_texts() == ["Mill chimney"]
    assert results.locator(".badge").all_inner_texts() == ["Solved with your help"]
    # The chosen value is marked, and taking it away shows every match again.
    facets.get_by_role("link", name="Solved with your help (1) ✕").click()
    visitor.wait_for_load_state()
    assert sorted(visitor.locator(".hit h3").all_inner_texts()) == ["Mill chimney", "Mill yard"]

    welsh = new_page(locale="cy-GB", extra_http_headers={"Accept-Language": "cy"})
    welsh.goto(f"{live_server.url}/browse")
    assert card(welsh, "Mill chimney").locator(".badge").all_inner_texts() == [
        "Datryswyd gyda\u2019ch help chi"]
    assert card(welsh, "Mill yard").locator(".badge").all_inner_texts() == ["Allwch chi helpu?"]
