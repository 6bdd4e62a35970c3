"""The framework's own limit for ``POST /api/sensor-data``: a bare FastAPI app.

It parses the same JSON into a pydantic model with the same numeric rules and answers the
same response shape, with nothing behind it (no middleware, storage, model or broadcast).
Run as ``python -m bench.bare_app --port PORT``, like the server: uvicorn, no access log.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import FastAPI
from pydantic import BaseModel, Field

from bench._baseline import serve

Number = Annotated[float, Field(strict=True, allow_inf_nan=False, ge=-1e9, le=1e9)]


class Acceleration(BaseModel):
    x: Number
    y: Number
    z: Number


class Reading(BaseModel):
    bvp: Number
    temperature: Number
    acceleration: Acceleration
    device_id: str = Field("default", min_length=1, max_length=64)
    timestamp: int | float | str | None = None


app = FastAPI()
_next_id = 0


@app.get("/api/health")
async def health() -> dict[str, str]:
    return {"status": "healthy"}


@app.post("/api/sensor-data")
async def sensor_data(reading: Reading) -> dict[str, Any]:
    global _next_id
    _next_id += 1
    acc = reading.acceleration
    data = {
        "bvp": reading.bvp,
        "temperature": reading.temperature,
        "acceleration_magnitude": round((acc.x**2 + acc.y**2 + acc.z**2) ** 0.5, 4),
        "prediction": "Calm",
        "timestamp": datetime.fromtimestamp(time.time(), UTC).isoformat(timespec="milliseconds"),
        "stress_probability": 0.0,
        "device_id": reading.device_id,
        "device_timestamp": None if reading.timestamp is None else str(reading.timestamp),
        "id": _next_id,
    }
    return {"status": "success", "message": "Data processed and broadcasted", "data": data}


if __name__ == "__main__":
    serve(app)
