"""Liveness and what the server is running with."""

from __future__ import annotations

import time

from fastapi import APIRouter

from sensorhub import __version__
from sensorhub.api._deps import ServicesDep
from sensorhub.api._errors import error_responses
from sensorhub.biometrics import WindowScorer
from sensorhub.contracts import HealthResponse, ModelInfo, iso_time

router = APIRouter(prefix="/api", tags=["health"], responses=error_responses())


@router.get("/health", openapi_extra={"security": []})  # open even with auth on
async def health(services: ServicesDep) -> HealthResponse:
    """`status` "healthy" while the server runs; names the stress model in use."""
    model = services.model
    return HealthResponse(
        status="healthy",
        model_loaded=True,
        timestamp=iso_time(time.time()),
        model=ModelInfo(
            name=model.name,
            source=model.source,
            backend=model.backend,
            demo=model.source == "bundled",
        ),
        version=__version__,
        writer_backlog=services.storage.writer.backlog,
        storage="ok" if services.storage.writer.healthy else "unavailable",
        auth="on" if services.auth.enabled else "off",
        window_model=_window_model(services.hub.signals.model),
        message_queue=services.desk.message_queue_health(),
    )


def _window_model(model: WindowScorer | None) -> ModelInfo | None:
    if model is None:
        return None
    return ModelInfo(name=model.name, source=model.source, backend=model.backend, demo=model.demo)
