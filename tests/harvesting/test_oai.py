"""OAI-PMH 2.0 at /oai: every verb, every error, paging, dates, sets and deletions."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from archive.curation.withdrawal import restore_item, withdraw_item
from archive.extensions import db
from archive.models import Contribution, Item, User
from archive.moderation.services import apply_suggestion
from tests.harvesting.conftest import PRIVATE

NS = {"o": "http://www.openarchives.org/OAI/2.0/",
      "dc": "http://purl.org/dc/elements/1.1/",
      "oai_dc": "http://www.openarchives.org/OAI/2.0/oai_dc/"}


def oai(client, oai_schema, method="get", **args):
    """Send one request, check the response against the OAI-PMH schema, return its tree."""
    if method == "post":
        response = client.post("/oai", data=args)
    else:
        response = client.get("/oai", query_string=args)
    assert response.status_code == 200
    assert response.content_type == "text/xml; charset=utf-8"
    oai_schema.validate(response.data)
    return ET.fromstring(response.data)  # noqa: S314 - our own response, just validated


def error_code(tree) -> str | None:
    element = tree.find("o:error", NS)
    return element.get("code") if element is not None else None


def identifiers(tree) -> list[str]:
    return [e.text for e in tree.iterfind(".//o:header/o:identifier", NS)]


def oai_id(identifier: str) -> str:
    return f"oai:localhost:{identifier}"


def set_changed(app, identifier: str, when: datetime) -> None:
    with app.app_context():
        item = db.session.scalar(sa.select(Item).where(Item.identifier == identifier))
        item.mark_changed(when)
        db.session.commit()


# --- verbs -------------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["get", "post"])
def test_identify_describes_the_repository(client, oai_schema, sample, method):
    tree = oai(client, oai_schema, method, verb="Identify")

    identify = tree.find("o:Identify", NS)
    assert identify.findtext("o:baseURL", namespaces=NS) == "http://localhost/oai"
    assert identify.findtext("o:protocolVersion", namespaces=NS) == "2.0"
    assert identify.findtext("o:deletedRecord", namespaces=NS) == "persistent"
    assert identify.findtext("o:granularity", namespaces=NS) == "YYYY-MM-DDThh:mm:ssZ"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ",
                        identify.findtext("o:earliestDatestamp", namespaces=NS))
    assert tree.find("o:request", NS).get("verb") == "Identify"


def test_list_metadata_formats_offers_oai_dc(client, oai_schema, sample):
    for args in ({}, {"identifier": oai_id("LDS-1")}):
        tree = oai(client, oai_schema, verb="ListMetadataFormats", **args)

        prefixes = [e.text for e in tree.iterfind(".//o:metadataPrefix", NS)]
        assert prefixes == ["oai_dc"]


def test_list_sets_names_each_collection(client, oai_schema, sample):
    tree = oai(client, oai_schema, verb="ListSets")

    sets = {s.findtext("o:setSpec", namespaces=NS): s.findtext("o:setName", namespaces=NS)
            for s in tree.iterfind(".//o:set", NS)}
    assert sets == {"leeds": "Leeds", "bradford": "Bradford"}


def test_get_record_maps_the_item_to_dublin_core(client, oai_schema, sample):
    tree = oai(client, oai_schema, verb="GetRecord", metadataPrefix="oai_dc",
               identifier=oai_id("LDS-1"))

    header = tree.find(".//o:header", NS)
    assert header.findtext("o:identifier", namespaces=NS) == oai_id("LDS-1")
    assert header.findtext("o:setSpec", namespaces=NS) == "leeds"
    dc = tree.find(".//oai_dc:dc", NS)
    values: dict[str, list[str]] = {}
    for element in dc:
        values.setdefault(element.tag.split("}")[1], []).append(element.text)
    assert values["title"] == ["Market day"]
    assert values["creator"] == ["J. Walker"]
    assert values["subject"] == ["Alice Smith", "Edith Brown", "markets", "trade"]
    assert values["description"][0] == "Stalls on a market."
    assert values["description"][1].startswith("Note from a member of the public (Mary Jones, ")
    assert values["description"][1].endswith("): My grandmother ran the fish stall.")
    # the archivist's edit is what is published, and an unnamed contributor stays anonymous
    assert values["description"][2].startswith(
        "Note from a member of the public (Anonymous contributor, ")
    assert values["description"][2].endswith("the contributor's uncle.")
    assert values["date"] == ["1931"]
    assert values["coverage"] == ["Leeds"]
    assert values["identifier"] == ["http://localhost/items/LDS-1"]
    assert values["relation"] == ["http://localhost/iiif/LDS-1/manifest"]
    assert values["rights"] == ["CC BY 4.0"]
    assert values["type"] == ["StillImage"]
    assert values["format"] == ["image/jpeg"]
    assert values["source"] == ["Leeds"]
    text = ET.tostring(tree, encoding="unicode")
    for secret in PRIVATE:
        assert secret not in text


def test_an_item_without_images_has_no_manifest_relation(client, oai_schema, sample):
    tree = oai(client, oai_schema, verb="GetRecord", metadataPrefix="oai_dc",
               identifier=oai_id("BFD-1"))

    assert tree.find(".//dc:relation", NS) is None
    assert tree.find(".//dc:format", NS) is None


def test_list_records_and_identifiers_return_every_item(client, oai_schema, sample):
    records = oai(client, oai_schema, verb="ListRecords", metadataPrefix="oai_dc")
    headers = oai(client, oai_schema, verb="ListIdentifiers", metadataPrefix="oai_dc")

    expected = {oai_id("LDS-1"), oai_id("LDS-2"), oai_id("BFD-1")}
    assert set(identifiers(records)) == expected
    assert set(identifiers(headers)) == expected
    assert len(records.findall(".//oai_dc:dc", NS)) == 3
    assert headers.find(".//o:metadata", NS) is None
    assert records.find(".//o:resumptionToken", NS) is None  # one page: no token at all


def test_sets_select_a_collection(client, oai_schema, sample):
    tree = oai(client, oai_schema, verb="ListIdentifiers", metadataPrefix="oai_dc", set="leeds")

    assert sorted(identifiers(tree)) == [oai_id("LDS-1"), oai_id("LDS-2")]


def test_text_xml_cannot_forbid_characters_from_notes(app, client, oai_schema, sample,
                                                      make_item):
    make_item(identifier="ODD-1", title="Bell\x07 and form\x0cfeed", with_image=False)

    tree = oai(client, oai_schema, verb="GetRecord", metadataPrefix="oai_dc",
               identifier=oai_id("ODD-1"))

    assert tree.findtext(".//dc:title", namespaces=NS) == "Bell and formfeed"


# --- dates -------------------------------------------------------------------------------------


def test_from_and_until_select_by_datestamp_to_the_second(app, client, oai_schema, sample):
    set_changed(app, "LDS-1", datetime(2024, 3, 1, 10, 0, 0, 500000, tzinfo=UTC))
    set_changed(app, "LDS-2", datetime(2024, 3, 1, 10, 0, 1, tzinfo=UTC))
    set_changed(app, "BFD-1", datetime(2024, 3, 2, 9, 0, 0, tzinfo=UTC))

    def listed(**bounds):
        tree = oai(client, oai_schema, verb="ListIdentifiers", metadataPrefix="oai_dc",
                   **bounds)
        if error_code(tree) == "noRecordsMatch":
            return []
        return sorted(identifiers(tree))

    assert listed(**{"from": "2024-03-01T10:00:01Z"}) == [oai_id("BFD-1"), oai_id("LDS-2")]
    assert listed(until="2024-03-01T10:00:00Z") == [oai_id("LDS-1")]  # until is inclusive
    assert listed(**{"from": "2024-03-01T10:00:00Z", "until": "2024-03-01T10:00:00Z"}) == [
        oai_id("LDS-1")]
    assert listed(**{"from": "2024-03-02", "until": "2024-03-02"}) == [oai_id("BFD-1")]
    assert listed(until="2024-02-29") == []
    tree = oai(client, oai_schema, verb="GetRecord", metadataPrefix="oai_dc",
               identifier=oai_id("LDS-1"))
    assert tree.findtext(".//o:datestamp", namespaces=NS) == "2024-03-01T10:00:00Z"


# --- errors ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("args", "code"), [
    ({}, "badVerb"),
    ({"verb": "Explode"}, "badVerb"),
    ({"verb": ["Identify", "Identify"]}, "badVerb"),
    ({"verb": "Identify", "set": "leeds"}, "badArgument"),
    ({"verb": "GetRecord", "identifier": oai_id("LDS-1")}, "badArgument"),
    ({"verb": "ListRecords"}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": ["oai_dc", "oai_dc"]}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "yesterday"}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2024-01-01",
      "until": "2024-02-01T00:00:00Z"}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2024-02-01",
      "until": "2024-01-01"}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2024-02-30"}, "badArgument"),
    ({"verb": "ListRecords", "resumptionToken": "x", "metadataPrefix": "oai_dc"},
     "badArgument"),
    ({"verb": "ListRecords", "resumptionToken": "forged"}, "badResumptionToken"),
    ({"verb": "ListSets", "resumptionToken": "forged"}, "badResumptionToken"),
    ({"verb": "ListRecords", "metadataPrefix": "marc21"}, "cannotDisseminateFormat"),
    ({"verb": "GetRecord", "metadataPrefix": "mods", "identifier": oai_id("LDS-1")},
     "cannotDisseminateFormat"),
    ({"verb": "GetRecord", "metadataPrefix": "oai_dc", "identifier": oai_id("NOPE")},
     "idDoesNotExist"),
    ({"verb": "GetRecord", "metadataPrefix": "oai_dc", "identifier": "oai:elsewhere:LDS-1"},
     "idDoesNotExist"),
    ({"verb": "ListMetadataFormats", "identifier": oai_id("NOPE")}, "idDoesNotExist"),
    ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "set": "york"}, "noRecordsMatch"),
    ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2999-01-01"},
     "noRecordsMatch"),
    # Dates at the end of the calendar: no upper bound can be computed past them.
    ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "until": "9999-12-31"},
     "badArgument"),
    ({"verb": "ListIdentifiers", "metadataPrefix": "oai_dc",
      "until": "9999-12-31T23:59:59Z"}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "9999-12-31",
      "until": "9999-12-31"}, "badArgument"),
    # Characters XML cannot carry are refused, never echoed into <request>.
    ({"verb": "GetRecord", "metadataPrefix": "oai_dc", "identifier": "oai:localhost:\x01x"},
     "badArgument"),
    ({"verb": "GetRecord", "metadataPrefix": "oai_dc", "identifier": oai_id("LDS-1\x1b[0m")},
     "badArgument"),
    ({"verb": "ListMetadataFormats", "identifier": "\x0b"}, "badArgument"),
    ({"verb": "ListRecords", "resumptionToken": "abc\x08def"}, "badArgument"),
    ({"verb": "ListIdentifiers", "resumptionToken": "\x7f\x1f\x02"}, "badArgument"),
    ({"verb": "ListSets", "resumptionToken": "\ufffe"}, "badArgument"),
])
@pytest.mark.parametrize("method", ["get", "post"])
def test_protocol_errors_are_reported_with_http_200(client, oai_schema, sample, args, code,
                                                     method):
    tree = oai(client, oai_schema, method, **args)

    assert error_code(tree) == code
    assert tree.find("o:error", NS).text
    request = tree.find("o:request", NS)
    if code in ("badVerb", "badArgument"):
        assert request.attrib == {}  # the protocol forbids echoing a bad request
    else:
        assert request.get("verb") == args["verb"]


def test_control_characters_posted_are_refused_even_a_nul(client, oai_schema, sample):
    """(In an address, a NUL is refused with a 400 before any view; in a form body it reaches
    the view, which must still answer well-formed XML.)"""
    for value in ("\x00", "oai:localhost:LDS-1\x00", "\x01\x02\x03"):
        tree = oai(client, oai_schema, "post", verb="GetRecord", metadataPrefix="oai_dc",
                   identifier=value)
        assert error_code(tree) == "badArgument"
        assert tree.find("o:request", NS).attrib == {}


def test_a_token_of_one_verb_is_refused_by_another(app, client, oai_schema, sample):
    app.config["OAI_PAGE_SIZE"] = 1
    tree = oai(client, oai_schema, verb="ListIdentifiers", metadataPrefix="oai_dc")
    token = tree.findtext(".//o:resumptionToken", namespaces=NS)

    other = oai(client, oai_schema, verb="ListRecords", resumptionToken=token)

    assert error_code(other) == "badResumptionToken"


def test_an_empty_repository_has_no_set_hierarchy(client, oai_schema):
    assert error_code(oai(client, oai_schema, verb="ListSets")) == "noSetHierarchy"
    tree = oai(client, oai_schema, verb="ListRecords", metadataPrefix="oai_dc", set="leeds")
    assert error_code(tree) == "noSetHierarchy"
    tree = oai(client, oai_schema, verb="ListRecords", metadataPrefix="oai_dc")
    assert error_code(tree) == "noRecordsMatch"


def test_a_deleted_record_has_no_metadata_formats(app, client, oai_schema, sample):
    withdraw(app, sample, "LDS-2")

    tree = oai(client, oai_schema, verb="ListMetadataFormats", identifier=oai_id("LDS-2"))

    assert error_code(tree) == "noMetadataFormats"


# --- paging ------------------------------------------------------------------------------------


def test_resumption_tokens_page_by_keyset_and_survive_new_records(app, client, oai_schema,
                                                                  make_item):
    app.config["OAI_PAGE_SIZE"] = 2
    base = datetime(2024, 1, 1, tzinfo=UTC)
    for n in range(5):
        make_item(identifier=f"P-{n}", with_image=False)
        set_changed(app, f"P-{n}", base + timedelta(seconds=n // 2))  # ties in datestamps

    seen: list[str] = []
    tree = oai(client, oai_schema, verb="ListRecords", metadataPrefix="oai_dc")
    cursors = []
    while True:
        seen += identifiers(tree)
        token_element = tree.find(".//o:resumptionToken", NS)
        assert token_element is not None
        cursors.append(token_element.get("cursor"))
        if not token_element.text:
            break
        if len(seen) == 2:  # a record added mid-harvest does not invalidate the token
            make_item(identifier="P-new", with_image=False)
        tree = oai(client, oai_schema, verb="ListRecords",
                   resumptionToken=token_element.text)

    assert seen == [oai_id(f"P-{n}") for n in range(5)] + [oai_id("P-new")]
    assert cursors == ["0", "2", "4"]
    assert token_element.get("completeListSize") == "6"


# --- datestamps move when what is exported changes ---------------------------------------------


def stamp_of(app, identifier: str) -> datetime:
    with app.app_context():
        return db.session.scalar(
            sa.select(Item.record_changed_at).where(Item.identifier == identifier))


def withdraw(app, sample, identifier: str) -> None:
    with app.app_context():
        item = db.session.scalar(sa.select(Item).where(Item.identifier == identifier))
        withdraw_item(item, db.session.get(User, sample.curator.id), reason="Copyright query")
        db.session.commit()


def test_approving_a_note_moves_the_datestamp(app, sample, make_contribution):
    old = datetime(2020, 1, 1, tzinfo=UTC)
    set_changed(app, "LDS-2", old)
    note = make_contribution(sample.tram, body="Number 12 to Headingley.")

    from archive.moderation.services import approve_contribution

    with app.app_context():
        approve_contribution(db.session.get(Contribution, note.id),
                             db.session.get(User, sample.archivist.id))
        db.session.commit()

    assert stamp_of(app, "LDS-2") > old


def test_applying_a_suggestion_moves_the_datestamp(app, sample):
    old = datetime(2020, 1, 1, tzinfo=UTC)
    set_changed(app, "LDS-1", old)

    with app.app_context():
        note = db.session.get(Contribution, sample.named_note)
        note.suggested_place = "Kirkgate Market"
        enrichment = apply_suggestion(note, "place", db.session.get(User, sample.archivist.id))
        db.session.commit()

    assert enrichment is not None
    assert stamp_of(app, "LDS-1") > old


def test_withdrawal_is_a_persistent_deletion_and_restoring_undoes_it(app, client, oai_schema,
                                                                     sample):
    old = datetime(2020, 1, 1, tzinfo=UTC)
    set_changed(app, "LDS-2", old)
    withdraw(app, sample, "LDS-2")
    withdrawn_at = stamp_of(app, "LDS-2")
    assert withdrawn_at > old

    since = withdrawn_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    tree = oai(client, oai_schema, verb="ListRecords", metadataPrefix="oai_dc",
               **{"from": since})
    records = {r.findtext(".//o:identifier", namespaces=NS): r
               for r in tree.iterfind(".//o:record", NS)}
    assert records[oai_id("LDS-2")].find("o:header", NS).get("status") == "deleted"
    assert records[oai_id("LDS-2")].find("o:metadata", NS) is None
    tree = oai(client, oai_schema, verb="GetRecord", metadataPrefix="oai_dc",
               identifier=oai_id("LDS-2"))
    assert tree.find(".//o:header", NS).get("status") == "deleted"

    with app.app_context():
        item = db.session.scalar(sa.select(Item).where(Item.identifier == "LDS-2"))
        restore_item(item, db.session.get(User, sample.curator.id))
        db.session.commit()

    assert stamp_of(app, "LDS-2") > withdrawn_at
    tree = oai(client, oai_schema, verb="GetRecord", metadataPrefix="oai_dc",
               identifier=oai_id("LDS-2"))
    assert tree.find(".//o:header", NS).get("status") is None
    assert tree.findtext(".//dc:title", namespaces=NS) == "Tram on Briggate"


def test_harvesters_post_without_a_csrf_token(make_app, oai_schema, sample):
    app = make_app(WTF_CSRF_ENABLED=True)

    tree = oai(app.test_client(), oai_schema, "post", verb="ListSets")

    assert error_code(tree) is None
    assert len(tree.findall(".//o:set", NS)) == 2
