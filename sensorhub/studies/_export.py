"""A study session as one zip: signals, windows, phases and labels as CSV files, or as
Parquet files (the ``[research]`` extra: pyarrow), each ready for ``pandas.read_csv`` /
``pandas.read_parquet``."""

from __future__ import annotations

import importlib.util
import io
import json
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import IO

from sensorhub.contracts import iso_time
from sensorhub.errors import ValidationError
from sensorhub.physio import window_analysis
from sensorhub.physio.spans import span_signals
from sensorhub.physio.study import (
    LABEL,
    Mark,
    PhaseSpan,
    StudySession,
    phase_containing,
    phase_spans,
)
from sensorhub.signals import SIGNAL_COLUMNS, WINDOW_COLUMNS, signal_rows, window_row
from sensorhub.spreadsheet import CsvWriter
from sensorhub.storage import StoredBatch, WindowRecord
from sensorhub.studies._hrv import HRV_COLUMNS, session_hrv

FORMATS = ("csv", "parquet")
PHASE_COLUMNS = ("phase", "custom_name", "start", "end")
LABEL_COLUMNS = ("at", "name", "value")
# Each window with the phase it lies wholly inside (empty when it spans two).
SESSION_WINDOW_COLUMNS = (*WINDOW_COLUMNS, "phase")
# The NN series of the whole session: one row per interval, ending at its beat; ``corrected``:
# either of its beats was inserted or moved by the beat correction (docs/signals.md).
NN_COLUMNS = ("run", "beat_ms", "time_utc", "nn_ms", "corrected")


@dataclass(frozen=True, slots=True)
class SessionData:
    session: StudySession
    marks: list[Mark]
    batches: list[StoredBatch]
    windows: list[WindowRecord]  # oldest first
    now: float  # when the data was read: a running session's phase ends here


def require_format(name: str) -> None:
    if name == "parquet" and importlib.util.find_spec("pyarrow") is None:
        raise ValidationError(
            "format: parquet needs the [research] extra (pyarrow) installed on the server"
        )


def session_zip(data: SessionData, file_format: str, out: IO[bytes]) -> None:
    """Write the zip into ``out``; CPU-bound, so the caller runs it in a worker thread. CSV
    tables are written a row at a time (a day of signals is never one list or one string);
    a Parquet table is built whole, as pyarrow writes it."""
    spans = phase_spans(data.marks, data.session.stopped_at)
    tables: dict[str, tuple[Sequence[str], Iterable[tuple[object, ...]]]] = {
        "signals": (SIGNAL_COLUMNS, (r for b in data.batches for r in signal_rows(b))),
        "windows": (SESSION_WINDOW_COLUMNS, (
            (*window_row(w, omit_demo=True), window_phase(w, spans)) for w in data.windows)),
        "nn": (NN_COLUMNS, nn_rows(data.batches)),
        "phases": (PHASE_COLUMNS, _phase_rows(data)),
        "labels": (LABEL_COLUMNS, [(iso_time(m.at), m.name, m.value)
                                   for m in data.marks if m.kind == LABEL]),
        "hrv": (HRV_COLUMNS, [span.row() for span in session_hrv(
            data.session, data.marks, data.batches, data.now)]),
    }  # fmt: skip
    write = _parquet if file_format == "parquet" else _csv
    started, stopped = data.session.started_at, data.session.stopped_at
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        session = {**asdict(data.session), "format": file_format,
                   "started_at_utc": iso_time(started),
                   "stopped_at_utc": None if stopped is None else iso_time(stopped)}  # fmt: skip
        archive.writestr("session.json", json.dumps(session, indent=2))
        for name, (columns, rows) in tables.items():
            with archive.open(f"{name}.{file_format}", "w") as entry:
                write(columns, rows, entry)


def window_phase(record: WindowRecord, spans: list[PhaseSpan]) -> str | None:
    """The phase a window lies wholly inside on the server's clock (``at`` is its end)."""
    length_s = (record.end_ms - record.start_ms) / 1000.0
    return phase_containing(spans, record.at - length_s, record.at)


def clock_origin(batches: Sequence[StoredBatch]) -> tuple[float, float]:
    """The first sample's device time (ms) and its wall-clock time (s): a batch arrived as its
    last sample was taken (docs/signals.md); the least delayed batch places device time."""
    first_ms = min(s.batch.t0_ms for s in batches)
    offset_s = min(s.received_at - s.batch.end_ms() / 1000.0 for s in batches)
    return first_ms, offset_s + first_ms / 1000.0


def nn_rows(batches: Sequence[StoredBatch]) -> list[tuple[object, ...]]:
    """The corrected NN series of every stored sample (runs split where beats were left out)."""
    if not batches:
        return []
    _, nn = window_analysis(span_signals([s.batch for s in batches]))
    if nn is None:
        return []
    first_ms, first_s = clock_origin(batches)
    rows: list[tuple[object, ...]] = []
    for run, (beats, touched) in enumerate(zip(nn.beat_runs, nn.touched_runs, strict=True)):
        times = beats.tolist()
        for k in range(1, len(times)):
            corrected = bool(touched[k] or touched[k - 1])
            rows.append((run, first_ms + 1000.0 * times[k], iso_time(first_s + times[k]),
                         1000.0 * (times[k] - times[k - 1]), corrected))  # fmt: skip
    return rows


def _phase_rows(data: SessionData) -> list[tuple[object, ...]]:
    spans = phase_spans(data.marks, data.session.stopped_at)
    return [
        (s.name, s.value, iso_time(s.start), None if s.end is None else iso_time(s.end))
        for s in spans
    ]


def _csv(columns: Sequence[str], rows: Iterable[Sequence[object]], out: IO[bytes]) -> None:
    text = io.TextIOWrapper(out, encoding="utf-8", newline="")
    writer = CsvWriter(text)
    writer.writerow(columns)
    writer.writerows(rows)
    text.flush()
    text.detach()  # the zip entry is closed by its own ``with``


def _parquet(columns: Sequence[str], rows: Iterable[Sequence[object]], out: IO[bytes]) -> None:
    import pyarrow as pa  # the optional [research] extra, imported only when asked for
    import pyarrow.parquet as pq

    table = list(rows)
    by_column = {name: [row[i] for row in table] for i, name in enumerate(columns)}
    buffer = io.BytesIO()
    pq.write_table(pa.table(by_column), buffer)
    out.write(buffer.getvalue())
