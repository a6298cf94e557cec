"""Export benchmark: records per second and peak memory per format, at two archive sizes.

    python bench/export_bench.py [--sizes 10000,100000]
        [--formats csv,json,jsonl,oai_dc,annotations]

Builds a temporary SQLite archive with bulk inserts (each item with three approved notes),
then exports it in each format into a sink that only counts bytes. Throughput is also given
as a ratio to a raw SQL read of the same rows (items with their notes) in the same run, so
numbers from different machines compare. Peak memory is measured with tracemalloc in a
second pass (it slows Python down, so it is kept out of the timed pass).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from archive import create_app
from archive.extensions import db
from archive.harvesting import annotations as anno
from archive.harvesting.exporters import FORMATS, export_chunks
from archive.harvesting.links import Links
from archive.harvesting.oai import Repository, respond
from archive.institutions.services import default_institution
from archive.models import (
    Collection,
    Contribution,
    ContributionStatus,
    Item,
    Role,
    User,
)

BASE_URL = "https://photos.example.org"
CHUNK = 20_000
SECRET_KEY = "bench-" + "k" * 32


def build(app, count: int) -> None:
    """Bulk-insert ``count`` items, three approved notes each, into the app's empty database."""
    from flask_migrate import upgrade

    with app.app_context():
        upgrade()
        engine = db.engine
        start = datetime(2020, 1, 1, tzinfo=UTC)
        archivist = User(email="a@example.org", display_name="Ada Archivist",
                         role=Role.ARCHIVIST)
        archivist.set_password("bench-password")
        db.session.add(archivist)
        owner = default_institution()
        db.session.add_all(Collection(slug=f"c{c}", title=f"Collection {c}", institution=owner)
                           for c in range(1, 11))
        db.session.commit()
        archivist_id = archivist.id
        collection_ids = list(db.session.scalars(sa.select(Collection.id)))
        owner_id = owner.id
        # The models' tables: inserts fill in every column default, whatever columns exist.
        items, notes = Item.__table__, Contribution.__table__
        for first in range(1, count + 1, CHUNK):
            ids = range(first, min(first + CHUNK, count + 1))
            item_rows, note_rows = [], []
            for i in ids:
                stamp = start + timedelta(seconds=i)
                item_rows.append({
                    "id": i, "identifier": f"BENCH-{i:07d}", "reference": f"BENCH-{i:07d}",
                    "institution_id": owner_id,
                    "collection_id": collection_ids[i % 10],
                    "title": f"Photograph number {i} of a street scene",
                    "description": "A street with shops, trams and people walking. " * 3,
                    "date_text": "c. 1930", "place": "Leeds", "people": "Alice; Bob",
                    "subjects": "streets; trams", "creator": "J. Walker",
                    "rights": "CC BY 4.0", "needs_help": False, "help_question": "",
                    "created_at": stamp, "updated_at": stamp, "record_changed_at": stamp,
                    "date_earliest": 1925, "date_latest": 1935,
                })
                for n in range(3):
                    note_rows.append({
                        "item_id": i, "status": ContributionStatus.APPROVED,
                        "body": f"I remember this street; note {n} about photograph {i}.",
                        "suggested_date": "1931" if n == 0 else "",
                        "suggested_place": "", "suggested_people": "Edith" if n == 1 else "",
                        "credit_name": "Mary", "show_name": n != 2, "licence": "CC BY 4.0",
                        "created_at": stamp, "decided_at": stamp,
                        "decided_by_id": archivist_id,
                    })
            with engine.begin() as conn:
                conn.execute(items.insert(), item_rows)
                conn.execute(notes.insert(), note_rows)


class Sink:
    """Counts what an export writes, keeping none of it."""

    def __init__(self):
        self.size = 0

    def write(self, text) -> None:
        self.size += len(text)


def raw_read() -> int:
    """Every item with its notes, straight from SQL: the floor any export stands on.

    Returns the number of items read.
    """
    items, last = 0, None
    with db.engine.connect() as conn:
        result = conn.execution_options(stream_results=True, yield_per=5000).execute(sa.text(
            "SELECT i.*, c.slug, n.id, n.body, n.edited_body, n.suggested_date,"
            " n.suggested_place, n.suggested_people, n.credit_name, n.show_name, n.licence,"
            " n.created_at, n.decided_at FROM items i JOIN collections c"
            " ON c.id = i.collection_id LEFT JOIN contributions n ON n.item_id = i.id"
            " AND n.status = 'approved' ORDER BY i.id, n.id"))
        for partition in result.partitions():
            for row in partition:
                if row[0] != last:
                    items, last = items + 1, row[0]
    return items


