"""Portable backups: every table as JSON Lines, plus the media files, in one ``.tar.gz``.

The archive holds::

    manifest.json            format, schema revision, row count of every table,
                             SHA-256 and size of every media file
    tables/<table>.jsonl     one JSON object per row, in primary-key order
    media/<path>             the files under MEDIA_ROOT (originals and derivatives)

Values are written by type (timestamps as ISO 8601 in UTC, enums by their stored value), so
a backup made on SQLite restores into PostgreSQL and the other way round. Tables are found
in the models' metadata: a table added later is included without any change here.
"""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import enum
import functools
import hashlib
import io
import json
import os
import secrets
import tarfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, Any

import sqlalchemy as sa

from archive.extensions import db

FORMAT = "recollect-backup"
FORMAT_VERSION = 1
BATCH = 1000


class BackupError(RuntimeError):
    """The backup cannot be made or restored. The message says why, for the operator."""


@dataclass
class BackupSummary:
    tables: dict[str, int] = field(default_factory=dict)
    media_files: int = 0
    media_bytes: int = 0
    revision: str | None = None


# --- values ------------------------------------------------------------------------------------


def _dump_value(value):
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC)
        return value.isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, bytes | bytearray | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, decimal.Decimal):
        return str(value)
    return value


def _loader(column: sa.Column):
    """A function turning a dumped value back into what ``column`` takes."""
    col_type = column.type
    impl = getattr(col_type, "impl", col_type)
    enum_class = getattr(impl, "enum_class", None) if isinstance(impl, sa.Enum) else None
    if enum_class is not None:
        return lambda v: enum_class(v)
    if isinstance(impl, sa.DateTime):
        def load_datetime(v):
            value = dt.datetime.fromisoformat(v)
            return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
        return load_datetime
    if isinstance(impl, sa.Date):
        return dt.date.fromisoformat
    if isinstance(impl, sa.Time):
        return dt.time.fromisoformat
    if isinstance(impl, sa.LargeBinary):
        return base64.b64decode
    if isinstance(impl, sa.Numeric) and getattr(impl, "asdecimal", False):
        return decimal.Decimal
    return None


# --- creating ----------------------------------------------------------------------------------


def _tables() -> list[sa.Table]:
    return list(db.metadata.sorted_tables)


def _revision(conn) -> str | None:
    if not sa.inspect(conn).has_table("alembic_version"):
        return None
    return conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()


def _rows(conn, table: sa.Table) -> Iterator[dict]:
    order = list(table.primary_key.columns) or list(table.columns)
    last = None
    single_key = len(table.primary_key.columns) == 1
    if not single_key:  # composite keys: one ordered pass
        for row in conn.execute(sa.select(table).order_by(*order)).mappings():
            yield {k: _dump_value(v) for k, v in row.items()}
        return
    key = order[0]
    while True:  # keyset batches: memory stays flat however big the table
        query = sa.select(table).order_by(key).limit(BATCH)
        if last is not None:
            query = query.where(key > last)
        rows = conn.execute(query).mappings().all()
        if not rows:
            return
        for row in rows:
            yield {k: _dump_value(v) for k, v in row.items()}
        last = rows[-1][key.name]


def _media_files(media_root: Path) -> Iterator[tuple[str, Path]]:
    if not media_root.is_dir():
        return
    for folder, dirs, files in os.walk(media_root):
        dirs.sort()
        for name in sorted(files):
            if name.startswith("."):  # temporary files being written
                continue
            path = Path(folder) / name
            if path.is_symlink() or not path.is_file():
                continue
            yield path.relative_to(media_root).as_posix(), path


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(dt.datetime.now(dt.UTC).timestamp())
    info.mode = 0o644
    tar.addfile(info, io.BytesIO(data))


