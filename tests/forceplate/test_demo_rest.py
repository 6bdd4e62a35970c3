"""The seed's REST flow, without any ``device_id``, drives ``sensorhub demo``'s plate
(docs/plates.md: a request without one addresses the only plate with an esp connected)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests._demo import DEMO_PLATE, running_demo
from tests._server import wait_for


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[httpx.Client]:
    with running_demo(tmp_path) as running:
        yield running.http


def _json(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _recorded(http: httpx.Client) -> int:
    return len(_json(http.get("/api/session_data"))["samples"])


def test_the_seeds_rest_flow_records_a_test_on_the_demo_plate(demo: httpx.Client) -> None:
    status = _json(demo.get("/api/status"))
    assert status["esp_connected"] is True and status["device_id"] == DEMO_PLATE

    started = _json(demo.post("/api/start_test"))
    assert started["device_id"] == DEMO_PLATE
    wait_for(lambda: _recorded(demo) > 0)
    first = _recorded(demo)
    wait_for(lambda: _recorded(demo) > first)  # session_data grows while the test runs

    stopped = _json(demo.post("/api/stop_test"))
    assert stopped["session_id"] == started["session_id"]

    def saved() -> dict[str, Any] | None:
        tests = _json(demo.get("/api/tests", params={"device_id": DEMO_PLATE}))["data"]
        found = [t for t in tests if t["id"] == started["session_id"]]
        return found[0] if found and found[0]["state"] == "complete" else None

    wait_for(saved)
    record = saved()
    assert record is not None and record["sample_count"] > first
    assert record["file"] is not None
