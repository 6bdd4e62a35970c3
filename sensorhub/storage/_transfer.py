"""``sensorhub db migrate-to``: copy every row of one database into another, then prove it.

This runs while no server uses either database, so it writes directly instead of through the
writer. Ids are kept (URLs such as /api/tests/17 stay valid), the target's id sequences are
moved past them, and each table's row count and checksum are computed on both sides the same
way and compared.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, Table, func, inspect, select, text, tuple_
from sqlalchemy.exc import SQLAlchemyError

from sensorhub.errors import ConfigError
from sensorhub.storage._bulk import insert_rows
from sensorhub.storage._engine import create_database_engine
from sensorhub.storage._migrations import migrate
from sensorhub.storage._schema import metadata, schema_info

# Rows per round trip: bounded memory for a database of any size.
PAGE_ROWS = 5000
# Parents before children, so foreign keys hold at every step.
TABLES: tuple[Table, ...] = tuple(t for t in metadata.sorted_tables if t is not schema_info)
_CHECKSUM_MOD = 2**64


@dataclass(frozen=True, slots=True)
class TableCheck:
    """One table's row count and checksum in the source and in the target."""

    table: str
    source_rows: int
    target_rows: int
    source_checksum: str
    target_checksum: str

    @property
    def matches(self) -> bool:
        return (self.source_rows, self.source_checksum) == (self.target_rows, self.target_checksum)


def migrate_to(source_url: str, target_url: str) -> list[TableCheck]:
    """Copy ``source_url``'s rows into the empty (or schema-only) database at ``target_url``."""
    if source_url == target_url:
        raise ConfigError("the target is the database being copied")
    try:
        return _copy_and_check(source_url, target_url)
    except (SQLAlchemyError, ImportError) as exc:  # unreachable, refused, no driver
        first_line = (str(exc).splitlines() or [""])[0]
        raise ConfigError(f"cannot copy the database: {type(exc).__name__}: {first_line}") from exc


def _copy_and_check(source_url: str, target_url: str) -> list[TableCheck]:
    source = create_database_engine(source_url)
    target = create_database_engine(target_url)
    try:
        migrate(source)  # what `serve` would do first: both sides on one schema version
        _refuse_non_empty(target)
        migrate(target)
        with source.connect() as reading, target.begin() as writing:
            for table in TABLES:
                for page in _pages(reading, table):
                    insert_rows(writing, table, page)
                _move_sequence_past_ids(writing, table)
        return [_check(source, target, table) for table in TABLES]
    finally:
        source.dispose()
        target.dispose()


def _refuse_non_empty(engine: Engine) -> None:
    with engine.connect() as conn:
        present = set(inspect(conn).get_table_names())
        filled = [
            table.name
            for table in TABLES
            if table.name in present
            and conn.execute(select(func.count()).select_from(table)).scalar_one()
        ]
    if filled:
        safe_url = engine.url.render_as_string(hide_password=True)
        raise ConfigError(
            f"the target database {safe_url} already holds rows ({', '.join(filled)}); "
            "migrate-to copies only into an empty or schema-only database"
        )


def _pages(conn: Connection, table: Table) -> Iterator[Sequence[dict[str, Any]]]:
    """Every row of ``table`` in primary-key order, ``PAGE_ROWS`` at a time (keyset paging;
    a composite key, such as an athlete's group, pages by the row of its columns)."""
    keys = list(table.primary_key.columns)
    statement = select(table).order_by(*keys).limit(PAGE_ROWS)
    last: tuple[Any, ...] | None = None
    while True:
        page_query = statement if last is None else statement.where(tuple_(*keys) > tuple_(*last))
        page = [dict(row._mapping) for row in conn.execute(page_query)]
        if not page:
            return
        yield page
        last = tuple(page[-1][key.name] for key in keys)


def _move_sequence_past_ids(conn: Connection, table: Table) -> None:
    """Rows came with their ids, so PostgreSQL's sequence never advanced: the next insert
    would reuse id 1. SQLite takes max(id) + 1 by itself."""
    if conn.dialect.name != "postgresql" or "id" not in table.c:
        return
    conn.execute(
        text(
            f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
            f"COALESCE(max(id), 1), max(id) IS NOT NULL) FROM {table.name}"
        )
    )


def _check(source: Engine, target: Engine, table: Table) -> TableCheck:
    source_rows, source_sum = _count_and_checksum(source, table)
    target_rows, target_sum = _count_and_checksum(target, table)
    return TableCheck(table.name, source_rows, target_rows, source_sum, target_sum)


def _count_and_checksum(engine: Engine, table: Table) -> tuple[int, str]:
    """Row count and an order-independent checksum: the sum, modulo 2⁶⁴, of each row's
    SHA-256 (first 8 bytes). Computed here from the values both drivers return, so a value
    that changed on the way (a truncated string, a rounded float) changes the sum."""
    rows = 0
    total = 0
    with engine.connect() as conn:
        for page in _pages(conn, table):
            for row in page:
                digest = hashlib.sha256(_canonical(row).encode()).digest()
                total = (total + int.from_bytes(digest[:8], "big")) % _CHECKSUM_MOD
            rows += len(page)
    return rows, f"{total:016x}"


def _canonical(row: dict[str, Any]) -> str:
    # repr keeps every bit of a float; None is distinct from the text "None".
    return "\x1f".join(f"{name}={value!r}" for name, value in sorted(row.items()))
