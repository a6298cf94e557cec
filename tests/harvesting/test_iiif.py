"""IIIF Image API 3 (level 0) and Presentation API 3: manifests, collections, annotations.

On a sample archive the tests only read; withdrawn items leaving the IIIF documents are tested
in ``test_withdrawal.py``.
"""

from __future__ import annotations

import json

import pytest
from PIL import Image as PILImage

from archive.images.processing import derivative_sizes
from tests.harvesting.conftest import PRIVATE

PRESENTATION = 'application/ld+json;profile="http://iiif.io/api/presentation/3/context.json"'
IMAGE = 'application/ld+json;profile="http://iiif.io/api/image/3/context.json"'
PREZI = "http://iiif.io/api/presentation/3#"
OA = "http://www.w3.org/ns/oa#"
AS = "http://www.w3.org/ns/activitystreams#"
RDF_VALUE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#value"


@pytest.fixture(scope="module")
def prezi3():
    """iiif-prezi3 as a validator: every auto-fixing helper switched off while it loads."""
    import iiif_prezi3
    from iiif_prezi3.base import Base

    saved = {}
    stack = [Base]
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        if "_defaulters" in cls.__dict__:
            saved[cls] = cls.__dict__["_defaulters"]
            cls._defaulters = []
    yield iiif_prezi3
    for cls, defaulters in saved.items():
        cls._defaulters = defaulters


@pytest.fixture(scope="module")
def app(module_app):
    """Every test here only reads: one app, database and sample archive for the whole module."""
    return module_app


@pytest.fixture(scope="module")
def sample(shared_sample):
    return shared_sample


def get_json(client, path, content_type):
    response = client.get(path)
    assert response.status_code == 200, path
    assert response.headers["Content-Type"] == content_type
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    return response.get_json(force=True)


def check_manifest(prezi3, document: dict) -> None:
    """The manifest loads in iiif-prezi3 unchanged (no fixing, no loss but one)."""
    model = prezi3.Manifest(**document)
    expected = json.loads(json.dumps(document))
    for canvas in expected["items"]:
        for page in canvas.get("annotations", []):
            for annotation in page["items"]:
                # iiif-prezi3's Annotation model has no ``rights`` (the W3C model has), nor
                # extension terms such as ``dcterms:publisher`` (the holding institution;
                # both contexts define ``dcterms``): checked on the raw JSON instead.
                assert annotation.pop("rights").startswith("https://creativecommons.org/")
                publisher = annotation.pop("dcterms:publisher")
                assert publisher["type"] == "Organization" and publisher["name"]
                assert publisher["id"].startswith("http://localhost/institutions/")
    assert json.loads(model.json()) == expected


# --- Image API ---------------------------------------------------------------------------------


def test_info_json_lists_exactly_the_sizes_on_disk(app, client, sample, tmp_path):
    image = sample.market.primary_image
    info = get_json(client, f"/iiif/image/{image.sha256}/info.json", IMAGE)

    assert info == {
        "@context": "http://iiif.io/api/image/3/context.json",
        "id": f"http://localhost/iiif/image/{image.sha256}",
        "type": "ImageService3",
        "protocol": "http://iiif.io/api/image",
        "profile": "level0",
        "width": 640, "height": 480, "maxWidth": 640, "maxHeight": 480,
        "sizes": [{"width": w, "height": h} for _, w, h in derivative_sizes(640, 480)],
    }
    assert len(info["sizes"]) >= 3
    by_id = get_json(client, f"/iiif/image/{image.id}/info.json", IMAGE)
    assert by_id["id"] == info["id"]
    for size in info["sizes"]:
        with client.get(f"/iiif/image/{image.sha256}/full/{size['width']},"
                        f"{size['height']}/0/default.jpg") as response:
            data = response.data
        assert response.status_code == 200
        assert response.mimetype == "image/jpeg"
        assert response.headers["Access-Control-Allow-Origin"] == "*"
        # The item may be withdrawn: cached for a while, then revalidated, never "immutable".
        assert "immutable" not in response.headers["Cache-Control"]
        assert response.cache_control.max_age == 3600 and response.cache_control.must_revalidate
        path = tmp_path / "served.jpg"
        path.write_bytes(data)
        with PILImage.open(path) as served:
            assert served.size == (size["width"], size["height"])
    with client.get(f"/iiif/image/{image.sha256}/full/max/0/default.jpg") as largest:
        assert largest.status_code == 200
        assert largest.data == data


def test_the_service_address_leads_to_its_info(client, sample):
    sha = sample.market.primary_image.sha256
    response = client.get(f"/iiif/image/{sha}")

    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/iiif/image/{sha}/info.json")


@pytest.mark.parametrize(("size", "status"), [
    ("300,225", 404),        # not a listed size
    ("pct:50", 400),         # not offered by a level 0 service
    ("200,", 400),
])
def test_sizes_not_listed_are_refused(client, sample, size, status):
    sha = sample.market.primary_image.sha256

    assert client.get(f"/iiif/image/{sha}/full/{size}/0/default.jpg").status_code == status


# --- Presentation API --------------------------------------------------------------------------


