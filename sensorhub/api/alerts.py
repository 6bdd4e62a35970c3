"""Alerts: the recent ones (firing first on the dashboard) and the webhook's test button."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from sensorhub.api._deps import ServicesDep
from sensorhub.api._errors import TOKEN_REQUIRED, error_responses
from sensorhub.contracts import iso_time

router = APIRouter(
    prefix="/api/alerts", tags=["alerts"], responses=error_responses(*TOKEN_REQUIRED, 422, 503)
)


@router.get("")
async def list_alerts(
    services: ServicesDep, limit: Annotated[int, Query(ge=1, le=1000)] = 50
) -> dict[str, Any]:
    """The newest alerts, each from its start to its end (``ended_at`` null while it lasts);
    ``firing``: how many last now."""
    records = await services.alerts.recent(limit)
    data = [
        {
            "id": record.id,
            "rule": record.rule,
            "subject": record.subject,
            "detail": record.detail,
            "started_at": iso_time(record.started_at),
            "ended_at": None if record.ended_at is None else iso_time(record.ended_at),
            "firing": record.ended_at is None,
            "notified": record.notified_at is not None,
        }
        for record in records
    ]
    return {"status": "success", "data": data, "firing": services.alerts.firing}


@router.post("/test-webhook")
async def test_webhook(services: ServicesDep) -> dict[str, Any]:
    """Send one test payload to the configured webhook now; says whether it was taken."""
    delivery = await services.alerts.test_webhook()
    return {
        "status": "success",
        "data": {
            "delivered": delivery.delivered,
            "http_status": delivery.status,
            "error": delivery.error,
        },
    }
