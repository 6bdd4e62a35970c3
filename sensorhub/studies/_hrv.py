"""A study session's short-term HRV (Task Force 1996): per phase and per 5-minute block from
the session's start, each from the raw signals of its span (docs/signals.md, "5-minute HRV")."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from sensorhub.contracts import iso_time
from sensorhub.physio import BLOCK_S, StandardHrv, standard_hrv
from sensorhub.physio.batch import SignalBatch
from sensorhub.physio.spans import span_signals
from sensorhub.physio.study import Mark, StudySession, phase_spans
from sensorhub.storage import StoredBatch

PHASE_SPAN = "phase"
BLOCK_SPAN = "block"
# Batches of one clock follow each other; a device stamps them in whole milliseconds, so
# neighbours may overlap by a few ms. More overlap than this is another clock (a reboot).
CLOCK_SLACK_MS = 100.0
HRV_COLUMNS = (
    "span", "phase", "custom_name", "start", "end", "quality", "reason", "beats",
    "corrected_beats", "motion_beats", "hr_bpm", "mean_ibi_ms", "sdnn_ms", "rmssd_ms",
    "pnn50", "lf_ms2", "hf_ms2", "lf_hf",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class SpanHrv:
    """``kind``: a phase (``phase``, its ``name``) or a 5-minute block; [start, end) server s."""

    kind: str
    start: float
    end: float
    hrv: StandardHrv
    phase: str | None = None
    name: str | None = None

    def payload(self) -> dict[str, object]:
        return {"span": self.kind, "phase": self.phase, "custom_name": self.name,
                "start": iso_time(self.start), "end": iso_time(self.end),
                **self.hrv.as_dict()}  # fmt: skip

    def row(self) -> tuple[object, ...]:
        data = self.payload()
        return tuple(data[name] for name in HRV_COLUMNS)


def session_hrv(
    session: StudySession, marks: list[Mark], batches: Sequence[StoredBatch], now: float
) -> list[SpanHrv]:
    """Each phase (from the batches received while it ran), then each whole 5-minute block of
    device time of each clock run (a block cut short is left out: the standard is 5 minutes).
    CPU-bound."""
    until = session.stopped_at or now
    runs = clock_runs(batches)
    spans = []
    for phase in phase_spans(marks, session.stopped_at):
        end = phase.end or until
        inside = [b for run in runs for b in run.on_server_clock(phase.start, end)]
        spans.append(SpanHrv(PHASE_SPAN, phase.start, end, standard_hrv(span_signals(inside)),
                             phase.name, phase.value))  # fmt: skip
    return spans + [block for run in runs for block in _blocks(run)]


@dataclass
class ClockRun:
    """Batches on one uninterrupted device clock, in arrival order; ``starts``/``ends``: their
    device-time spans (ms), sorted by start."""

    batches: list[StoredBatch] = field(default_factory=list)
    starts: list[float] = field(default_factory=list)
    ends: list[float] = field(default_factory=list)
    last_ms: float = float("-inf")  # the latest sample's end

    def continues(self, batch: SignalBatch) -> bool:
        """Whether ``batch`` is on this run's clock: it overlaps none of its samples (a clock
        set back, as by a reboot, repeats times already taken) and starts within a block of
        the run's end (a longer jump leaves no block with samples in between)."""
        if not self.starts:
            return True
        t0, end = batch.t0_ms, batch.end_ms()
        at = bisect_right(self.starts, t0)
        overlaps_before = at > 0 and self.ends[at - 1] > t0 + CLOCK_SLACK_MS
        overlaps_after = at < len(self.starts) and self.starts[at] < end - CLOCK_SLACK_MS
        jumped = t0 > self.last_ms + 1000.0 * BLOCK_S
        return not (overlaps_before or overlaps_after or jumped)

    def add(self, stored: StoredBatch) -> None:
        at = bisect_right(self.starts, stored.batch.t0_ms)
        self.starts.insert(at, stored.batch.t0_ms)
        self.ends.insert(at, stored.batch.end_ms())
        self.last_ms = max(self.last_ms, stored.batch.end_ms())
        self.batches.append(stored)

    def offset_s(self) -> float:
        """Server time minus device time (s), from the least delayed batch: a batch arrived
        as its last sample was taken (as a window's end, docs/signals.md)."""
        return min(s.received_at - s.batch.end_ms() / 1000.0 for s in self.batches)

    def on_server_clock(self, start: float, end: float) -> list[SignalBatch]:
        """The batches received in [start, end), their device times moved onto the server's
        clock, so batches of several clock runs line up in one span."""
        shift_ms = 1000.0 * self.offset_s()
        return [replace(s.batch, t0_ms=s.batch.t0_ms + shift_ms)
                for s in self.batches if start <= s.received_at < end]  # fmt: skip


def clock_runs(batches: Sequence[StoredBatch]) -> list[ClockRun]:
    """A session's batches split where the device's clock jumped (a reboot restarts it, a clock
    set forward skips ahead), without relying on anything but the batches' own times."""
    runs: list[ClockRun] = []
    for stored in sorted(batches, key=lambda s: (s.received_at, s.batch.seq)):
        if not runs or not runs[-1].continues(stored.batch):
            runs.append(ClockRun())
        runs[-1].add(stored)
    return runs


def _blocks(run: ClockRun) -> list[SpanHrv]:
    """Whole blocks of the run's device time, placed on the server's clock."""
    device = [s.batch for s in run.batches]
    first_ms = run.starts[0]
    last_ms = run.last_ms
    offset_s = run.offset_s()
    spans = []
    start_ms = first_ms
    while start_ms + 1000.0 * BLOCK_S <= last_ms:
        end_ms = start_ms + 1000.0 * BLOCK_S
        hrv = standard_hrv(span_signals(device, start_ms, end_ms))
        spans.append(SpanHrv(BLOCK_SPAN, offset_s + start_ms / 1000.0,
                             offset_s + end_ms / 1000.0, hrv))  # fmt: skip
        start_ms = end_ms
    return spans
