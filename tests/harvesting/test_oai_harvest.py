"""A real OAI-PMH client (Sickle) harvesting the app over HTTP on the loopback interface."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from sickle import Sickle
from sickle.oaiexceptions import BadArgument, IdDoesNotExist, NoRecordsMatch

from archive.curation.withdrawal import withdraw_item
from archive.extensions import db
from archive.models import Contribution, Item, User
from archive.moderation.services import approve_contribution


@pytest.fixture
def harvester(app, live_server):
    app.config["OAI_PAGE_SIZE"] = 2  # several pages, so Sickle follows resumption tokens
    return Sickle(f"{live_server}/oai", max_retries=0, timeout=10)


def oai_id(identifier: str) -> str:
    return f"oai:127.0.0.1:{identifier}"


def test_a_full_harvest_follows_every_resumption_token(harvester, live_server, sample,
                                                        make_item):
    for n in range(4):
        make_item(identifier=f"EXTRA-{n}", with_image=False)

    records = list(harvester.ListRecords(metadataPrefix="oai_dc"))

    assert len(records) == 7
    assert len({r.header.identifier for r in records}) == 7
    market = next(r for r in records if r.header.identifier == oai_id("LDS-1"))
    assert market.metadata["title"] == ["Market day"]
    assert market.metadata["relation"] == [f"{live_server}/iiif/LDS-1/manifest"]
    assert market.header.setSpecs == ["test-archive", "test-archive:leeds"]


def test_post_requests_harvest_the_same(app, live_server, sample):
    harvester = Sickle(f"{live_server}/oai", http_method="POST", max_retries=0, timeout=10)

    headers = list(harvester.ListIdentifiers(metadataPrefix="oai_dc"))

    assert {h.identifier for h in headers} == {oai_id("LDS-1"), oai_id("LDS-2"), oai_id("BFD-1")}


def test_an_incremental_harvest_sees_only_what_changed(app, harvester, sample):
    with app.app_context():
        for item in db.session.scalars(sa.select(Item)):
            item.mark_changed(datetime(2024, 1, 1, tzinfo=UTC))
        db.session.commit()
    last_harvest = datetime(2024, 6, 1, tzinfo=UTC)

    with app.app_context():  # a note is approved after the last harvest
        note = Contribution(item_id=sample.tram.id, body="That is the number 12.",
                            licence="CC BY 4.0")
        db.session.add(note)
        db.session.flush()
        approve_contribution(note, db.session.get(User, sample.archivist.id))
        db.session.commit()

    changed = list(harvester.ListRecords(
        metadataPrefix="oai_dc", **{"from": last_harvest.strftime("%Y-%m-%dT%H:%M:%SZ")}))

    assert [r.header.identifier for r in changed] == [oai_id("LDS-2")]
    assert any("That is the number 12." in d for d in changed[0].metadata["description"])
    with pytest.raises(NoRecordsMatch):
        list(harvester.ListRecords(metadataPrefix="oai_dc", **{
            "from": (datetime.now(UTC) + timedelta(days=1)).strftime("%Y-%m-%d")}))


def test_sets_and_deletions_reach_the_harvester(app, harvester, sample):
    sets = {s.setSpec: s.setName for s in harvester.ListSets()}
    assert sets == {"test-archive": "Test Archive", "test-archive:leeds": "Leeds",
                    "test-archive:bradford": "Bradford"}
    with app.app_context():
        item = db.session.get(Item, sample.tram.id)
        withdraw_item(item, db.session.get(User, sample.curator.id), reason="Rights unclear")
        db.session.commit()

    leeds = {r.header.identifier: r for r in
             harvester.ListRecords(metadataPrefix="oai_dc", set="leeds")}

    assert set(leeds) == {oai_id("LDS-1"), oai_id("LDS-2")}
    assert leeds[oai_id("LDS-2")].deleted is True
    assert leeds[oai_id("LDS-1")].deleted is False
    record = harvester.GetRecord(metadataPrefix="oai_dc", identifier=oai_id("LDS-2"))
    assert record.deleted is True


def test_the_client_understands_the_errors(harvester, sample):
    with pytest.raises(IdDoesNotExist):
        harvester.GetRecord(metadataPrefix="oai_dc", identifier=oai_id("NOPE"))
    with pytest.raises(BadArgument):
        harvester.GetRecord(metadataPrefix="oai_dc")
    response = harvester.harvest(verb="Explode")  # no wrapper for a verb it does not know
    assert response.xml.find(".//{http://www.openarchives.org/OAI/2.0/}error").get(
        "code") == "badVerb"
    identify = harvester.Identify()
    assert identify.deletedRecord == "persistent"
    assert identify.granularity == "YYYY-MM-DDThh:mm:ssZ"
