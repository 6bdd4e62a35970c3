"""Reading every stored wearable reading back through the API, page by page."""

from __future__ import annotations

from typing import Any

import httpx

READING = {"bvp": 1.0, "temperature": 33.0, "acceleration": {"x": 0.0, "y": 0.0, "z": 1.0}}


def stored_readings(url: str) -> list[dict[str, Any]]:
    readings: list[dict[str, Any]] = []
    params: dict[str, int] = {"limit": 1000}
    with httpx.Client(base_url=url) as http:
        while True:
            page = http.get("/api/readings", params=params).json()
            readings.extend(page["data"])
            if page["next_before_id"] is None:
                return readings
            params["before_id"] = page["next_before_id"]
