"""Many rows into one table at once: COPY on PostgreSQL, one executemany INSERT elsewhere."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, Table, insert
from sqlalchemy.exc import DBAPIError, StatementError


def insert_rows(conn: Connection, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert ``rows`` (all with the same keys) into ``table`` inside ``conn``'s transaction."""
    if not rows:
        return
    if conn.dialect.name == "postgresql":
        names = list(rows[0])
        _copy(conn, table, names, [[row[name] for name in names] for row in rows])
    else:
        conn.execute(insert(table), list(rows))


def insert_with_ids(
    conn: Connection, table: Table, names: Sequence[str], rows: Sequence[Sequence[Any]]
) -> list[int]:
    """Insert ``rows`` (values for the columns ``names``) into ``table``, whose integer key
    ``id`` the database assigns, inside ``conn``'s transaction; returns their ids in order.

    No per-row work in Python beyond the driver's: the rows go to the DB-API connection
    itself, past SQLAlchemy's execution machinery (~100 µs a statement, which a commit of one
    reading paid twice: bench/README.md). PostgreSQL: the ids are taken from the key's
    sequence first (one statement for all, safe with several processes), then the rows go in
    with them by COPY. SQLite: one executemany; SQLite gives a row without a key the table's
    largest rowid + 1 (sqlite.org/autoinc.html), and the write lock, held from the first row to
    the commit, keeps every other connection out, so the rows got the ``len(rows)`` ids that
    end at ``last_insert_rowid()``. (The one exception, a largest rowid of 2⁶³−1, lies outside
    the ids the API accepts.)
    """
    if not rows:
        return []
    if conn.dialect.name == "postgresql":
        ids = _reserve_ids(conn, table, len(rows))
        _copy(
            conn, table, ["id", *names], [[id_, *row] for id_, row in zip(ids, rows, strict=True)]
        )
        return ids
    quote = conn.dialect.identifier_preparer.quote
    statement = "INSERT INTO {} ({}) VALUES ({})".format(
        quote(table.name), ", ".join(map(quote, names)), ", ".join("?" * len(names))
    )
    driver = _driver_in_transaction(conn)
    try:
        cursor = driver.cursor()
        try:
            cursor.executemany(statement, rows)
            last: int = cursor.execute("SELECT last_insert_rowid()").fetchone()[0]
        finally:
            cursor.close()
    except sqlite3.Error as exc:  # as SQLAlchemy's own: OperationalError when locked or full
        raise _translated(conn, statement, exc, sqlite3.Error) from exc
    return list(range(last - len(rows) + 1, last + 1))


def _driver_in_transaction(conn: Connection) -> Any:
    """``conn``'s DB-API connection, with a transaction begun so that the caller's commit or
    rollback covers what is sent to it directly, as any statement of ``conn``."""
    if not conn.in_transaction():
        conn.begin()
    driver = conn.connection.driver_connection
    assert driver is not None
    return driver


def _translated(
    conn: Connection, statement: str, exc: Any, base: type[Exception]
) -> StatementError:
    """The driver's ``exc`` as SQLAlchemy raises it for a statement of ``conn``: the same
    class, and marked ``connection_invalidated`` when the dialect reads it as a lost
    connection (the writer then opens a new one instead of blaming the task)."""
    lost = conn.dialect.is_disconnect(exc, conn.connection, None)
    error: StatementError = DBAPIError.instance(
        statement, None, exc, base, connection_invalidated=lost
    )
    return error


def _reserve_ids(conn: Connection, table: Table, count: int) -> list[int]:
    statement = "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)"
    return sorted(conn.exec_driver_sql(statement, (table.name, count)).scalars())


def _copy(
    conn: Connection, table: Table, names: Sequence[str], rows: Sequence[Sequence[Any]]
) -> None:
    # COPY streams the rows in one round trip with no per-row statement to plan; psycopg
    # quotes each value itself (Composed identifiers, write_row), so nothing is pasted in.
    import psycopg  # only installed with the postgres extra
    from psycopg import sql

    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table.name), sql.SQL(", ").join(map(sql.Identifier, names))
    )
    driver = _driver_in_transaction(conn)
    try:
        with driver.cursor() as cursor, cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)
    except psycopg.Error as exc:  # as SQLAlchemy's own: OperationalError means the database
        raise _translated(conn, statement.as_string(driver), exc, psycopg.Error) from exc
