"""Wearable signal batches on the server side: the request contracts, the pipeline that stores,
windows and broadcasts them (issue 13), and their CSV export. The maths is in sensorhub.physio."""

from sensorhub.signals._contracts import SignalBatchIn, SignalResponse
from sensorhub.signals._export import (
    SIGNAL_COLUMNS,
    WINDOW_COLUMNS,
    csv_text,
    signal_csv,
    signal_rows,
    window_row,
)
from sensorhub.signals._pipeline import SignalPipeline, window_payload

__all__ = [
    "SIGNAL_COLUMNS",
    "SignalBatchIn",
    "SignalPipeline",
    "SignalResponse",
    "WINDOW_COLUMNS",
    "csv_text",
    "signal_csv",
    "signal_rows",
    "window_payload",
    "window_row",
]
