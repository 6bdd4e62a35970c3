"""Wearable signals past their raw retention: per-minute aggregates, as JSON and CSV, each
saying what they are (docs/operations.md#retention)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse

from sensorhub.api._deps import ServicesDep
from sensorhub.api._errors import TOKEN_REQUIRED, error_responses
from sensorhub.api.biometrics import TimeParam
from sensorhub.contracts import DeviceId, iso_time
from sensorhub.signals import csv_text
from sensorhub.storage import MinuteRecord

router = APIRouter(
    prefix="/api/wearable", tags=["wearable signals"],
    responses=error_responses(*TOKEN_REQUIRED, 422, 503),
)  # fmt: skip
AGGREGATE = (
    "per-minute aggregates (mean, min, max, count) of values that are no longer stored: raw "
    "signals per channel, acceleration per axis (retain_raw_signals_days), and readings as "
    "reading_* channels (retain_readings_days)"
)
MINUTE_COLUMNS = ("minute_utc", "device_id", "channel", "mean", "min", "max", "count")
# Rows one answer holds: a day of one wearable's five channels.
MAX_MINUTES = 7_200


@router.get("/signal-minutes")
async def list_signal_minutes(
    services: ServicesDep,
    device_id: DeviceId | None = None,
    since: TimeParam = None,
    until: TimeParam = None,
    limit: Annotated[int, Query(ge=1, le=MAX_MINUTES)] = 1000,
) -> dict[str, Any]:
    """Aggregates for minutes in [since, until), oldest first; ``raw_from``: when the oldest
    raw signal still stored arrived (GET signals.csv serves raw values from there on)."""
    retention = services.storage.retention
    records = await retention.minutes(device_id, since, until, limit)
    oldest = await retention.oldest_raw(device_id)
    return {
        "status": "success",
        "aggregate": AGGREGATE,
        "raw_from": None if oldest is None else iso_time(oldest),
        "data": [_payload(record) for record in records],
    }


@router.get("/signal-minutes.csv", response_class=StreamingResponse)
async def export_signal_minutes(
    services: ServicesDep,
    device_id: DeviceId | None = None,
    since: TimeParam = None,
    until: TimeParam = None,
) -> StreamingResponse:
    """The same as CSV; its first line says these are aggregates."""
    records = await services.storage.retention.minutes(device_id, since, until, MAX_MINUTES)
    rows = (
        (iso_time(r.minute), r.device_id, r.channel, r.mean, r.min, r.max, r.count) for r in records
    )
    text = f"# {AGGREGATE}\n" + csv_text(rows, MINUTE_COLUMNS)
    headers = {"Content-Disposition": 'attachment; filename="signal-minutes.csv"'}
    return StreamingResponse(iter([text]), media_type="text/csv", headers=headers)


def _payload(record: MinuteRecord) -> dict[str, Any]:
    return {
        "minute": iso_time(record.minute),
        "device_id": record.device_id,
        "channel": record.channel,
        "mean": record.mean,
        "min": record.min,
        "max": record.max,
        "count": record.count,
    }
