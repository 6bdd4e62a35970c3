"""A study session for the lab's archive: BIDS physiological recordings and EDF+.

BIDS (Brain Imaging Data Structure 1.10, "Physiological recordings"): one
``*_recording-<channel>_physio.tsv.gz`` per sampling rate (no header row) with a JSON sidecar
whose required fields are ``SamplingFrequency``, ``StartTime`` (s, from the session's first
sample) and ``Columns``; the phases and labels as ``*_events.tsv`` (onset, duration,
trial_type, value); ``dataset_description.json`` (Name, BIDSVersion) and ``participants.tsv``.

EDF+ (Kemp & Olivan 2003, "European data format 'plus' (EDF+)", Clin Neurophysiol
114:1755–1761): 16-bit samples scaled per signal from physical to digital limits, records of
one second (so each rate must be a whole number of samples per second: 64, 4, 32 Hz are), and
an "EDF Annotations" signal holding the phases and labels as time-stamped annotation lists.
"""

from __future__ import annotations

import gzip
import io
import json
import math
import time
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from sensorhub.contracts import iso_time
from sensorhub.errors import NotFoundError
from sensorhub.physio import ACC, BVP, TEMPERATURE, FloatArray
from sensorhub.physio.spans import span_signals
from sensorhub.physio.study import LABEL, phase_spans
from sensorhub.storage import StoredBatch
from sensorhub.studies._export import SessionData, clock_origin

BIDS_VERSION = "1.10.0"
_EVENT_COLUMNS = {
    "trial_type": {"Description": "phase: a protocol phase (lasting duration s); label: a "
                   "self-report or a tag of the wristband's button (a moment)"},
    "value": {"Description": "the phase's name, or the label's question=answer"},
}  # fmt: skip
_README = (
    "A study session exported by sensorhub: a wrist-worn wearable's blood volume pulse, skin\n"
    "temperature and acceleration (beh/*_physio.tsv.gz), with the protocol's phases and the\n"
    "participant's labels (beh/*_events.tsv). Times are seconds from the first sample;\n"
    "AcquisitionTime in each physio sidecar is that sample's UTC time.\n"
)
_UNITS = {BVP: "n/a", TEMPERATURE: "degC", ACC: "g"}
_COLUMNS = {BVP: ["bvp"], TEMPERATURE: ["skin_temperature"], ACC: ["acc_x", "acc_y", "acc_z"]}


@dataclass(frozen=True, slots=True, eq=False)
class _Channel:
    name: str
    hz: float
    values: FloatArray  # (n, columns); NaN where nothing arrived


@dataclass(frozen=True, slots=True)
class _Event:
    onset_s: float  # from the first sample
    duration_s: float
    kind: str  # phase or label
    text: str


def _channels(batches: Sequence[StoredBatch]) -> list[_Channel]:
    signals = span_signals([s.batch for s in batches])
    out = []
    for name in (BVP, TEMPERATURE, ACC):
        channel = getattr(signals, name)
        if channel is not None:
            values = channel.values.reshape(len(channel.values), -1)
            out.append(_Channel(name, channel.hz, values))
    return out


def _events(data: SessionData, start_s: float) -> list[_Event]:
    until = data.session.stopped_at or data.now
    events = [
        _Event(s.start - start_s, (s.end or until) - s.start, "phase", s.value or s.name)
        for s in phase_spans(data.marks, data.session.stopped_at)
    ]
    events += [
        _Event(m.at - start_s, 0.0, "label", f"{m.name}={m.value}")
        for m in data.marks
        if m.kind == LABEL
    ]
    return sorted(events, key=lambda e: e.onset_s)


def bids_zip(data: SessionData, task: str = "stress") -> bytes:
    """The session as a BIDS dataset of one participant and session (zip bytes)."""
    if not data.batches:
        return _zip({"dataset_description.json": _description()})
    _, start_s = clock_origin(data.batches)
    subject = "".join(c for c in data.session.participant if c.isalnum())
    stem = (
        f"sub-{subject}/ses-{data.session.id}/beh/sub-{subject}_ses-{data.session.id}_task-{task}"
    )
    files: dict[str, str | bytes] = {
        "dataset_description.json": _description(),
        "participants.tsv": f"participant_id\nsub-{subject}\n",
        f"{stem}_events.tsv": _events_tsv(_events(data, start_s)),
        f"{stem}_events.json": json.dumps(_EVENT_COLUMNS, indent=2),
        "README": _README,
    }
    for channel in _channels(data.batches):
        columns = _COLUMNS[channel.name]
        body = "".join("\t".join(_cell(v) for v in row) + "\n" for row in channel.values.tolist())
        files[f"{stem}_recording-{channel.name}_physio.tsv.gz"] = gzip.compress(
            body.encode(), mtime=0
        )
        files[f"{stem}_recording-{channel.name}_physio.json"] = json.dumps({
            "SamplingFrequency": channel.hz,
            "StartTime": 0.0,
            "Columns": columns,
            **{c: {"Units": _UNITS[channel.name]} for c in columns},
            "AcquisitionTime": iso_time(start_s),
            "Manufacturer": "sensorhub wearable",
            "PhysioType": "generic",
            "TaskName": task,
        }, indent=2)  # fmt: skip
    return _zip(files)


def _cell(value: float) -> str:
    return "n/a" if math.isnan(value) else repr(value)


def _description() -> str:
    return json.dumps({"Name": "sensorhub study session", "BIDSVersion": BIDS_VERSION,
                       "DatasetType": "raw"}, indent=2)  # fmt: skip


