"""Archivists see the box a contributor drew, on its image, wherever they judge the note, and
may move or remove it when approving with edits (the contributor's box is kept)."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from archive.extensions import db
from archive.models import Contribution, ModerationEvent
from archive.moderation.lifecycle import Action


@pytest.fixture
def archivist(make_user):
    return make_user("archivist", display_name="Ada Archivist")


@pytest.fixture
def staff(app, archivist, login_client):
    return login_client(app, archivist)


@pytest.fixture
def item(make_item):
    return make_item(title="Pot stall, front and back", images=2)


@pytest.fixture
def note(item, make_contribution):
    """A waiting note with a box on the item's second image."""
    return make_contribution(item, body="My aunt is the girl by the pot stall.",
                             region_x=0.25, region_y=0.5, region_w=0.2, region_h=0.3,
                             region_image=item.images[1].sha256)


def box_of(html: str, note_id: int) -> str:
    """The figure showing a note's box."""
    match = re.search(rf'<figure class="boxed-photo" data-note-box="{note_id}">(.*?)</figure>',
                      html, re.S)
    assert match, f"no box shown for note {note_id}"
    return match.group(1)


def stored(app, note_id: int) -> Contribution:
    with app.app_context():
        found = db.session.get(Contribution, note_id)
        db.session.expunge(found)
        db.session.remove()
        return found


def events(app, note_id: int) -> list[str]:
    with app.app_context():
        found = list(db.session.scalars(sa.select(ModerationEvent.action).where(
            ModerationEvent.contribution_id == note_id)))
        db.session.remove()
        return found


def test_the_queue_shows_the_box_on_its_image(app, staff, item, note):
    html = staff.get("/moderation/").get_data(as_text=True)

    figure = box_of(html, note.id)
    assert item.images[1].thumb_path in figure  # the second image, not the first
    assert item.images[0].thumb_path not in figure
    assert '<rect class="box-line" x="0.25" y="0.5" width="0.2" height="0.3"' in figure
    assert "The box covers 25% to 45% across and 50% to 80% down the image." in figure
    assert "Image 2 of 2." in figure
    assert f'href="/items/{item.identifier}?image=2#photo"' in figure


def test_the_bulk_confirmation_shows_the_box(app, staff, item, note):
    response = staff.post("/moderation/bulk", data={"action": "approve", "ids": [note.id]})
    assert response.status_code == 200
    figure = box_of(response.get_data(as_text=True), note.id)
    assert item.images[1].thumb_path in figure


def test_the_notes_page_shows_the_box_large(app, staff, item, note):
    html = staff.get(f"/moderation/contributions/{note.id}").get_data(as_text=True)
    figure = box_of(html, note.id)
    assert item.images[1].display_path in figure
    assert "The box the contributor drew." in figure


def test_a_note_without_a_box_shows_none(app, staff, item, make_contribution):
    plain = make_contribution(item, body="No box here.")
    html = staff.get("/moderation/").get_data(as_text=True)
    assert f'data-note-box="{plain.id}"' not in html


def decide(client, note, action="approve", **fields):
    return client.post(f"/moderation/contributions/{note.id}/decide",
                       data={"action": action, **fields})


def test_approving_with_a_moved_box_keeps_the_contributors_beside_it(app, staff, item, note):
    response = decide(staff, note, region_x="0.3", region_y="0.55", region_w="0.25",
                      region_h="0.2")

    assert response.status_code == 303
    after = stored(app, note.id)
    assert after.status.value == "approved"
    assert (after.region_x, after.region_y, after.region_w, after.region_h) == (
        0.25, 0.5, 0.2, 0.3)
    assert after.region_edited
    assert (after.edited_region_x, after.edited_region_y, after.edited_region_w,
            after.edited_region_h) == (0.3, 0.55, 0.25, 0.2)
    assert after.edited_body is None  # the text was not changed
    assert events(app, note.id) == [Action.APPROVE_WITH_EDITS.value]

    page = staff.get(f"/moderation/contributions/{note.id}").get_data(as_text=True)
    figure = box_of(page, note.id)
    assert '<rect class="box-before" x="0.25" y="0.5"' in figure  # the contributor's, dashed
    assert '<rect class="box-line" x="0.3" y="0.55"' in figure
    assert "Published: the archivist's box." in figure
    public = staff.get(f"/items/{item.identifier}").get_data(as_text=True)
    assert 'data-region-x="0.3" data-region-y="0.55"' in public


