"""Wearable HTTP routes (seed 001): ingest readings, list and export them."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from datetime import UTC, datetime
from typing import Annotated, TypeVar

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, BeforeValidator, WithJsonSchema
from pydantic_core import PydanticCustomError

from sensorhub.api._auth import principal_of
from sensorhub.api._deps import ServicesDep
from sensorhub.api._errors import JSON_BODY, TOKEN_REQUIRED, error_responses
from sensorhub.api._json import FastJSONResponse
from sensorhub.api._lean import LeanJSONRoute
from sensorhub.api._marks import DEVICE_SENDS
from sensorhub.api._params import RowId
from sensorhub.biometrics import is_demo_model
from sensorhub.biometrics.readings import ProcessedReading
from sensorhub.contracts import (
    BatchResponse,
    DeviceId,
    ReadingBatchIn,
    ReadingIn,
    ReadingPage,
    SensorDataResponse,
    iso_time,
    reading_payload,
)
from sensorhub.spreadsheet import CsvWriter
from sensorhub.storage import ReadingQuery

router = APIRouter(
    prefix="/api", tags=["wearable"], responses=error_responses(*TOKEN_REQUIRED, 422, 503)
)
_Endpoint = TypeVar("_Endpoint", bound=Callable[..., Awaitable[JSONResponse]])


def _ingest(path: str, reply: type[BaseModel]) -> Callable[[_Endpoint], _Endpoint]:
    """A POST route on the hot path: FastAPI documents it, a well-formed body skips its
    per-request machinery (errors still take it, so they read exactly as on every route)."""

    def register(endpoint: _Endpoint) -> _Endpoint:
        router.add_api_route(
            path,
            endpoint,
            methods=["POST"],
            response_model=None,
            responses={200: {"model": reply}, **error_responses(*JSON_BODY)},
            openapi_extra=DEVICE_SENDS,
            route_class_override=LeanJSONRoute,
        )
        return endpoint

    return register


CSV_COLUMNS = (
    "id", "device_id", "timestamp", "device_timestamp", "bvp", "temperature",
    "acc_x", "acc_y", "acc_z", "acceleration_magnitude", "stress_probability",
    "prediction", "model", "demo",
)  # fmt: skip


@_ingest("/sensor-data", SensorDataResponse)
async def post_sensor_data(
    reading: ReadingIn, services: ServicesDep, request: Request
) -> JSONResponse:
    """Process one reading: magnitude, prediction, commit, broadcast as `stream`."""
    principal_of(request).require_send_as(reading.device_id)
    [stored] = await services.hub.ingest_readings([reading.to_reading()])
    body = {"status": "success", "message": "Data processed and broadcasted", "data": stored}
    return FastJSONResponse(body)


@_ingest("/sensor-data/batch", BatchResponse)
async def post_sensor_data_batch(
    batch: ReadingBatchIn, services: ServicesDep, request: Request
) -> JSONResponse:
    """Up to 1000 readings, all or nothing: one bad reading rejects the batch, naming its index."""
    principal = principal_of(request)
    for index, reading in enumerate(batch.readings):
        principal.require_send_as(reading.device_id, f"readings[{index}].device_id")
    stored = await services.hub.ingest_readings([r.to_reading() for r in batch.readings])
    return FastJSONResponse({"status": "success", "data": stored})


# The stored times span far less; beyond this a number is a typo (and overflows a datetime).
MAX_EPOCH_S = 1e11


def _epoch_seconds(value: object) -> float:
    """Seconds since the epoch, or an ISO-8601 time (UTC when it has no offset)."""
    text = str(value)
    try:
        seconds = float(text)
    except ValueError:
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            raise PydanticCustomError("time", _TIME_FORMS) from None
        # A time without an offset is taken as UTC, the zone every stored time is in.
        return parsed.timestamp() if parsed.tzinfo else parsed.replace(tzinfo=UTC).timestamp()
    if not -MAX_EPOCH_S <= seconds <= MAX_EPOCH_S:  # NaN fails this too
        raise PydanticCustomError("time", _TIME_FORMS)
    return seconds


_TIME_FORMS = "must be seconds since the epoch (a finite number) or an ISO-8601 time"
TimeParam = Annotated[
    float | None,
    BeforeValidator(_epoch_seconds),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "number", "minimum": -MAX_EPOCH_S, "maximum": MAX_EPOCH_S},
                {"type": "string", "format": "date-time"},
            ]
        }
    ),
    Query(description="seconds since the epoch, or an ISO-8601 time (UTC if no offset)"),
]


@router.get("/readings", response_model=None, responses={200: {"model": ReadingPage}})
async def list_readings(
    services: ServicesDep,
    device_id: DeviceId | None = None,
    since: TimeParam = None,
    until: TimeParam = None,
    before_id: RowId | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> JSONResponse:
    """Stored readings, newest first; page back with `before_id` (out of range: 422)."""
    query = _query(device_id, since, until, before_id, limit)
    page = await services.storage.readings.find(query)
    next_before = page[-1].id if len(page) == limit else None
    body = {"status": "success", "data": [reading_payload(r) for r in page]}
    return FastJSONResponse({**body, "next_before_id": next_before})


@router.get("/readings.csv", response_class=StreamingResponse)
async def export_readings(
    services: ServicesDep,
    device_id: DeviceId | None = None,
    since: TimeParam = None,
    until: TimeParam = None,
) -> StreamingResponse:
    """Every matching reading as CSV, newest first, streamed page by page."""
    query = _query(device_id, since, until, None, 1000)
    pages = services.storage.readings.pages(query)
    headers = {"Content-Disposition": 'attachment; filename="readings.csv"'}
    return StreamingResponse(_csv_lines(pages), media_type="text/csv", headers=headers)


async def _csv_lines(pages: AsyncIterator[Sequence[ProcessedReading]]) -> AsyncIterator[str]:
    buffer = io.StringIO()
    writer = CsvWriter(buffer)
    writer.writerow(CSV_COLUMNS)
    async for page in pages:
        writer.writerows(_csv_row(r) for r in page)
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue()


def _csv_row(r: ProcessedReading) -> tuple[object, ...]:
    return (
        r.id, r.device_id, iso_time(r.received_at), r.device_timestamp, r.bvp, r.temperature,
        r.acc_x, r.acc_y, r.acc_z, r.acceleration_magnitude, r.stress_probability,
        r.prediction, r.model, is_demo_model(r.model),
    )  # fmt: skip


def _query(
    device_id: str | None,
    since: float | None,
    until: float | None,
    before_id: int | None,
    limit: int,
) -> ReadingQuery:
    return ReadingQuery(device_id, since, until, before_id, limit)
