"""OAI-PMH 2.0 as the archive changes: datestamps, paging while records arrive, deletions.

Each test changes the archive, so each has a database of its own; the verbs and errors are
tested on a shared sample archive in ``test_oai.py``.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from archive.curation.withdrawal import restore_item
from archive.extensions import db
from archive.models import Contribution, Item, User
from archive.moderation.services import apply_suggestion
from tests.harvesting.oai_client import (
    NS,
    error_code,
    identifiers,
    oai,
    oai_id,
    set_changed,
    stamp_of,
    withdraw,
)

# --- what the archive holds --------------------------------------------------------------------


def test_text_xml_cannot_forbid_characters_from_notes(app, client, oai_schema, sample,
                                                      make_item):
    make_item(identifier="ODD-1", title="Bell\x07 and form\x0cfeed", with_image=False)

    tree = oai(client, oai_schema, verb="GetRecord", metadataPrefix="oai_dc",
               identifier=oai_id("ODD-1"))

    assert tree.findtext(".//dc:title", namespaces=NS) == "Bell and formfeed"


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


def test_harvesters_post_without_a_csrf_token(make_app, oai_schema, sample):
    app = make_app(WTF_CSRF_ENABLED=True)

    tree = oai(app.test_client(), oai_schema, "post", verb="ListSets")

    assert error_code(tree) is None
    assert len(tree.findall(".//o:set", NS)) == 3


# --- dates and paging --------------------------------------------------------------------------


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


def test_each_institution_is_a_set_with_its_collections_beneath_it(
        client, oai_schema, make_institution, make_collection, make_item):
    north = make_institution(slug="north", name="North Library")
    south = make_institution(slug="south", name="South Society")
    make_item(collection=make_collection(institution=north, slug="mills", title="Mills"),
              identifier="N-1", with_image=False)
    make_item(collection=make_collection(institution=north, slug="streets", title="Streets"),
              identifier="N-2", with_image=False)
    make_item(collection=make_collection(institution=south, slug="piers", title="Piers"),
              identifier="S-1", with_image=False)

    sets = [s.findtext("o:setSpec", namespaces=NS)
            for s in oai(client, oai_schema, verb="ListSets").iterfind(".//o:set", NS)]
    north_records = oai(client, oai_schema, verb="ListRecords", metadataPrefix="oai_dc",
                        set="north")
    mills = oai(client, oai_schema, verb="ListIdentifiers", metadataPrefix="oai_dc",
                set="north:mills")
    misplaced = oai(client, oai_schema, verb="ListIdentifiers", metadataPrefix="oai_dc",
                    set="south:mills")

    assert sets == ["north", "north:mills", "north:streets", "south", "south:piers"]
    assert identifiers(north_records) == [oai_id("N-1"), oai_id("N-2")]
    assert {e.text for e in north_records.iterfind(".//dc:publisher", NS)} == {"North Library"}
    assert identifiers(mills) == [oai_id("N-1")]
    assert error_code(misplaced) == "noRecordsMatch"
    south_record = oai(client, oai_schema, verb="GetRecord", metadataPrefix="oai_dc",
                       identifier=oai_id("S-1"))
    assert south_record.findtext(".//dc:publisher", namespaces=NS) == "South Society"
