"""Exports of an item with several images: each note's annotation is on the canvas of the image
its box is on, and CSV/JSON say which image each box is on."""

from __future__ import annotations

import csv
import io
import json

import pytest

from archive.extensions import db
from archive.models import Contribution, User
from archive.moderation.services import approve_contribution


@pytest.fixture
def two_sided(app, make_item, make_user, make_contribution):
    """An item with two images; approved notes: one with a box on
    the second image, moved by the archivist, one with no box, one whose box was on an image
    since taken off the record."""
    item = make_item(identifier="CARD-1", title="A card, front and back", images=2)
    archivist = make_user("archivist")
    back = make_contribution(item, body="The name on the back is Annie.",
                             suggested_people="Annie Gaukroger", region_x=0.1, region_y=0.2,
                             region_w=0.3, region_h=0.1, region_image=item.images[1].sha256)
    plain = make_contribution(item, body="Taken at the Market Street studio.")
    lost = make_contribution(item, body="On a scan since replaced.", region_x=0.5,
                             region_y=0.5, region_w=0.1, region_h=0.1, region_image="e" * 64)
    with app.app_context():
        moderator = db.session.get(User, archivist.id)
        approve_contribution(db.session.get(Contribution, back.id), moderator,
                             edited_region=(0.5, 0.25, 0.25, 0.5))
        for note in (plain, lost):
            approve_contribution(db.session.get(Contribution, note.id), moderator)
        db.session.commit()
        db.session.remove()
    return {"item": item, "back": back.id, "plain": plain.id, "lost": lost.id}


def test_the_manifest_puts_a_note_on_its_images_canvas(app, client, two_sided):
    manifest = client.get("/iiif/CARD-1/manifest").get_json()
    first, second = manifest["items"]
    width, height = second["width"], second["height"]

    on_second = second["annotations"][0]["items"]
    comments = {a["id"].rsplit("/notes/", 1)[1]: a for a in on_second}
    assert set(comments) == {str(two_sided["back"]), f"{two_sided['back']}/people"}
    # The archivist's box, in the second image's pixels.
    expected = f"{second['id']}#xywh={round(0.5 * width)},{round(0.25 * height)}," \
               f"{round(0.25 * width)},{round(0.5 * height)}"
    assert comments[str(two_sided["back"])]["target"] == expected
    assert comments[f"{two_sided['back']}/people"]["motivation"] == "identifying"

    on_first = {a["id"].rsplit("/notes/", 1)[1]: a for a in first["annotations"][0]["items"]}
    assert set(on_first) == {str(two_sided["plain"]), str(two_sided["lost"])}
    # A box whose image left the record is not placed on another image.
    assert on_first[str(two_sided["lost"])]["target"] == first["id"]


def test_the_annotation_collection_and_a_single_note_use_its_canvas(app, client, two_sided):
    comment = json.loads(client.get(f"/annotations/notes/{two_sided['back']}").data)
    assert comment["target"]["source"].endswith("/canvas/p2")
    assert comment["target"]["selector"]["value"].startswith("xywh=")
    page = json.loads(client.get("/annotations/page/1").data)
    targets = {a["id"].rsplit("/notes/", 1)[1]: a["target"] for a in page["items"]}
    assert targets[str(two_sided["back"])] == comment["target"]
    assert targets[str(two_sided["plain"])].endswith("/canvas/p1")


def test_csv_and_json_give_each_boxes_image_number(app, make_user, login_client, two_sided):
    curator = login_client(app, make_user("curator"))

    [record] = [r for r in json.loads(curator.get("/curation/export.json").data)
                if r["identifier"] == "CARD-1"]
    regions = {note["id"]: note["region"] for note in record["notes"]}
    assert regions[two_sided["back"]] == {"x": 0.5, "y": 0.25, "w": 0.25, "h": 0.5, "image": 2}
    assert regions[two_sided["plain"]] is None
    # A box on an image taken off the record is shown nowhere, so it is not exported either.
    assert regions[two_sided["lost"]] is None
    assert len(record["images"]) == 2

    text = curator.get("/curation/export.csv").get_data(as_text=True).lstrip("\ufeff")
    [row] = [r for r in csv.DictReader(io.StringIO(text)) if r["identifier"] == "CARD-1"]
    notes = {note["id"]: note for note in json.loads(row["notes"])}
    assert notes[two_sided["back"]]["region"]["image"] == 2
