"""What people do on the site, end to end, in a real browser against the served app.

Each test runs on SQLite and on PostgreSQL (the ``app`` fixture), with CSRF protection on and
the site's Content-Security-Policy enforced: any console error fails the test.
"""

from __future__ import annotations

import csv
import io
import json

import pytest
import sqlalchemy as sa

from archive.extensions import db, limiter
from archive.models import Contribution, ContributionStatus

pytestmark = pytest.mark.slow

PASSWORD = "correct horse battery"
NOTE = "The girl on the left is my mother, Doris Holroyd, outside Brigg Lane school."


def is_focused(locator) -> bool:
    return locator.evaluate("element => element === document.activeElement")


def tab_to(page, locator, *, limit: int = 60, backwards: bool = False) -> None:
    """Press Tab (or Shift+Tab) until ``locator`` has the focus, as a keyboard user would."""
    key = "Shift+Tab" if backwards else "Tab"
    for _ in range(limit):
        page.keyboard.press(key)
        if is_focused(locator):
            return
    raise AssertionError(f"{locator} was not reached with {key} in {limit} presses")


def focus_is_visible(page) -> bool:
    """The focused element has an outline a sighted keyboard user can see."""
    return page.evaluate(
        """() => {
            const style = getComputedStyle(document.activeElement);
            return style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2;
        }"""
    )


def log_in(page, url: str, user) -> None:
    page.goto(f"{url}/login")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{url}/moderation/")


def stored_notes(app) -> list[Contribution]:
    with app.app_context():
        notes = list(db.session.scalars(sa.select(Contribution).order_by(Contribution.id)))
        db.session.expunge_all()
        db.session.remove()
    return notes


def box_of(locator) -> dict:
    box = locator.bounding_box()
    assert box is not None, f"{locator} is not shown"
    return box