def run_export(fmt: str, sink: Sink, count: int) -> int:
    """Export everything in ``fmt`` into ``sink``; the number of records (items or notes)."""
    links = Links(BASE_URL, "photos.example.org")
    if fmt in FORMATS:
        records = 0

        def tick(n):
            nonlocal records
            records += n

        for chunk in export_chunks(fmt, base_url=BASE_URL, progress=tick):
            sink.write(chunk)
        return records
    if fmt == "oai_dc":
        repository = Repository(links, "Bench archive", "a@example.org", "k" * 32,
                                page_size=500)
        args = {"verb": "ListRecords", "metadataPrefix": "oai_dc"}
        pages = 0
        while True:
            body = respond(args, repository)
            sink.write(body)
            pages += 1
            db.session.expunge_all()
            marker = body.rfind(b"<resumptionToken")
            if marker < 0:
                break
            token = body[marker:].split(b">", 1)[1].split(b"<", 1)[0].decode()
            if not token:
                break
            args = {"verb": "ListRecords", "resumptionToken": token}
        return count
    if fmt == "annotations":
        import json
        from urllib.parse import parse_qs, urlsplit

        # As a harvester does: the collection, then each page's "next" link (with its cursor).
        collection = anno.annotation_collection(links, collection_slug=None,
                                                archive_name="Bench archive",
                                                secret_key=SECRET_KEY, page_size=500)
        sink.write(json.dumps(collection))
        page_url, written = collection.get("first"), 0
        while page_url:
            address = urlsplit(page_url)
            page = anno.annotation_page(links, int(address.path.rsplit("/", 1)[1]),
                                        collection_slug=None, language="en",
                                        secret_key=SECRET_KEY,
                                        cursor=parse_qs(address.query)["cursor"][0],
                                        page_size=500)
            sink.write(json.dumps(page))
            written += len(page["items"])
            db.session.expunge_all()
            page_url = page.get("next")
        return written
    raise ValueError(fmt)


def measure(app, fmt: str, count: int) -> dict:
    with app.app_context():
        started = time.perf_counter()
        records = raw_read() if fmt == "raw SQL" else run_export(fmt, Sink(), count)
        seconds = time.perf_counter() - started
        db.session.remove()
    with app.app_context():
        tracemalloc.start()
        raw_read() if fmt == "raw SQL" else run_export(fmt, Sink(), count)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        db.session.remove()
    return {"records": records, "seconds": seconds, "rate": records / seconds,
            "peak": peak}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--formats", default="csv,json,jsonl,oai_dc,annotations")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    formats = ["raw SQL", *args.formats.split(",")]
    results: dict[tuple[str, int], dict] = {}
    with tempfile.TemporaryDirectory() as folder:
        for size in sizes:
            path = Path(folder) / f"bench-{size}.sqlite3"
            app = create_app({"TESTING": True, "SECRET_KEY": SECRET_KEY,
                              "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}",
                              "MEDIA_ROOT": str(Path(folder) / "media"),
                              "RATELIMIT_ENABLED": False})
            started = time.perf_counter()
            build(app, size)
            print(f"built {size:,} items, {3 * size:,} notes in "
                  f"{time.perf_counter() - started:.1f} s", file=sys.stderr)
            for fmt in formats:
                results[fmt, size] = measure(app, fmt, size)
                r = results[fmt, size]
                print(f"  {fmt:<12} {size:>7,}: {r['rate']:>9,.0f}/s, peak "
                      f"{r['peak'] / 2**20:.1f} MiB", file=sys.stderr)
            with app.app_context():
                db.engine.dispose()

    print()
    print("| format | items | records | seconds | records/s | vs raw SQL items/s "
          "| peak MiB | peak vs smallest |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for fmt in formats:
        for size in sizes:
            r = results[fmt, size]
            raw = results["raw SQL", size]
            ratio = r["rate"] / raw["rate"]
            growth = r["peak"] / results[fmt, sizes[0]]["peak"]
            print(f"| {fmt} | {size:,} | {r['records']:,} | {r['seconds']:.2f} "
                  f"| {r['rate']:,.0f} | {ratio:.2f} | {r['peak'] / 2**20:.1f} | {growth:.2f} |")


if __name__ == "__main__":
    main()
