"""``sensorhub backup`` while the server writes, ``sensorhub restore`` into an empty data dir,
compared table by table and file by file; PostgreSQL's way (pg_dump, pg_restore) likewise."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, inspect, text

from sensorhub.backup import backup_data_dir, restore_data_dir, sqlite_file
from sensorhub.errors import ConfigError
from tests._postgres import create_database, drop_database
from tests._readings import READING
from tests._recordings import ground_reaction_csv
from tests._server import LiveServer, start_server

DEVICE = "backup-wrist"


def sensorhub(*args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "sensorhub", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    # Always SQLite: the backup command copies a SQLite file (PostgreSQL: pg_dump, below).
    data_dir = tmp_path_factory.mktemp("backup") / "data"
    live = start_server(
        data_dir,
        args=["--db", f"sqlite:///{data_dir / 'sensorhub.db'}"],
        env={"SENSORHUB_DEVICE_RATE_LIMIT_PER_S": "0"},  # the writer thread posts flat out
    )
    with httpx.Client(base_url=live.url, timeout=30) as http:
        athlete = http.post("/api/athletes", json={"name": "Backed Up"}).json()["data"]["id"]
        for peak in (1500.0, 1700.0):
            imported = http.post(
                f"/api/athletes/{athlete}/imports",
                params={"filename": f"pull-{peak:.0f}.csv"},
                content=ground_reaction_csv(peak),
                headers={"Content-Type": "text/csv"},
            )
            assert imported.status_code == 201, imported.text
    yield live
    live.stop()


def rows(database: Path) -> dict[str, list[tuple[Any, ...]]]:
    with sqlite3.connect(database) as conn:
        tables = [
            name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        ]
        return {
            table: conn.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall() for table in tables
        }


def files(directory: Path) -> dict[str, bytes]:
    return {
        path.relative_to(directory).as_posix(): path.read_bytes()
        for path in directory.rglob("*")
        if path.is_file()
    }


def test_backup_while_writing_restores_one_consistent_moment(
    server: LiveServer, tmp_path: Path
) -> None:
    stop = threading.Event()
    posted: list[int] = []

    def keep_writing() -> None:
        with httpx.Client(base_url=server.url, timeout=30) as http:
            while not stop.is_set():
                response = http.post("/api/sensor-data", json={**READING, "device_id": DEVICE})
                posted.append(response.status_code)

    writer = threading.Thread(target=keep_writing)
    writer.start()
    try:
        result = sensorhub("backup", str(tmp_path / "b.tar.gz"), "--data-dir", str(server.data_dir))
    finally:
        stop.set()
        writer.join()
    assert result.returncode == 0, result.stderr
    assert posted and set(posted) == {200}

    restored = tmp_path / "restored"
    result = sensorhub("restore", str(tmp_path / "b.tar.gz"), "--data-dir", str(restored))
    assert result.returncode == 0, result.stderr
    database = restored / "sensorhub.db"
    with sqlite3.connect(database) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    source, copy = rows(server.data_dir / "sensorhub.db"), rows(database)
    assert source.keys() == copy.keys()
    for table, copied in copy.items():
        # A prefix of each table: what was committed up to the snapshot, nothing torn.
        assert source[table][: len(copied)] == copied, table
    assert 0 < len(copy["readings"]) <= len(source["readings"])
    assert len(copy["tests"]) == 2
    assert files(restored / "test_data") == files(server.data_dir / "test_data")


def test_restore_of_a_quiet_server_is_identical_and_needs_an_empty_dir_or_replace(
    server: LiveServer, tmp_path: Path
) -> None:
    archive = tmp_path / "quiet.tar.gz"
    backup_data_dir(server.data_dir / "sensorhub.db", server.data_dir / "test_data", archive)
    occupied = tmp_path / "occupied"
    occupied.mkdir()
    (occupied / "sensorhub.db").write_bytes(b"someone's data")
    refused = sensorhub("restore", str(archive), "--data-dir", str(occupied))
    assert refused.returncode == 1
    assert "is not empty" in refused.stderr and "--replace" in refused.stderr
    assert (occupied / "sensorhub.db").read_bytes() == b"someone's data"

    assert restore_data_dir(archive, occupied, replace=True) == 3  # the database, two CSVs
    assert rows(occupied / "sensorhub.db") == rows(server.data_dir / "sensorhub.db")
    assert files(occupied / "test_data") == files(server.data_dir / "test_data")


def test_a_tampered_archive_is_refused(server: LiveServer, tmp_path: Path) -> None:
    import tarfile

    archive = tmp_path / "b.tar.gz"
    backup_data_dir(server.data_dir / "sensorhub.db", server.data_dir / "test_data", archive)
    unpacked = tmp_path / "unpacked"
    with tarfile.open(archive) as tar:
        tar.extractall(unpacked, filter="data")
    csv = next((unpacked / "test_data").rglob("*.csv"))
    csv.write_bytes(csv.read_bytes().replace(b"800", b"900", 1))
    tampered = tmp_path / "tampered.tar.gz"
    with tarfile.open(tampered, "w:gz") as tar:
        for path in sorted(unpacked.rglob("*")):
            tar.add(path, arcname=path.relative_to(unpacked).as_posix(), recursive=False)
    with pytest.raises(ConfigError, match="does not match its checksum"):
        restore_data_dir(tampered, tmp_path / "new")
    assert not (tmp_path / "new").exists()


def test_backup_of_a_postgresql_database_points_to_pg_dump() -> None:
    with pytest.raises(ConfigError, match="pg_dump"):
        sqlite_file("postgresql+psycopg://u@127.0.0.1/x")


def test_pg_dump_and_pg_restore_bring_back_every_table(server: LiveServer, tmp_path: Path) -> None:
    """The documented way (docs/operations.md#backups), on a database with the server's data."""
    source_name, target_name = "sensorhub_backup_source", "sensorhub_backup_target"
    source_url, target_url = create_database(source_name), create_database(target_name)
    try:
        moved = sensorhub("db", "migrate-to", source_url, "--data-dir", str(server.data_dir))
        assert moved.returncode == 0, moved.stderr
        dump = tmp_path / "sensorhub.dump"
        plain = source_url.replace("postgresql+psycopg://", "postgresql://")
        subprocess.run(["pg_dump", "--format=custom", f"--file={dump}", plain], check=True)
        target_plain = target_url.replace("postgresql+psycopg://", "postgresql://")
        subprocess.run(
            ["pg_restore", "--no-owner", f"--dbname={target_plain}", str(dump)], check=True
        )
        assert pg_rows(target_url) == pg_rows(source_url)
        assert len(pg_rows(target_url)["readings"]) > 0
    finally:
        drop_database(source_name)
        drop_database(target_name)


def pg_rows(url: str) -> dict[str, list[tuple[Any, ...]]]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return {
                table: [
                    tuple(row) for row in conn.execute(text(f"SELECT * FROM {table} ORDER BY 1"))
                ]
                for table in inspect(conn).get_table_names()
            }
    finally:
        engine.dispose()
