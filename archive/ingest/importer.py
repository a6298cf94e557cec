"""Import a CSV of records and a folder of images: idempotent, resumable, in parallel.

Each row is checked on its own: a bad row is reported with its number and reason, nothing
of it is stored, and the others are kept. A row with more or fewer cells than the header has
columns (a stray comma in a value that is not quoted) is such a row, reported with its line.

Images are hashed in this process; an image whose content is already stored is not processed
again, the others are processed by a pool of worker processes (one per core)
while this process alone talks to the database, committing every few rows so that an
interrupted import keeps its work and a re-run carries on from there.
"""

from __future__ import annotations

import csv
import io
import multiprocessing
import os
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from archive.catalogue.services import (
    CatalogueError,
    NewImage,
    check_and_store,
    check_reference,
    collection_for,
    create_item,
    item_by_reference,
    known_images,
    set_images,
    update_record,
)
from archive.extensions import db
from archive.images.processing import DECODE_BUDGET, MAX_PIXELS, StoredImage, sha256_file
from archive.models import Institution

REQUIRED_COLUMNS = ("identifier", "title", "image")
KNOWN_COLUMNS = ("identifier", "title", "description", "date", "place", "people", "subjects",
                 "creator", "rights", "collection", "image", "needs_help", "help_question")
# CSV column -> Item field, for the plain text fields.
FIELD_OF_COLUMN = {"title": "title", "description": "description", "date": "date_text",
                   "place": "place", "people": "people", "subjects": "subjects",
                   "creator": "creator", "rights": "rights", "help_question": "help_question"}
TRUE_WORDS = {"1", "true", "yes", "y", "x"}
FALSE_WORDS = {"", "0", "false", "no", "n"}
COMMIT_EVERY = 100


class ImportFileError(ValueError):
    """The CSV as a whole cannot be read (wrong encoding, missing columns)."""


@dataclass(frozen=True)
class RowError:
    row: int  # the record's number in the file, the header being row 1
    identifier: str
    reason: str
    # The line the record starts on, when it helps to find it (a value may hold line breaks).
    line: int | None = None


@dataclass(frozen=True)
class Row:
    number: int
    identifier: str
    collection: str
    values: dict
    images: tuple[Path, ...]
    image_names: tuple[str, ...]


@dataclass
class ImportSummary:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    images_processed: int = 0
    images_reused: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def failed(self) -> int:
        return len(self.errors)


# --- reading the file -------------------------------------------------------------------------


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFileError(
            f"the file is not UTF-8 (byte {exc.start}); save it as 'CSV UTF-8' and try again"
        ) from exc


def _flag(text: str) -> bool:
    value = text.strip().lower()
    if value in TRUE_WORDS:
        return True
    if value in FALSE_WORDS:
        return False
    raise CatalogueError(f"needs_help must be yes or no (got {text[:20]!r})")


def field_count_problem(found: int, expected: int, last_line: int | None = None) -> str:
    """Why a row has ``found`` cells where the header has ``expected``, in the words a person
    fixing the file needs: the likely cause and the fix. ``last_line`` is given when the row's
    last cell runs on over the lines after it (a quote that is not closed)."""
    if last_line is not None:
        return (f"{found} fields where the header has {expected}: probably a double quote that "
                f"is not closed, which runs the row on to line {last_line}; the row was not "
                f"imported")
    if found > expected:
        return (f"{found} fields where the header has {expected}: probably a comma inside a "
                f"value that is not in double quotes (write it as \"Briggate, Leeds\"); "
                f"the row was not imported")
    return (f"{found} fields where the header has {expected}: probably a line break inside a "
            f"value that is not in double quotes, or a missing comma; the row was not imported")


def _records(text: str) -> Iterator[tuple[int, int, list[str]]]:
    """Each record of the file with the lines it starts and ends on (blank lines are left
    out)."""
    reader = csv.reader(io.StringIO(text, newline=""))
    while True:
        line = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise ImportFileError(f"line {line}: {exc}") from exc
        if cells:
            yield line, reader.line_num, cells


