"""The bulk insert that goes to the driver directly: inside the caller's transaction, and its
errors as SQLAlchemy raises them for any statement (the writer classifies them)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Column, Connection, Engine, Integer, MetaData, String, Table, select
from sqlalchemy.exc import DBAPIError, ProgrammingError

from sensorhub.storage._bulk import insert_with_ids
from sensorhub.storage._engine import create_database_engine

metadata = MetaData()
rows = Table("rows", metadata, Column("id", Integer, primary_key=True), Column("v", String))


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    engine = create_database_engine(f"sqlite:///{tmp_path / 'bulk.db'}")
    metadata.create_all(engine)
    yield engine
    engine.dispose()


def stored(engine: Engine) -> list[tuple[int, str]]:
    with engine.connect() as conn:
        return [(r.id, r.v) for r in conn.execute(select(rows).order_by(rows.c.id))]


def test_rows_go_with_the_callers_commit_and_their_ids_come_back(engine: Engine) -> None:
    with engine.connect() as conn:
        assert insert_with_ids(conn, rows, ["v"], [("a",), ("b",)]) == [1, 2]
        assert stored(engine) == []  # not before the commit
        conn.commit()
    assert stored(engine) == [(1, "a"), (2, "b")]


def test_rows_go_with_the_callers_rollback(engine: Engine) -> None:
    with engine.connect() as conn:
        insert_with_ids(conn, rows, ["v"], [("a",)])
        conn.rollback()
        assert insert_with_ids(conn, rows, ["v"], [("b",)]) == [1]
        conn.commit()
    assert stored(engine) == [(1, "b")]


def raised(conn: Connection, send: str) -> DBAPIError:
    with pytest.raises(DBAPIError) as caught:
        if send == "through SQLAlchemy":
            conn.exec_driver_sql("INSERT INTO rows (v) VALUES (?)", [("a",)])
        else:
            insert_with_ids(conn, rows, ["v"], [("a",)])
    return caught.value


def test_a_lost_connection_is_reported_as_sqlalchemy_reports_it(engine: Engine) -> None:
    # The writer opens a new connection on a lost one, instead of refusing task after task.
    errors = []
    for send in ("through SQLAlchemy", "directly"):
        conn = engine.connect()
        driver = conn.connection.driver_connection
        assert driver is not None
        driver.close()
        errors.append(raised(conn, send))
        conn.invalidate()
    for error in errors:
        assert isinstance(error, ProgrammingError)
        assert error.connection_invalidated is True