def test_a_note_sent_with_the_keyboard_is_approved_credited_and_exported(
    app, live_server, make_item, make_user, new_page
):
    item = make_item(title="Children on Brigg Lane", needs_help=True,
                     help_question="Who are these children, and when was this taken?")
    make_item(title="Market Street in the snow")
    archivist = make_user("archivist", display_name="Alex Archivist")
    curator = make_user("curator")
    url = live_server.url

    # A visitor, with the keyboard alone, finds the question on the home page.
    visitor = new_page()
    visitor.goto(url + "/")
    visitor.keyboard.press("Tab")
    skip = visitor.get_by_role("link", name="Skip to main content")
    assert is_focused(skip) and focus_is_visible(visitor)
    assert box_of(skip)["x"] >= 0 and box_of(skip)["y"] >= 0  # on screen once focused
    question = visitor.get_by_role("region", name="Can you help?").get_by_role(
        "link", name="Children on Brigg Lane")
    tab_to(visitor, question)
    assert focus_is_visible(visitor)
    visitor.keyboard.press("Enter")
    visitor.wait_for_url(f"{url}/items/{item.identifier}")

    # … follows "Tell us what you know" down to the form, and writes the note.
    tab_to(visitor, visitor.get_by_role("link", name="Tell us what you know"))
    visitor.keyboard.press("Enter")
    body = visitor.get_by_label("What do you know about this photograph?")
    tab_to(visitor, body)
    visitor.keyboard.type(NOTE)
    tab_to(visitor, visitor.get_by_label("When was it taken? (optional)"))
    visitor.keyboard.type("about 1935")

    # … marks the girl on the photo: a box made, moved and resized with the keyboard.
    tab_to(visitor, visitor.get_by_role("button", name="Mark an area with the keyboard"))
    visitor.keyboard.press("Enter")
    area = visitor.get_by_role("group", name="Marked area")
    assert is_focused(area) and focus_is_visible(visitor)
    for key in ("ArrowLeft",) * 5 + ("ArrowDown",) * 2 + ("Shift+ArrowLeft",) * 10:
        visitor.keyboard.press(key)
    status = visitor.locator("[data-region-status]")
    assert status.inner_text() == ("Area marked: 20% to 40% across, "
                                   "34% to 74% down the photograph.")

    tab_to(visitor, visitor.get_by_label("Your name, as it should be credited (optional)"))
    visitor.keyboard.type("Susan Wade")  # a name typed is the credit: nothing else to tick
    tab_to(visitor, visitor.get_by_label("I agree that my note may be published", exact=False))
    visitor.keyboard.press("Space")
    tab_to(visitor, visitor.get_by_role("button", name="Send my note"))
    visitor.keyboard.press("Enter")
    visitor.wait_for_url(f"{url}/items/{item.identifier}#thanks")
    assert "Thank you! Your note has reached the archive" in visitor.get_by_role(
        "status").first.inner_text()
    assert NOTE not in visitor.get_by_role("region", name="What people have told us").inner_text()

    [note] = stored_notes(app)
    assert note.status is ContributionStatus.PENDING
    assert (note.region_x, note.region_y, note.region_w, note.region_h) == pytest.approx(
        (0.2, 0.34, 0.2, 0.4))

    # An archivist logs in, finds the note in the queue, applies its date and approves it.
    desk = new_page()
    log_in(desk, url, archivist)
    row = desk.locator(".queue-row").filter(has_text=NOTE)
    row.get_by_label("Date: “about 1935”", exact=False).check()
    row.get_by_role("button", name="Approve").click()
    desk.wait_for_load_state()
    assert "approved" in desk.get_by_role("status").first.inner_text()
    assert NOTE not in desk.content()

    # The visitor sees the note on the item page, credited, and the area it points at.
    visitor.goto(f"{url}/items/{item.identifier}")
    notes = visitor.get_by_role("region", name="What people have told us")
    published = notes.get_by_role("listitem").filter(has_text=NOTE)
    assert "Susan Wade" in published.inner_text()
    assert "about 1935" in visitor.locator("dl.record").inner_text()
    outline = visitor.locator("[data-region-outline]")
    assert outline.is_hidden()
    show = published.get_by_role("button", name="Show on the photo")
    show.click()
    assert show.get_attribute("aria-pressed") == "true"
    photo, drawn = box_of(visitor.locator("[data-region-photo] img")), box_of(outline)
    assert (drawn["x"] - photo["x"]) / photo["width"] == pytest.approx(0.2, abs=0.01)
    assert (drawn["y"] - photo["y"]) / photo["height"] == pytest.approx(0.34, abs=0.01)
    assert drawn["width"] / photo["width"] == pytest.approx(0.2, abs=0.01)
    assert drawn["height"] / photo["height"] == pytest.approx(0.4, abs=0.01)
    show.click()
    assert outline.is_hidden() and show.get_attribute("aria-pressed") == "false"
    visitor.mouse.move(0, 0)
    published.hover()  # pointing at the note outlines its area too
    assert outline.is_visible()

    # A curator downloads the CSV and finds the note in it, with its credit and area.
    office = new_page()
    log_in(office, url, curator)
    office.goto(f"{url}/curation/")
    with office.expect_download() as download_info:
        office.get_by_role("button", name="Download CSV").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".csv")
    with open(download.path(), encoding="utf-8-sig") as exported:
        rows = {row["identifier"]: row for row in csv.DictReader(io.StringIO(exported.read()))}
    [exported_note] = json.loads(rows[item.identifier]["notes"])
    assert exported_note["text"] == NOTE
    assert exported_note["credit"] == "Susan Wade"
    assert exported_note["approved_by"] == "Alex Archivist"
    # The box, and the image it is on (the item's one image).
    assert exported_note["region"] == pytest.approx(
        {"x": 0.2, "y": 0.34, "w": 0.2, "h": 0.4, "image": 1})
    assert rows[item.identifier]["date_text"] == "about 1935"


