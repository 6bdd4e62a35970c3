"""A session's short-term HRV: each phase from the batches received while it ran, each whole
5-minute block of device time, a block cut short left out."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from sensorhub.physio import samples
from sensorhub.physio.batch import SignalBatch
from sensorhub.physio.study import PHASE, Mark, StudySession
from sensorhub.physio.synth import beat_times, pulse_wave, sample_times
from sensorhub.storage import StoredBatch
from sensorhub.studies._hrv import BLOCK_SPAN, PHASE_SPAN, session_hrv

BATCH_S = 60.0
IBI_MS = 800.0 + 30.0 * np.sin(2 * np.pi * np.arange(1000) / 4.3)  # breathing, 75 bpm
BEATS = beat_times(IBI_MS, 0.3)
T0 = 1_000_000.0  # the server's clock when the device's clock read 0


def _stored(seq: int) -> StoredBatch:
    t = seq * BATCH_S + sample_times(64.0, BATCH_S)
    bvp = samples(64.0, 100 * pulse_wave(BEATS, t))
    batch = SignalBatch("w", seq, 1000.0 * seq * BATCH_S, {"bvp": bvp})
    return StoredBatch(batch, T0 + (seq + 1) * BATCH_S)  # arrived as its last sample was taken


def test_phases_by_arrival_and_whole_five_minute_blocks() -> None:
    batches = [_stored(seq) for seq in range(11)]  # 11 minutes
    session = StudySession("w", "P01", T0, stopped_at=T0 + 11 * BATCH_S + 1, id=1)
    marks = [Mark(1, PHASE, "baseline", None, T0), Mark(1, PHASE, "stress", None, T0 + 360.5)]
    spans = session_hrv(session, marks, batches, now=T0 + 1e6)
    assert [s.kind for s in spans] == [PHASE_SPAN, PHASE_SPAN, BLOCK_SPAN, BLOCK_SPAN]
    baseline, stress, first, second = spans
    # Batches 0–5 arrived during the baseline (6 minutes), 6–10 during the stress phase.
    assert baseline.hrv.features.beats > stress.hrv.features.beats
    assert (first.start, first.end, second.end) == (T0, T0 + 300.0, T0 + 600.0)
    truth = 60_000 / np.mean(IBI_MS)
    for span in spans:
        f = span.hrv.features
        assert f.quality == "good" and f.hr_bpm == pytest.approx(truth, abs=0.5)
        assert span.hrv.lf_ms2 is not None and span.hrv.hf_ms2 is not None
        # The breathing swing (every 4.3 beats ≈ 0.29 Hz) is HF.
        assert span.hrv.hf_ms2 > 10 * span.hrv.lf_ms2


REBOOT_S = 5.0  # the device is away this long between its two clock runs


def _on_a_new_clock(seq: int, device_s: float) -> StoredBatch:
    """Batch ``seq`` of a second clock run: received 5 s later than the first run's pace
    (the signal continues on the server's clock), stamped ``device_s`` on the device's."""
    t = seq * BATCH_S + REBOOT_S + sample_times(64.0, BATCH_S)
    bvp = samples(64.0, 100 * pulse_wave(BEATS, t))
    batch = SignalBatch("w", seq, 1000.0 * device_s, {"bvp": bvp})
    return StoredBatch(batch, T0 + REBOOT_S + (seq + 1) * BATCH_S)


@pytest.mark.parametrize(
    "device_s",
    [
        lambda seq: (seq - 6) * BATCH_S,  # a reboot: the clock starts again at 0
        lambda seq: seq * BATCH_S + 86_400.0,  # the clock set a day forward
    ],
    ids=["reboot", "clock set forward"],
)  # fmt: skip
def test_blocks_follow_each_clock_run_when_the_device_clock_jumps(
    device_s: Callable[[int], float],
) -> None:
    batches = [_stored(seq) for seq in range(6)]  # 6 minutes on the first clock
    batches += [_on_a_new_clock(seq, device_s(seq)) for seq in range(6, 12)]  # 6 on the next
    session = StudySession("w", "P01", T0, stopped_at=T0 + 13 * BATCH_S, id=1)
    marks = [Mark(1, PHASE, "baseline", None, T0)]
    spans = session_hrv(session, marks, batches, now=T0 + 1e6)
    assert [s.kind for s in spans] == [PHASE_SPAN, BLOCK_SPAN, BLOCK_SPAN]
    phase, first, second = spans
    # Each run has one whole block, placed on the server's clock by its own batches.
    assert (first.start, second.start) == (T0, T0 + 6 * BATCH_S + REBOOT_S)
    truth = 60_000 / np.mean(IBI_MS)
    for span in (first, second):
        f = span.hrv.features
        assert f.quality == "good" and f.corrected_beats == 0.0
        assert f.hr_bpm == pytest.approx(truth, abs=0.5)
    # The phase holds both runs, one after the other; the reboot's 5 s are a gap (< 10 %).
    assert phase.hrv.features.hr_bpm == pytest.approx(truth, abs=0.5)
