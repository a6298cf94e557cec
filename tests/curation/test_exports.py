"""Exports of the enriched records: the page, the downloads and the `flask export` command."""

from __future__ import annotations

import csv
import io
import json
import re
import tracemalloc
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from archive.extensions import db
from archive.harvesting.records import iter_records
from archive.models import Contribution, Item, User
from archive.moderation.services import approve_contribution

NAMED_EMAIL = "mary.jones@example.net"
HIDDEN_EMAIL = "quiet.person@example.net"
IP_HASH = "5f4dcc3b5aa765d61d8327deb882cf99" * 2
UNPUBLISHED = ("PENDING note text", "REJECTED note text", "SPAM note text")


@dataclass
class Archive:
    market: Item
    mill: Item
    named_note: int
    anonymous_note: int
    approver: User
    private: tuple[str, ...]


@pytest.fixture
def archive(app, make_collection, make_item, make_user, make_contribution):
    """Two collections; one item with two approved notes (one applied) and unpublished ones."""
    leeds = make_collection(slug="leeds", title="Leeds")
    bradford = make_collection(slug="bradford", title="Bradford")
    approver = make_user("archivist", display_name="Ada Archivist")
    market = make_item(collection=leeds, identifier="LDS-1", title="Market day",
                       date_text="c. 1920", place="Leeds", people="Alice Smith",
                       creator="J. Walker", rights="CC BY 4.0", subjects="markets")
    mill = make_item(collection=bradford, identifier="BFD-1", title="Mill workers",
                     with_image=False, needs_help=True, help_question="Which mill is this?")
    named = make_contribution(market, body="My grandmother ran the fish stall.",
                              suggested_date="1931", suggested_place="Kirkgate Market",
                              suggested_people="Edith Brown", credit_name="Mary Jones",
                              show_name=True, email=NAMED_EMAIL, ip_hash=IP_HASH)
    anonymous = make_contribution(market, body="The tram is a number 12.",
                                  credit_name="Quiet Person", show_name=False,
                                  email=HIDDEN_EMAIL, ip_hash="0" * 64)
    for body, status in zip(UNPUBLISHED, ("pending", "rejected", "spam"), strict=True):
        make_contribution(mill, body=body, status=status, email=f"{status}@example.net",
                          decided_by=None if status == "pending" else approver)
    with app.app_context():
        moderator = db.session.get(User, approver.id)
        approve_contribution(db.session.get(Contribution, named.id), moderator,
                             apply=("date", "place", "people"))
        approve_contribution(db.session.get(Contribution, anonymous.id), moderator)
        db.session.commit()
    private = (NAMED_EMAIL, HIDDEN_EMAIL, IP_HASH, "0" * 64, "Quiet Person",
               "pending@example.net", "rejected@example.net", "spam@example.net", *UNPUBLISHED)
    return Archive(market, mill, named.id, anonymous.id, approver, private)


@pytest.fixture
def curator(app, make_user, login_client):
    return login_client(app, make_user("curator"))


def decided_at(app, note_id) -> str:
    with app.app_context():
        return db.session.get(Contribution, note_id).decided_at.isoformat()


def read_csv(data: bytes) -> list[dict]:
    assert data.startswith(b"\xef\xbb\xbf")  # spreadsheet programs read UTF-8 with a BOM
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def check_market_notes(app, archive, notes, enrichments):
    assert notes == [
        {
            "id": archive.named_note,
            "text": "My grandmother ran the fish stall.",
            "suggested_date": "1931",
            "suggested_place": "Kirkgate Market",
            "suggested_people": "Edith Brown",
            "credit": "Mary Jones",
            "licence": "CC BY 4.0",
            "region": None,
            "submitted_at": notes[0]["submitted_at"],
            "approved_by": "Ada Archivist",
            "approved_at": decided_at(app, archive.named_note),
            "solved_question": False,
        },
        {
            "id": archive.anonymous_note,
            "text": "The tram is a number 12.",
            "suggested_date": "",
            "suggested_place": "",
            "suggested_people": "",
            "credit": "Anonymous",
            "licence": "CC BY 4.0",
            "region": None,
            "submitted_at": notes[1]["submitted_at"],
            "approved_by": "Ada Archivist",
            "approved_at": decided_at(app, archive.anonymous_note),
            "solved_question": False,
        },
    ]
    assert [(e["field"], e["old_value"], e["new_value"], e["source_note"], e["applied_by"])
            for e in enrichments] == [
        ("date_text", "c. 1920", "1931", archive.named_note, "Ada Archivist"),
        ("place", "Leeds", "Kirkgate Market", archive.named_note, "Ada Archivist"),
        ("people", "Alice Smith", "Alice Smith; Edith Brown", archive.named_note,
         "Ada Archivist"),
    ]
    assert all(datetime.fromisoformat(e["applied_at"]).tzinfo is not None for e in enrichments)