def test_form_errors_keep_what_was_typed_and_the_box_drawn(
    app, live_server, make_item, page
):
    item = make_item(title="Tram at the Town Hall")
    page.goto(f"{live_server.url}/items/{item.identifier}")

    page.get_by_label("Where was it taken? (optional)").fill("Town Hall Square")
    stage = page.locator("[data-region-stage]")
    stage.scroll_into_view_if_needed()
    photo = box_of(stage)
    page.mouse.move(photo["x"] + photo["width"] * 0.5, photo["y"] + photo["height"] * 0.25)
    page.mouse.down()
    page.mouse.move(photo["x"] + photo["width"] * 0.8, photo["y"] + photo["height"] * 0.75,
                    steps=5)
    page.mouse.up()
    page.get_by_role("button", name="Send my note").click()
    page.wait_for_load_state()

    summary = page.get_by_role("alert")
    assert "Your note has not been sent yet" in summary.inner_text()
    body = page.get_by_label("What do you know about this photograph?")
    assert body.get_attribute("aria-invalid") == "true"
    assert "Please tell us what you know before sending." in page.locator(
        f"#{body.get_attribute('id')}-error").inner_text()
    consent = page.get_by_label("I agree that my note may be published", exact=False)
    assert consent.get_attribute("aria-invalid") == "true"
    assert page.get_by_label("Where was it taken? (optional)").input_value() == "Town Hall Square"
    # The box is still there, where it was drawn.
    page.locator("[data-region-stage]").scroll_into_view_if_needed()
    box = box_of(page.get_by_role("group", name="Marked area"))
    photo = box_of(page.locator("[data-region-stage]"))
    assert (box["x"] - photo["x"]) / photo["width"] == pytest.approx(0.5, abs=0.01)
    assert box["width"] / photo["width"] == pytest.approx(0.3, abs=0.01)
    assert stored_notes(app) == []

    body.fill("The tram is a number 4, going to Brighouse.")
    consent.check()
    page.get_by_role("button", name="Send my note").click()
    page.wait_for_url(f"**/items/{item.identifier}#thanks")
    [note] = stored_notes(app)
    assert (note.region_x, note.region_y, note.region_w, note.region_h) == pytest.approx(
        (0.5, 0.25, 0.3, 0.5), abs=0.005)
    assert note.suggested_place == "Town Hall Square"


def test_the_box_can_be_drawn_with_a_finger_and_cleared(app, live_server, make_item, new_page,
                                                         checks):
    item = make_item(title="Corner shop")
    page = new_page(viewport=checks.PHONE, has_touch=True, is_mobile=True)
    page.goto(f"{live_server.url}/items/{item.identifier}")
    stage = page.locator("[data-region-stage]")
    stage.scroll_into_view_if_needed()
    photo = box_of(stage)
    scrolled = page.evaluate("window.scrollY")

    touch = page.context.new_cdp_session(page)

    def finger(kind: str, fx: float, fy: float) -> None:
        points = [] if kind == "touchEnd" else [
            {"x": photo["x"] + photo["width"] * fx, "y": photo["y"] + photo["height"] * fy}]
        touch.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": points})

    finger("touchStart", 0.1, 0.2)
    for step in range(1, 6):
        finger("touchMove", 0.1 + 0.06 * step, 0.2 + 0.1 * step)
    finger("touchEnd", 0, 0)
    touch.detach()

    assert page.evaluate("window.scrollY") == scrolled  # drawing did not scroll the page
    assert page.locator("[data-region-status]").inner_text() == (
        "Area marked: 10% to 40% across, 20% to 70% down the photograph.")
    values = [page.locator(f"input[name=region_{k}]").input_value() for k in "xywh"]
    assert [float(v) for v in values] == pytest.approx([0.1, 0.2, 0.3, 0.5], abs=0.005)

    page.get_by_role("button", name="Clear the box").click()
    assert [page.locator(f"input[name=region_{k}]").input_value() for k in "xywh"] == [""] * 4
    assert page.get_by_role("group", name="Marked area").is_hidden()
    assert is_focused(page.get_by_role("button", name="Mark an area with the keyboard"))
    checks.no_horizontal_scroll(page)


def test_the_form_works_without_javascript(app, live_server, make_item, new_page):
    item = make_item(title="Mill chimney")
    page = new_page(java_script_enabled=False)
    page.goto(f"{live_server.url}/items/{item.identifier}")
    assert page.locator("[data-region-picker]").is_hidden()
    page.get_by_label("What do you know about this photograph?").fill("Dobson's mill, 1950s.")
    page.get_by_label("I agree that my note may be published", exact=False).check()
    page.get_by_role("button", name="Send my note").click()
    page.wait_for_url(f"**/items/{item.identifier}#thanks")
    [note] = stored_notes(app)
    assert note.body == "Dobson's mill, 1950s." and note.region_x is None


