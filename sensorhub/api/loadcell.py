"""Force-plate REST routes of the seed (000): status, start, stop, session data, latest reading.

Each takes ``?device_id=`` (default ``"default"``); start and stop also read it from the body.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query
from pydantic import BaseModel, ConfigDict, Field

from sensorhub.api._deps import ServicesDep
from sensorhub.contracts import DeviceId, iso_time
from sensorhub.presence import DEFAULT_DEVICE

router = APIRouter(prefix="/api", tags=["force plate"])

DeviceQuery = Annotated[DeviceId, Query(description="which force plate")]


class StartTestIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    device_id: DeviceId | None = None
    athlete: str | None = Field(None, max_length=200)
    notes: str | None = Field(None, max_length=5000)


class StopTestIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    device_id: DeviceId | None = None


@router.get("/status")
async def status(services: ServicesDep, device_id: DeviceQuery = DEFAULT_DEVICE) -> dict[str, Any]:
    """Test state of the device, connected clients by role, and every known device."""
    return {**services.plates.status(device_id), "writer_backlog": services.storage.writer.backlog}


@router.post("/start_test")
async def start_test(
    services: ServicesDep,
    body: Annotated[StartTestIn | None, Body()] = None,
    device_id: DeviceQuery = DEFAULT_DEVICE,
) -> dict[str, Any]:
    """Start a test; the esp clients get `{"cmd": "start", "session_id"}`. 409 if one runs."""
    request = body or StartTestIn()
    session = await services.plates.start(
        request.device_id or device_id, request.athlete, request.notes
    )
    return {
        "status": "started",
        "session_id": session.id,
        "device_id": session.device_id,
        "athlete": session.athlete,
        "notes": session.notes,
        "started_at": iso_time(session.started_at),
    }


@router.post("/stop_test")
async def stop_test(
    services: ServicesDep,
    body: Annotated[StopTestIn | None, Body()] = None,
    device_id: DeviceQuery = DEFAULT_DEVICE,
) -> dict[str, Any]:
    """Stop the running test; it saves once the esp has flushed. 409 if none runs."""
    session = await services.plates.stop((body and body.device_id) or device_id)
    return {"status": "stopping", "session_id": session.id, "device_id": session.device_id}


@router.get("/session_data")
async def session_data(
    services: ServicesDep, device_id: DeviceQuery = DEFAULT_DEVICE
) -> dict[str, Any]:
    """Samples `{t, l, r}` of the running test, or of the device's most recent one."""
    return await services.plates.session_data(device_id)


@router.get("/latest_reading")
async def latest_reading(
    services: ServicesDep, device_id: DeviceQuery = DEFAULT_DEVICE
) -> dict[str, Any]:
    """The last sample `{t, l, r, device_id}` the device sent; 404 before the first one."""
    return services.plates.latest(device_id)
