"""A "Can you help?" question marked solved goes wherever the question goes: browse, search,
the CSV and JSON exports, Dublin Core over OAI-PMH and the IIIF manifest, each with the credit
of the notes that answered it (never an address)."""

from __future__ import annotations

import csv
import io
import json
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass

import pytest

from archive.extensions import db
from archive.models import Item, User
from archive.moderation.campaigns import mark_solved, reopen_question
from tests.harvesting.oai_client import NS, oai, oai_id

ANSWER_EMAIL = "edna.wood@example.net"
QUIET_EMAIL = "quiet.one@example.net"
QUESTION = "Which mill is this?"


@dataclass
class Questions:
    solved: Item
    open: Item
    answer: int
    quiet_answer: int
    chatter: int
    solved_on: str


@pytest.fixture
def questions(app, make_collection, make_item, make_user, make_contribution) -> Questions:
    """A question answered by two notes (one credited by name, one anonymous) and marked
    solved by an archivist; another question still open; a photograph asking nothing."""
    mills = make_collection(slug="mills", title="Mills")
    archivist = make_user("archivist", display_name="Ada Archivist")
    solved = make_item(collection=mills, identifier="MILL-1", title="Mill chimney",
                       needs_help=True, help_question=QUESTION)
    still_open = make_item(collection=mills, identifier="MILL-2", title="Mill yard",
                           needs_help=True, help_question="Who are the workers?")
    make_item(collection=mills, identifier="MILL-3", title="Mill pond")
    answer = make_contribution(solved, status="approved", decided_by=archivist,
                               body="Salts Mill, Saltaire.", credit_name="Edna Wood",
                               show_name=True, email=ANSWER_EMAIL)
    quiet = make_contribution(solved, status="approved", decided_by=archivist,
                              body="The chimney was rebuilt in 1911.", credit_name="Quiet One",
                              show_name=False, email=QUIET_EMAIL)
    chatter = make_contribution(solved, status="approved", decided_by=archivist,
                                body="Lovely photograph.")
    with app.app_context():
        mark_solved(db.session.get(Item, solved.id), [answer.id, quiet.id],
                    db.session.get(User, archivist.id))
        db.session.commit()
        solved_on = db.session.get(Item, solved.id).help_solved_at
    return Questions(solved, still_open, answer.id, quiet.id, chatter.id,
                     solved_on.isoformat())


@pytest.fixture
def curator(app, make_user, login_client):
    return login_client(app, make_user("curator"))


def badges(html: str, title: str) -> list[str]:
    """The badges on the card or result of the photograph called ``title``."""
    for block in re.findall(r'<li class="(?:card[^"]*|hit)">(.*?)</li>', html, re.S):
        if title in re.sub(r"<[^>]+>", "", block):  # a search highlights words in titles
            return re.findall(r'<span class="badge[^"]*">([^<]*)</span>', block)
    raise AssertionError(f"no card for {title}")


def result_titles(html: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", t)
            for t in re.findall(r'<h3><a href="[^"]+">(.*?)</a></h3>', html)]


# --- browse and search -------------------------------------------------------------------------


def test_browse_thanks_the_public_on_a_solved_question_instead_of_asking(client, questions):
    html = client.get("/browse").text

    assert badges(html, "Mill chimney") == ["Solved with your help"]
    assert badges(html, "Mill yard") == ["Can you help?"]
    assert badges(html, "Mill pond") == []


def test_browse_says_so_in_welsh(client, questions):
    html = client.get("/browse", headers={"Accept-Language": "cy"}).text

    assert badges(html, "Mill chimney") == ["Datryswyd gyda\u2019ch help chi"]
    assert badges(html, "Mill yard") == ["Allwch chi helpu?"]


def test_search_results_show_the_solved_badge_and_offer_a_solved_facet(client, questions):
    html = client.get("/search?q=mill").text

    assert badges(html, "Mill chimney") == ["Solved with your help"]
    assert badges(html, "Mill yard") == ["Can you help?"]
    assert "Can you help? (1)" in html
    assert "Solved with your help (1)" in html
    assert 'href="/search?q=mill&amp;solved=1"' in html

    solved_only = client.get("/search?q=mill&solved=1").text
    assert result_titles(solved_only) == ["Mill chimney"]
    # The chosen value can be taken away again, and the next search keeps it.
    assert 'href="/search?q=mill" aria-current="true">Solved with your help (1) ✕' in solved_only
    assert '<input type="hidden" name="solved" value="1">' in solved_only
    open_only = client.get("/search?q=mill&help=1").text
    assert result_titles(open_only) == ["Mill yard"]


