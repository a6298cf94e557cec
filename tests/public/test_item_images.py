"""Every image of an item is seen on its page, and a note's box belongs to one of them."""

from __future__ import annotations

import re

import sqlalchemy as sa

from archive.extensions import db
from archive.models import Contribution


def shown_image(html: str) -> str:
    """The display image the page shows large."""
    return re.search(r'<img src="([^"]+)"[^>]*data-gallery-image', html, re.S).group(1)


def test_the_page_offers_every_image_and_shows_the_one_asked_for(app, client, make_item):
    item = make_item(title="Chapel, front and back", images=2)
    first, second = item.images

    page = client.get(f"/items/{item.identifier}").get_data(as_text=True)
    # A strip of links, one per image, working without JavaScript.
    links = re.findall(r'href="(/items/[^"]+\?image=\d)#photo"', page)
    assert links == [f"/items/{item.identifier}?image=1", f"/items/{item.identifier}?image=2"]
    assert first.display_path in shown_image(page)
    assert "Image 1 of 2" in page
    assert second.thumb_path in page
    # Originals, with their metadata, are for staff: visitors are not even given their address.
    assert first.original_path not in page and second.original_path not in page

    page = client.get(f"/items/{item.identifier}?image=2").get_data(as_text=True)
    assert second.display_path in shown_image(page)
    assert "Image 2 of 2" in page
    assert re.search(r'aria-current="true"\s+data-gallery-link data-sha="' + second.sha256, page)
    # The box drawing and the zoom viewer are on the image shown.
    assert f'name="region_image" type="hidden" value="{second.sha256}"' in page
    assert f"/iiif/{second.sha256}" in page or second.sha256 in page.split("data-viewer")[1]


def test_a_number_that_is_no_image_shows_the_first(app, client, make_item):
    item = make_item(images=2)
    for asked in ("0", "3", "-1", "two"):
        page = client.get(f"/items/{item.identifier}?image={asked}")
        assert page.status_code == 200
        assert item.images[0].display_path in shown_image(page.get_data(as_text=True))


def test_one_image_has_no_strip(app, client, make_item):
    item = make_item()
    page = client.get(f"/items/{item.identifier}").get_data(as_text=True)
    assert "data-gallery-link" not in page and "Image 1 of 1" not in page
    assert "gallery.js" not in page


def _send(client, item, **fields):
    data = {"body": "My aunt is on the back.", "consent": "y",
            "region_x": "0.1", "region_y": "0.2", "region_w": "0.3", "region_h": "0.25"}
    data.update(fields)
    return client.post(f"/items/{item.identifier}/contribute", data=data)


def _notes(app) -> list[Contribution]:
    with app.app_context():
        notes = list(db.session.scalars(sa.select(Contribution)))
        db.session.expunge_all()
        return notes


def test_a_box_is_kept_with_the_image_it_was_drawn_on(app, client, make_item):
    item = make_item(images=2)
    second = item.images[1]

    assert _send(client, item, region_image=second.sha256).status_code == 303

    [note] = _notes(app)
    assert note.region_image == second.sha256
    assert (note.region_x, note.region_y, note.region_w, note.region_h) == (0.1, 0.2, 0.3, 0.25)


def test_a_box_sent_without_its_image_is_on_the_first(app, client, make_item):
    item = make_item(images=2)
    assert _send(client, item).status_code == 303
    [note] = _notes(app)
    assert note.region_image == item.images[0].sha256


def test_a_box_on_an_image_no_longer_on_the_record_is_refused_with_the_note_kept(
        app, client, make_item):
    item = make_item(images=2)

    response = _send(client, item, region_image="f" * 64, body="Kept as typed")

    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "The image you marked is no longer part of this record" in page
    assert "Kept as typed" in page
    assert _notes(app) == []


def test_an_approved_note_points_visitors_at_its_image(app, client, make_item,
                                                       make_contribution):
    item = make_item(images=2)
    second = item.images[1]
    note = make_contribution(item, status="approved", body="The name on the back.",
                             region_x=0.1, region_y=0.2, region_w=0.3, region_h=0.2,
                             region_image=second.sha256)

    page = client.get(f"/items/{item.identifier}").get_data(as_text=True)

    entry = page.split(f'id="note-{note.id}"')[1].split("</li>")[0]
    assert f'data-region-image="{second.sha256}"' in page
    assert "This note points at an area of image 2." in entry
    assert f'href="/items/{item.identifier}?image=2#photo"' in entry


def test_an_archivists_edit_of_the_box_is_what_visitors_see(app, client, make_item,
                                                            make_contribution):
    item = make_item()
    make_contribution(item, status="approved", region_x=0.1, region_y=0.2, region_w=0.3,
                      region_h=0.2, region_edited=True, edited_region_x=0.5,
                      edited_region_y=0.5, edited_region_w=0.25, edited_region_h=0.25)
    removed = make_contribution(item, status="approved", body="Box removed.",
                                region_x=0.1, region_y=0.2, region_w=0.3, region_h=0.2,
                                region_edited=True)

    page = client.get(f"/items/{item.identifier}").get_data(as_text=True)

    assert 'data-region-x="0.5" data-region-y="0.5" data-region-w="0.25"' in page
    assert 'data-region-x="0.1"' not in page
    entry = page.split(f'id="note-{removed.id}"')[1].split("</li>")[0]
    assert "data-region" not in page.split(f'id="note-{removed.id}"')[1].split(">")[0]
    assert "Show on the photo" not in entry


def test_the_strip_and_a_notes_image_are_in_welsh(app, client, make_item, make_contribution):
    item = make_item(images=2)
    make_contribution(item, status="approved", region_x=0.1, region_y=0.2, region_w=0.3,
                      region_h=0.2, region_image=item.images[1].sha256)
    client.set_cookie("lang", "cy")

    page = client.get(f"/items/{item.identifier}?image=2").get_data(as_text=True)

    assert "Delwedd 2 o 2" in page
    assert "Pob delwedd o\u2019r ffotograff hwn" in page
    assert "Mae\u2019r nodyn hwn yn cyfeirio at ran o ddelwedd 2." in page


def test_the_pages_linked_data_names_every_image(app, client, make_item):
    import json

    item = make_item(images=2)
    page = client.get(f"/items/{item.identifier}").get_data(as_text=True)
    data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', page,
                                re.S).group(1))
    first, second = data["image"]
    assert item.images[0].sha256 in first and item.images[1].sha256 in second
