"""Force-plate devices: calibration (tare, known-mass calibration, direct edit)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from sensorhub.api._deps import ServicesDep
from sensorhub.api._errors import JSON_BODY, TOKEN_REQUIRED, error_responses
from sensorhub.contracts import DeviceId, FiniteNumber

router = APIRouter(
    prefix="/api/devices", tags=["devices"], responses=error_responses(*TOKEN_REQUIRED, 422, 503)
)


class ChannelIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    offset: FiniteNumber = 0.0
    scale: FiniteNumber = Field(1.0, description="newtons per raw unit; 9.81 for kg")


class CalibrationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    l: ChannelIn | None = None  # noqa: E741 - the wire name of the channel
    r: ChannelIn | None = None


class DeviceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    calibration: CalibrationIn


class CalibrateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    channel: Literal["l", "r"]
    # 10 g to 10 t: a calibration weight, not a rounding error or a typo.
    mass_kg: Annotated[FiniteNumber, Field(ge=0.01, le=10_000)] = Field(
        description="the known mass now on that channel"
    )


def _success(summary: dict[str, Any]) -> dict[str, Any]:
    return {"status": "success", "data": summary}


@router.get("/{device_id}")
async def get_device(services: ServicesDep, device_id: DeviceId) -> dict[str, Any]:
    """State and calibration; newtons = (raw − offset) × scale per channel."""
    return _success(await services.desk.summary(device_id))


@router.put("/{device_id}", responses=error_responses(*JSON_BODY))
async def put_device(services: ServicesDep, device_id: DeviceId, body: DeviceIn) -> dict[str, Any]:
    """Set the calibration directly; a channel left out keeps its values."""
    channels = body.calibration.model_dump(exclude_none=True)
    return _success(await services.desk.set_calibration(device_id, channels))


@router.post("/{device_id}/tare", responses=error_responses(409))
async def tare(
    services: ServicesDep,
    device_id: DeviceId,
    confirm: Annotated[
        bool, Query(description="zero it even with a load on it (someone on the plate)")
    ] = False,
) -> dict[str, Any]:
    """Zero both channels at the mean of the last second of live samples (plate unloaded).
    409 `plate_loaded`, naming the load, when the plate reads more than 98 N (10 kg) and
    `confirm` is not set (docs/plates.md#tare-under-load)."""
    return _success(await services.desk.tare(device_id, confirm))


@router.post(
    "/{device_id}/calibrate",
    responses=error_responses(409, *JSON_BODY),
)
async def calibrate(
    services: ServicesDep, device_id: DeviceId, body: CalibrateIn
) -> dict[str, Any]:
    """Scale one channel from a known mass resting on it for the last second."""
    return _success(await services.desk.calibrate(device_id, body.channel, body.mass_kg))
