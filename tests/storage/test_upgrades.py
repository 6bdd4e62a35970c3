"""Upgrades are safe: a database of every schema version ever released (made by the code that
released it, tests/fixtures/schemas/, scripts/schema_fixtures.py) migrates to the current one
with its rows, and a migration that fails leaves the database exactly as it was."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Connection, Engine, inspect, text

from sensorhub.storage import SCHEMA_VERSION
from sensorhub.storage._engine import create_database_engine
from sensorhub.storage._migrations import STEPS, migrate

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "schemas"
RELEASED = sorted(int(path.stem[1:]) for path in FIXTURES.glob("v*.sqlite"))


def open_copy(version: int, tmp_path: Path) -> Engine:
    copy = tmp_path / f"v{version}.sqlite"
    shutil.copyfile(FIXTURES / f"v{version}.sqlite", copy)
    return create_database_engine(f"sqlite:///{copy}")


@pytest.fixture
def engines() -> Iterator[list[Engine]]:
    opened: list[Engine] = []
    yield opened
    for engine in opened:
        engine.dispose()


def shape(engine: Engine) -> dict[str, tuple[set[str], set[str]]]:
    """Each table's columns and index names."""
    inspector = inspect(engine)
    return {
        table: (
            {column["name"] for column in inspector.get_columns(table)},
            {str(index["name"]) for index in inspector.get_indexes(table)},
        )
        for table in inspector.get_table_names()
    }


def row_counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            table: conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
            for table in inspect(conn).get_table_names()
        }


def dump(path: Path) -> list[str]:
    with sqlite3.connect(path) as conn:
        return list(conn.iterdump())


def test_every_schema_version_before_the_current_one_has_a_fixture() -> None:
    # v4 was only ever on a branch before its merge; built from that branch's commit. The
    # current version needs none: a fresh database gets it (a new step: run the script).
    assert list(range(1, SCHEMA_VERSION)) == RELEASED[: SCHEMA_VERSION - 1]


@pytest.mark.parametrize("version", RELEASED)
def test_a_released_database_upgrades_to_the_current_schema_keeping_its_rows(
    version: int, tmp_path: Path, engines: list[Engine]
) -> None:
    old = open_copy(version, tmp_path)
    fresh = create_database_engine(f"sqlite:///{tmp_path / 'fresh.sqlite'}")
    engines += [old, fresh]
    before = row_counts(old)
    assert migrate(old) == version
    migrate(fresh)
    assert shape(old) == shape(fresh)
    after = row_counts(old)
    assert {table: after[table] for table in before} == before
    assert before["readings"] == 1  # the fixture does hold rows


def test_a_failed_migration_leaves_the_database_as_it_was(
    tmp_path: Path, engines: list[Engine]
) -> None:
    oldest = RELEASED[0]
    old = open_copy(oldest, tmp_path)
    engines.append(old)
    file = tmp_path / f"v{oldest}.sqlite"
    before = dump(file)

    def fails_halfway(conn: Connection) -> None:
        conn.execute(text("CREATE TABLE half_made (id INTEGER)"))
        conn.execute(text("UPDATE readings SET bvp = bvp + 1"))
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"):
        migrate(old, (*STEPS, fails_halfway))
    old.dispose()
    assert dump(file) == before
    assert migrate(old) == oldest  # and the real upgrade still runs from there
