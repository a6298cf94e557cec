"""OAI-PMH 2.0 at /oai: every verb and every error, on a sample archive the tests only read.

What changes the archive (datestamps, paging while records arrive, deletions) is tested in
``test_oai_changes.py``, each test on a database of its own.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from tests.harvesting.conftest import PRIVATE
from tests.harvesting.oai_client import NS, error_code, identifiers, oai, oai_id


@pytest.fixture(scope="module")
def app(module_app):
    """Every test here only reads: one app, database and sample archive for the whole module."""
    return module_app


@pytest.fixture(scope="module")
def sample(shared_sample):
    return shared_sample


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


def test_list_sets_names_each_institution_and_its_collections(client, oai_schema, sample):
    tree = oai(client, oai_schema, verb="ListSets")

    sets = {s.findtext("o:setSpec", namespaces=NS): s.findtext("o:setName", namespaces=NS)
            for s in tree.iterfind(".//o:set", NS)}
    assert sets == {"test-archive": "Test Archive", "test-archive:leeds": "Leeds",
                    "test-archive:bradford": "Bradford"}


def test_get_record_maps_the_item_to_dublin_core(client, oai_schema, sample):
    tree = oai(client, oai_schema, verb="GetRecord", metadataPrefix="oai_dc",
               identifier=oai_id("LDS-1"))

    header = tree.find(".//o:header", NS)
    assert header.findtext("o:identifier", namespaces=NS) == oai_id("LDS-1")
    assert [e.text for e in header.iterfind("o:setSpec", NS)] == [
        "test-archive", "test-archive:leeds"]
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
    # the page, and the reference its institution knows it by
    assert values["identifier"] == ["http://localhost/items/LDS-1", "LDS-1"]
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


def test_a_token_of_one_verb_is_refused_by_another(app, client, oai_schema, sample,
                                                   monkeypatch):
    monkeypatch.setitem(app.config, "OAI_PAGE_SIZE", 1)
    tree = oai(client, oai_schema, verb="ListIdentifiers", metadataPrefix="oai_dc")
    token = tree.findtext(".//o:resumptionToken", namespaces=NS)

    other = oai(client, oai_schema, verb="ListRecords", resumptionToken=token)

    assert error_code(other) == "badResumptionToken"