def test_a_flood_of_notes_is_paused_keeping_the_typed_note(app, serve, make_app, make_item,
                                                            new_page, checks):
    item = make_item(title="Canal basin")
    # Built last: Flask-Limiter's on/off switch is shared by every app in the process.
    limited = make_app(WTF_CSRF_ENABLED=True, RATELIMIT_ENABLED=True,
                       CONTRIBUTION_RATE_LIMIT="2 per hour")
    limiter.reset()
    server = serve(limited)
    page = new_page(bypass_csp=True)  # axe-core is injected below
    page.goto(f"{server.url}/items/{item.identifier}")
    body = page.get_by_label("What do you know about this photograph?")
    consent = page.get_by_label("I agree that my note may be published", exact=False)
    send = page.get_by_role("button", name="Send my note")
    # A note sent back for a correction (no consent) does not use up the allowance.
    body.fill("Note 0: 1962.")
    send.click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Your note has not been sent yet").is_visible()

    for n in range(3):
        page.goto(f"{server.url}/items/{item.identifier}")
        body.fill(f"Note {n}: 1962.")
        consent.check()
        with page.expect_response(lambda r: r.request.method == "POST") as response:
            send.click()
        page.wait_for_load_state()
    assert response.value.status == 429
    assert 0 < int(response.value.headers["retry-after"]) <= 3600
    paused = page.get_by_role("alert")
    assert "Please slow down: your note has not been sent yet" in paused.inner_text()
    assert "please send it again in about 60 minutes" in paused.inner_text()
    assert body.input_value() == "Note 2: 1962."  # what was typed is still there
    assert consent.is_checked()
    assert [n.body for n in stored_notes(app)] == ["Note 0: 1962.", "Note 1: 1962."]
    checks.accessible(page)
    page.set_viewport_size(checks.PHONE)
    checks.no_horizontal_scroll(page)


def test_an_archivist_opens_and_closes_an_event_allowance(app, live_server, make_user,
                                                          new_page, checks):
    archivist = make_user("archivist")
    page = new_page(bypass_csp=True)  # axe-core is injected below
    log_in(page, live_server.url, archivist)
    page.goto(f"{live_server.url}/moderation/allowances")
    page.get_by_label("What it is for").fill("Memory day at the Central Library")
    page.get_by_label("Address or network").fill("198.51.100.0/8")
    page.get_by_label("Notes an hour").fill("120")
    page.get_by_label("For how many hours, from now").fill("9")
    page.get_by_role("button", name="Open the allowance").click()
    page.wait_for_load_state()
    # Too wide: refused, keeping what was typed.
    assert "An IPv4 network may be a /16 at the widest." in page.content()
    assert page.get_by_label("What it is for").input_value() == (
        "Memory day at the Central Library")
    page.get_by_label("Address or network").fill("198.51.100.0/24")
    page.get_by_role("button", name="Open the allowance").click()
    page.wait_for_load_state()

    assert "Allowance opened: 120 notes an hour" in page.content()
    row = page.get_by_role("row", name="Memory day at the Central Library")
    assert "IPv4, /24" in row.inner_text() and "198.51.100" not in page.content()
    checks.accessible(page)
    row.get_by_role("button", name="Close").click()
    page.wait_for_load_state()
    assert "Allowance closed: the usual limit applies again." in page.content()
    assert "No allowance is open" in page.content()
    page.goto(f"{live_server.url}/moderation/log")
    assert page.get_by_role("cell", name="Event allowance closed").is_visible()
    assert page.get_by_role("cell", name="Event allowance opened").is_visible()


def test_a_rejected_note_is_never_published(app, live_server, make_item, make_user,
                                            make_contribution, new_page):
    item = make_item(title="Bandstand in the park")
    archivist = make_user("archivist")
    make_contribution(item, body="Buy cheap watches at example.com", credit_name="Spammer",
                      show_name=True)
    make_contribution(item, body="The bandstand was taken down in 1961.")

    desk = new_page()
    log_in(desk, live_server.url, archivist)
    row = desk.locator(".queue-row").filter(has_text="Buy cheap watches")
    row.get_by_label("Reason or comment", exact=False).fill("Advertising")
    row.get_by_role("button", name="Reject").click()
    desk.wait_for_load_state()
    assert "rejected" in desk.get_by_role("status").first.inner_text()
    assert "Buy cheap watches" not in desk.locator("main").inner_text()
    assert "The bandstand was taken down in 1961." in desk.locator("main").inner_text()

    visitor = new_page()
    visitor.goto(f"{live_server.url}/items/{item.identifier}")
    assert "Buy cheap watches" not in visitor.content()
    assert "Spammer" not in visitor.content()
    assert "Nobody has told us anything about this photograph yet." in visitor.content()
    rejected = [n for n in stored_notes(app) if n.status is ContributionStatus.REJECTED]
    assert [n.decision_reason for n in rejected] == ["Advertising"]


