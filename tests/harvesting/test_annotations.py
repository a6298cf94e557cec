"""All approved notes as a W3C Web Annotation collection, paged, filterable by collection."""

from __future__ import annotations

import json
from urllib.parse import urlsplit

import sqlalchemy as sa

from archive.curation.withdrawal import withdraw_item
from archive.extensions import db
from archive.models import Contribution, ContributionStatus, Item, User, utcnow
from tests.harvesting.conftest import PRIVATE

ANNO = 'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"'
OA = "http://www.w3.org/ns/oa#"


def get(client, path):
    response = client.get(path)
    assert response.status_code == 200, path
    assert response.headers["Content-Type"] == ANNO
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    return response.get_json(force=True)


def local(url: str) -> str:
    return url.removeprefix("http://localhost")


def harvest(client, path="/annotations") -> tuple[dict, list[dict]]:
    collection = get(client, path)
    items, page_path = [], collection.get("first")
    while page_path:
        page = get(client, local(page_path))
        assert page["startIndex"] == len(items)
        assert page["partOf"]["id"] == collection["id"]
        assert page["partOf"]["total"] == collection["total"]
        items += page["items"]
        page_path = page.get("next")
    return collection, items


def test_the_collection_pages_through_every_approved_note(app, client, sample, jsonld_expand):
    app.config["ANNOTATION_PAGE_SIZE"] = 1

    collection, items = harvest(client)

    assert collection["type"] == "AnnotationCollection"
    assert collection["total"] == 4 == len(items)  # two notes, each naming people
    # Page links carry a cursor (the position and the totals), so no page recounts or skips.
    assert urlsplit(collection["last"]).path == "/annotations/page/2"
    assert "cursor=" in collection["last"]
    last = get(client, local(collection["last"]))
    assert last["startIndex"] == 2 and "next" not in last
    assert last["items"] == items[2:]
    first = get(client, local(last["prev"]))
    assert first["startIndex"] == 0 and first["items"] == items[:2] and "prev" not in first
    # A page number alone (typed or bookmarked) is still answered, and so is a forged cursor.
    for path in ("/annotations/page/2", "/annotations/page/2?cursor=forged"):
        page = get(client, path)
        assert page["startIndex"] == 2 and page["items"] == last["items"]
    comment = next(a for a in items if a["id"].endswith(f"/notes/{sample.region_note}"))
    assert comment["body"]["value"] == "The boy on the left is the contributor's uncle."
    assert comment["creator"] == {"type": "Person", "name": "Anonymous contributor"}
    assert comment["target"] == {
        "type": "SpecificResource",
        "source": "http://localhost/iiif/LDS-1/canvas/p1",
        "selector": {"type": "FragmentSelector", "conformsTo": "http://www.w3.org/TR/media-frags/",
                     "value": "xywh=160,240,160,120"},
    }
    text = json.dumps(items)
    for secret in PRIVATE:
        assert secret not in text
    page = get(client, "/annotations/page/1")
    expanded = jsonld_expand(page)[0]
    annotation = expanded["http://www.w3.org/ns/activitystreams#items"][0]["@list"][0]
    assert annotation["@type"] == [f"{OA}Annotation"]
    assert annotation[f"{OA}hasBody"][0]["@type"] == [f"{OA}TextualBody"]
    assert annotation["http://purl.org/dc/terms/creator"][0]["http://xmlns.com/foaf/0.1/name"]
    # Each note carries the institution that holds the photograph and published the note.
    assert comment["dcterms:publisher"] == {
        "id": "http://localhost/institutions/test-archive", "type": "Organization",
        "name": "Test Archive"}
    publisher = annotation["http://purl.org/dc/terms/publisher"][0]
    assert publisher["@id"] == "http://localhost/institutions/test-archive"
    assert publisher["@type"] == ["http://xmlns.com/foaf/0.1/Organization"]
    assert publisher["http://xmlns.com/foaf/0.1/name"] == [{"@value": "Test Archive"}]


def test_one_annotation_can_be_fetched_by_its_id(client, sample, jsonld_expand):
    document = get(client, f"/annotations/notes/{sample.named_note}")

    assert document["@context"] == "http://www.w3.org/ns/anno.jsonld"
    assert document["motivation"] == "commenting"
    assert jsonld_expand(document)[0]["@id"].endswith(f"/annotations/notes/{sample.named_note}")
    people = get(client, f"/annotations/notes/{sample.named_note}/people")
    assert people["body"]["purpose"] == "tagging"
    assert client.get("/annotations/notes/999999").status_code == 404
    assert client.get("/annotations/notes/99999999999").status_code == 404


def test_a_note_on_an_item_without_image_targets_its_page(app, client, sample,
                                                          make_contribution):
    make_contribution(sample.mill, body="That is Lister's mill.", status="approved",
                      decided_by=sample.archivist)

    collection, items = harvest(client, "/annotations?collection=bradford")

    assert collection["total"] == 1
    assert items[0]["target"] == "http://localhost/items/BFD-1"
    assert items[0]["id"].startswith("http://localhost/annotations/notes/")


def test_filtering_by_collection_and_hiding_withdrawn_notes_and_items(app, client, sample):
    assert get(client, "/annotations?collection=bradford")["total"] == 0
    assert "first" not in get(client, "/annotations?collection=bradford")
    assert client.get("/annotations?collection=york").status_code == 404
    assert client.get("/annotations/page/2").status_code == 404
    with app.app_context():  # one note taken down, then the item itself withdrawn
        db.session.execute(sa.update(Contribution).where(
            Contribution.id == sample.named_note).values(status=ContributionStatus.WITHDRAWN,
                                                         decided_at=utcnow()))
        db.session.commit()
    assert get(client, "/annotations")["total"] == 2
    assert client.get(f"/annotations/notes/{sample.named_note}").status_code == 404

    with app.app_context():
        withdraw_item(db.session.get(Item, sample.market.id),
                      db.session.get(User, sample.curator.id), reason="Rights")
        db.session.commit()

    assert get(client, "/annotations")["total"] == 0
    assert client.get("/annotations/page/1").status_code == 200  # an empty first page


def test_a_stored_region_at_the_photos_edge_is_exported_inside_the_canvas():
    """A row stored before regions were checked (x = y = 1, a ten-thousandth wide)."""
    from archive.harvesting.annotations import region_pixels

    corner = Contribution(id=1, region_x=1.0, region_y=1.0, region_w=0.0001, region_h=0.0001)
    tiny = Contribution(id=2, region_x=0.5, region_y=5e-324, region_w=5e-324, region_h=0.2)

    assert region_pixels(corner, 640, 480) == (639, 479, 1, 1)
    assert region_pixels(tiny, 640, 480) == (320, 0, 1, 96)