def create_backup(destination: Path, media_root: Path) -> BackupSummary:
    """Write a backup of the database and media to ``destination`` (atomically)."""
    destination = Path(destination)
    tmp = destination.with_name(f".{destination.name}.{secrets.token_hex(6)}.part")
    summary = BackupSummary()
    manifest: dict = {"format": FORMAT, "version": FORMAT_VERSION,
                      "created_at": dt.datetime.now(dt.UTC).isoformat(), "tables": {},
                      "media": {}}
    try:
        with tarfile.open(tmp, "w:gz", compresslevel=6) as tar, _snapshot() as conn:
            summary.revision = manifest["revision"] = _revision(conn)
            for table in _tables():
                buffer = io.BytesIO()
                count = 0
                for row in _rows(conn, table):
                    buffer.write(json.dumps(row, ensure_ascii=False,
                                            separators=(",", ":")).encode("utf-8"))
                    buffer.write(b"\n")
                    count += 1
                _add_bytes(tar, f"tables/{table.name}.jsonl", buffer.getvalue())
                manifest["tables"][table.name] = count
                summary.tables[table.name] = count
            for rel, path in _media_files(Path(media_root)):
                size = path.stat().st_size
                manifest["media"][rel] = {"sha256": _sha256(path), "size": size}
                tar.add(path, arcname=f"media/{rel}", recursive=False)
                summary.media_files += 1
                summary.media_bytes += size
            _add_bytes(tar, "manifest.json",
                       json.dumps(manifest, indent=1, sort_keys=True).encode("utf-8"))
        os.replace(tmp, destination)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return summary


class _snapshot:
    """A connection whose reads all see one moment of the database."""

    def __enter__(self):
        engine = db.engine
        if engine.dialect.name == "postgresql":
            self.conn = engine.connect().execution_options(
                isolation_level="REPEATABLE READ", postgresql_readonly=True)
            self.conn.begin()
        else:
            self.conn = engine.connect()
            # pysqlite starts no transaction for reads by itself: open one, so every table is
            # read from the same snapshot while others go on writing (WAL).
            self.conn.exec_driver_sql("BEGIN")
        return self.conn

    def __exit__(self, *exc):
        try:
            self.conn.rollback()
        finally:
            self.conn.close()


# --- restoring ---------------------------------------------------------------------------------


def _safe_media_path(name: str) -> str:
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or len(path.parts) < 2 \
            or path.parts[0] != "media" or "\\" in name:
        raise BackupError(f"the backup holds an unsafe file name: {name!r}")
    return PurePosixPath(*path.parts[1:]).as_posix()


def _open_member(tar: tarfile.TarFile, member: tarfile.TarInfo) -> IO[bytes]:
    """The contents of a file in the backup; a directory or device there is refused."""
    fh = tar.extractfile(member)
    if fh is None:
        raise BackupError(f"the backup holds something that is not a file: {member.name!r}")
    return fh


def read_manifest(tar: tarfile.TarFile) -> dict:
    try:
        member = tar.getmember("manifest.json")
    except KeyError as error:
        raise BackupError("this file is not a Recollect backup (no manifest.json)") from error
    manifest = json.loads(_open_member(tar, member).read().decode("utf-8"))
    if manifest.get("format") != FORMAT or manifest.get("version") != FORMAT_VERSION:
        raise BackupError("this file is not a Recollect backup of a version this code reads")
    return manifest


