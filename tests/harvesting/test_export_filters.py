"""CSV/JSON/JSON Lines exports: filters, public text, withdrawn items, progress on the CLI."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import sqlalchemy as sa

from archive.curation.withdrawal import withdraw_item
from archive.extensions import db
from archive.models import Contribution, Item, User


def set_times(app, identifier, *, changed=None, notes_approved=None):
    with app.app_context():
        item = db.session.scalar(sa.select(Item).where(Item.identifier == identifier))
        if changed:
            item.mark_changed(changed)
        if notes_approved:
            db.session.execute(sa.update(Contribution).where(
                Contribution.item_id == item.id, Contribution.decided_at.is_not(None))
                .values(decided_at=notes_approved))
        db.session.commit()


def old_archive(app, sample):
    for identifier in ("LDS-1", "LDS-2", "BFD-1"):
        set_times(app, identifier, changed=datetime(2024, 1, 1, tzinfo=UTC),
                  notes_approved=datetime(2024, 1, 1, tzinfo=UTC))


def test_json_lines_has_one_record_a_line_with_public_text(app, make_user, login_client,
                                                           sample):
    curator = login_client(app, make_user("curator"))

    response = curator.get("/curation/export.jsonl")

    assert response.status_code == 200
    assert response.mimetype == "application/x-ndjson"
    lines = response.data.decode().splitlines()
    records = {r["identifier"]: r for r in map(json.loads, lines)}
    assert set(records) == {"LDS-1", "LDS-2", "BFD-1"}
    texts = [n["text"] for n in records["LDS-1"]["notes"]]
    assert texts == ["My grandmother ran the fish stall.",
                     "The boy on the left is the contributor's uncle."]  # the edited text


def test_filters_by_change_date_and_new_notes(app, make_user, login_client, sample):
    curator = login_client(app, make_user("curator"))
    old_archive(app, sample)
    set_times(app, "LDS-2", changed=datetime(2024, 6, 2, tzinfo=UTC))
    set_times(app, "LDS-1", notes_approved=datetime(2024, 6, 3, tzinfo=UTC))

    def exported(query):
        response = curator.get(f"/curation/export.json?{query}")
        assert response.status_code == 200, response.text
        return sorted(r["identifier"] for r in json.loads(response.data))

    assert exported("since=2024-06-01") == ["LDS-2"]
    assert exported("since=2024-06-01&new_notes=y") == ["LDS-1"]
    assert exported("since=2024-06-03&new_notes=y") == ["LDS-1"]
    assert exported("since=2024-06-04&new_notes=y") == []
    assert exported("since=2024-06-01&collection=bradford") == []
    assert exported("") == ["BFD-1", "LDS-1", "LDS-2"]
    assert curator.get("/curation/export.json?since=June").status_code == 400
    assert curator.get("/curation/export.csv?new_notes=y").status_code == 400


def test_withdrawn_items_are_left_out_of_exports(app, runner, sample):
    with app.app_context():
        withdraw_item(db.session.get(Item, sample.tram.id),
                      db.session.get(User, sample.curator.id), reason="Rights")
        db.session.commit()

    result = runner.invoke(args=["export", "json"])

    assert result.exit_code == 0, result.output
    assert sorted(r["identifier"] for r in json.loads(result.stdout)) == ["BFD-1", "LDS-1"]


def test_the_command_filters_and_shows_progress_when_writing_a_file(app, runner, sample,
                                                                    tmp_path):
    old_archive(app, sample)
    set_times(app, "BFD-1", changed=datetime(2024, 6, 2, 12, tzinfo=UTC))
    target = tmp_path / "dump.jsonl"

    result = runner.invoke(args=["export", "jsonl", "--changed-since", "2024-06-02T11:00:00",
                                 "-o", str(target)])

    assert result.exit_code == 0, result.output
    assert [json.loads(line)["identifier"] for line in target.read_text().splitlines()] == [
        "BFD-1"]
    assert "Exporting" in result.stderr
    assert f"Wrote {target} (1 record)" in result.stderr
    result = runner.invoke(args=["export", "json", "--new-notes-since", "2024-01-02"])
    assert json.loads(result.stdout) == []
    result = runner.invoke(args=["export", "json", "--changed-since", "soon"])
    assert result.exit_code != 0
    assert "soon" in result.output