def read_rows(csv_path: Path, images_dir: Path, default_collection: str | None
              ) -> tuple[list[Row], list[RowError]]:
    text = _decode(Path(csv_path).read_bytes())
    records = _records(text)
    _, _, header = next(records, (1, 1, []))
    columns = [c.strip().lower() for c in header]
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if "collection" not in columns and not default_collection:
        missing.append("collection (or --collection)")
    if missing:
        raise ImportFileError(f"the file has no column {', '.join(missing)}")

    images_root = images_dir.resolve()
    rows: list[Row] = []
    errors: list[RowError] = []
    first_row_of: dict[str, int] = {}
    for number, (line, last_line, cells) in enumerate(records, start=2):
        if not any(cell.strip() for cell in cells):
            continue  # an empty line
        if len(cells) != len(columns):
            # A stray comma (or line break) shifts every cell after it into the wrong column:
            # nothing of such a row can be trusted, so none of it is stored.
            # A quote never closed swallows the lines after it into the row's last cell.
            runs_on = last_line > line and ("\n" in cells[-1] or "\r" in cells[-1])
            problem = field_count_problem(len(cells), len(columns),
                                          last_line if runs_on else None)
            errors.append(RowError(number, "", problem, line=line))
            continue
        record = dict(zip(columns, cells, strict=True))
        identifier = record.get("identifier", "").strip()
        try:
            identifier = check_reference(identifier)
            key = identifier.casefold()
            if key in first_row_of:
                raise CatalogueError(
                    f"duplicate identifier {identifier} (first used on row {first_row_of[key]})")
            first_row_of[key] = number
            if not record.get("title", "").strip():
                raise CatalogueError("missing title")
            values: dict[str, object] = {f: record[c] for c, f in FIELD_OF_COLUMN.items()
                                         if c in record}
            if "needs_help" in record:
                values["needs_help"] = _flag(record["needs_help"])
            names = tuple(n.strip() for n in record.get("image", "").split("|") if n.strip())
            if not names:
                raise CatalogueError("missing image")
            paths = tuple(_image_path(images_root, name) for name in names)
            collection = record.get("collection", "").strip() or default_collection or ""
            if not collection:
                raise CatalogueError("missing collection")
        except CatalogueError as exc:
            errors.append(RowError(number, identifier, str(exc)))
            continue
        rows.append(Row(number, identifier, collection, values, paths, names))
    return rows, errors


def _image_path(images_root: Path, name: str) -> Path:
    path = (images_root / name).resolve()
    if not path.is_relative_to(images_root):
        raise CatalogueError(f"image {name!r} is outside the images folder")
    if not path.is_file():
        raise CatalogueError(f"missing image {name}")
    return path


# --- image work, in worker processes ----------------------------------------------------------


@dataclass(frozen=True)
class ImageOutcome:
    stored: StoredImage | None = None
    error: str = ""


def process_image(source: str, media_root: str, max_pixels: int,
                  decode_budget: int = DECODE_BUDGET) -> ImageOutcome:
    """Check and store one image. Runs in a worker process; never raises."""
    try:
        return ImageOutcome(stored=check_and_store(Path(source), Path(media_root), max_pixels,
                                                   decode_budget))
    except CatalogueError as exc:
        return ImageOutcome(error=str(exc))
    except Exception as exc:
        return ImageOutcome(error=f"unreadable image ({type(exc).__name__}: {exc})")


class _InProcess:
    """The pool's interface, run here: for ``workers=1``."""

    def submit(self, fn, *args) -> Future:
        future: Future = Future()
        future.set_result(fn(*args))
        return future

    def shutdown(self, wait=True, cancel_futures=False) -> None:
        pass


def _pool(workers: int):
    if workers <= 1:
        return _InProcess()
    # Fresh worker processes: forking a process that holds database connections and
    # threads is unsafe.
    return ProcessPoolExecutor(max_workers=workers,
                               mp_context=multiprocessing.get_context("spawn"))


# --- the import -------------------------------------------------------------------------------


def default_workers() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
               else (os.cpu_count() or 1))


