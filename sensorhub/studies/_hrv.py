"""A study session's short-term HRV (Task Force 1996): per phase and per 5-minute block from
the session's start, each from the raw signals of its span (docs/signals.md, "5-minute HRV")."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sensorhub.contracts import iso_time
from sensorhub.physio import BLOCK_S, StandardHrv, standard_hrv
from sensorhub.physio.spans import span_signals
from sensorhub.physio.study import Mark, StudySession, phase_spans
from sensorhub.storage import StoredBatch

PHASE_SPAN = "phase"
BLOCK_SPAN = "block"
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
    device time from the session's first sample (a block cut short is left out: the standard
    is 5 minutes). CPU-bound."""
    until = session.stopped_at or now
    spans = []
    for phase in phase_spans(marks, session.stopped_at):
        end = phase.end or until
        inside = [s.batch for s in batches if phase.start <= s.received_at < end]
        spans.append(SpanHrv(PHASE_SPAN, phase.start, end, standard_hrv(span_signals(inside)),
                             phase.name, phase.value))  # fmt: skip
    return spans + _blocks(batches)


def _blocks(batches: Sequence[StoredBatch]) -> list[SpanHrv]:
    """Blocks of device time, placed on the server's clock by the least delayed batch."""
    if not batches:
        return []
    device = [s.batch for s in batches]
    first_ms = min(b.t0_ms for b in device)
    last_ms = max(b.end_ms() for b in device)
    # A batch arrived as its last sample was taken (as a window's end, docs/signals.md).
    offset_s = min(s.received_at - s.batch.end_ms() / 1000.0 for s in batches)
    spans = []
    start_ms = first_ms
    while start_ms + 1000.0 * BLOCK_S <= last_ms:
        end_ms = start_ms + 1000.0 * BLOCK_S
        hrv = standard_hrv(span_signals(device, start_ms, end_ms))
        spans.append(SpanHrv(BLOCK_SPAN, offset_s + start_ms / 1000.0,
                             offset_s + end_ms / 1000.0, hrv))  # fmt: skip
        start_ms = end_ms
    return spans
