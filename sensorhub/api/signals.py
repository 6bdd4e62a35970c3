"""Wearable signal routes: upload a batch, list and export windows and signals."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, StreamingResponse

from sensorhub.api._auth import principal_of
from sensorhub.api._deps import ServicesDep
from sensorhub.api._errors import JSON_BODY, TOKEN_REQUIRED, error_responses
from sensorhub.api._lean import LeanJSONRoute
from sensorhub.api._marks import DEVICE_SENDS
from sensorhub.api.biometrics import TimeParam
from sensorhub.contracts import DeviceId
from sensorhub.signals import (
    WINDOW_COLUMNS,
    SignalBatchIn,
    SignalResponse,
    csv_text,
    signal_csv,
    window_payload,
    window_row,
)
from sensorhub.storage import WindowQuery

router = APIRouter(
    prefix="/api/wearable", tags=["wearable signals"],
    responses=error_responses(*TOKEN_REQUIRED, 422, 503),
)  # fmt: skip
# The most windows one export holds: a day of one device at the default 5 s step.
MAX_EXPORT_WINDOWS = 17_280


async def post_signals(
    batch: SignalBatchIn, services: ServicesDep, request: Request
) -> JSONResponse:
    """Store a batch of BVP, temperature and acceleration samples (docs/signals.md); a batch
    whose (device_id, seq) is stored already is acknowledged with `duplicate: true`."""
    principal_of(request).require_send_as(batch.device_id)
    ack = await services.hub.ingest_signals(batch.to_batch())
    return JSONResponse({"status": "success", "data": ack})


router.add_api_route(
    "/signals",
    post_signals,
    methods=["POST"],
    response_model=None,
    responses={200: {"model": SignalResponse}, **error_responses(409, *JSON_BODY)},
    openapi_extra=DEVICE_SENDS,
    route_class_override=LeanJSONRoute,
)


@router.get("/windows", response_model=None)
async def list_windows(
    services: ServicesDep,
    device_id: DeviceId | None = None,
    since: TimeParam = None,
    until: TimeParam = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> JSONResponse:
    """Windowed features and predictions, newest first; `since`/`until` on the window's end."""
    records = await services.storage.signals.list_windows(
        WindowQuery(device_id, since, until, limit)
    )
    return JSONResponse({"status": "success", "data": [window_payload(r) for r in records]})


@router.get("/windows.csv", response_class=StreamingResponse)
async def export_windows(
    services: ServicesDep,
    device_id: DeviceId | None = None,
    since: TimeParam = None,
    until: TimeParam = None,
) -> StreamingResponse:
    """The matching windows as CSV, oldest first (at most a day of one device)."""
    query = WindowQuery(device_id, since, until, MAX_EXPORT_WINDOWS)
    records = reversed(await services.storage.signals.list_windows(query))
    headers = {"Content-Disposition": 'attachment; filename="windows.csv"'}
    text = csv_text((window_row(r) for r in records), WINDOW_COLUMNS)
    return StreamingResponse(iter([text]), media_type="text/csv", headers=headers)


@router.get("/signals.csv", response_class=StreamingResponse)
async def export_signals(
    services: ServicesDep,
    device_id: DeviceId | None = None,
    since: TimeParam = None,
    until: TimeParam = None,
) -> StreamingResponse:
    """Every stored sample received in [since, until), one row per value, exact."""
    pages = services.storage.signals.batch_pages(device_id, since, until)
    headers = {"Content-Disposition": 'attachment; filename="signals.csv"'}
    return StreamingResponse(signal_csv(pages), media_type="text/csv", headers=headers)
