"""Details a person notices on the page: how the record's history, search results, browsing on
a phone, the thank-you page and the archivist's forms read and line up, in English and Welsh.

Each test runs on SQLite and on PostgreSQL (the ``app`` fixture), in a real browser with the
site's Content-Security-Policy enforced.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from archive.extensions import db
from archive.images.processing import store_image
from archive.models import Enrichment, Image

pytestmark = pytest.mark.slow

PASSWORD = "correct horse battery"
DASH = "\N{EN DASH}"  # between the years of a range
WELSH = {"locale": "cy-GB", "extra_http_headers": {"Accept-Language": "cy"}}


def log_in(page, url: str, user) -> None:
    page.goto(f"{url}/login")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{url}/moderation/")


def add_image(app, item, image_files, size) -> None:
    """A first image of the given size for an item made without one."""
    stored = store_image(image_files.make(size=size), Path(app.config["MEDIA_ROOT"]))
    with app.app_context():
        db.session.add(Image(
            item_id=item.id, position=0, sha256=stored.sha256, original_name="photo.jpg",
            original_path=stored.original_path, thumb_path=stored.thumb_path,
            display_path=stored.display_path, media_type=stored.media_type,
            width=stored.width, height=stored.height))
        db.session.commit()
        db.session.remove()


# --- the record's history ----------------------------------------------------------------------


def test_the_record_history_says_what_was_set_without_blanks_or_repeated_years(
    app, live_server, make_item, make_user, new_page
):
    archivist = make_user("archivist")
    item = make_item(title="Whit walk", date_text="1930s", date_earliest=1930, date_latest=1939,
                     place="")
    with app.app_context():
        db.session.add_all([
            Enrichment(item_id=item.id, field="date_text", old_value="",
                       new_value="Whit Week 1936", new_date_earliest=1936, new_date_latest=1936,
                       applied_by_id=archivist.id, applied_at=datetime(2026, 5, 4, tzinfo=UTC)),
            Enrichment(item_id=item.id, field="date_text", old_value="Whit Week 1936",
                       new_value="1930s", old_date_earliest=1936, old_date_latest=1936,
                       new_date_earliest=1930, new_date_latest=1939,
                       applied_by_id=archivist.id, applied_at=datetime(2026, 5, 5, tzinfo=UTC)),
            Enrichment(item_id=item.id, field="place", old_value="Mill Lane", new_value="",
                       applied_by_id=archivist.id, applied_at=datetime(2026, 5, 6, tzinfo=UTC)),
        ])
        db.session.commit()
        db.session.remove()

    english = new_page()
    english.goto(f"{live_server.url}/items/{item.identifier}")
    lines = english.locator(".record-history > li").all_inner_texts()
    assert [" ".join(line.split()) for line in lines] == [
        "4 May 2026: Date set to “Whit Week 1936” (1936).",
        f"5 May 2026: Date changed from “Whit Week 1936” to “1930s” (1930{DASH}1939).",
        "6 May 2026: Place “Mill Lane” removed.",
    ]

    welsh = new_page(**WELSH)
    welsh.goto(f"{live_server.url}/items/{item.identifier}")
    history = " ".join(welsh.locator(".record-history").inner_text().split())
    assert "Dyddiad — gosodwyd yn “Whit Week 1936” (1936)." in history
    assert f"(1930{DASH}1939)" in history
    assert "gwag" not in history and f"1936{DASH}1936" not in history


# --- search results ----------------------------------------------------------------------------


def test_search_results_keep_fields_apart_and_their_titles_line_up(
    app, live_server, make_item, image_files, new_page
):
    trams = make_item(title="Wharf Street trams", with_image=False, date_text="1931",
                      place="Wharf Street", subjects="Trams; Transport; Commuting",
                      creator="Frank Ogden")
    add_image(app, trams, image_files, (900, 400))  # wide
    tall = make_item(title="Tram depot tower", with_image=False, description="Trams inside.")
    add_image(app, tall, image_files, (300, 800))  # tall
    make_item(title="Tram timetable", with_image=False, description="Trams, no photograph.")

    page = new_page()
    page.goto(f"{live_server.url}/search?q=trams")
    hits = page.locator(".hit")
    assert hits.count() == 3

    snippet = hits.filter(has_text="Wharf Street trams").locator(".hit-snippet").inner_text()
    assert "1931 · Wharf Street · Trams; Transport; Commuting · Frank Ogden" in snippet

    titles = [box["x"] for box in (
        hits.nth(n).locator("h3").bounding_box() for n in range(3))]
    assert max(titles) - min(titles) < 1, f"the result titles start at {titles}"


# --- browsing on a phone -----------------------------------------------------------------------


def test_on_a_phone_the_first_photograph_is_on_the_first_screen(
    app, live_server, make_institution, make_collection, make_item, new_page, checks
):
    for n in range(2):
        institution = make_institution(name=f"Borough Archive Service number {n}")
        for m in range(4):
            collection = make_collection(institution=institution,
                                         title=f"Photographs of the borough, part {n}.{m}")
            make_item(collection=collection, title=f"Street {n}.{m}")

    page = new_page(viewport=checks.PHONE)
    page.goto(f"{live_server.url}/browse")
    first = page.locator(".grid .card img").first
    box = page.evaluate("""() => {
        const r = document.querySelector('.grid .card img').getBoundingClientRect();
        return {top: r.top + window.scrollY, bottom: r.bottom + window.scrollY};
    }""")
    assert box["bottom"] <= checks.PHONE["height"], (
        f"the first photograph is {box['top']:.0f} to {box['bottom']:.0f} px down a "
        f"{checks.PHONE['height']} px screen")
    assert first.is_visible()

    # The order and the collections are one tap away.
    order = page.get_by_label("Order")
    assert not order.is_visible()
    page.get_by_text("Order, institutions and collections").click()
    assert order.is_visible()
    assert page.get_by_role("link", name="Photographs of the borough, part 1.3",
                            exact=False).is_visible()
    checks.no_horizontal_scroll(page)

    # On a wide screen there is room: they are shown open.
    wide = new_page()
    wide.goto(f"{live_server.url}/browse")
    assert wide.get_by_label("Order").is_visible()


# --- the thank-you page ------------------------------------------------------------------------


def test_after_sending_the_first_note_the_page_does_not_say_nobody_has(
    app, live_server, make_item, new_page
):
    item = make_item(title="Mill chimney")
    page = new_page()
    page.goto(f"{live_server.url}/items/{item.identifier}")
    notes = page.get_by_role("region", name="What people have told us")
    assert "Nobody has told us anything about this photograph yet." in notes.inner_text()

    page.get_by_label("What do you know about this photograph?").fill("Dobson's mill, 1950s.")
    page.get_by_label("I agree that my note may be published", exact=False).check()
    page.get_by_role("button", name="Send my note").click()
    page.wait_for_url(f"**/items/{item.identifier}#thanks")

    said = notes.inner_text()
    assert "Nobody has told us" not in said
    assert "Your note will be shown here once an archivist has approved it." in said


# --- the archivist's forms ---------------------------------------------------------------------


def test_the_year_boxes_are_styled_like_the_other_fields(
    app, live_server, make_item, make_user, make_contribution, new_page
):
    archivist = make_user("archivist")
    note = make_contribution(make_item(title="Chapel"), status="approved", decided_by=archivist,
                             body="Whit Week 1936.", suggested_date="Whit Week 1936")
    page = new_page()
    log_in(page, live_server.url, archivist)
    page.goto(f"{live_server.url}/moderation/contributions/{note.id}")

    def style(label):
        return page.get_by_label(label, exact=True).evaluate("""e => {
            const s = getComputedStyle(e), r = e.getBoundingClientRect();
            return {height: r.height, width: r.width, border: s.borderTopColor,
                    radius: s.borderTopLeftRadius, font: s.fontSize};
        }""")

    date, earliest, latest = style("Date as shown"), style("Earliest year"), style("Latest year")
    for year in (earliest, latest):
        assert year["height"] >= 44, year
        assert year["width"] >= 96, year  # room for a year and the spin buttons
        assert (year["border"], year["radius"], year["font"]) == (
            date["border"], date["radius"], date["font"])


def test_mark_solved_with_no_note_ticked_says_so_beside_the_notes(
    app, live_server, make_item, make_user, make_contribution, new_page
):
    archivist = make_user("archivist")
    item = make_item(title="School group", needs_help=True, help_question="Which school?")
    make_contribution(item, status="approved", decided_by=archivist, body="Brigg Lane school.")
    page = new_page()
    log_in(page, live_server.url, archivist)
    page.goto(f"{live_server.url}/moderation/items/{item.identifier}/question")
    page.get_by_label("How the answer was confirmed (optional)").fill("Checked the log book")

    with page.expect_response(lambda r: r.request.method == "POST") as response:
        page.get_by_role("button", name="Mark solved").click()
    page.wait_for_load_state()

    assert response.value.status == 400
    notes = page.get_by_role("group", name="The approved notes that answered it", exact=False)
    assert "Tick the approved note (or notes) that answered the question." in notes.inner_text()
    assert page.get_by_label("How the answer was confirmed (optional)").input_value() == (
        "Checked the log book")
    assert page.get_by_role("button", name="Mark solved").is_visible()
