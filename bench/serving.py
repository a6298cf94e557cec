"""Serving throughput under gunicorn on loopback: the item page and a thumbnail, as ratios to a
bare Flask "hello world" and to Flask's own static route for the same file, in the same run.

    python bench/serving.py [--seconds 5] [--clients 8] [--workers 2]

Both apps run under gunicorn with the same settings (gthread workers, keep-alive), on
127.0.0.1 only, and are stopped at the end.
"""

from __future__ import annotations

import argparse
import http.client
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare(work: Path) -> tuple[dict, str, str]:
    """A database with the sample import; returns (env, item path, thumbnail path)."""
    import logging

    from flask_migrate import upgrade

    from archive import create_app
    from archive.extensions import db
    from archive.ingest.importer import run_import
    from archive.models import Item

    logging.disable(logging.INFO)
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{work / 'db.sqlite3'}",
           "MEDIA_ROOT": str(work / "media"), "SECRET_KEY": "bench-" + "x" * 40,
           "SESSION_COOKIE_SECURE": "0", "ARCHIVE_INSTANCE_PATH": str(work)}
    app = create_app({"SQLALCHEMY_DATABASE_URI": env["DATABASE_URL"],
                      "MEDIA_ROOT": env["MEDIA_ROOT"], "SECRET_KEY": env["SECRET_KEY"]})
    sample = ROOT / "docs" / "sample-import"
    with app.app_context():
        upgrade()
        run_import(sample / "metadata.csv", sample / "images", work / "media", workers=1)
        item = db.session.scalar(db.select(Item).order_by(Item.id))
        paths = f"/items/{item.identifier}", item.images[0].thumb_path
        db.engine.dispose()
    return env, paths[0], paths[1]


def start(module: str, port: int, env: dict, workers: int) -> subprocess.Popen:
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-k", "gthread", "--threads", "4", "-w", str(workers),
         "-b", f"127.0.0.1:{port}", "--log-level", "warning", module],
        cwd=ROOT if module == "app:app" else ROOT / "bench", env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    for _ in range(200):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.1):
                return process
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise RuntimeError(f"gunicorn did not start: {process.stderr.read().decode()}")


def measure(port: int, path: str, seconds: float, clients: int) -> float:
    counts = [0] * clients
    errors: list[str] = []
    stop = time.perf_counter() + seconds

    def client(n: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        while time.perf_counter() < stop:
            conn.request("GET", path)
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                errors.append(f"{path}: {response.status}")
                return
            counts[n] += 1
        conn.close()

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    start_time = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise RuntimeError(errors[0])
    return sum(counts) / (time.perf_counter() - start_time)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="recollect-bench-"))
    processes = []
    try:
        env, item_path, thumb = prepare(work)
        hello_port, app_port = free_port(), free_port()
        processes.append(start("hello_app:app", hello_port,
                               {**env, "BENCH_STATIC_FOLDER": str(work / "media")}, args.workers))
        processes.append(start("app:app", app_port, env, args.workers))
        run = {}
        for label, port, path in (
                ("hello world (bare Flask)", hello_port, "/"),
                ("thumbnail via Flask's static route", hello_port, f"/static/{thumb}"),
                ("thumbnail via /media/ (this app)", app_port, f"/media/{thumb}"),
                ("item page (this app)", app_port, item_path)):
            measure(port, path, min(1.0, args.seconds), args.clients)  # warm up
            run[label] = measure(port, path, args.seconds, args.clients)
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            process.wait(timeout=30)
        shutil.rmtree(work, ignore_errors=True)

    hello = run["hello world (bare Flask)"]
    static = run["thumbnail via Flask's static route"]
    print(f"Serving under gunicorn ({args.workers} gthread workers x 4 threads), "
          f"{args.clients} keep-alive clients, {args.seconds:g} s each, loopback\n")
    print(f"| {'request':<36} | {'req/s':>8} | {'vs hello':>8} | {'vs static':>9} |")
    print(f"| {'-' * 36} | {'-' * 7}:| {'-' * 7}:| {'-' * 8}:|")
    for label, rate in run.items():
        print(f"| {label:<36} | {rate:8.0f} | {rate / hello:8.2f} | {rate / static:9.2f} |")


if __name__ == "__main__":
    main()
