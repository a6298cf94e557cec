"""Search latency at 1,000 and at 100,000 items: median and 95th percentile, and their ratio.

    python bench/search.py [--database sqlite|postgresql] [--queries 200] [--rounds 3]
                           [--worst-rounds 5]

The archive is shared by 20 institutions (two collections each), so every search also counts
the institution facet. Builds each archive in a fresh database (SQLite file, or a PostgreSQL
database of its own at TEST_POSTGRES_URL's server, dropped afterwards), through the
migrations, then times the search service (matching, ranking, one page of results with
highlighting, and the four facets) and the whole search page a visitor gets. The two
archives take turns, query by query, so that a slower spell of a noisy machine falls on both
alike.

Then the worst cases a visitor could craft at 100,000 items (the commonest words and prefixes,
the deepest page a visitor may ask for, a filter that keeps few of many matches…), each timed
``--worst-rounds`` times between ordinary queries, and their cost as a multiple of an ordinary
query's (the median of the ordinary queries timed alongside them): the worst of them is the most
one request can make the search cost.
"""

from __future__ import annotations

import argparse
import logging
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

PG_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
SIZES = (1_000, 100_000)


def vocabulary(rng: random.Random, n: int = 5000) -> list[str]:
    letters = "abcdefghijklmnoprstuvwy"
    words = set()
    while len(words) < n:
        words.add("".join(rng.choice(letters) for _ in range(rng.randint(4, 9))))
    return sorted(words)


INSTITUTIONS = 20  # sharing the platform, two collections each
COLLECTIONS = 2 * INSTITUTIONS


def fill(app, size: int, words: list[str], rng: random.Random) -> None:
    from archive.extensions import db
    from archive.institutions.services import create_institution
    from archive.models import Collection, Item
    from archive.search.document import build_document

    weights = [1 / (rank + 1) for rank in range(len(words))]  # Zipf-like word frequencies
    with app.app_context():
        owners = [create_institution(f"i{n}", f"Institution {n}") for n in range(INSTITUTIONS)]
        collections = [Collection(slug=f"c{n}", title=f"Collection {n}",
                                  institution=owners[n % INSTITUTIONS])
                       for n in range(COLLECTIONS)]
        db.session.add_all(collections)
        db.session.flush()
        rows = []
        for n in range(size):
            title = " ".join(rng.choices(words, weights, k=4)).capitalize()
            description = " ".join(rng.choices(words, weights, k=40))
            year = rng.randint(1880, 1999)
            collection = collections[n % COLLECTIONS]
            item = Item(identifier=f"B-{n}", reference=f"B-{n}", title=title,
                        description=description, collection_id=collection.id,
                        institution_id=collection.institution_id, date_text=str(year),
                        date_earliest=year, date_latest=year, needs_help=n % 7 == 0)
            item.search_document = build_document(item, [])
            rows.append({c: getattr(item, c) for c in (
                "identifier", "reference", "title", "description", "collection_id",
                "institution_id", "date_text",
                "date_earliest", "date_latest", "needs_help", "search_document")})
            if len(rows) == 5000:
                db.session.execute(sa.insert(Item), rows)
                rows = []
        if rows:
            db.session.execute(sa.insert(Item), rows)
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect() as conn:
                conn.execute(sa.text("ANALYZE items"))
                conn.commit()


def time_queries(apps: dict[int, object], queries: list[str],
                 rounds: int) -> dict[tuple[str, int], list[float]]:
    """Each query timed on each archive in turn, ``rounds`` times over: the search service
    alone, and the whole search page a visitor gets (through Flask's test client)."""
    from archive.extensions import db
    from archive.search.services import Filters, search

    clients = {size: app.test_client() for size, app in apps.items()}
    times: dict[tuple[str, int], list[float]] = {
        (what, size): [] for what in ("service", "page") for size in apps}
    for size, app in apps.items():
        with app.app_context():
            for q in queries[:10]:
                search(q, Filters())  # warm caches
        for q in queries[:10]:
            clients[size].get("/search", query_string={"q": q})
    for _ in range(rounds):
        for q in queries:
            for size, app in apps.items():
                with app.app_context():
                    start = time.perf_counter()
                    search(q, Filters(), per_page=24)
                    times["service", size].append(time.perf_counter() - start)
                    db.session.rollback()
                start = time.perf_counter()
                response = clients[size].get("/search", query_string={"q": q})
                times["page", size].append(time.perf_counter() - start)
                if response.status_code != 200:
                    raise SystemExit(f"/search?q={q} answered {response.status_code}")
    return times


def crafted_queries(words: list[str], per_page: int) -> list[tuple[str, dict]]:
    """``(what, query string)``: the costliest searches we know how to ask for. ``words`` is in
    order of frequency, commonest first."""
    from archive.search.services import deepest_page

    def prefixes(length: int) -> str:
        found: list[str] = []
        for word in words:
            if word[:length] not in found:
                found.append(word[:length])
        return " ".join(found[:8])

    last = deepest_page(per_page)
    common = words[0]
    return [
        ("the commonest word", {"q": common}),
        (f"the commonest word, page {last}", {"q": common, "page": last}),
        (f"the commonest word in one decade, page {last}",
         {"q": common, "decade": 1880, "page": last}),
        ("the commonest word, one collection, one decade, needing help",
         {"q": common, "collection": "c3", "decade": 1880, "help": "1"}),
        ("the 2 commonest words", {"q": " ".join(words[:2])}),
        ("the 8 commonest words", {"q": " ".join(words[:8])}),
        ("the 8 commonest 4-letter prefixes", {"q": prefixes(4)}),
        ("the commonest word's 4-letter prefix", {"q": common[:4]}),
        ("the 7 commonest words, then the commonest word's 4-letter prefix",
         {"q": " ".join([*words[1:8], common[:4]])}),
        ("the 8 commonest 3-letter prefixes", {"q": prefixes(3)}),
        ("8 one-letter words", {"q": "a b c d e f g h"}),
        (f"no words, page {last}", {"page": last}),
        (f"no words, one decade, page {last}", {"decade": 1880, "page": last}),
    ]


