"""Each institution's references are its own: two of them may both have a "P-0001".

Both photographs are reachable, searchable, harvested and exported without clash, and the
addresses that worked before the second one came keep working.
"""

from __future__ import annotations

import csv
import io
import json
import re

import sqlalchemy as sa

from archive.extensions import db
from archive.models import Item
from tests.harvesting.conftest import oai_schema  # noqa: F401 - a fixture of the harvesting tests
from tests.harvesting.oai_client import NS, identifiers, oai


def _import(runner, tmp_path, make_image_file, institution, collection, title):
    folder = tmp_path / institution
    folder.mkdir(exist_ok=True)
    image = make_image_file(name="photo.jpg")
    csv_path = folder / "metadata.csv"
    csv_path.write_text(f"identifier,title,image,collection\nP-0001,{title},{image.name},"
                        f"{collection}\n", encoding="utf-8")
    result = runner.invoke(args=["import", str(csv_path), "--images", str(image.parent),
                                 "--institution", institution, "--workers", "1"])
    assert result.exit_code == 0, result.output


def _two_institutions_with_p0001(runner, tmp_path, make_image_file):
    for slug in ("library", "society"):
        made = runner.invoke(args=["institutions", "create", slug, "--name", slug.title()])
        assert made.exit_code == 0, made.output
    _import(runner, tmp_path, make_image_file, "library", "mills", "Weavers at Holme Mill")
    _import(runner, tmp_path, make_image_file, "society", "albums", "Aunt Edith at Blackpool")


def _addresses(app) -> dict[str, str]:
    with app.app_context():
        return dict(db.session.execute(
            sa.select(Item.title, Item.identifier).where(Item.reference == "P-0001")).all())


def test_two_institutions_both_have_p0001_and_each_page_is_its_own(app, client, runner,
                                                                   tmp_path, make_image_file):
    _two_institutions_with_p0001(runner, tmp_path, make_image_file)

    addresses = _addresses(app)
    # The first keeps the plain address it had before the second came; the second is told
    # apart by its institution.
    assert addresses == {"Weavers at Holme Mill": "P-0001",
                         "Aunt Edith at Blackpool": "society:P-0001"}
    first = client.get("/items/P-0001")
    second = client.get("/items/society:P-0001")
    assert first.status_code == second.status_code == 200
    assert "Weavers at Holme Mill" in first.text and "Aunt Edith" not in first.text
    assert "Aunt Edith at Blackpool" in second.text and "Weavers" not in second.text
    # Each page gives the institution's own reference, not the address.
    assert re.search(r"<dt>Reference</dt><dd>P-0001</dd>", second.text)

    # An institution's own reference leads to its photograph, whatever its address.
    for slug, title in (("library", "Weavers"), ("society", "Aunt Edith")):
        found = client.get(f"/institutions/{slug}/items/P-0001")
        assert found.status_code == 301
        assert title in client.get(found.headers["Location"]).text
    assert client.get("/institutions/library/items/P-0002").status_code == 404


def test_both_are_found_by_search_with_links_to_their_own_pages(app, client, runner, tmp_path,
                                                                make_image_file):
    _two_institutions_with_p0001(runner, tmp_path, make_image_file)

    page = client.get("/search?q=weavers").text + client.get("/search?q=blackpool").text

    assert 'href="/items/P-0001"' in page
    assert 'href="/items/society:P-0001"' in page


def test_harvesters_get_both_records_under_their_own_identifiers(
        app, client, runner, tmp_path, make_image_file, oai_schema):  # noqa: F811
    _two_institutions_with_p0001(runner, tmp_path, make_image_file)

    listing = oai(client, oai_schema, verb="ListIdentifiers", metadataPrefix="oai_dc")
    assert sorted(identifiers(listing)) == ["oai:localhost:P-0001",
                                            "oai:localhost:society:P-0001"]

    for identifier, title, publisher in (
            ("oai:localhost:P-0001", "Weavers at Holme Mill", "Library"),
            ("oai:localhost:society:P-0001", "Aunt Edith at Blackpool", "Society")):
        record = oai(client, oai_schema, verb="GetRecord", metadataPrefix="oai_dc",
                     identifier=identifier)
        assert record.findtext(".//dc:title", namespaces=NS) == title
        assert record.findtext(".//dc:publisher", namespaces=NS) == publisher
        # The institution's own reference travels with the record.
        assert "P-0001" in [e.text for e in record.iterfind(".//dc:identifier", NS)]

    manifests = [client.get(path).get_json() for path in
                 ("/iiif/P-0001/manifest", "/iiif/society:P-0001/manifest")]
    assert [m["id"] for m in manifests] == ["http://localhost/iiif/P-0001/manifest",
                                            "http://localhost/iiif/society:P-0001/manifest"]
    assert [m["provider"][0]["label"]["none"][0] for m in manifests] == ["Library", "Society"]


def test_exports_hold_both_with_their_institution_and_reimport_updates_the_right_one(
        app, client, runner, tmp_path, make_image_file, make_user, login_client):
    _two_institutions_with_p0001(runner, tmp_path, make_image_file)
    admin = login_client(app, make_user("admin"))

    exported = admin.get("/curation/export.csv").data.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(exported)))
    assert sorted((r["identifier"], r["institution"], r["url"]) for r in rows) == [
        ("P-0001", "library", "http://localhost/items/P-0001"),
        ("P-0001", "society", "http://localhost/items/society:P-0001")]
    records = json.loads(admin.get("/curation/export.json").text)
    records = records["records"] if isinstance(records, dict) else records
    assert sorted(r["institution"] for r in records if r["identifier"] == "P-0001") == [
        "library", "society"]

    # The society's catalogue sends its P-0001 again, retitled: only its own record changes.
    _import(runner, tmp_path, make_image_file, "society", "albums", "Edith and Walter")
    with app.app_context():
        titles = sorted(db.session.scalars(sa.select(Item.title)))
    assert titles == ["Edith and Walter", "Weavers at Holme Mill"]


def test_a_reference_is_refused_twice_in_one_institution_and_accepted_in_another(
        app, make_institution, make_collection, make_user, login_client):
    library, society = make_institution(slug="library"), make_institution(slug="society")
    mills = make_collection(slug="mills", institution=library)
    albums = make_collection(slug="albums", institution=society)
    curator = login_client(app, make_user("curator", institutions=[library, society]))

    def new(collection):
        return curator.post("/catalogue/items/new", data={
            "identifier": "P-0001", "collection": collection, "title": "A photograph"})

    assert new("mills").status_code == 302
    refused = new("mills")
    assert refused.status_code == 422
    assert "already used" in refused.text and 'value="P-0001"' in refused.text
    assert new("albums").status_code == 302
    with app.app_context():
        placed = sorted(db.session.execute(
            sa.select(Item.identifier, Item.institution_id).where(Item.reference == "P-0001")))
    assert placed == sorted([("P-0001", library.id), ("society:P-0001", society.id)])
    assert mills.id != albums.id
