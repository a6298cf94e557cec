"""Load and fault run: visitors send notes while archivists decide and curators export.

    python bench/load.py --db postgresql [--fault stop|freeze|restart] [--fault-seconds 70]
                         [--workers 4] [--seconds 40]
    python bench/load.py --db sqlite

Starts gunicorn (deploy/gunicorn.conf.py) on 127.0.0.1 against a database made for the run
(PostgreSQL: a dedicated database, dropped afterwards; SQLite: a file in a temporary folder),
with Redis for rate-limit storage. Every request has a timeout and the run a hard time limit.
Afterwards the database is checked: every accepted note is stored exactly once, every
decided note has exactly one decision in the log.

With --fault the run uses a PostgreSQL server of its own (initdb and pg_ctl in a temporary
folder, never the machine's shared one) and, a fifth of the way through, restarts it, stops it
for --fault-seconds, or freezes every process of it (SIGSTOP: connections are accepted and
nothing is answered, as with a hung server) for --fault-seconds, then lets it run again.
Prints a table; exits non-zero when a server error occurred, a worker was killed or anything
was lost.
"""

from __future__ import annotations

import argparse
import collections
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import requests
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

ADMIN_URL = os.environ.get("BENCH_POSTGRES_URL",
                           "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
HARD_LIMIT = 150  # seconds of load, whatever is asked
TIMEOUT = 10
PASSWORD = "load test password of some length"  # noqa: S105 - a throwaway database
FAULTS = {"restart": "restarted", "stop": "stopped", "freeze": "frozen"}
TOKEN = re.compile(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"')


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.codes = collections.Counter()
        self.by_kind = collections.Counter()
        self.errors = collections.Counter()
        self.accepted: list[str] = []
        self.unanswered: list[str] = []  # notes whose fate the client never learnt
        self.server_errors: list[str] = []
        self.slowest = 0.0
        self.accepted_at: list[float] = []

    def record(self, kind, code):
        with self.lock:
            self.codes[code] += 1
            self.by_kind[kind] += 1
            if isinstance(code, int) and code >= 500 and code != 503:
                self.server_errors.append(f"{kind} {code}")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def request(stats, kind, session, method, url, **kwargs):
    started = time.monotonic()
    try:
        response = session.request(method, url, timeout=TIMEOUT, allow_redirects=False,
                                    **kwargs)
    except requests.RequestException as error:
        stats.record(kind, f"conn:{type(error).__name__}")
        return None
    finally:
        with stats.lock:
            stats.slowest = max(stats.slowest, time.monotonic() - started)
    stats.record(kind, response.status_code)
    return response


def token_from(session, stats, kind, url) -> str | None:
    response = request(stats, kind, session, "GET", url)
    if response is None or response.status_code != 200:
        return None
    match = TOKEN.search(response.text)
    return match.group(1) if match else None


def visitor(base, items, stats, stop):
    session = requests.Session()
    token = None
    n = 0
    while not stop.is_set():
        item = items[n % len(items)]
        n += 1
        if token is None:
            token = token_from(session, stats, "visit", f"{base}/items/{item}")
            if token is None:
                time.sleep(0.2)
                continue
        marker = f"load-{uuid.uuid4().hex}"
        response = request(stats, "note", session, "POST", f"{base}/items/{item}/contribute",
                           data={"body": marker, "consent": "y", "csrf_token": token,
                                 "suggested_place": "Briggate"})
        with stats.lock:
            if response is not None and response.status_code == 303:
                stats.accepted.append(marker)
                stats.accepted_at.append(time.monotonic())
            elif response is None or response.status_code >= 500:
                stats.unanswered.append(marker)
        if response is not None and response.status_code == 400:
            token = None
        if response is None or response.status_code >= 500:
            time.sleep(0.2)


def log_in(base, email, stats, kind):
    session = requests.Session()
    while True:
        token = token_from(session, stats, kind, f"{base}/login")
        if token:
            response = request(stats, kind, session, "POST", f"{base}/login",
                               data={"email": email, "password": PASSWORD, "csrf_token": token})
            if response is not None and response.status_code == 303:
                return session
        time.sleep(0.5)


def archivist(base, email, stats, stop, seed):
    session = log_in(base, email, stats, "moderate")
    n = seed
    while not stop.is_set():
        response = request(stats, "moderate", session, "GET", f"{base}/moderation/")
        if response is None or response.status_code != 200:
            time.sleep(0.3)
            continue
        ids = re.findall(r"/moderation/contributions/(\d+)/decide", response.text)
        match = TOKEN.search(response.text)
        if not ids or not match:
            time.sleep(0.2)
            continue
        for note_id in ids[:5]:
            if stop.is_set():
                break
            n += 1
            action = ("approve", "approve", "reject", "spam")[n % 4]
            data = {"action": action, "csrf_token": match.group(1), "reason": "load test"}
            if action == "approve" and n % 3 == 0:
                data["apply_place"] = "y"
            request(stats, "decide", session, "POST",
                    f"{base}/moderation/contributions/{note_id}/decide", data=data)


def curator(base, email, stats, stop):
    session = log_in(base, email, stats, "export")
    n = 0
    while not stop.is_set():
        fmt = ("csv", "json")[n % 2]
        n += 1
        response = request(stats, "export", session, "GET", f"{base}/curation/export.{fmt}")
        if response is not None:
            response.content  # noqa: B018 - read the whole stream
        time.sleep(0.5)


def prepare(url: str, media: Path):
    os.environ.setdefault("SECRET_KEY", "bench-" + uuid.uuid4().hex)
    from flask_migrate import upgrade

    from archive import create_app
    from archive.auth.services import create_user
    from archive.extensions import db
    from archive.institutions.services import default_institution, grant
    from archive.models import Collection, Item, Role

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "MEDIA_ROOT": str(media),
                      "SECRET_KEY": os.environ["SECRET_KEY"]})
    with app.app_context():
        upgrade()
        institution = default_institution()
        collection = Collection(slug="load", title="Load", institution=institution)
        db.session.add(collection)
        db.session.flush()
        for n in range(8):
            db.session.add(Item(identifier=f"LOAD-{n}", title=f"Load photograph {n}",
                                collection_id=collection.id, needs_help=True))
        users = {}
        for role in ("archivist", "curator"):
            for k in range(2 if role == "archivist" else 1):
                email = f"{role}{k}@load.example"
                user = create_user(email, PASSWORD, Role(role), f"{role} {k}")
                grant(user, institution, Role(role))  # staff work for the archive's institution
                users.setdefault(role, []).append(email)
        db.session.commit()
        db.engine.dispose()
    return [f"LOAD-{n}" for n in range(8)], users