# --- who may export ----------------------------------------------------------------------------


PAGES = ["/curation/", "/curation/export.csv", "/curation/export.json"]


def test_an_archivist_may_not_export(app, archive, make_user, login_client):
    archivist = login_client(app, make_user("archivist"))

    for path in PAGES:
        response = archivist.get(path)

        assert response.status_code == 403, path
        assert "have access" in response.text
        assert b"Market day" not in response.data


@pytest.mark.database_independent
@pytest.mark.parametrize("path", PAGES)
def test_anonymous_visitors_are_sent_to_log_in(client, path):
    response = client.get(path)

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_an_admin_may_export(app, make_user, login_client):
    admin = login_client(app, make_user("admin"))

    response = admin.get("/curation/export.json")

    assert response.status_code == 200
    assert json.loads(response.data) == []


def test_the_exports_page_offers_each_format_and_collection(curator, archive):
    html = curator.get("/curation/").text

    assert 'formaction="/curation/export.csv"' in html
    assert 'formaction="/curation/export.json"' in html
    assert '<option value="leeds">Leeds (1)</option>' in html
    assert '<option value="bradford">Bradford (1)</option>' in html


# --- CSV ---------------------------------------------------------------------------------------


def test_csv_has_one_row_per_item_with_enriched_fields_and_approved_notes(app, curator,
                                                                          archive):
    response = curator.get("/curation/export.csv")

    assert response.status_code == 200
    assert response.content_type == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"].startswith(
        'attachment; filename="archive-all-')
    rows = {row["identifier"]: row for row in read_csv(response.data)}
    assert set(rows) == {"LDS-1", "BFD-1"}
    market = rows["LDS-1"]
    assert {k: market[k] for k in ("url", "collection", "title", "date_text", "date_earliest",
                                   "date_latest", "place", "people", "subjects", "creator",
                                   "rights", "needs_help", "notes_count")} == {
        "url": "http://localhost/items/LDS-1", "collection": "leeds", "title": "Market day",
        "date_text": "1931", "date_earliest": "1931", "date_latest": "1931",
        "place": "Kirkgate Market", "people": "Alice Smith; Edith Brown",
        "subjects": "markets", "creator": "J. Walker", "rights": "CC BY 4.0",
        "needs_help": "no", "notes_count": "2",
    }
    image = archive.market.primary_image
    # The public full-size copy: the original (and its metadata) is for staff only.
    assert market["images"] == (f"http://localhost/media/derivatives/{image.sha256[:2]}/"
                                f"{image.sha256[2:4]}/{image.sha256}-full.jpg")
    check_market_notes(app, archive, json.loads(market["notes"]),
                       json.loads(market["enrichments"]))
    mill = rows["BFD-1"]
    assert (mill["needs_help"], mill["help_question"]) == ("yes", "Which mill is this?")
    assert (mill["notes_count"], mill["notes"], mill["images"]) == ("0", "[]", "")


def test_json_has_one_record_per_item_with_enriched_fields_and_approved_notes(app, curator,
                                                                            archive):
    response = curator.get("/curation/export.json")

    assert response.status_code == 200
    assert response.content_type == "application/json"
    records = {r["identifier"]: r for r in json.loads(response.data)}
    assert set(records) == {"LDS-1", "BFD-1"}
    market = records["LDS-1"]
    assert {k: market[k] for k in ("collection", "collection_title", "title", "date_text",
                                   "date_earliest", "date_latest", "place", "people",
                                   "needs_help")} == {
        "collection": "leeds", "collection_title": "Leeds", "title": "Market day",
        "date_text": "1931", "date_earliest": 1931, "date_latest": 1931,
        "place": "Kirkgate Market", "people": "Alice Smith; Edith Brown", "needs_help": False,
    }
    check_market_notes(app, archive, market["notes"], market["enrichments"])
    assert records["BFD-1"]["notes"] == []
    assert records["BFD-1"]["enrichments"] == []