def test_the_manifest_is_valid_and_carries_the_notes_as_annotations(app, client, sample,
                                                                   prezi3, jsonld_expand):
    manifest = get_json(client, "/iiif/LDS-1/manifest", PRESENTATION)

    check_manifest(prezi3, manifest)
    assert manifest["id"] == "http://localhost/iiif/LDS-1/manifest"
    assert manifest["label"] == {"none": ["Market day"]}
    assert manifest["rights"] == "http://creativecommons.org/licenses/by/4.0/"
    assert manifest["homepage"][0]["id"] == "http://localhost/items/LDS-1"
    assert manifest["partOf"] == [
        {"id": "http://localhost/iiif/collections/leeds", "type": "Collection"},
        {"id": "http://localhost/iiif/institutions/test-archive", "type": "Collection"}]
    assert manifest["provider"] == [{
        "id": "http://localhost/institutions/test-archive", "type": "Agent",
        "label": {"none": ["Test Archive"]},
        "homepage": [{"id": "http://localhost/institutions/test-archive", "type": "Text",
                      "label": {"none": ["Test Archive"]}, "format": "text/html"}]}]
    assert manifest["requiredStatement"]["value"] == {"none": ["Test Archive"]}
    canvas = manifest["items"][0]
    assert (canvas["width"], canvas["height"]) == (640, 480)
    painting = canvas["items"][0]["items"][0]
    assert painting["motivation"] == "painting"
    assert painting["target"] == canvas["id"]
    with client.get(painting["body"]["id"].removeprefix("http://localhost")) as response:
        assert response.status_code == 200

    notes = {a["id"].removeprefix("http://localhost/annotations/notes/"): a
             for a in canvas["annotations"][0]["items"]}
    named, region = str(sample.named_note), str(sample.region_note)
    assert set(notes) == {named, f"{named}/people", region, f"{region}/people"}
    comment = notes[named]
    assert comment["motivation"] == "commenting"
    assert comment["body"] == {"type": "TextualBody", "format": "text/plain", "language": "en",
                               "value": "My grandmother ran the fish stall."}
    assert comment["creator"] == {"type": "Person", "name": "Mary Jones"}
    assert comment["rights"] == "https://creativecommons.org/licenses/by/4.0/"
    assert comment["target"] == canvas["id"]
    assert comment["created"].startswith("20")
    assert notes[f"{named}/people"]["motivation"] == "tagging"
    assert notes[f"{named}/people"]["body"]["value"] == "Edith Brown"
    pointed = notes[region]
    assert pointed["creator"]["name"] == "Anonymous contributor"
    assert pointed["body"]["value"] == "The boy on the left is the contributor's uncle."
    # fractions 0.25, 0.5, 0.25, 0.25 of a 640 x 480 canvas
    assert pointed["target"] == f"{canvas['id']}#xywh=160,240,160,120"
    assert notes[f"{region}/people"]["motivation"] == "identifying"
    assert notes[f"{region}/people"]["target"] == pointed["target"]
    text = json.dumps(manifest)
    for secret in PRIVATE:
        assert secret not in text

    expanded = jsonld_expand(manifest)
    assert expanded[0]["@id"] == manifest["id"]
    assert expanded[0]["@type"] == [f"{PREZI}Manifest"]
    canvas_node = expanded[0][f"{AS}items"][0]["@list"][0]
    assert canvas_node["@id"] == canvas["id"]
    annotations = canvas_node[f"{PREZI}annotations"][0]["@list"][0][f"{AS}items"][0]["@list"]
    assert all(a["@type"] == [f"{OA}Annotation"] for a in annotations)
    motivations = {m["@id"] for a in annotations for m in a[f"{OA}motivatedBy"]}
    assert motivations == {f"{OA}commenting", f"{OA}tagging", f"{OA}identifying"}
    targets = {t["@id"] for a in annotations for t in a[f"{OA}hasTarget"]}
    assert targets == {canvas["id"], f"{canvas['id']}#xywh=160,240,160,120"}
    assert all(a["http://purl.org/dc/terms/created"][0]["@type"]
               == "http://www.w3.org/2001/XMLSchema#dateTime" for a in annotations)
    bodies = {b[RDF_VALUE][0]["@value"] for a in annotations for b in a[f"{OA}hasBody"]}
    assert "My grandmother ran the fish stall." in bodies


def test_every_manifest_and_collection_is_valid(app, client, sample, prezi3, jsonld_expand):
    archive = get_json(client, "/iiif/collections", PRESENTATION)
    prezi3.Collection(**archive)
    assert {c["id"] for c in archive["items"]} == {
        "http://localhost/iiif/collections/leeds", "http://localhost/iiif/collections/bradford"}
    manifests = []
    for ref in archive["items"]:
        collection = get_json(client, ref["id"].removeprefix("http://localhost"), PRESENTATION)
        model = prezi3.Collection(**collection)
        assert json.loads(model.json()) == collection
        assert jsonld_expand(collection)[0]["@id"] == ref["id"]
        manifests += [m["id"] for m in collection["items"]]

    # the item without an image has no manifest
    assert sorted(manifests) == ["http://localhost/iiif/LDS-1/manifest",
                                 "http://localhost/iiif/LDS-2/manifest"]
    for manifest_id in manifests:
        manifest = get_json(client, manifest_id.removeprefix("http://localhost"), PRESENTATION)
        check_manifest(prezi3, manifest)
        assert jsonld_expand(manifest)[0]["@id"] == manifest_id
    assert client.get("/iiif/BFD-1/manifest").status_code == 404
    assert client.get("/iiif/collections/york").status_code == 404
    # The institution's own collection, of its collections.
    institution = get_json(client, "/iiif/institutions/test-archive", PRESENTATION)
    model = prezi3.Collection(**institution)
    assert json.loads(model.json()) == institution
    assert jsonld_expand(institution)[0]["@id"] == "http://localhost/iiif/institutions/test-archive"
    assert {c["id"] for c in institution["items"]} == {c["id"] for c in archive["items"]}
    assert institution["provider"][0]["label"] == {"none": ["Test Archive"]}
    assert client.get("/iiif/institutions/nowhere").status_code == 404