def check(url: str, stats: Stats) -> dict:
    engine = sa.create_engine(url, pool_pre_ping=True)
    with engine.connect() as conn:
        counts = collections.Counter(dict(conn.execute(sa.text(
            "SELECT body, count(*) FROM contributions WHERE body LIKE 'load-%' GROUP BY body"))
            .all()))
        decisions = conn.execute(sa.text(
            "SELECT c.id, c.status, count(e.id) FROM contributions c LEFT JOIN moderation_events"
            " e ON e.contribution_id = c.id AND e.action IN ('approve','reject','spam')"
            " GROUP BY c.id, c.status")).all()
    engine.dispose()
    accepted = set(stats.accepted)
    return {
        "accepted": len(accepted),
        "stored": sum(counts.values()),
        "lost": sum(1 for m in accepted if counts[m] == 0),
        "duplicated": sum(1 for c in counts.values() if c > 1),
        "stored_unanswered": sum(1 for m in stats.unanswered if counts[m]),
        "decided": sum(1 for _, status, _ in decisions if status != "pending"),
        "decision_mismatch": sum(1 for _, status, n in decisions
                                 if (status == "pending") != (n == 0) or n > 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=["postgresql", "sqlite"], default="postgresql")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--visitors", type=int, default=16)
    parser.add_argument("--seconds", type=int, default=40)
    parser.add_argument("--fault", choices=["restart", "stop", "freeze"])
    parser.add_argument("--fault-seconds", type=float, default=70)
    args = parser.parse_args()
    seconds = min(args.seconds, HARD_LIMIT)

    tmp = Path(tempfile.mkdtemp(prefix="recollect-load-"))
    name = None
    private = None
    if args.fault and args.db == "postgresql":
        from tests.production.private_postgres import PrivatePostgres

        private = PrivatePostgres()
        url = private.url
    elif args.db == "postgresql":
        name = f"recollect_load_{os.getpid()}"
        admin = sa.create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT", pool_pre_ping=True)
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        url = sa.make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    else:
        url = f"sqlite:///{tmp / 'load.sqlite3'}"
    items, users = prepare(url, tmp / "media")

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "GUNICORN_BIND": f"127.0.0.1:{port}",
           "GUNICORN_WORKERS": str(args.workers), "GUNICORN_ACCESSLOG": "/dev/null",
           "DATABASE_URL": url, "MEDIA_ROOT": str(tmp / "media"),
           "SESSION_COOKIE_SECURE": "0", "RATELIMIT_STORAGE_URI": REDIS_URL,
           "RATELIMIT_KEY_PREFIX": f"load-{uuid.uuid4().hex}",
           "CONTRIBUTION_RATE_LIMIT": "1000000 per hour", "LOGIN_RATE_LIMIT": "1000 per minute"}
    log = open(tmp / "gunicorn.log", "w")  # noqa: SIM115
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c",
                               str(ROOT / "deploy/gunicorn.conf.py"), "app:app"],
                              cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    stats = Stats()
    fault = {"started": None, "took": None, "ended": None}
    try:
        for _ in range(100):
            try:
                if requests.get(base + "/healthz", timeout=5).status_code == 200:
                    break
            except requests.RequestException:
                time.sleep(0.2)
        stop = threading.Event()
        threads = [threading.Thread(target=visitor, args=(base, items, stats, stop))
                   for _ in range(args.visitors)]
        threads += [threading.Thread(target=archivist, args=(base, email, stats, stop, k))
                    for k, email in enumerate(users["archivist"])]
        threads += [threading.Thread(target=curator, args=(base, email, stats, stop))
                    for email in users["curator"]]
        start = time.monotonic()
        for t in threads:
            t.start()
        if private is not None:
            time.sleep(seconds / 5)
            fault["started"] = time.monotonic() - start
            if args.fault == "restart":
                private.stop()
                private.start()
            elif args.fault == "stop":
                private.stop()
                time.sleep(args.fault_seconds)
                private.start()
            else:
                private.freeze()
                try:
                    time.sleep(args.fault_seconds)
                finally:
                    private.thaw()
            fault["took"] = time.monotonic() - start - fault["started"]
            fault["ended"] = time.monotonic()
        time.sleep(max(0.0, seconds - (time.monotonic() - start)))
        stop.set()
        for t in threads:
            t.join(timeout=TIMEOUT + 5)
        elapsed = time.monotonic() - start
        for _ in range(20):  # a worker hears a database that was away within a second or two
            healthy = requests.get(base + "/healthz", timeout=5).status_code
            if healthy == 200:
                break
            time.sleep(0.5)
    finally:
        if private is not None:
            private.thaw()
        server.terminate()
        server.wait(timeout=30)
        log.close()
    killed = (tmp / "gunicorn.log").read_text().count("WORKER TIMEOUT")
    try:
        result = check(url, stats)
    finally:
        if private is not None:
            private.remove()
        if name:
            with admin.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()

    total = sum(stats.codes.values())
    print(f"\n{args.db}, {args.workers} gunicorn workers, {args.visitors} visitors, "
          f"2 archivists, 1 curator, {elapsed:.0f} s"
          + (f", database {FAULTS[args.fault]} at {fault['started']:.0f} s "
             f"for {fault['took']:.1f} s" if fault["started"] is not None else ""))
    rows = [
        ("requests", total), ("requests per second", f"{total / elapsed:.0f}"),
        ("notes accepted (303)", result["accepted"]),
        ("notes stored", result["stored"]),
        ("accepted notes lost", result["lost"]),
        ("notes stored twice", result["duplicated"]),
        ("unanswered notes that were stored", result["stored_unanswered"]),
        ("notes decided", result["decided"]),
        ("decisions not logged exactly once", result["decision_mismatch"]),
        ("server errors (5xx other than 503)", len(stats.server_errors)),
        ("503 while the database was away", stats.codes[503]),
        ("connection errors / timeouts", sum(v for k, v in stats.codes.items()
                                             if isinstance(k, str))),
        ("slowest answer (s)", f"{stats.slowest:.1f}"),
        ("first note accepted after the fault ended (s)",
         f"{min(t for t in stats.accepted_at if t > fault['ended']) - fault['ended']:.1f}"
         if fault["ended"] and any(t > fault["ended"] for t in stats.accepted_at) else "-"),
        ("workers killed (gunicorn WORKER TIMEOUT)", killed),
        ("health after the run", healthy),
    ]
    width = max(len(r[0]) for r in rows)
    print(f"| {'measure':<{width}} | value |\n|{'-' * (width + 2)}|-------|")
    for label, value in rows:
        print(f"| {label:<{width}} | {value} |")
    print("status codes:", dict(sorted(stats.codes.items(), key=str)))
    failed = result["lost"] or result["duplicated"] or result["decision_mismatch"] \
        or stats.server_errors or healthy != 200 or killed
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
