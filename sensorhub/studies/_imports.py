"""A recording made elsewhere (an Empatica E4 export) becomes a study session: its samples go
through the signal contract and the same pipeline as live batches (stored, windowed, scored),
each batch received, as far as the session is concerned, when its last sample was taken."""

from __future__ import annotations

from dataclasses import dataclass

from sensorhub.contracts import validate
from sensorhub.errors import StudyRunning, ValidationError
from sensorhub.physio.batch import ACC
from sensorhub.physio.e4 import E4Channel, E4Recording
from sensorhub.physio.study import LABEL, PHASE, PHASES, Mark, StudySession
from sensorhub.signals import SignalBatchIn, SignalPipeline
from sensorhub.storage import Storage
from sensorhub.types import JSONDict

# Samples per batch: within the contract's 60 s, and short enough that a window's end is
# never more than this far from the batch that completes it.
BATCH_S = 30.0
# How long an import waits for its last windows to be computed.
SETTLE_S = 120.0
TAG = "tag"
STOP_AFTER_S = 0.001


@dataclass(frozen=True, slots=True)
class ImportedSession:
    session: StudySession
    batches: int
    phases: int
    labels: int


async def import_recording(
    storage: Storage,
    signals: SignalPipeline,
    device_id: str,
    participant: str,
    recording: E4Recording,
    phases: list[str],
) -> ImportedSession:
    """``phases``: the phase each tag begins, in order (``tags`` beyond them become labels
    named ``tag``, valued by their number); none: every tag is a label."""
    _check_phases(phases, len(recording.tags))
    # Every batch is checked before anything is stored: a bad file leaves no session behind.
    batches = [validate(SignalBatchIn, p).to_batch() for p in batch_payloads(device_id, recording)]
    start = recording.start_s()
    session_id = await storage.studies.create(
        StudySession(device_id, participant, start, notes="imported from an Empatica E4 export")
    )
    if session_id is None:
        raise StudyRunning(f"a study session is recording {device_id!r}; stop it first")
    marks = [
        Mark(session_id, PHASE, phases[i], None, at)
        if i < len(phases)
        else Mark(session_id, LABEL, TAG, str(i + 1), at)
        for i, at in enumerate(recording.tags)
    ]
    for mark in marks:
        await storage.studies.add_mark(mark)
    for batch in batches:
        await signals.ingest(batch, received_at=batch.end_ms() / 1000.0)
    await signals.settle(SETTLE_S)
    # A session holds what arrived before its stop; the last window ends with the recording.
    await storage.studies.stop(session_id, recording.end_s() + STOP_AFTER_S)
    found = await storage.studies.get(session_id)
    assert found is not None  # created above; sessions are never deleted
    return ImportedSession(found[0], len(batches), min(len(phases), len(marks)),
                           max(len(marks) - len(phases), 0))  # fmt: skip


def imported_device_id(participant: str, recording: E4Recording) -> str:
    """``e4:<participant>:<start>``: two recordings never share a device's batch numbers."""
    return f"e4:{participant[:48]}:{int(recording.start_s())}"


def _check_phases(phases: list[str], tags: int) -> None:
    unknown = [p for p in phases if p not in PHASES or p == "custom"]
    if unknown:
        raise ValidationError(f"phases: {unknown[0]!r} is not one of {', '.join(PHASES[:-1])}")
    if len(phases) > tags:
        raise ValidationError(f"phases: {len(phases)} phases named but only {tags} tags")


def batch_payloads(device_id: str, recording: E4Recording) -> list[JSONDict]:
    """The recording as signal batches of ``BATCH_S``; device time is Unix ms. Channels that
    start together share batches; the E4 may start them apart, then each has its own."""
    pieces: dict[float, JSONDict] = {}
    for name, channel in recording.channels.items():
        for t0_ms, piece in _pieces(name, channel):
            pieces.setdefault(t0_ms, {})[name] = piece
    return [
        {"device_id": device_id, "seq": seq, "t0": t0_ms, **channels}
        for seq, (t0_ms, channels) in enumerate(sorted(pieces.items()))
    ]


def _pieces(name: str, channel: E4Channel) -> list[tuple[float, JSONDict]]:
    size = round(BATCH_S * channel.hz)
    out = []
    for first in range(0, len(channel.values), size):
        values = channel.values[first : first + size]
        t0_ms = round(1000.0 * channel.start_s + 1000.0 * first / channel.hz, 3)
        if name == ACC:
            x, y, z = values.T.tolist()
            out.append((t0_ms, {"hz": channel.hz, "x": x, "y": y, "z": z}))
        else:
            out.append((t0_ms, {"hz": channel.hz, "values": values.tolist()}))
    return out
