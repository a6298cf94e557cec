"""Every image of an item, in a real browser: the strip of thumbnails, the viewer following it,
a box drawn on the image shown, and an archivist judging (and moving) a box on its own image."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from archive.extensions import db
from archive.models import Contribution, ModerationEvent

pytestmark = pytest.mark.slow

PASSWORD = "correct horse battery"


def stored_notes(app) -> list[Contribution]:
    with app.app_context():
        notes = list(db.session.scalars(sa.select(Contribution).order_by(Contribution.id)))
        db.session.expunge_all()
        db.session.remove()
    return notes


def shown(page) -> str:
    return page.locator("[data-gallery-image]").get_attribute("src")


def test_a_visitor_moves_between_images_and_marks_the_second(app, live_server, make_item,
                                                              make_contribution, page):
    item = make_item(title="Chapel, front and back", images=2)
    front, back = item.images
    note = make_contribution(item, status="approved", body="The name on the back is Annie.",
                             region_x=0.5, region_y=0.5, region_w=0.25, region_h=0.25,
                             region_image=back.sha256)
    page.goto(f"{live_server.url}/items/{item.identifier}")
    strip = page.get_by_role("navigation", name="Every image of this photograph")
    assert front.display_path in shown(page)

    # By mouse: the second thumbnail shows the second image in place, and the address says so.
    strip.get_by_role("link", name="Image 2 of 2").click()
    assert back.display_path in shown(page)
    assert page.url.endswith(f"/items/{item.identifier}?image=2")
    assert strip.get_by_role("link", name="Image 2 of 2").get_attribute("aria-current") == "true"
    assert page.locator("[data-gallery-position]").inner_text() == "Image 2 of 2"
    assert back.sha256 in page.get_by_role("link", name="Full-size image").get_attribute("href")

    # By keyboard: the arrow keys move along the strip.
    page.keyboard.press("ArrowLeft")
    assert front.display_path in shown(page)
    assert page.evaluate("document.activeElement.getAttribute('data-sha')") == front.sha256

    # The viewer opens on the image shown, and the page follows it to the next with N.
    page.get_by_role("button", name="Zoom and pan").click()
    page.locator("[data-viewer-canvas] canvas").first.wait_for(state="attached")
    page.locator("[data-viewer-canvas] .openseadragon-canvas").focus()
    page.keyboard.press("n")
    page.wait_for_function(f"() => document.querySelector('[data-gallery-image]').src"
                           f".includes('{back.display_path}')")
    page.wait_for_function(
        "() => [...performance.getEntriesByType('resource')]"
        f".some(e => e.name.includes('/iiif/image/{back.sha256}/info.json'))")
    page.get_by_role("button", name="Previous image").click()
    assert front.display_path in shown(page)
    page.keyboard.press("Escape")

    # A note's area is outlined on its own image: showing it brings the back up.
    page.locator(f"#note-{note.id}").get_by_role("button", name="Show on the photo").click()
    assert back.display_path in shown(page)
    assert page.locator("[data-region-outline]").is_visible()

    # The box is drawn on the image shown, and kept with it.
    picker_image = page.locator("[data-region-stage] img")
    assert back.display_path in picker_image.get_attribute("src")
    assert "You are marking image 2 of 2" in page.locator("[data-region-which]").inner_text()
    page.get_by_label("What do you know about this photograph?").fill("Annie was my aunt.")
    page.get_by_role("button", name="Mark an area with the keyboard").click()
    page.keyboard.press("ArrowRight")
    page.get_by_label("I agree that my note may be published", exact=False).check()
    page.get_by_role("button", name="Send my note").click()
    page.wait_for_url(f"**/items/{item.identifier}#thanks")
    sent = stored_notes(app)[-1]
    assert sent.body == "Annie was my aunt."
    assert sent.region_image == back.sha256
    assert sent.region_x == pytest.approx(0.32, abs=0.005)


def test_choosing_another_image_clears_a_box_drawn_on_the_first(app, live_server, make_item,
                                                                page):
    item = make_item(images=2)
    page.goto(f"{live_server.url}/items/{item.identifier}")
    page.get_by_role("button", name="Mark an area with the keyboard").click()
    assert page.locator("input[name=region_x]").input_value() != ""

    page.get_by_role("link", name="Image 2 of 2").click()

    assert page.locator("input[name=region_x]").input_value() == ""
    assert page.locator("input[name=region_image]").input_value() == item.images[1].sha256
    assert page.locator("[data-region-status]").inner_text() == "No area marked."


def test_an_archivist_sees_the_box_on_its_image_and_moves_it_when_approving(
        app, live_server, make_item, make_contribution, make_user, page):
    item = make_item(title="Pot market, front and back", images=2)
    back = item.images[1]
    note = make_contribution(item, body="My aunt is the girl by the pot stall.",
                             region_x=0.2, region_y=0.4, region_w=0.2, region_h=0.3,
                             region_image=back.sha256)
    archivist = make_user("archivist", password=PASSWORD)
    page.goto(f"{live_server.url}/login")
    page.get_by_label("Email").fill(archivist.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server.url}/moderation/")

    # The box is drawn where the contributor put it, over the note's own image.
    figure = page.locator(f'[data-note-box="{note.id}"]')
    photo = figure.locator("img").bounding_box()
    drawn = figure.locator("rect.box-line").bounding_box()
    assert back.thumb_path in figure.locator("img").get_attribute("src")
    assert (drawn["x"] - photo["x"]) / photo["width"] == pytest.approx(0.2, abs=0.02)
    assert (drawn["y"] - photo["y"]) / photo["height"] == pytest.approx(0.4, abs=0.02)
    assert drawn["width"] / photo["width"] == pytest.approx(0.2, abs=0.02)

    # Approving with edits: the box moved two steps right with the keyboard.
    row = page.locator(f"#c{note.id}")
    row.get_by_text("Edit the text or the box before approving").click()
    box = row.get_by_role("group", name="Marked area")
    box.focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    row.get_by_role("button", name="Approve").click()
    page.wait_for_load_state()

    [after] = stored_notes(app)
    assert after.status.value == "approved"
    assert (after.region_x, after.region_y) == (0.2, 0.4)  # the contributor's, kept
    assert after.region_edited
    assert after.edited_region_x == pytest.approx(0.24, abs=0.001)
    assert after.edited_region_y == pytest.approx(0.4, abs=0.001)
    with app.app_context():
        assert db.session.scalar(sa.select(ModerationEvent.action)) == "approve_with_edits"
        db.session.remove()