def test_spam_is_cleared_from_the_queue_in_one_bulk_action(app, live_server, make_item, make_user,
                                                           make_contribution, new_page):
    item = make_item(title="Canal lock")
    archivist = make_user("archivist")
    spam = [make_contribution(item, body=f"Cheap watches, offer {n}") for n in range(3)]
    genuine = make_contribution(item, body="This is Salterhebble top lock, about 1960.")

    desk = new_page()
    log_in(desk, live_server.url, archivist)
    for note in spam:
        desk.get_by_label(f"Note #{note.id}", exact=True).check()
    desk.get_by_role("button", name="Mark selected as spam…").click()
    desk.wait_for_load_state()
    # Nothing changes before the archivist confirms what will happen.
    assert desk.get_by_role("heading", level=1).inner_text() == "Mark as spam 3 notes?"
    assert all(n.status is ContributionStatus.PENDING for n in stored_notes(app))
    desk.get_by_role("button", name="Yes, mark as spam 3 notes").click()
    desk.wait_for_load_state()

    statuses = {n.id: n.status for n in stored_notes(app)}
    assert [statuses[n.id] for n in spam] == [ContributionStatus.SPAM] * 3
    assert statuses[genuine.id] is ContributionStatus.PENDING
    queue = desk.locator("main").inner_text()
    assert "Cheap watches" not in queue
    assert "This is Salterhebble top lock, about 1960." in queue


def test_two_institutions_archivists_work_side_by_side(app, live_server, make_institution,
                                                       make_collection, make_item, make_user,
                                                       make_contribution, new_page):
    """Each archivist's queue holds their own institution's notes; each decides their own,
    at the same time, and neither reaches the other's, even by typing its address."""
    north = make_institution(slug="north", name="North Library")
    south = make_institution(slug="south", name="South Society")
    mill = make_item(collection=make_collection(institution=north, slug="mills"),
                     title="Mill yard")
    pier = make_item(collection=make_collection(institution=south, slug="piers"),
                     title="Pier head")
    north_note = make_contribution(mill, body="The mill yard in 1950, my father on the cart.")
    south_note = make_contribution(pier, body="The pier burned in 1973.")
    nia = make_user("archivist", institution=north, display_name="Nia North")
    sam = make_user("archivist", institution=south, display_name="Sam South")

    north_desk, south_desk = new_page(), new_page()
    log_in(north_desk, live_server.url, nia)
    log_in(south_desk, live_server.url, sam)

    north_queue = north_desk.locator("main").inner_text()
    south_queue = south_desk.locator("main").inner_text()
    assert "my father on the cart" in north_queue and "pier burned" not in north_queue
    assert "pier burned" in south_queue and "my father on the cart" not in south_queue

    north_desk.locator(".queue-row").filter(has_text="my father").get_by_role(
        "button", name="Approve").click()
    south_desk.locator(".queue-row").filter(has_text="pier burned").get_by_role(
        "button", name="Approve").click()
    north_desk.wait_for_load_state()
    south_desk.wait_for_load_state()
    assert "approved" in north_desk.get_by_role("status").first.inner_text()
    assert "approved" in south_desk.get_by_role("status").first.inner_text()
    statuses = {n.id: n.status for n in stored_notes(app)}
    assert statuses == {north_note.id: ContributionStatus.APPROVED,
                        south_note.id: ContributionStatus.APPROVED}

    # A guessed address is not found; the other's log names neither note nor archivist.
    answer = north_desk.goto(f"{live_server.url}/moderation/contributions/{south_note.id}")
    assert answer.status == 404
    north_desk.goto(f"{live_server.url}/moderation/log")
    assert "Sam South" not in north_desk.locator("main").inner_text()
    # Visitors see both institutions' notes, each credited on its own item's page.
    visitor = new_page()
    visitor.goto(f"{live_server.url}/items/{pier.identifier}")
    assert "The pier burned in 1973." in visitor.locator("main").inner_text()
    assert "South Society" in visitor.locator("main").inner_text()
