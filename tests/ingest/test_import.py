"""The CSV import: idempotent, row by row, resumable, and honest about bad rows."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
import sqlalchemy as sa
from PIL import Image as PILImage

from archive.extensions import db
from archive.ingest.importer import read_rows, run_import
from archive.models import Image, Item

COLUMNS = ["identifier", "title", "description", "date", "place", "creator", "rights",
           "collection", "image", "needs_help", "help_question"]


def write_csv(path: Path, rows: list[dict], *, bom: bool = False) -> Path:
    with open(path, "w", encoding="utf-8-sig" if bom else "utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=COLUMNS)
        writer.writeheader()
        for row in rows:
            writer.writerow({c: row.get(c, "") for c in COLUMNS})
    return path


def photo(folder: Path, name: str, size=(800, 600), color=(100, 110, 120), fmt="JPEG") -> str:
    folder.mkdir(parents=True, exist_ok=True)
    PILImage.new("RGB", size, color).save(folder / name, fmt)
    return name


def row(identifier: str, image: str, **fields) -> dict:
    return {"identifier": identifier, "title": f"Photo {identifier}", "collection": "streets",
            "image": image, **fields}


def items(app) -> dict[str, Item]:
    with app.app_context():
        found = {i.identifier: i for i in db.session.scalars(sa.select(Item))}
        for item in found.values():
            _ = item.images, item.collection
            db.session.expunge(item)
        return found


def test_import_creates_records_with_images_and_collections(app, runner, tmp_path):
    images = tmp_path / "images"
    write_csv(tmp_path / "m.csv", [
        row("LS-1", photo(images, "a.jpg"), description="Trams on Briggate", date="c. 1934",
            place="Leeds", needs_help="yes", help_question="Who is driving?",
            rights="Public domain", creator="J. Smith"),
        row("LS-2", photo(images, "b.jpg", color=(1, 2, 3)) + "|" + photo(
            images, "c.png", color=(9, 9, 9), fmt="PNG")),
    ], bom=True)

    result = runner.invoke(args=["import", str(tmp_path / "m.csv"), "--images", str(images)])

    assert result.exit_code == 0, result.output
    assert "2 rows: 2 added, 0 updated, 0 unchanged, 0 failed; 3 images processed" in result.output
    found = items(app)
    first = found["LS-1"]
    assert (first.title, first.description, first.date_text, first.place, first.creator) == (
        "Photo LS-1", "Trams on Briggate", "c. 1934", "Leeds", "J. Smith")
    assert first.needs_help and first.help_question == "Who is driving?"
    assert first.date_earliest is not None
    assert first.collection.slug == "streets"
    assert [i.original_name for i in found["LS-2"].images] == ["b.jpg", "c.png"]
    media = Path(app.config["MEDIA_ROOT"])
    for image in found["LS-2"].images:
        assert (media / image.display_path).is_file() and (media / image.thumb_path).is_file()
    # The import feeds search too.
    assert "Trams on Briggate" in first.search_document


def test_rerunning_changes_nothing_and_processes_no_image_again(app, runner, tmp_path):
    images = tmp_path / "images"
    csv_path = write_csv(tmp_path / "m.csv", [row("LS-1", photo(images, "a.jpg"))])
    assert runner.invoke(args=["import", str(csv_path), "--images", str(images)]).exit_code == 0
    before = items(app)["LS-1"]
    derivative = Path(app.config["MEDIA_ROOT"]) / before.images[0].display_path
    mtime = derivative.stat().st_mtime_ns

    result = runner.invoke(args=["import", str(csv_path), "--images", str(images)])

    assert result.exit_code == 0, result.output
    assert "0 added, 0 updated, 1 unchanged" in result.output
    assert "0 images processed, 1 already stored" in result.output
    after = items(app)["LS-1"]
    assert after.record_changed_at == before.record_changed_at
    assert derivative.stat().st_mtime_ns == mtime
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Item.id))) == 1
        assert db.session.scalar(sa.select(sa.func.count(Image.id))) == 1


def test_a_changed_row_updates_the_record_and_marks_it_changed(app, runner, tmp_path):
    images = tmp_path / "images"
    csv_path = write_csv(tmp_path / "m.csv", [row("LS-1", photo(images, "a.jpg"), place="Leeds")])
    runner.invoke(args=["import", str(csv_path), "--images", str(images)])
    before = items(app)["LS-1"]

    photo(images, "a2.jpg", color=(200, 10, 10))
    write_csv(csv_path, [row("LS-1", "a2.jpg", place="Hunslet, Leeds")])
    result = runner.invoke(args=["import", str(csv_path), "--images", str(images)])

    assert result.exit_code == 0, result.output
    assert "0 added, 1 updated" in result.output
    after = items(app)["LS-1"]
    assert after.place == "Hunslet, Leeds"
    assert after.record_changed_at > before.record_changed_at
    assert [i.original_name for i in after.images] == ["a2.jpg"]
    assert after.images[0].sha256 != before.images[0].sha256


def test_bad_rows_are_reported_and_the_good_ones_kept(app, runner, tmp_path):
    images = tmp_path / "images"
    photo(images, "good.jpg")
    (images / "notes.jpg").write_text("this is not a picture")
    truncated = images / "truncated.jpg"
    PILImage.new("RGB", (800, 600), (5, 50, 90)).save(images / "whole.jpg", quality=95)
    truncated.write_bytes((images / "whole.jpg").read_bytes()[:2000])
    photo(images, "huge.png", size=(3000, 2000), fmt="PNG")
    csv_path = write_csv(tmp_path / "m.csv", [
        row("OK-1", "good.jpg"),
        row("", "good.jpg"),
        row("BAD-2", "missing.jpg"),
        row("BAD-3", "notes.jpg"),
        row("BAD-4", "truncated.jpg"),
        row("OK-1", "good.jpg", title="Again"),
        row("BAD-5", "huge.png"),
        row("BAD-6", ""),
        row("BAD-7", "../m.csv"),
    ])

    with app.app_context():
        summary = run_import(csv_path, images, Path(app.config["MEDIA_ROOT"]), workers=1,
                             max_pixels=5_000_000)
    reasons = {e.row: e.reason for e in summary.errors}

    assert summary.created == 1
    assert set(reasons) == {3, 4, 5, 6, 7, 8, 9, 10}
    assert reasons[3] == "missing identifier"
    assert reasons[4] == "missing image missing.jpg"
    assert reasons[5] == "image notes.jpg: not an image"
    assert reasons[6].startswith("image truncated.jpg: ")
    assert reasons[7] == "duplicate identifier OK-1 (first used on row 2)"
    assert reasons[8].startswith("image huge.png: too many pixels (3000x2000")
    assert reasons[9] == "missing image"
    assert "outside the images folder" in reasons[10]
    assert set(items(app)) == {"OK-1"}


def test_the_command_exits_non_zero_with_a_summary_when_a_row_failed(app, runner, tmp_path):
    images = tmp_path / "images"
    csv_path = write_csv(tmp_path / "m.csv", [row("OK-1", photo(images, "a.jpg")),
                                              row("BAD-1", "nope.jpg")])

    result = runner.invoke(args=["import", str(csv_path), "--images", str(images)])

    assert result.exit_code == 1
    assert "row 3 (BAD-1): missing image nope.jpg" in result.output
    assert "2 rows: 1 added, 0 updated, 0 unchanged, 1 failed" in result.output
    assert set(items(app)) == {"OK-1"}


def test_a_file_that_is_not_utf8_or_lacks_columns_is_refused_whole(app, runner, tmp_path):
    images = tmp_path / "images"
    images.mkdir()
    latin1 = tmp_path / "latin1.csv"
    latin1.write_bytes("identifier,title,image,collection\nX-1,Caf\xe9,a.jpg,c\n".encode("latin-1"))
    result = runner.invoke(args=["import", str(latin1), "--images", str(images)])
    assert result.exit_code != 0 and "not UTF-8" in result.output

    no_image = tmp_path / "cols.csv"
    no_image.write_text("identifier,title\nX-1,T\n", encoding="utf-8")
    result = runner.invoke(args=["import", str(no_image), "--images", str(images)])
    assert result.exit_code != 0 and "no column image" in result.output
    assert items(app) == {}


def test_default_collection_and_unicode_text(app, runner, tmp_path):
    images = tmp_path / "images"
    csv_path = write_csv(tmp_path / "m.csv", [
        row("U-1", photo(images, "a.jpg"), collection="", title="Ça va — Straße 北京 🚋")])

    result = runner.invoke(args=["import", str(csv_path), "--images", str(images),
                                 "--collection", "misc"])

    assert result.exit_code == 0, result.output
    item = items(app)["U-1"]
    assert item.title == "Ça va — Straße 北京 🚋"
    assert item.collection.slug == "misc"


@pytest.mark.slow
def test_parallel_workers_and_resuming_after_an_interruption(app, tmp_path):
    """Derivatives come from worker processes; a re-run after a partial import completes it."""
    images = tmp_path / "images"
    rows = [row(f"P-{n}", photo(images, f"p{n}.jpg", color=(n * 20, 40, 60))) for n in range(6)]
    media = Path(app.config["MEDIA_ROOT"])

    # An import that stopped after the first two rows had been committed.
    write_csv(tmp_path / "part.csv", rows[:2])
    with app.app_context():
        run_import(tmp_path / "part.csv", images, media, workers=1)

    write_csv(tmp_path / "all.csv", rows)
    with app.app_context():
        summary = run_import(tmp_path / "all.csv", images, media, workers=2)

    assert (summary.created, summary.unchanged, summary.failed) == (4, 2, 0)
    assert summary.images_processed == 4 and summary.images_reused == 2
    found = items(app)
    assert sorted(found) == [f"P-{n}" for n in range(6)]
    for item in found.values():
        assert (media / item.images[0].display_path).is_file()


@pytest.mark.database_independent
@pytest.mark.parametrize("value", ["maybe", "2"])
def test_a_needs_help_value_that_is_not_yes_or_no_is_a_row_error(app, tmp_path, value):
    images = tmp_path / "images"
    csv_path = write_csv(tmp_path / "m.csv", [row("H-1", photo(images, "a.jpg"),
                                                  needs_help=value)])
    with app.app_context():
        summary = run_import(csv_path, images, Path(app.config["MEDIA_ROOT"]), workers=1)
    assert [e.reason for e in summary.errors] == [f"needs_help must be yes or no (got '{value}')"]


@pytest.mark.slow
def test_the_documented_sample_imports_cleanly(app, runner):
    sample = Path(__file__).resolve().parents[2] / "docs" / "sample-import"

    result = runner.invoke(args=["import", str(sample / "metadata.csv"),
                                 "--images", str(sample / "images")])

    assert result.exit_code == 0, result.output
    assert "3 rows: 3 added" in result.output
    assert len(items(app)["SAMPLE-0002"].images) == 2


def test_a_row_with_a_stray_comma_is_refused_with_its_row_line_and_likely_cause(
        app, runner, tmp_path):
    """An unquoted comma shifts every later cell into the wrong column: the row is refused
    whole (not stored with a cut-off question), named by row and line, and the others kept."""
    images = tmp_path / "images"
    photo(images, "a.jpg")
    photo(images, "b.jpg", color=(1, 2, 3))
    photo(images, "c.jpg", color=(7, 8, 9))
    csv_path = tmp_path / "m.csv"
    csv_path.write_text(
        "identifier,title,description,collection,image,needs_help,help_question\n"
        'OK-1,Trams,"Briggate, Leeds",streets,a.jpg,yes,Who is driving?\n'
        "BAD-1,Mill,Weaving shed,streets,b.jpg,yes,Who is she, and when?\n"
        "BAD-2,Shop,Corner shop, Hunslet,streets,c.jpg,no,\n"
        "OK-2,Canal,,streets,c.jpg,no,\n", encoding="utf-8")

    result = runner.invoke(args=["import", str(csv_path), "--images", str(images)])

    assert result.exit_code == 1
    for row_number in (3, 4):
        assert (f"row {row_number} (line {row_number}): 8 fields where the header has 7: "
                "probably a comma inside a value that is not in double quotes") in result.output
    # Not the misleading complaint about the column the stray cell was shifted into.
    assert "needs_help must be" not in result.output
    assert "4 rows: 2 added, 0 updated, 0 unchanged, 2 failed" in result.output
    found = items(app)
    assert set(found) == {"OK-1", "OK-2"}
    assert found["OK-1"].description == "Briggate, Leeds"


def test_a_row_cut_by_an_unquoted_line_break_is_refused_and_its_line_given(app, tmp_path):
    images = tmp_path / "images"
    photo(images, "a.jpg")
    csv_path = tmp_path / "m.csv"
    csv_path.write_text(
        "identifier,title,description,collection,image\n"
        'OK-1,Trams,"Two lines,\nquoted",streets,a.jpg\n'
        "\n"
        "BAD-1,Mill,First line\n"
        "second line,streets,a.jpg\n", encoding="utf-8")

    with app.app_context():
        summary = run_import(csv_path, images, Path(app.config["MEDIA_ROOT"]), workers=1)

    assert summary.created == 1
    assert [(e.row, e.line) for e in summary.errors] == [(3, 5), (4, 6)]
    assert all("probably a line break inside a value that is not in double quotes"
               in e.reason for e in summary.errors)
    assert summary.errors[0].reason.startswith("3 fields where the header has 5")
    assert set(items(app)) == {"OK-1"}


def test_a_re_run_with_a_stray_comma_leaves_the_stored_record_as_it_was(app, runner, tmp_path):
    images = tmp_path / "images"
    photo(images, "a.jpg")
    csv_path = write_csv(tmp_path / "m.csv", [row("LS-1", "a.jpg", needs_help="yes",
                                                  help_question="Who is driving?")])
    assert runner.invoke(args=["import", str(csv_path), "--images", str(images)]).exit_code == 0
    with open(csv_path, encoding="utf-8") as fh:
        header = fh.readline()
    csv_path.write_text(header + "LS-1,Photo LS-1,,,,,,streets,a.jpg,yes,Who is driving, and "
                        "where?\n", encoding="utf-8")

    result = runner.invoke(args=["import", str(csv_path), "--images", str(images)])

    assert result.exit_code == 1
    assert "row 2 (line 2): 12 fields where the header has 11" in result.output
    assert items(app)["LS-1"].help_question == "Who is driving?"


@pytest.mark.database_independent
def test_an_unclosed_quote_is_named_with_the_line_the_row_runs_on_to(app, tmp_path):
    images = tmp_path / "images"
    photo(images, "a.jpg")
    csv_path = tmp_path / "m.csv"
    csv_path.write_text(
        "identifier,title,description,collection,image\n"
        'BAD-1,Trams,"Briggate,streets,a.jpg\n'
        "OK-2,Canal,,streets,a.jpg\n"
        "OK-3,Lock,,streets,a.jpg\n", encoding="utf-8")

    rows, errors = read_rows(csv_path, images, None)

    assert rows == []
    assert [(e.row, e.line, e.reason) for e in errors] == [(2, 2, (
        "3 fields where the header has 5: probably a double quote that is not closed, which "
        "runs the row on to line 4; the row was not imported"))]


@pytest.mark.slow
def test_every_imported_image_is_seen_on_the_page(app, runner, client):
    """kirkgate-market.jpg|kirkgate-market-back.jpg: both images, the back a link away."""
    sample = Path(__file__).resolve().parents[2] / "docs" / "sample-import"
    runner.invoke(args=["import", str(sample / "metadata.csv"), "--images", str(sample / "images")])
    front, back = items(app)["SAMPLE-0002"].images

    page = client.get("/items/SAMPLE-0002").get_data(as_text=True)
    assert front.thumb_path in page and back.thumb_path in page
    assert 'href="/items/SAMPLE-0002?image=2#photo"' in page
    shown = client.get("/items/SAMPLE-0002?image=2").get_data(as_text=True)
    assert back.display_path in shown.split("data-gallery-image")[0].rsplit("<img", 1)[1]
