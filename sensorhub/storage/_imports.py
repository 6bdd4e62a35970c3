"""A recording made with another tool, stored as a complete test of an athlete in one write."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, insert

from sensorhub.loadcell.session import Sample, SessionState
from sensorhub.storage._schema import sample_batches, tests
from sensorhub.storage._trials import link_trial, replace_reps
from sensorhub.storage._writer import WriteTask

#: Samples per stored batch: about what a plate sends in a second, a row of modest size.
IMPORT_BATCH = 1000
#: The device an imported test is listed under.
IMPORT_DEVICE = "import"


@dataclass(frozen=True, slots=True)
class ImportTest(WriteTask):
    """The test row, its samples, the link to the athlete and the analysis, all or nothing."""

    athlete_id: int
    athlete: str
    source: str
    recorded_at: float
    duration_s: float
    samples: tuple[Sample, ...]
    calibration: dict[str, Any]
    analysis: dict[str, Any]
    csv_file: str
    notes: str | None

    def run(self, conn: Connection) -> int:
        analysis = json.dumps(self.analysis)
        values = {
            "device_id": IMPORT_DEVICE,
            "state": SessionState.COMPLETE.value,
            "started_at": self.recorded_at,
            "stopped_at": self.recorded_at + self.duration_s,
            "ended_at": self.recorded_at + self.duration_s,
            "athlete": self.athlete,
            "notes": self.notes,
            "sample_count": len(self.samples),
            "csv_file": self.csv_file,
            "calibration": json.dumps(self.calibration),
            "analysis": analysis,
        }
        test_id = int(conn.execute(insert(tests).returning(tests.c.id), values).scalar_one())
        conn.execute(insert(sample_batches), _batches(test_id, self.samples))
        link_trial(conn, test_id, self.athlete_id, self.source)
        replace_reps(conn, test_id, analysis)
        return test_id


def _batches(test_id: int, samples: Sequence[Sample]) -> list[dict[str, Any]]:
    return [
        {
            "test_id": test_id,
            "seq": seq,
            "samples": json.dumps(samples[start : start + IMPORT_BATCH], separators=(",", ":")),
        }
        for seq, start in enumerate(range(0, len(samples), IMPORT_BATCH), start=1)
    ]