def restore_backup(source: Path, media_root: Path) -> BackupSummary:
    """Restore ``source`` into an empty, migrated database and its media folder.

    Refuses (and changes nothing) when the database already holds data or its schema is not at
    the backup's revision. Media files are written first; they are named by their content, so
    a restore that fails half-way leaves nothing wrong behind and can simply be run again.
    """
    summary = BackupSummary()
    media_root = Path(media_root)
    try:
        tar = tarfile.open(source, "r:gz")  # noqa: SIM115 - closed by the with below
    except (OSError, tarfile.TarError) as error:
        raise BackupError(f"cannot read {source}: {error}") from error
    with tar:
        manifest = read_manifest(tar)
        tables = {t.name: t for t in _tables()}
        unknown = set(manifest["tables"]) - set(tables)
        if unknown:
            raise BackupError(f"the backup has tables this version does not know: {unknown}")
        with db.engine.connect() as conn:
            revision = _revision(conn)
            if revision is None:
                raise BackupError("the database has no schema: run `flask db upgrade` first")
            if revision != manifest.get("revision"):
                raise BackupError(
                    f"the backup was made at schema revision {manifest.get('revision')} but the "
                    f"database is at {revision}: restore with the matching version of the app")
            for table in tables.values():
                if conn.execute(sa.select(sa.func.count()).select_from(table)).scalar():
                    raise BackupError(
                        f"the database is not empty (table {table.name} has rows): restore only "
                        "into a freshly migrated, empty database")
        summary.revision = revision

        _restore_media(tar, manifest, media_root, summary)
        with db.engine.begin() as conn:
            for name, table in tables.items():
                if name not in manifest["tables"]:
                    continue
                count = _restore_table(conn, tar, table)
                if count != manifest["tables"][name]:
                    raise BackupError(f"table {name}: {count} rows read, the manifest says "
                                      f"{manifest['tables'][name]}; the file is damaged")
                summary.tables[name] = count
            if conn.dialect.name == "postgresql":
                _reset_sequences(conn, tables.values())
    return summary


def _restore_media(tar, manifest: dict, media_root: Path, summary: BackupSummary) -> None:
    expected = manifest.get("media", {})
    seen = set()
    for member in tar:
        if not member.name.startswith("media/"):
            continue
        rel = _safe_media_path(member.name)
        if not member.isfile():
            raise BackupError(f"the backup holds something that is not a file: {member.name!r}")
        if rel not in expected:
            raise BackupError(f"the backup holds a file its manifest does not list: {rel!r}")
        target = media_root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.{secrets.token_hex(6)}.part")
        digest = hashlib.sha256()
        try:
            with _open_member(tar, member) as src, open(tmp, "wb") as out:
                for chunk in iter(functools.partial(src.read, 1 << 20), b""):
                    digest.update(chunk)
                    out.write(chunk)
            if digest.hexdigest() != expected[rel]["sha256"]:
                raise BackupError(f"media file {rel} is damaged in the backup (checksum)")
            if target.exists() and _sha256(target) != expected[rel]["sha256"]:
                raise BackupError(f"{target} already exists with other content; not replaced")
            os.replace(tmp, target)
        finally:
            tmp.unlink(missing_ok=True)
        seen.add(rel)
        summary.media_files += 1
        summary.media_bytes += member.size
    missing = set(expected) - seen
    if missing:
        raise BackupError(f"{len(missing)} media files listed in the manifest are missing")


def _restore_table(conn, tar: tarfile.TarFile, table: sa.Table) -> int:
    try:
        member = tar.getmember(f"tables/{table.name}.jsonl")
    except KeyError as error:
        raise BackupError(f"the backup lacks table {table.name}") from error
    loaders = {c.name: _loader(c) for c in table.columns}
    count = 0
    batch: list[dict] = []
    with _open_member(tar, member) as fh:
        for line in fh:
            if not line.strip():
                continue
            raw = json.loads(line)
            row = {}
            for key, value in raw.items():
                if key not in loaders:
                    raise BackupError(f"table {table.name} has no column {key!r}")
                load = loaders[key]
                row[key] = load(value) if load is not None and value is not None else value
            batch.append(row)
            if len(batch) >= BATCH:
                conn.execute(table.insert(), batch)
                count += len(batch)
                batch = []
    if batch:
        conn.execute(table.insert(), batch)
        count += len(batch)
    return count


def _reset_sequences(conn, tables) -> None:
    """PostgreSQL: make the next generated id follow the restored ones."""
    for table in tables:
        keys = list(table.primary_key.columns)
        if len(keys) != 1 or not isinstance(keys[0].type, sa.Integer):
            continue
        sequence = conn.execute(sa.select(sa.func.pg_get_serial_sequence(
            table.name, keys[0].name))).scalar()
        if sequence is None:
            continue
        column: sa.ColumnClause[Any] = sa.column(keys[0].name)
        highest = conn.execute(sa.select(sa.func.max(column)).select_from(
            sa.table(table.name))).scalar()
        conn.execute(sa.select(sa.func.setval(sequence, highest or 1, highest is not None)))
