"""Words that made pages and commands look unfinished: English left in Welsh pages, statuses as
stored, a queue header that did not match its filter, "1 rows", fields run together."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from PIL import Image as PILImage

from archive.search.services import snippet


def welsh(client):
    client.set_cookie("lang", "cy")
    return client


# --- the export page ---------------------------------------------------------------------------


def test_the_export_buttons_name_their_formats_in_the_pages_language(app, make_user,
                                                                       login_client):
    curator = make_user("curator")
    english = login_client(app, curator).get("/curation/").text
    assert "Download CSV (spreadsheets)" in english
    assert "Download JSON Lines (large dumps)" in english

    cymraeg = welsh(login_client(app, curator)).get("/curation/").text
    assert "Lawrlwytho CSV (taenlenni)" in cymraeg
    assert "Lawrlwytho JSON Lines (allforion mawr)" in cymraeg
    assert "spreadsheets" not in cymraeg and "(large dumps)" not in cymraeg


# --- the search page's decades -----------------------------------------------------------------


def test_decade_facets_are_written_as_decades_in_each_language(client, make_item):
    make_item(title="Station in the thirties", date_text="1934", date_earliest=1934,
              date_latest=1934, with_image=False)

    assert "1930s (1)" in client.get("/search?q=station").text
    cymraeg = welsh(client).get("/search?q=station").text
    assert "1930au (1)" in cymraeg
    assert "1930s" not in cymraeg


# --- the audit log -----------------------------------------------------------------------------


def test_the_audit_log_shows_statuses_as_words_of_the_pages_language(
    app, make_user, make_item, make_contribution, login_client
):
    archivist = make_user("archivist")
    note = make_contribution(make_item(with_image=False))
    staff = login_client(app, archivist)
    staff.post(f"/moderation/contributions/{note.id}/decide", data={"action": "approve"})

    english = staff.get("/moderation/log").text
    assert "Pending → Approved" in english
    assert "pending → approved" not in english
    cymraeg = welsh(login_client(app, archivist)).get("/moderation/log").text
    assert "Yn aros → Cymeradwywyd" in cymraeg


# --- the queue's header ------------------------------------------------------------------------


def test_the_queue_header_says_what_each_filter_shows(
    app, make_user, make_item, make_contribution, login_client
):
    archivist = make_user("archivist")
    item = make_item(with_image=False)
    make_contribution(item)
    for _ in range(2):
        make_contribution(item, status="approved", decided_by=archivist)
    staff = login_client(app, archivist)

    assert "1 note waiting, oldest first." in staff.get("/moderation/").text
    approved = staff.get("/moderation/?status=approved").text
    assert "2 notes with the status “Approved”, newest first." in approved
    assert "waiting" not in approved.split("<ul class=\"status-counts\"")[0]
    cymraeg = welsh(login_client(app, archivist)).get("/moderation/?status=approved").text
    assert "2 nodyn â\N{RIGHT SINGLE QUOTATION MARK}r statws “Cymeradwywyd”" in cymraeg


# --- commands ----------------------------------------------------------------------------------


def test_the_import_summary_counts_one_row_and_one_image_in_the_singular(runner, tmp_path: Path):
    images = tmp_path / "images"
    images.mkdir()
    PILImage.new("RGB", (64, 48), (10, 20, 30)).save(images / "a.jpg", "JPEG")
    with open(tmp_path / "one.csv", "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["identifier", "title", "collection", "image"])
        writer.writerow(["LS-1", "Briggate", "streets", "a.jpg"])

    result = runner.invoke(args=["import", str(tmp_path / "one.csv"), "--images", str(images)])

    assert result.exit_code == 0, result.output
    assert "1 row: 1 added, 0 updated, 0 unchanged, 0 failed; 1 image processed" in result.output


# --- search snippets ---------------------------------------------------------------------------


@pytest.mark.database_independent
def test_a_snippet_keeps_the_records_fields_apart():
    document = "1931\nWharf Street\nTrams; Transport; Commuting\nFrank Ogden\n"
    assert snippet(document, ["trams"]) == (
        "1931 · Wharf Street · Trams; Transport; Commuting · Frank Ogden")
    # Cut to a window, no separator is left hanging at either end.
    long = "\n".join(f"field number {n}" for n in range(40))
    for terms in ([], ["20"]):
        cut = snippet(long, terms, width=60)
        inner = cut.removeprefix("… ").removesuffix(" …")
        assert not inner.startswith("·") and not inner.endswith("·"), cut
        assert len(inner) <= 60


# --- the archivist's "Improve the record" form -------------------------------------------------


def test_the_record_form_says_a_field_is_empty_and_a_single_year_once(
    app, make_user, make_item, make_contribution, login_client
):
    archivist = make_user("archivist")
    item = make_item(with_image=False, date_text="Whit Week 1936", date_earliest=1936,
                     date_latest=1936, place="")
    note = make_contribution(item, status="approved", decided_by=archivist)

    html = login_client(app, archivist).get(f"/moderation/contributions/{note.id}").text
    assert "(now: “Whit Week 1936”, year 1936)" in html
    assert "(now empty)" in html
    assert "blank" not in html and "1936\N{EN DASH}1936" not in html
