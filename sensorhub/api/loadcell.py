"""Force-plate REST routes of the seed (000): status, start, stop, session data, latest reading.

Each takes ``?device_id=``; start and stop also read it from the body. Without one, a
request addresses the only plate with an esp connected, else ``default`` (docs/plates.md).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query
from pydantic import BaseModel, ConfigDict, Field

from sensorhub import wire
from sensorhub.api._deps import ServicesDep
from sensorhub.api._errors import JSON_BODY, TOKEN_REQUIRED, error_responses
from sensorhub.api._params import BodyId
from sensorhub.contracts import DeviceId, iso_time

router = APIRouter(
    prefix="/api", tags=["force plate"], responses=error_responses(*TOKEN_REQUIRED, 422)
)

DeviceQuery = Annotated[
    DeviceId | None, Query(description="which force plate; none: see docs/plates.md")
]


class StartTestIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    device_id: DeviceId | None = None
    athlete: str | None = Field(None, max_length=wire.MAX_ATHLETE_CHARS)
    athlete_id: BodyId | None = Field(None, description="an athlete's id; wins over `athlete`")
    notes: str | None = Field(None, max_length=wire.MAX_NOTES_CHARS)


class StopTestIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    device_id: DeviceId | None = None


@router.get("/status")
async def status(services: ServicesDep, device_id: DeviceQuery = None) -> dict[str, Any]:
    """Test state of the device, connected clients by role, and every known device."""
    plate = services.presence.addressed_device(device_id)
    backlog = services.storage.writer.backlog
    return {**services.plates.views.status(plate), "writer_backlog": backlog}


@router.post("/start_test", responses=error_responses(404, 409, 503, *JSON_BODY))
async def start_test(
    services: ServicesDep,
    body: Annotated[StartTestIn | None, Body()] = None,
    device_id: DeviceQuery = None,
) -> dict[str, Any]:
    """Start a test; the esp clients get `{"cmd": "start", "session_id"}`. 409 if one runs."""
    request = body or StartTestIn()
    plate = services.presence.addressed_device(request.device_id or device_id)
    session = await services.plates.recorder.start(
        plate, request.athlete, request.notes, request.athlete_id
    )
    return {
        "status": "started",
        "session_id": session.id,
        "device_id": session.device_id,
        "athlete": session.athlete,
        "athlete_id": session.athlete_id,
        "notes": session.notes,
        "started_at": iso_time(session.started_at),
    }


@router.post("/stop_test", responses=error_responses(409, 503, *JSON_BODY))
async def stop_test(
    services: ServicesDep,
    body: Annotated[StopTestIn | None, Body()] = None,
    device_id: DeviceQuery = None,
) -> dict[str, Any]:
    """Stop the running test; it saves once the esp has flushed. 409 if none runs."""
    plate = services.presence.addressed_device((body and body.device_id) or device_id)
    session = await services.plates.recorder.stop(plate)
    return {"status": "stopping", "session_id": session.id, "device_id": session.device_id}


@router.get("/session_data", responses=error_responses(503))
async def session_data(services: ServicesDep, device_id: DeviceQuery = None) -> dict[str, Any]:
    """Samples `{t, l, r}` of the running test, or of the device's most recent one."""
    return await services.plates.views.session_data(services.presence.addressed_device(device_id))


@router.get("/latest_reading", responses=error_responses(404))
async def latest_reading(services: ServicesDep, device_id: DeviceQuery = None) -> dict[str, Any]:
    """The last sample `{t, l, r, device_id}` the device sent; 404 before the first one."""
    return services.plates.views.latest(services.presence.addressed_device(device_id))