def _events_tsv(events: list[_Event]) -> str:
    rows = ["onset\tduration\ttrial_type\tvalue"]
    rows += [f"{e.onset_s:.3f}\t{e.duration_s:.3f}\t{e.kind}\t{e.text}" for e in events]
    return "\n".join(rows) + "\n"


def _zip(files: Mapping[str, str | bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


# EDF+ ---------------------------------------------------------------------------------------
_DIGITAL = (-32768, 32767)
_ANNOTATION_BYTES = 120  # per one-second record: room for a few annotations each second


def edf_bytes(data: SessionData) -> bytes:
    """The session as one EDF+C file: BVP, skin temperature, acceleration x/y/z, and the phases
    and labels as annotations (onsets from the first sample)."""
    if not data.batches:
        raise NotFoundError(f"session {data.session.id} has no signals to export")
    _, start_s = clock_origin(data.batches)
    channels = _channels(data.batches)
    seconds = max(math.floor(len(c.values) / c.hz) for c in channels)
    signals: list[tuple[str, str, int, FloatArray]] = []
    for channel in channels:
        per_record = round(channel.hz)
        for i, label in enumerate(_COLUMNS[channel.name]):
            values = channel.values[: seconds * per_record, i]
            values = np.pad(values, (0, seconds * per_record - len(values)), constant_values=np.nan)
            signals.append((label, _UNITS[channel.name], per_record, values))
    notes = _annotation_records(_events(data, start_s), seconds)
    header = _edf_header(data, start_s, seconds, signals)
    body = bytearray()
    scaled = [(_scale(values), n) for _, _, n, values in signals]
    for record in range(seconds):
        for (digital, _), (_, _, n, _) in zip(scaled, signals, strict=True):
            body += digital[record * n : (record + 1) * n].astype("<i2").tobytes()
        body += notes[record]
    return header + bytes(body)


def _limits(values: FloatArray) -> tuple[float, float]:
    present = values[np.isfinite(values)]
    if len(present) == 0:
        return -1.0, 1.0
    low, high = float(np.min(present)), float(np.max(present))
    return (low - 1.0, high + 1.0) if low == high else (low, high)


def _scale(values: FloatArray) -> np.ndarray:
    low, high = _limits(values)
    d_low, d_high = _DIGITAL
    filled = np.where(np.isfinite(values), values, low)  # a gap reads as the lowest value
    return np.rint(d_low + (filled - low) * (d_high - d_low) / (high - low)).astype(np.int64)


def _field(text: str, width: int) -> bytes:
    return text.encode("ascii", "replace")[:width].ljust(width)


def _number(value: float) -> str:
    """A number in at most 8 characters, as EDF's header fields are."""
    for digits in range(6, -1, -1):
        text = f"{value:.{digits}f}"
        if len(text) <= 8:
            return text
    return f"{value:.0f}"[:8]


def _edf_header(
    data: SessionData, start_s: float, seconds: int,
    signals: list[tuple[str, str, int, FloatArray]],
) -> bytes:  # fmt: skip
    tm = time.gmtime(start_s)
    subject = "".join(c for c in data.session.participant if c.isalnum()) or "X"
    count = len(signals) + 1
    head = b"".join([
        _field("0", 8),
        _field(f"{subject} X X X", 80),  # EDF+: code, sex, birthdate, name (X: unknown)
        _field(f"Startdate {time.strftime('%d-%b-%Y', tm).upper()} X X sensorhub", 80),
        _field(time.strftime("%d.%m.%y", tm), 8),
        _field(time.strftime("%H.%M.%S", tm), 8),
        _field(str(256 * (count + 1)), 8),
        _field("EDF+C", 44),
        _field(str(seconds), 8),
        _field("1", 8),
        _field(str(count), 4),
    ])  # fmt: skip
    labels = [s[0] for s in signals] + ["EDF Annotations"]
    limits = [_limits(s[3]) for s in signals] + [(-1.0, 1.0)]
    columns = [
        [_field(label, 16) for label in labels],
        [_field("", 80) for _ in labels],  # transducer
        [_field(s[1], 8) for s in signals] + [_field("", 8)],
        [_field(_number(low), 8) for low, _ in limits],
        [_field(_number(high), 8) for _, high in limits],
        [_field(str(_DIGITAL[0]), 8) for _ in labels],
        [_field(str(_DIGITAL[1]), 8) for _ in labels],
        [_field("", 80) for _ in labels],  # prefiltering
        [_field(str(s[2]), 8) for s in signals] + [_field(str(_ANNOTATION_BYTES // 2), 8)],
        [_field("", 32) for _ in labels],
    ]
    return head + b"".join(b"".join(column) for column in columns)


def _annotation_records(events: list[_Event], seconds: int) -> list[bytes]:
    """Each record's time-keeping annotation (+t\\x14\\x14\\0), then the events in that
    second; an event before the first sample is placed at 0."""
    records = []
    for second in range(seconds):
        text = f"+{second}\x14\x14\x00".encode()
        for e in events:
            onset = max(e.onset_s, 0.0)
            if math.floor(onset) == second or (second == seconds - 1 and onset >= seconds):
                duration = f"\x15{e.duration_s:.3f}" if e.duration_s > 0 else ""
                note = f"+{onset:.3f}{duration}\x14{e.kind}: {e.text}\x14\x00"
                # A whole annotation or none: a cut one would not parse.
                if len(text) + len(note) <= _ANNOTATION_BYTES:
                    text += note.encode("ascii", "replace")
        records.append(text.ljust(_ANNOTATION_BYTES, b"\x00"))
    return records
