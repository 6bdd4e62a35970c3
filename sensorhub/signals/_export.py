"""Signals and windows as CSV rows (one layout for the route exports and the study zip).

Numbers are written with Python's ``repr``, the shortest text that reads back as the same
float64: the export is exact.
"""

from __future__ import annotations

import io
from collections.abc import AsyncIterator, Iterable, Iterator, Sequence

from sensorhub.biometrics import is_demo_model
from sensorhub.contracts import iso_time
from sensorhub.physio import ACC, FEATURE_NAMES
from sensorhub.spreadsheet import CsvWriter
from sensorhub.storage import StoredBatch, WindowRecord

# t_ms: the device's clock; time_utc: the same sample on the wall clock (UTC, ISO 8601).
SIGNAL_COLUMNS = ("device_id", "boot", "seq", "channel", "hz", "t_ms", "time_utc", "value")
WINDOW_COLUMNS = (
    "id", "device_id", "start_ms", "end_ms", "at", "quality", "reason", "beats", "sqi",
    "usable_beats", "corrected_beats", "motion_beats", *FEATURE_NAMES,
    "stress_probability", "prediction", "model", "demo",
)  # fmt: skip
_AXES = ("acc_x", "acc_y", "acc_z")


def signal_rows(stored: StoredBatch) -> Iterator[tuple[object, ...]]:
    """One row per value: acceleration as three channels acc_x, acc_y, acc_z. A sample's wall
    clock time: the batch arrived as its last sample was taken (as a window's ``at``)."""
    batch = stored.batch
    end_ms = batch.end_ms()
    for name, samples in batch.channels.items():
        step_ms = 1000.0 / samples.hz
        columns = [(axis, samples.values[:, i]) for i, axis in enumerate(_AXES)] if name == ACC \
            else [(name, samples.values)]  # fmt: skip
        for channel, values in columns:
            for index, value in enumerate(values.tolist()):
                t_ms = batch.t0_ms + index * step_ms
                wall = iso_time(stored.received_at - (end_ms - t_ms) / 1000.0)
                yield batch.device_id, batch.boot, batch.seq, channel, samples.hz, t_ms, wall, value


def window_row(record: WindowRecord, omit_demo: bool = False) -> tuple[object, ...]:
    """A window's row; ``demo`` says its prediction is a bundled demo model's. With
    ``omit_demo`` (study exports) such a prediction is left out: only the model's name stays."""
    f = record.features.as_dict()
    head = (record.id, record.device_id, record.start_ms, record.end_ms, iso_time(record.at))
    body = tuple(f[name] for name in WINDOW_COLUMNS[5:-4])
    demo = is_demo_model(record.model)
    rated = (None, None) if demo and omit_demo else (record.stress_probability, record.prediction)
    return (*head, *body, *rated, record.model, demo)


def csv_text(rows: Iterable[Sequence[object]], header: Sequence[str] | None = None) -> str:
    buffer = io.StringIO()
    writer = CsvWriter(buffer)
    if header is not None:
        writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


async def signal_csv(pages: AsyncIterator[Sequence[StoredBatch]]) -> AsyncIterator[str]:
    """The CSV text of every stored batch, page by page (streamed, never all in memory)."""
    yield csv_text([], SIGNAL_COLUMNS)
    async for page in pages:
        yield csv_text(row for stored in page for row in signal_rows(stored))
