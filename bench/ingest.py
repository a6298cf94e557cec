"""Ingest throughput: the CSV import against a bare Pillow thumbnail() loop over the same files.

    python bench/ingest.py [--images 24] [--size 6000x4000]

Makes large noisy JPEGs in a temporary folder, times a plain loop of ``Image.thumbnail`` (to
the display size, 1600 px, one core) over them, then the real import (hashing, validation, four
derivatives each, database rows) on a fresh SQLite database with all cores. Prints images per
second and the import's ratio to the bare loop, measured in the same run.
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
import tempfile
import time
from pathlib import Path

from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def make_images(folder: Path, count: int, size: tuple[int, int]) -> list[Path]:
    # Smooth tones with film-grain noise: about as hard to decode as a real scan.
    gradient = Image.linear_gradient("L").resize(size).convert("RGB")
    grain = Image.effect_noise(size, 12).convert("RGB")
    base = Image.blend(gradient, grain, 0.25)
    paths = []
    for n in range(count):
        path = folder / f"scan-{n:03d}.jpg"
        base.point(lambda v, n=n: (v + n * 7) % 256).save(path, quality=90)
        paths.append(path)
    return paths


def bare_loop(paths: list[Path]) -> float:
    start = time.perf_counter()
    for path in paths:
        with Image.open(path) as im:
            im.thumbnail((1600, 1600))
            im.convert("RGB").save(os.devnull, "JPEG")
    return time.perf_counter() - start


def run_import(folder: Path, paths: list[Path], workers: int | None) -> float:
    from flask_migrate import upgrade

    from archive import create_app
    from archive.extensions import db
    from archive.ingest.importer import run_import as do_import

    work = Path(tempfile.mkdtemp(dir=folder))
    csv_path = work / "m.csv"
    with open(csv_path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["identifier", "title", "collection", "image"])
        for n, path in enumerate(paths):
            writer.writerow([f"B-{n}", f"Scan {n}", "bench", path.name])
    app = create_app({"TESTING": True, "SECRET_KEY": "bench-secret-key-0123456789",
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{work / 'db.sqlite3'}",
                      "MEDIA_ROOT": str(work / "media"), "RATELIMIT_ENABLED": False})
    with app.app_context():
        upgrade()
        start = time.perf_counter()
        summary = do_import(csv_path, folder, work / "media", workers=workers)
        elapsed = time.perf_counter() - start
        db.engine.dispose()
    assert summary.created == len(paths) and not summary.errors, summary
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=24)
    parser.add_argument("--size", default="6000x4000")
    args = parser.parse_args()
    size = tuple(int(v) for v in args.size.split("x"))
    import logging

    logging.disable(logging.INFO)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        paths = make_images(folder, args.images, size)
        cores = len(os.sched_getaffinity(0))
        bare = bare_loop(paths)
        one = run_import(folder, paths, workers=1)
        every = run_import(folder, paths, workers=None)
    n = len(paths)
    print(f"Ingest of {n} JPEGs of {size[0]}x{size[1]} ({cores} cores)\n")
    print(f"| {'run':<48} | {'images/s':>8} | {'ratio':>6} |")
    print(f"| {'-' * 48} | {'-' * 8}:| {'-' * 6}:|")
    for label, seconds in (("bare Pillow thumbnail() loop, 1 core (baseline)", bare),
                           ("import, 1 worker", one),
                           (f"import, {cores} workers (default)", every)):
        print(f"| {label:<48} | {n / seconds:8.2f} | {bare / seconds:6.2f} |")
    print("\nThe import also hashes each file, checks it whole, keeps the original and writes "
          "four derivatives (200, 400, 800, 1600 px) and the database rows.")


if __name__ == "__main__":
    main()
