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
from sensorhub.contracts import DeviceId

router = APIRouter(
    prefix="/api", tags=["force plate"], responses=error_responses(*TOKEN_REQUIRED, 422)
)

DeviceQuery = Annotated[
    DeviceId | None, Query(description="which force plate; none: see docs/plates.md")
]


class StartTestIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    device_id: DeviceId | None = None
    athlete: str | None = Field(None, max_length=wire.MAX_ATHLETE_CHARS, pattern=wire.TEXT_PATTERN)
    athlete_id: BodyId | None = Field(None, description="an athlete's id; wins over `athlete`")
    notes: str | None = Field(None, max_length=wire.MAX_NOTES_CHARS, pattern=wire.TEXT_PATTERN)
    test_type: wire.TestTypeName = Field("imtp", description="what the test is of (docs/jumps.md)")
    drop_height_m: float | None = Field(
        None,
        gt=0,
        le=wire.MAX_DROP_HEIGHT_M,
        description="box height; used by drop_jump and drop_landing",
    )


class RunningTestOut(BaseModel):
    """The plate's test while it runs or flushes: enough to rebuild a page opened mid-test."""

    session_id: int
    athlete: str | None
    athlete_id: int | None
    notes: str | None
    test_type: wire.TestTypeName
    drop_height_m: float | None
    started_at: str = Field(description="ISO-8601 UTC, the server's clock")
    elapsed_s: float = Field(description="seconds since the start on the server's clock, now")
    sample_count: int = Field(description="samples recorded in the test so far")
    peak_force_n: float | None = Field(
        description="highest total force (left + right, N, the test's calibration) so far; "
        "null before the first sample"
    )


class ClientsOut(BaseModel):
    esp: int
    browser: int
    flutter: int
    other: int


class DeviceOut(BaseModel):
    device_id: str
    state: str = Field(description="idle, running or flushing")
    session_id: int | None
    esp_connected: bool
    sample_count: int
    latest: dict[str, float] | None = Field(
        description="its last sample {t, l, r} (raw units); null: never heard from here"
    )


class StatusOut(BaseModel):
    test_running: bool
    state: str = Field(description="idle, running or flushing")
    session_id: int | None
    device_id: str
    esp_connected: bool
    clients: ClientsOut
    sample_count: int
    test: RunningTestOut | None = Field(description="null while the plate is idle")
    devices: list[DeviceOut] = Field(description="every plate this server holds state for")
    writer_backlog: int


class StopTestIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    device_id: DeviceId | None = None


@router.get("/status", response_model=None, responses={200: {"model": StatusOut}})
async def status(services: ServicesDep, device_id: DeviceQuery = None) -> dict[str, Any]:
    """Test state of the device, connected clients by role, and every known device."""
    plate = await services.desk.addressed(device_id)
    backlog = services.storage.writer.backlog
    return {**await services.desk.status(plate), "writer_backlog": backlog}


@router.post("/start_test", responses=error_responses(404, 409, 503, *JSON_BODY))
async def start_test(
    services: ServicesDep,
    body: Annotated[StartTestIn | None, Body()] = None,
    device_id: DeviceQuery = None,
) -> dict[str, Any]:
    """Start a test; the esp clients get `{"cmd": "start", "session_id"}`. 409 if one runs."""
    request = body or StartTestIn()
    plate = await services.desk.addressed(request.device_id or device_id)
    return await services.desk.start(
        plate,
        request.athlete,
        request.notes,
        request.athlete_id,
        request.test_type,
        request.drop_height_m,
    )


@router.post("/stop_test", responses=error_responses(409, 503, *JSON_BODY))
async def stop_test(
    services: ServicesDep,
    body: Annotated[StopTestIn | None, Body()] = None,
    device_id: DeviceQuery = None,
) -> dict[str, Any]:
    """Stop the running test; it saves once the esp has flushed. 409 if none runs."""
    plate = await services.desk.addressed((body and body.device_id) or device_id)
    return await services.desk.stop(plate)


@router.get("/session_data", responses=error_responses(410, 503))
async def session_data(services: ServicesDep, device_id: DeviceQuery = None) -> dict[str, Any]:
    """Samples `{t, l, r}` of the running test, or of the device's most recent one; 410
    `samples_removed` when retention removed that one's samples."""
    return await services.desk.session_data(await services.desk.addressed(device_id))


@router.get("/latest_reading", responses=error_responses(404))
async def latest_reading(services: ServicesDep, device_id: DeviceQuery = None) -> dict[str, Any]:
    """The last sample `{t, l, r, device_id}` the device sent; 404 before the first one."""
    return await services.desk.latest(await services.desk.addressed(device_id))
