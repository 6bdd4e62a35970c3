"""Linking a test to its athlete (a row of ``trials``), inside the test's own write."""

from __future__ import annotations

from sqlalchemy import Connection, insert, update

from sensorhub.storage._schema import trials

#: Where a test recorded by our own plates comes from (imports name their format instead).
OWN_SOURCE = "sensorhub"


def link_trial(conn: Connection, test_id: int, athlete_id: int | None, source: str) -> None:
    if athlete_id is not None:
        row = {"test_id": test_id, "athlete_id": athlete_id, "source": source}
        conn.execute(insert(trials), row)


def move_trial(conn: Connection, test_id: int, athlete_id: int) -> None:
    """The test belongs to ``athlete_id`` now: its trial moves (keeping whether it counts
    and where it came from), or one is made."""
    moved = update(trials).where(trials.c.test_id == test_id).values(athlete_id=athlete_id)
    if conn.execute(moved).rowcount == 0:
        link_trial(conn, test_id, athlete_id, OWN_SOURCE)
