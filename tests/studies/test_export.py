"""A study export is written a row at a time: the same CSV bytes as one whole-table string,
and memory that does not grow with the number of rows (docs/signals.md)."""

from __future__ import annotations

import io
import tracemalloc
import zipfile
from pathlib import Path

import numpy as np

from sensorhub.physio import samples
from sensorhub.physio.batch import SignalBatch
from sensorhub.physio.study import StudySession
from sensorhub.signals import SIGNAL_COLUMNS, signal_rows
from sensorhub.spreadsheet import CsvWriter
from sensorhub.storage import StoredBatch
from sensorhub.studies._export import SessionData, session_zip
from sensorhub.studies._export import _csv as write_csv

HZ = 64.0
BATCH_S = 0.25
SAMPLES_PER_BATCH = int(HZ * BATCH_S)
T0 = 1_000_000.0


def session_data(batches: int, seed: int = 1) -> SessionData:
    """``batches`` quarter-second BVP batches, one after the other on one device clock, in no
    phase and at most 250 s long: no HRV span is due (its beats need the span's samples at
    once, docs/signals.md), so the export's work is its rows."""
    rng = np.random.default_rng(seed)
    stored = [
        StoredBatch(
            SignalBatch(
                "w",
                seq,
                1000.0 * seq * BATCH_S,
                {"bvp": samples(HZ, rng.normal(size=SAMPLES_PER_BATCH))},
                "b1",
            ),
            T0 + seq * BATCH_S,
        )  # fmt: skip
        for seq in range(batches)
    ]
    session = StudySession("w", "P01", T0, stopped_at=T0 + batches, id=1)
    return SessionData(session, [], stored, [], T0 + batches)


def whole_table_csv(data: SessionData) -> bytes:
    """The signals table as one string, as the export wrote it before it streamed."""
    text = io.StringIO()
    writer = CsvWriter(text)
    writer.writerow(SIGNAL_COLUMNS)
    writer.writerows(row for stored in data.batches for row in signal_rows(stored))
    return text.getvalue().encode()


def test_the_streamed_signals_csv_is_the_whole_table_byte_for_byte() -> None:
    data = session_data(3)
    out = io.BytesIO()
    session_zip(data, "csv", out)
    archive = zipfile.ZipFile(out)
    signals = archive.read("signals.csv")
    assert signals == whole_table_csv(data)
    first = signals.decode().splitlines()[1].split(",")
    value = data.batches[0].batch.channels["bvp"].values[0]
    assert first[:6] == ["w", "b1", "0", "bvp", "64.0", "0.0"]
    assert float(first[7]) == value
    assert len(signals.decode().splitlines()) == 1 + 3 * SAMPLES_PER_BATCH
    assert archive.read("phases.csv").decode().splitlines()[0] == "phase,custom_name,start,end"


def signals_table_peak_bytes(data: SessionData, path: Path) -> int:
    """Peak Python memory of writing the export's signals table into a zip entry, as
    ``session_zip`` does (the input is already held). The whole-session analyses beside it
    (the NN series, 5-minute HRV) read a span's samples at once (docs/signals.md)."""
    rows = (row for stored in data.batches for row in signal_rows(stored))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        tracemalloc.start()
        try:
            with archive.open("signals.csv", "w") as entry:
                write_csv(SIGNAL_COLUMNS, rows, entry)
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()


def test_the_signals_table_memory_does_not_grow_with_the_rows(tmp_path: Path) -> None:
    small, large = session_data(100), session_data(1000)
    rows_added = (len(large.batches) - len(small.batches)) * SAMPLES_PER_BATCH
    grown = signals_table_peak_bytes(large, tmp_path / "large.zip") - signals_table_peak_bytes(
        small, tmp_path / "small.zip"
    )
    # An export that kept its rows would keep at least each row's float64 value (8 bytes;
    # a row tuple or its CSV text is far more: ~300 bytes a row when it built the table
    # whole). Streaming keeps one row, the CSV writer's and zlib's buffers: no growth.
    assert grown < 8 * rows_added, f"{grown / rows_added:.1f} bytes more per row"
