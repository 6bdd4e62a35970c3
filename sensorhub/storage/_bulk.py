"""Many rows into one table at once: COPY on PostgreSQL, one executemany INSERT elsewhere."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, Table, insert
from sqlalchemy.exc import DBAPIError


def insert_rows(conn: Connection, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert ``rows`` (all with the same keys) into ``table`` inside ``conn``'s transaction."""
    if not rows:
        return
    if conn.dialect.name == "postgresql":
        _copy(conn, table, rows)
    else:
        conn.execute(insert(table), list(rows))


def _copy(conn: Connection, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    # COPY streams the rows in one round trip with no per-row statement to plan; psycopg
    # quotes each value itself (Composed identifiers, write_row), so nothing is pasted in.
    import psycopg  # only installed with the postgres extra
    from psycopg import sql

    names = list(rows[0])
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table.name), sql.SQL(", ").join(map(sql.Identifier, names))
    )
    if not conn.in_transaction():
        conn.begin()  # so the caller's commit or rollback covers the COPY, as any statement
    driver = conn.connection.driver_connection
    assert driver is not None
    try:
        with driver.cursor() as cursor, cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row([row[name] for name in names])
    except psycopg.Error as exc:  # as SQLAlchemy's own: OperationalError means the database
        raise DBAPIError.instance(statement.as_string(driver), None, exc, psycopg.Error) from exc
