"""Linking a test to its athlete (a row of ``trials``), inside the test's own write, and the
reps of a jump test (rows of ``trial_reps``), kept in step with its stored analysis."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update

from sensorhub.storage._schema import trial_reps, trials

#: Where a test recorded by our own plates comes from (imports name their format instead).
OWN_SOURCE = "sensorhub"


@dataclass(frozen=True, slots=True)
class RepTrial:
    """One rep of a jump test, as stored: its metrics and the codes of its checks."""

    rep: int
    metrics: dict[str, float | None]
    flags: tuple[str, ...]


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


def replace_reps(conn: Connection, test_id: int, analysis: str | None) -> None:
    """The test's rep rows become those of ``analysis`` (its stored JSON): none for an IMTP,
    a failed analysis or no analysis."""
    conn.execute(delete(trial_reps).where(trial_reps.c.test_id == test_id))
    reps = ((json.loads(analysis) if analysis else {}).get("result") or {}).get("reps") or []
    if reps:
        conn.execute(insert(trial_reps), [_rep_row(test_id, rep) for rep in reps])


def _rep_row(test_id: int, rep: dict[str, Any]) -> dict[str, Any]:
    return {
        "test_id": test_id,
        "rep": rep["index"],
        "metrics": json.dumps(rep["metrics"]),
        "flags": json.dumps([check["code"] for check in rep["checks"]]),
    }


def select_reps(conn: Connection, test_ids: Sequence[int]) -> dict[int, tuple[RepTrial, ...]]:
    """The rep rows of ``test_ids`` (in rep order), by test id; a test with none is absent."""
    found: dict[int, list[RepTrial]] = {}
    for chunk in _chunks(test_ids):
        statement = (
            select(trial_reps)
            .where(trial_reps.c.test_id.in_(chunk))
            .order_by(trial_reps.c.test_id, trial_reps.c.rep)
        )
        for row in conn.execute(statement):
            rep = RepTrial(row.rep, json.loads(row.metrics), tuple(json.loads(row.flags)))
            found.setdefault(row.test_id, []).append(rep)
    return {test_id: tuple(reps) for test_id, reps in found.items()}


def _chunks(ids: Sequence[int], size: int = 500) -> list[Sequence[int]]:
    """Keeps an IN list under SQLite's bound-parameter limit."""
    return [ids[i : i + size] for i in range(0, len(ids), size)]