# --- CSV and JSON ------------------------------------------------------------------------------


def test_csv_says_whether_when_and_by_whom_a_question_was_solved(curator, questions):
    response = curator.get("/curation/export.csv")

    data = response.data
    rows = {r["identifier"]: r for r in csv.DictReader(
        io.StringIO(data.decode("utf-8-sig"), newline=""))}
    solved = rows["MILL-1"]
    assert (solved["needs_help"], solved["help_question"], solved["solved"],
            solved["solved_at"], solved["solved_by"]) == (
        "yes", QUESTION, "yes", questions.solved_on, "Edna Wood; Anonymous")
    assert [(n["id"], n["solved_question"]) for n in json.loads(solved["notes"])] == [
        (questions.answer, True), (questions.quiet_answer, True), (questions.chatter, False)]
    still_open = rows["MILL-2"]
    assert (still_open["needs_help"], still_open["solved"], still_open["solved_at"],
            still_open["solved_by"]) == ("yes", "no", "", "")
    assert (rows["MILL-3"]["needs_help"], rows["MILL-3"]["solved"]) == ("no", "no")
    for secret in (ANSWER_EMAIL, QUIET_EMAIL, "Quiet One"):
        assert secret.encode() not in data


def test_json_carries_the_solved_state_and_each_notes_part_in_it(curator, questions):
    records = {r["identifier"]: r for r in json.loads(curator.get("/curation/export.json").data)}

    solved = records["MILL-1"]
    assert {k: solved[k] for k in ("needs_help", "help_question", "solved", "solved_at",
                                   "solved_by")} == {
        "needs_help": True, "help_question": QUESTION, "solved": True,
        "solved_at": questions.solved_on, "solved_by": ["Edna Wood", "Anonymous"]}
    assert {n["id"]: n["solved_question"] for n in solved["notes"]} == {
        questions.answer: True, questions.quiet_answer: True, questions.chatter: False}
    assert {k: records["MILL-2"][k] for k in ("solved", "solved_at", "solved_by")} == {
        "solved": False, "solved_at": None, "solved_by": []}


def test_a_reopened_question_is_no_longer_exported_as_solved(app, curator, questions,
                                                              make_user):
    with app.app_context():
        reopen_question(db.session.get(Item, questions.solved.id),
                        db.session.get(User, make_user("archivist").id))
        db.session.commit()

    record = next(r for r in json.loads(curator.get("/curation/export.json").data)
                  if r["identifier"] == "MILL-1")

    assert (record["needs_help"], record["solved"], record["solved_at"],
            record["solved_by"]) == (True, False, None, [])
    # The notes keep their credit for the earlier answer.
    assert [n["solved_question"] for n in record["notes"]] == [True, True, False]


# --- Dublin Core and IIIF ----------------------------------------------------------------------


def test_dublin_core_describes_the_solved_question_and_stays_schema_valid(client, oai_schema,
                                                                            questions):
    tree = oai(client, oai_schema, verb="GetRecord", metadataPrefix="oai_dc",
               identifier=oai_id("MILL-1"))

    descriptions = [e.text for e in tree.iterfind(".//oai_dc:dc/dc:description", NS)]
    assert descriptions[-1] == (
        f"Question solved with the public's help ({questions.solved_on[:10]}): {QUESTION} "
        "Answered by Edna Wood, Anonymous contributor.")
    text = ET.tostring(tree, encoding="unicode")
    assert ANSWER_EMAIL not in text and "Quiet One" not in text

    still_open = oai(client, oai_schema, verb="GetRecord", metadataPrefix="oai_dc",
                     identifier=oai_id("MILL-2"))
    assert "solved" not in ET.tostring(still_open, encoding="unicode")


def test_the_manifest_metadata_names_the_solved_question(client, questions):
    document = client.get("/iiif/MILL-1/manifest").get_json(force=True)

    metadata = {row["label"]["en"][0]: row["value"]["none"] for row in document["metadata"]}
    assert metadata["Question"] == [
        f"Question solved with the public's help ({questions.solved_on[:10]}): {QUESTION} "
        "Answered by Edna Wood, Anonymous contributor."]

    still_open = client.get("/iiif/MILL-2/manifest").get_json(force=True)
    assert all("solved" not in row["label"]["en"][0] for row in still_open["metadata"])