def test_private_data_and_unpublished_notes_never_leave(curator, archive):
    for fmt in ("csv", "json"):
        data = curator.get(f"/curation/export.{fmt}").data

        assert b"Market day" in data
        for secret in archive.private:
            assert secret.encode() not in data, (fmt, secret)


def test_csv_cells_cannot_run_as_spreadsheet_formulas(app, curator, make_item, make_user,
                                                      make_contribution):
    make_item(identifier="=1+1", title='=HYPERLINK("http://evil.example")',
              description="+cmd|' /C calc'!A0", place="-2+3", creator="@SUM(A1)",
              people="\t=tab", subjects="plain, safe", with_image=False)

    [row] = read_csv(curator.get("/curation/export.csv").data)
    records = json.loads(curator.get("/curation/export.json").data)

    assert row["identifier"] == "'=1+1"
    assert row["title"] == """'=HYPERLINK("http://evil.example")"""
    assert row["description"] == "'+cmd|' /C calc'!A0"
    assert row["place"] == "'-2+3"
    assert row["creator"] == "'@SUM(A1)"
    assert row["people"] == "'\t=tab"
    assert row["subjects"] == "plain, safe"
    assert records[0]["title"] == '=HYPERLINK("http://evil.example")'  # JSON keeps the value


def test_item_links_lead_to_the_item_page(make_app, make_item, make_user, login_client):
    make_item(identifier="LS 12#3?", title="An awkward reference", with_image=False)
    site = make_app(PUBLIC_BASE_URL="https://photos.example.org/")
    client = login_client(site, make_user("curator"))

    [record] = json.loads(client.get("/curation/export.json").data)
    path = record["url"].removeprefix("https://photos.example.org")

    assert path.startswith("/items/")
    assert "An awkward reference" in client.get(path).text


# --- collections -------------------------------------------------------------------------------


def test_a_collection_can_be_exported_alone(curator, archive):
    # Each streamed body is read before the next request is made.
    as_csv = curator.get("/curation/export.csv", query_string={"collection": "bradford"})
    assert [row["identifier"] for row in read_csv(as_csv.data)] == ["BFD-1"]
    as_json = curator.get("/curation/export.json", query_string={"collection": "bradford"})
    assert [record["identifier"] for record in json.loads(as_json.data)] == ["BFD-1"]
    for response in (as_csv, as_json):
        assert 'filename="archive-bradford-' in response.headers["Content-Disposition"]


def test_an_unknown_collection_is_not_found(curator, archive):
    for fmt in ("csv", "json"):
        response = curator.get(f"/curation/export.{fmt}", query_string={"collection": "york"})

        assert response.status_code == 404
        assert "Page not found" in response.text


def test_an_unknown_format_is_not_found(curator):
    assert curator.get("/curation/export.xml").status_code == 404


def test_an_empty_archive_exports_empty_files_that_still_parse(curator):
    assert read_csv(curator.get("/curation/export.csv").data) == []
    assert json.loads(curator.get("/curation/export.json").data) == []


# --- streaming ---------------------------------------------------------------------------------


def test_downloads_are_sent_whole_with_their_length(curator, make_item):
    for n in range(4):
        make_item(identifier=f"S-{n}", with_image=False)

    for fmt in ("csv", "json", "jsonl"):
        response = curator.get(f"/curation/export.{fmt}")
        body = response.get_data()

        assert response.status_code == 200
        assert int(response.headers["Content-Length"]) == len(body) > 0
        assert sorted(set(re.findall(rb"S-\d", body))) == [f"S-{n}".encode() for n in range(4)]


@pytest.mark.parametrize("fmt", ["csv", "json", "jsonl"])
def test_a_database_failure_part_way_is_a_503_not_a_shorter_file(curator, make_item,
                                                                  monkeypatch, fmt):
    """The second batch of records cannot be read: nothing of the file is sent."""
    from archive.harvesting import records

    for n in range(5):
        make_item(identifier=f"F-{n}", with_image=False)
    monkeypatch.setitem(records.iter_records.__kwdefaults__, "batch_size", 2)
    real = records._notes_for
    calls = []

    def notes_then_failure(ids):
        calls.append(ids)
        if len(calls) == 2:
            raise sa.exc.OperationalError("SELECT …", {}, Exception("server closed the "
                                                                   "connection unexpectedly"))
        return real(ids)

    monkeypatch.setattr(records, "_notes_for", notes_then_failure)

    response = curator.get(f"/curation/export.{fmt}")

    assert len(calls) == 2  # it failed part-way, after the first records were written
    assert response.status_code == 503
    assert response.headers["Retry-After"]
    assert b"F-0" not in response.get_data()
    assert "attachment" not in response.headers.get("Content-Disposition", "")