def run_import(csv_path: Path, images_dir: Path, media_root: Path, *,
               default_collection: str | None = None, institution: Institution | None = None,
               workers: int | None = None,
               max_pixels: int = MAX_PIXELS,
               decode_budget: int = DECODE_BUDGET,
               progress: Callable[[int], None] | None = None,
               on_total: Callable[[int], None] | None = None) -> ImportSummary:
    """Import ``csv_path``. Commits as it goes; returns what happened, row by row."""
    rows, errors = read_rows(Path(csv_path), Path(images_dir), default_collection)
    summary = ImportSummary(rows=len(rows) + len(errors), errors=errors)

    # Hash every image once; contents already stored are not processed again.
    digest_of: dict[Path, str] = {}
    for row in rows:
        for path in row.images:
            if path not in digest_of:
                digest_of[path] = sha256_file(path)
    known = {sha: img for sha, img in known_images(sorted(set(digest_of.values()))).items()
             if (media_root / img.display_path).is_file()
             and (media_root / img.thumb_path).is_file()}
    outcomes: dict[str, ImageOutcome] = {
        sha: ImageOutcome(stored=StoredImage(
            sha256=sha, original_path=img.original_path, thumb_path=img.thumb_path,
            display_path=img.display_path, media_type=img.media_type,
            width=img.width, height=img.height))
        for sha, img in known.items()}
    to_process: dict[str, Path] = {}
    for path, sha in digest_of.items():
        if sha not in outcomes:
            to_process.setdefault(sha, path)
    summary.images_reused = sum(1 for sha in set(digest_of.values()) if sha in known)
    if on_total:
        on_total(len(to_process))

    waiting: dict[str, list[Row]] = {}
    ready: list[Row] = []
    for row in rows:
        missing = {digest_of[p] for p in row.images} - outcomes.keys()
        for sha in missing:
            waiting.setdefault(sha, []).append(row)
        if not missing:
            ready.append(row)
    pending_count = {row.number: len({digest_of[p] for p in row.images} - outcomes.keys())
                     for row in rows}

    done_rows = 0

    def finish(row: Row) -> None:
        nonlocal done_rows
        _apply_row(row, digest_of, outcomes, summary, institution)
        done_rows += 1
        if done_rows % COMMIT_EVERY == 0:
            db.session.commit()

    for row in ready:
        finish(row)
    db.session.commit()

    pool = _pool(min(workers or default_workers(), len(to_process)))
    try:
        futures = {sha: pool.submit(process_image, str(path), str(media_root), max_pixels,
                                    decode_budget)
                   for sha, path in to_process.items()}
        for sha, future in _as_completed(futures):
            outcomes[sha] = future.result()
            if outcomes[sha].stored is not None:
                summary.images_processed += 1
            if progress:
                progress(1)
            for row in waiting.get(sha, []):
                pending_count[row.number] -= 1
                if pending_count[row.number] == 0:
                    finish(row)
        db.session.commit()
    except BaseException:
        db.session.rollback()  # what was committed stays; a re-run continues from there
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown(wait=True)
    summary.errors.sort(key=lambda e: e.row)
    return summary


def _as_completed(futures: dict[str, Future]) -> Iterator[tuple[str, Future]]:
    from concurrent.futures import as_completed

    by_future = {future: sha for sha, future in futures.items()}
    for future in as_completed(by_future):
        yield by_future[future], future


def _apply_row(row: Row, digest_of: dict[Path, str], outcomes: dict[str, ImageOutcome],
               summary: ImportSummary, institution: Institution | None) -> None:
    """Create or update one item, all or nothing (a savepoint per row)."""
    images = []
    for path, name in zip(row.images, row.image_names, strict=True):
        outcome = outcomes[digest_of[path]]
        if outcome.stored is None:
            summary.errors.append(RowError(row.number, row.identifier,
                                           f"image {name}: {outcome.error}"))
            return
        images.append(NewImage(outcome.stored, name))
    savepoint = db.session.begin_nested()
    try:
        collection = collection_for(row.collection, create=True, institution=institution)
        item = item_by_reference(collection.institution_id, row.identifier)
        if item is None:
            item = create_item(row.identifier, collection, row.values)
            set_images(item, images)
            summary.created += 1
        else:
            changed = update_record(item, row.values, collection=collection)
            changed = set_images(item, images) or changed
            if changed:
                summary.updated += 1
            else:
                summary.unchanged += 1
        savepoint.commit()
    except CatalogueError as exc:
        savepoint.rollback()
        summary.errors.append(RowError(row.number, row.identifier, str(exc)))
