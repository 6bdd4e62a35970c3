"""Bringing recordings made with other tools into an athlete's history: each becomes a complete
test analysed like our own, keeping its source (the file's layout), sample rate and flags."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Any

from sensorhub.errors import ValidationError
from sensorhub.loadcell import (
    ForceRecording,
    RecordedAs,
    analysis_record,
    read_force_text,
)
from sensorhub.loadcell.calibration import Calibration
from sensorhub.loadcell.session import Sample
from sensorhub.storage import AthleteRecord, ImportTest, Storage, TestFiles, TestRecord
from sensorhub.types import Clock


@dataclass(frozen=True, slots=True)
class Prepared:
    """An upload read and analysed, ready to store."""

    recording: ForceRecording
    samples: tuple[Sample, ...]
    recorded_as: RecordedAs
    analysis: dict[str, Any]


@dataclass(frozen=True, slots=True)
class TestKind:
    """What an imported recording is of: ``imtp`` (the default) or a jump type."""

    test_type: str = "imtp"
    drop_height_m: float | None = None

    __test__ = False  # not a pytest test class, despite the name


IMTP_KIND = TestKind()


def prepare(
    text: str, filename: str, body_mass_kg: float | None = None, kind: TestKind = IMTP_KIND
) -> Prepared:
    """Read ``text`` in any layout ``sensorhub analyze`` reads and analyse it as ``kind``'s
    test type (CPU-bound); ``body_mass_kg``: the athlete's stored mass."""
    recording = read_force_text(text, filename)
    if recording.series and kind.test_type != "imtp":
        raise ValidationError(
            f"test_type: {recording.layout} records a load cell in series with the bar (an "
            f"IMTP), not a {kind.test_type} on a plate"
        )
    total_only = recording.left is None or recording.right is None
    recorded_as = RecordedAs(
        channels="total" if total_only else "left_right",
        reference="baseline" if recording.series else "body_weight",
        test_type=kind.test_type,
        drop_height_m=kind.drop_height_m,
    )
    if total_only:
        columns = zip(recording.t_ms, recording.total, [0.0] * recording.sample_count, strict=True)
    else:
        assert recording.left is not None and recording.right is not None
        columns = zip(recording.t_ms, recording.left, recording.right, strict=True)
    samples = tuple((float(t), float(left), float(right)) for t, left, right in columns)
    analysis = analysis_record(samples, Calibration(), None, recorded_as, body_mass_kg)
    return Prepared(recording, samples, recorded_as, analysis)


class Importer:
    """Stores prepared uploads; the CSV file is written in our own layout (t,l,r)."""

    def __init__(self, storage: Storage, files: TestFiles, clock: Clock = time.time) -> None:
        self._storage = storage
        self._files = files
        self._clock = clock

    async def add(
        self,
        athlete: AthleteRecord,
        text: str,
        filename: str,
        recorded_at: float | None,
        notes: str | None,
        kind: TestKind = IMTP_KIND,
    ) -> TestRecord:
        prepared = await asyncio.to_thread(prepare, text, filename, athlete.body_mass_kg, kind)
        started_at = self._clock() if recorded_at is None else recorded_at
        file = await asyncio.to_thread(self._files.write, started_at, prepared.samples)
        calibration = {**Calibration().to_dict(), "recording": prepared.recorded_as.to_dict()}
        task = ImportTest(
            athlete_id=athlete.id,
            athlete=athlete.name,
            source=prepared.recording.layout,
            recorded_at=started_at,
            duration_s=float(prepared.recording.t_ms[-1] - prepared.recording.t_ms[0]) / 1000.0,
            samples=prepared.samples,
            calibration=calibration,
            analysis=prepared.analysis,
            csv_file=file,
            notes=notes,
        )
        test_id = await self._storage.athletes.import_test(task)
        return await self._storage.tests.require(test_id)
