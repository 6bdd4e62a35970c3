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
from sensorhub.physio.study import LABEL, Mark, StudySession, phase_spans
from sensorhub.signals import SIGNAL_COLUMNS, WINDOW_COLUMNS, signal_rows, window_row
from sensorhub.spreadsheet import CsvWriter
from sensorhub.storage import StoredBatch, WindowRecord
from sensorhub.studies._hrv import HRV_COLUMNS, session_hrv

FORMATS = ("csv", "parquet")
PHASE_COLUMNS = ("phase", "custom_name", "start", "end")
LABEL_COLUMNS = ("at", "name", "value")


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
    tables: dict[str, tuple[Sequence[str], Iterable[tuple[object, ...]]]] = {
        "signals": (SIGNAL_COLUMNS, (r for b in data.batches for r in signal_rows(b))),
        "windows": (WINDOW_COLUMNS, (window_row(w, omit_demo=True) for w in data.windows)),
        "phases": (PHASE_COLUMNS, _phase_rows(data)),
        "labels": (LABEL_COLUMNS, [(iso_time(m.at), m.name, m.value)
                                   for m in data.marks if m.kind == LABEL]),
        "hrv": (HRV_COLUMNS, [span.row() for span in session_hrv(
            data.session, data.marks, data.batches, data.now)]),
    }  # fmt: skip
    write = _parquet if file_format == "parquet" else _csv
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        session = {**asdict(data.session), "format": file_format}
        archive.writestr("session.json", json.dumps(session, indent=2))
        for name, (columns, rows) in tables.items():
            with archive.open(f"{name}.{file_format}", "w") as entry:
                write(columns, rows, entry)


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