def time_worst(app, crafted: list[tuple[str, dict]], ordinary: list[str],
               rounds: int) -> tuple[dict[str, float], float]:
    """The median time of each crafted search page, and of the ordinary ones timed between
    them (one before each crafted one, each round)."""
    client = app.test_client()
    for _what, params in crafted:
        client.get("/search", query_string=params)  # warm caches
    times: dict[str, list[float]] = {what: [] for what, _ in crafted}
    usual: list[float] = []
    turn = 0
    for _ in range(rounds):
        for what, params in crafted:
            for label, query, sink in (("ordinary", {"q": ordinary[turn % len(ordinary)]}, usual),
                                       (what, params, times[what])):
                start = time.perf_counter()
                response = client.get("/search", query_string=params if label == what
                                      else query)
                sink.append(time.perf_counter() - start)
                if response.status_code != 200:
                    raise SystemExit(f"/search {query} answered {response.status_code}")
            turn += 1
    return ({what: statistics.median(values) for what, values in times.items()},
            statistics.median(usual))


def make_app(url: str, media: Path):
    from archive import create_app

    return create_app({"TESTING": True, "SECRET_KEY": "bench-" + "x" * 40,
                       "SQLALCHEMY_DATABASE_URI": url, "MEDIA_ROOT": str(media),
                       "RATELIMIT_ENABLED": False})


def create_archive(size: int, database: str, work: Path, words, seed: int, cleanup: list):
    """A migrated, filled archive of ``size`` items; what to drop afterwards goes in cleanup."""
    from flask_migrate import upgrade

    if database == "sqlite":
        url = f"sqlite:///{work / f'search-{size}.sqlite3'}"
    else:
        name = f"recollect_bench_{uuid.uuid4().hex[:8]}"
        admin = sa.create_engine(PG_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        cleanup.append((admin, name))
        url = sa.make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    app = make_app(url, work / "media")
    with app.app_context():
        upgrade()
    fill(app, size, words, random.Random(seed))
    return app


def drop(apps, cleanup) -> None:
    from archive.extensions import db

    for app in apps:
        with app.app_context():
            db.engine.dispose()
    for admin, name in cleanup:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--worst-rounds", type=int, default=5)
    args = parser.parse_args()
    logging.disable(logging.INFO)

    rng = random.Random(42)
    words = vocabulary(rng)
    # Queries a visitor might type: one or two words of middling frequency, some prefixes.
    middling = words[50:2000]
    queries = []
    for _ in range(args.queries):
        pick = rng.sample(middling, rng.choice((1, 1, 2)))
        queries.append(" ".join(w[: max(4, len(w) - 2)] if rng.random() < 0.2 else w
                                for w in pick))

    cleanup: list = []
    apps: dict = {}
    with tempfile.TemporaryDirectory() as tmp:
        try:
            for size in SIZES:
                apps[size] = create_archive(size, args.database, Path(tmp), words, 7, cleanup)
            results = {key: sorted(times) for key, times in
                       time_queries(apps, queries, args.rounds).items()}
            big = apps[SIZES[-1]]
            crafted = crafted_queries(words, big.config["ITEMS_PER_PAGE"])
            worst, usual = time_worst(big, crafted, queries, args.worst_rounds)
        finally:
            drop(apps.values(), cleanup)

    def p95(values):
        return values[int(0.95 * (len(values) - 1))]

    print(f"Search on {args.database}: {args.queries} queries of 1-2 words, {args.rounds} rounds; "
          "the service (matching, ranking, facets, 24 results highlighted) and the whole "
          "search page\n")
    print(f"| {'timed':<7} | {'items':>8} | {'median ms':>9} | {'p95 ms':>7} | "
          f"{'median ratio':>12} | {'p95 ratio':>9} |")
    print(f"| {'-' * 7} | {'-' * 7}:| {'-' * 8}:| {'-' * 6}:| {'-' * 11}:| {'-' * 8}:|")
    for what in ("service", "page"):
        base = results[what, SIZES[0]]
        for size in SIZES:
            values = results[what, size]
            median, high = statistics.median(values), p95(values)
            print(f"| {what:<7} | {size:>8,} | {median * 1000:9.1f} | {high * 1000:7.1f} | "
                  f"{median / statistics.median(base):12.2f} | {high / p95(base):9.2f} |")

    print(f"\nCrafted searches at {SIZES[-1]:,} items, the whole page, median of "
          f"{args.worst_rounds}; an ordinary query timed between them: {usual * 1000:.1f} ms\n")
    print("| search | ms | times an ordinary one |")
    print("| --- | ---: | ---: |")
    for what, _params in crafted:
        print(f"| {what} | {worst[what] * 1000:.1f} | {worst[what] / usual:.1f} |")
    name = max(worst, key=lambda what: worst[what])
    print(f"\nWorst case: {name}, {worst[name] / usual:.1f} times an ordinary query")


if __name__ == "__main__":
    main()
