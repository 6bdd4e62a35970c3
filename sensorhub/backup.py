"""Backups of a SQLite data dir: one archive with a consistent copy of the database, every test
CSV and a manifest of SHA-256 sums; restore brings it back into an empty data dir.

The copy is SQLite's online backup (``sqlite3.Connection.backup``): it reads one snapshot while
the server goes on writing (WAL mode: the writer is never blocked), so the archive is a database
as it was at one commit, never a torn file. The CSVs are copied after the snapshot: a test in
the snapshot already has its file. PostgreSQL is backed up with its own tools
(docs/operations.md#backups).
"""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import sqlite3
import tarfile
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from sensorhub.errors import ConfigError

DATABASE_NAME = "sensorhub.db"
TEST_DATA_NAME = "test_data"
MANIFEST_NAME = "manifest.json"
ARCHIVE_FORMAT = 1


@dataclass(frozen=True, slots=True)
class BackupSummary:
    archive: Path
    files: int  # the database and every test file
    total_bytes: int


def sqlite_file(database_url: str) -> Path:
    """The SQLite file behind ``database_url``; any other database is refused, pointing to its
    own tools."""
    scheme, _, rest = database_url.partition(":///")
    file = rest.partition("?")[0]
    if not scheme.startswith("sqlite") or file in ("", ":memory:"):
        raise ConfigError(
            f"backup copies a SQLite file; for {scheme.partition(':')[0]} use its own tools "
            "(pg_dump: docs/operations.md#backups)"
        )
    return Path(file)


def backup_data_dir(database: Path, test_data: Path, archive: Path) -> BackupSummary:
    """Write ``archive`` (a .tar.gz): the database ``database`` as of one moment, and every file
    under ``test_data``. Written beside ``archive`` first, renamed when complete."""
    if not database.is_file():
        raise ConfigError(f"no database at {database}: nothing to back up")
    archive.parent.mkdir(parents=True, exist_ok=True)
    sums: dict[str, str] = {}
    total = 0
    partial = archive.with_name(f".{archive.name}.partial")
    with tempfile.TemporaryDirectory(dir=archive.parent) as scratch:
        snapshot = Path(scratch) / DATABASE_NAME
        _snapshot_sqlite(database, snapshot)
        with tarfile.open(partial, "w:gz", compresslevel=1) as tar:  # float blobs barely shrink
            members = [(snapshot, DATABASE_NAME)]
            if test_data.is_dir():
                members += [
                    (file, f"{TEST_DATA_NAME}/{file.relative_to(test_data).as_posix()}")
                    for file in sorted(test_data.rglob("*"))
                    if file.is_file()
                ]
            for file, name in members:
                sums[name] = _sha256(file)
                total += file.stat().st_size
                tar.add(file, arcname=name)
            _add_bytes(tar, MANIFEST_NAME, _manifest(sums))
    partial.replace(archive)
    return BackupSummary(archive, len(sums), total)


def restore_data_dir(archive: Path, data_dir: Path, *, replace: bool = False) -> int:
    """Unpack ``archive`` into ``data_dir`` after checking every file against its manifest;
    returns how many files. ``data_dir`` must be empty (or absent) unless ``replace``."""
    if data_dir.exists() and any(data_dir.iterdir()) and not replace:
        raise ConfigError(
            f"data dir {data_dir} is not empty; restore into an empty one, or pass --replace "
            "to overwrite its database and test files"
        )
    with tarfile.open(archive, "r:gz") as tar, tempfile.TemporaryDirectory() as scratch:
        tar.extractall(scratch, filter="data")  # refuses absolute paths, .., links out
        unpacked = Path(scratch)
        sums = _read_manifest(unpacked / MANIFEST_NAME)
        for name, expected in sums.items():
            if _sha256(unpacked / name) != expected:
                raise ConfigError(f"{archive.name}: {name} does not match its checksum")
        data_dir.mkdir(parents=True, exist_ok=True)
        for name in sums:
            target = data_dir / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(unpacked / name, target)
        for journal in ("-wal", "-shm"):  # a replaced database's journal is not this one's
            (data_dir / f"{DATABASE_NAME}{journal}").unlink(missing_ok=True)
    return len(sums)


def prune_backups(directory: Path, keep: int) -> list[Path]:
    """Delete all but the newest ``keep`` scheduled backups in ``directory``; returns them."""
    backups = sorted(directory.glob("sensorhub-*.tar.gz"))
    old = backups[: max(0, len(backups) - keep)]
    for path in old:
        path.unlink()
    return old


def scheduled_name(now: float) -> str:
    """A name that sorts by time: ``sensorhub-20261207T180000Z.tar.gz``."""
    return time.strftime("sensorhub-%Y%m%dT%H%M%SZ.tar.gz", time.gmtime(now))


def _snapshot_sqlite(database: Path, target: Path) -> None:
    source = sqlite3.connect(database)
    copy = sqlite3.connect(target)
    try:
        # In one step: one read transaction, which in WAL mode never blocks the writer. In
        # small steps, every commit by the server in between would restart the copy.
        source.backup(copy)
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
    except sqlite3.Error as exc:
        raise ConfigError(f"cannot back up {database}: {exc}") from exc
    finally:
        copy.close()
        source.close()


def _manifest(sums: dict[str, str]) -> bytes:
    manifest = {"format": ARCHIVE_FORMAT, "created_at": time.time(), "sha256": sums}
    return json.dumps(manifest, indent=1, sort_keys=True).encode()


def _read_manifest(path: Path) -> dict[str, str]:
    try:
        manifest = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise ConfigError(f"not a sensorhub backup: {MANIFEST_NAME} missing or unreadable") from exc
    if manifest.get("format") != ARCHIVE_FORMAT:
        raise ConfigError(f"backup format {manifest.get('format')!r} is not {ARCHIVE_FORMAT}")
    sums: dict[str, str] = manifest["sha256"]
    return sums


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(time.time())
    tar.addfile(info, io.BytesIO(data))


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for chunk in iter(lambda: file.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