def test_records_span_batches_each_item_once_with_its_own_notes(app, make_item, make_user,
                                                                 make_contribution):
    approver = make_user("archivist")
    items = [make_item(identifier=f"B-{n}", with_image=False) for n in range(5)]
    for item in items:
        make_contribution(item, body=f"note about {item.identifier}", status="approved",
                          decided_by=approver)

    with app.app_context():
        records = list(iter_records(base_url="https://example.org", batch_size=2))

    assert [r["identifier"] for r in records] == [f"B-{n}" for n in range(5)]
    assert [[n["text"] for n in r["notes"]] for r in records] == [
        [f"note about B-{n}"] for n in range(5)]


@pytest.mark.slow
def test_memory_stays_flat_however_many_items(app, make_collection):
    small, rest = make_collection(slug="small"), make_collection(slug="rest")
    now = datetime.now(UTC)
    with app.app_context():
        db.session.execute(sa.insert(Item), [
            {"collection_id": small.id if n < 600 else rest.id, "identifier": f"M-{n:05d}",
             "reference": f"M-{n:05d}", "institution_id": small.institution_id,
             "title": f"Photograph number {n}", "description": f"A long description {n}. " * 20,
             "created_at": now, "updated_at": now}
            for n in range(3000)
        ])
        db.session.commit()

    def peak_during_export(slug) -> tuple[int, int]:
        """Records exported, and the most memory held above what was held before."""
        with app.app_context():
            tracemalloc.reset_peak()
            before = tracemalloc.get_traced_memory()[0]
            count = sum(1 for _ in iter_records(base_url="https://example.org",
                                                collection_slug=slug))
            return count, tracemalloc.get_traced_memory()[1] - before

    tracemalloc.start()
    try:
        peak_during_export("small")  # the first runs fill the caches of compiled statements
        peak_during_export(None)
        small_count, small_peak = peak_during_export("small")
        all_count, all_peak = peak_during_export(None)
    finally:
        tracemalloc.stop()

    assert (small_count, all_count) == (600, 3000)
    assert all_peak < 2 * small_peak


# --- the command -------------------------------------------------------------------------------


def test_export_csv_to_a_file(app, runner, archive, tmp_path):
    (tmp_path / "exports").mkdir()
    target = tmp_path / "exports" / "records.csv"

    result = runner.invoke(args=["export", "csv", "--output", str(target)])

    assert result.exit_code == 0, result.output
    assert f"Wrote {target}" in result.stderr
    data = target.read_bytes()
    rows = {row["identifier"]: row for row in read_csv(data)}
    assert set(rows) == {"LDS-1", "BFD-1"}
    assert rows["LDS-1"]["place"] == "Kirkgate Market"
    for secret in archive.private:
        assert secret.encode() not in data
    assert list(target.parent.iterdir()) == [target]  # no half-written file left behind


def test_export_json_to_standard_output(app, runner, archive):
    result = runner.invoke(args=["export", "json", "--base-url", "https://photos.example.org"])

    assert result.exit_code == 0, result.output
    records = {r["identifier"]: r for r in json.loads(result.stdout)}
    assert set(records) == {"LDS-1", "BFD-1"}
    assert records["LDS-1"]["url"] == "https://photos.example.org/items/LDS-1"
    check_market_notes(app, archive, records["LDS-1"]["notes"], records["LDS-1"]["enrichments"])
    for secret in archive.private:
        assert secret not in result.output


def test_export_one_collection_from_the_command(runner, archive):
    result = runner.invoke(args=["export", "json", "--collection", "leeds"])

    assert result.exit_code == 0, result.output
    assert [r["identifier"] for r in json.loads(result.stdout)] == ["LDS-1"]


def test_export_of_an_unknown_collection_fails_clearly(runner, archive, tmp_path):
    target = tmp_path / "records.csv"

    result = runner.invoke(args=["export", "csv", "--collection", "york", "-o", str(target)])

    assert result.exit_code != 0
    assert "york" in result.output
    assert not target.exists()


@pytest.mark.database_independent
def test_export_of_an_unknown_format_fails(runner):
    result = runner.invoke(args=["export", "xml"])

    assert result.exit_code != 0
    assert "xml" in result.output
