"""Moderation queue page: server time with 100 and with 100,000 pending notes.

    python bench/moderation_queue.py [--large 100000] [--requests 30]
                                     [--databases sqlite,postgresql] [--institutions 20]

For each database (a temporary SQLite file; a temporary PostgreSQL database on the server that
``BENCH_POSTGRES_URL`` names, default ``postgresql+psycopg://postgres@127.0.0.1:5432/postgres``),
the schema is made by the migrations, an archivist asks for the queue's first page, a later
page (through its cursor) and a filtered page through the test client, first with 100 pending
notes, then with the large number. The baseline of each ratio is the same page with 100 notes,
measured in the same run on the same database: a ratio near 1 means the page costs the same
however long the queue is.

With ``--institutions N`` (default 20) the notes are spread over the records of N institutions
sharing the platform, and the archivist works for one of them: the queue then shows, counts and
pages through one institution's notes among everyone's. The small archive then holds 100
pending notes for each institution (the archivist's 100 among 100 times N).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

PG_URL = os.environ.get("BENCH_POSTGRES_URL",
                        "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
SMALL = 100
CONFIG = {"TESTING": True, "SECRET_KEY": "bench-secret-key-not-for-production",
          "RATELIMIT_ENABLED": False, "WTF_CSRF_ENABLED": False}


def make_app(url: str, media: str):
    from flask_login import FlaskLoginClient
    from flask_migrate import upgrade

    from archive import create_app
    from archive.extensions import db

    app = create_app({**CONFIG, "SQLALCHEMY_DATABASE_URI": url, "MEDIA_ROOT": media})
    app.test_client_class = FlaskLoginClient
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return app


def seed(app, institutions: int) -> tuple:
    from archive.extensions import db
    from archive.institutions.services import create_institution, grant
    from archive.models import Collection, Item, Role, User

    with app.app_context():
        collections = []
        for n in range(institutions):
            institution = create_institution(f"bench-{n}", f"Bench institution {n}")
            collection = Collection(slug=f"bench-{n}", title=f"Bench {n}", description="",
                                    institution_id=institution.id)
            db.session.add(collection)
            collections.append(collection)
        db.session.flush()
        items = [Item(identifier=f"B-{n:04d}", collection_id=collections[n % institutions].id,
                      title=f"Photograph {n}", needs_help=n % 10 == 0,
                      help_question="When?" if n % 10 == 0 else "") for n in range(200)]
        db.session.add_all(items)
        user = User(email="bench@example.org", display_name="Bench", role=Role.ARCHIVIST)
        user.set_password("bench archivist password")
        db.session.add(user)
        db.session.flush()
        grant(user, collections[0].institution, Role.ARCHIVIST)  # one institution's archivist
        db.session.commit()
        return [i.id for i in items], user.id


def add_notes(app, item_ids: list[int], start: int, count: int) -> None:
    from archive.extensions import db
    from archive.models import Contribution

    t0 = datetime(2020, 1, 1, tzinfo=UTC)
    table = Contribution.__table__
    with app.app_context():
        batch = []
        for n in range(start, start + count):
            batch.append({
                "item_id": item_ids[n % len(item_ids)], "status": "pending",
                "body": f"Note {n}: I think this is the corner of Briggate in about 1930.",
                "suggested_date": "", "suggested_place": "", "suggested_people": "",
                "credit_name": f"Person {n % 500}", "show_name": True, "licence": "CC BY 4.0",
                "created_at": t0 + timedelta(seconds=n), "decision_reason": "",
                "rejection_code": "", "solved_question": False,
            })
            if len(batch) == 5000:
                db.session.execute(table.insert(), batch)
                batch = []
        if batch:
            db.session.execute(table.insert(), batch)
        db.session.commit()
        db.session.execute(sa.text("ANALYZE"))  # both databases: fresh planner statistics
        db.session.commit()


def client_for(app, user_id: int):
    from flask_login.utils import _create_identifier

    from archive.extensions import db
    from archive.models import User

    with app.app_context():
        user = db.session.get(User, user_id)
        client = app.test_client(user=user)
    with app.test_request_context(environ_base=client.environ_base):
        identifier = _create_identifier()
    with client.session_transaction() as session:
        session["_id"] = identifier
    return client


def time_page(client, url: str, requests: int) -> float:
    """Median server time of ``url`` in milliseconds (after five warm-up requests)."""
    for _ in range(5):
        assert client.get(url).status_code == 200
    samples = []
    for _ in range(requests):
        start = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200
    return statistics.median(samples)


def later_page_url(client) -> str:
    import re

    html = client.get("/moderation/").text
    for _ in range(3):  # the fourth page
        html = client.get(re.search(r'rel="next" href="([^"]+)"', html).group(1)).text
    return re.search(r'rel="next" href="([^"]+)"', html).group(1).replace("&amp;", "&")


def measure(name: str, url: str, large: int, requests: int, institutions: int) -> list[tuple]:
    with tempfile.TemporaryDirectory() as media:
        app = make_app(url, media)
        item_ids, user_id = seed(app, institutions)
        client = client_for(app, user_id)
        pages = {"first page": "/moderation/", "filtered (help only)": "/moderation/?help=1"}
        rows = []
        small_count = SMALL * institutions  # the archivist's institution has SMALL of them
        add_notes(app, item_ids, 0, small_count)
        small = {label: time_page(client, path, requests) for label, path in pages.items()}
        small["fifth page (cursor)"] = time_page(client, later_page_url(client), requests)
        add_notes(app, item_ids, small_count, large - small_count)
        big = {label: time_page(client, path, requests) for label, path in pages.items()}
        big["fifth page (cursor)"] = time_page(client, later_page_url(client), requests)
        for label in small:
            rows.append((name, label, small_count, small[label], big[label],
                         big[label] / small[label]))
        from archive.extensions import db

        with app.app_context():
            db.engine.dispose()
        return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--large", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--institutions", type=int, default=20)
    args = parser.parse_args()

    rows = []
    for name in args.databases.split(","):
        if name == "sqlite":
            with tempfile.TemporaryDirectory() as folder:
                rows += measure("SQLite", f"sqlite:///{folder}/bench.sqlite3", args.large,
                                args.requests, args.institutions)
        elif name == "postgresql":
            db_name = f"recollect_bench_{uuid.uuid4().hex[:8]}"
            admin = sa.create_engine(PG_URL, isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(sa.text(f'CREATE DATABASE "{db_name}"'))
            try:
                url = sa.make_url(PG_URL).set(database=db_name).render_as_string(
                    hide_password=False)
                rows += measure("PostgreSQL", url, args.large, args.requests,
                                args.institutions)
            finally:
                with admin.connect() as conn:
                    conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)'))
                admin.dispose()

    print(f"\nModeration queue page, median server time of {args.requests} requests; "
          f"{args.institutions} institution(s), the archivist works for one")
    small_count = rows[0][2] if rows else SMALL
    print(f"| database | page | {small_count:,} pending (ms) | {args.large:,} pending (ms) | "
          "ratio large/small |")
    print("| --- | --- | ---: | ---: | ---: |")
    for name, label, _count, small, big, ratio in rows:
        print(f"| {name} | {label} | {small:.1f} | {big:.1f} | {ratio:.2f} |")


if __name__ == "__main__":
    main()