def test_approving_without_the_box(app, staff, item, note):
    decide(staff, note, region_x="0.25", region_y="0.5", region_w="0.2", region_h="0.3",
           remove_region="y")

    after = stored(app, note.id)
    assert after.region_edited and after.edited_region_x is None
    assert after.public_region is None
    assert after.region_x == 0.25  # the contributor's box stays, for staff
    assert events(app, note.id) == [Action.APPROVE_WITH_EDITS.value]
    public = staff.get(f"/items/{item.identifier}").get_data(as_text=True)
    assert "data-region-x" not in public
    page = staff.get(f"/moderation/contributions/{note.id}").get_data(as_text=True)
    assert "the archivist removed it, so the public sees none" in page


def test_a_box_cleared_on_the_picture_is_removed(app, staff, note):
    decide(staff, note, region_x="", region_y="", region_w="", region_h="")
    assert stored(app, note.id).public_region is None


def test_the_box_sent_back_unchanged_is_a_plain_approval(app, staff, note):
    decide(staff, note, region_x="0.25", region_y="0.5", region_w="0.2", region_h="0.3")
    after = stored(app, note.id)
    assert not after.region_edited
    assert events(app, note.id) == [Action.APPROVE.value]


def test_a_form_without_the_box_keeps_it(app, staff, note):
    decide(staff, note)
    after = stored(app, note.id)
    assert not after.region_edited and after.public_region is not None
    assert events(app, note.id) == [Action.APPROVE.value]


def test_rejecting_with_a_changed_box_is_refused(app, staff, note):
    response = decide(staff, note, "reject", region_x="0.1", region_y="0.1", region_w="0.2",
                      region_h="0.2")
    assert response.status_code == 303
    after = stored(app, note.id)
    assert after.is_pending and not after.region_edited
    assert events(app, note.id) == []


def test_a_box_outside_the_image_is_refused_with_what_was_typed_kept(app, staff, note):
    response = decide(staff, note, region_x="0.9", region_y="0.5", region_w="0.5",
                      region_h="0.2", edited_text="My aunt, by the pot stall.",
                      **{"from": "contribution"})

    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "The marked region must lie within the photograph." in html
    assert "My aunt, by the pot stall." in html
    assert 'name="region_x" value="0.9"' in html
    after = stored(app, note.id)
    assert after.is_pending and not after.region_edited


def test_the_decision_form_offers_the_box_on_its_image(app, staff, item, note):
    html = staff.get("/moderation/").get_data(as_text=True)
    form = html.split(f'action="/moderation/contributions/{note.id}/decide"')[1].split(
        "</form>")[0]
    assert "Edit the text or the box before approving" in form
    assert 'name="region_x" value="0.25"' in form
    assert item.images[1].display_path in form  # drawn on the note's own image
    assert "Remove the box: publish the note without it" in form


def test_a_box_cannot_be_given_to_a_note_without_one(app, archivist, item, make_contribution):
    from archive.models import User
    from archive.moderation.services import ModerationError, approve_contribution

    plain = make_contribution(item, body="No box here.")
    with app.app_context():
        with pytest.raises(ModerationError, match="no box to change"):
            approve_contribution(db.session.get(Contribution, plain.id),
                                 db.session.get(User, archivist.id),
                                 edited_region=(0.1, 0.1, 0.2, 0.2))
        db.session.rollback()
        db.session.remove()
    assert stored(app, plain.id).is_pending


def test_another_institutions_archivist_cannot_change_the_box(app, note, make_institution,
                                                              make_user, login_client):
    south = make_institution(slug="south", name="South Society")
    client = login_client(app, make_user("archivist", institution=south))

    response = decide(client, note, region_x="0.1", region_y="0.1", region_w="0.2",
                      region_h="0.2")

    assert response.status_code == 404
    after = stored(app, note.id)
    assert after.is_pending and not after.region_edited
