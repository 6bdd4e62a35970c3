"""A server with raw signal and reading retention set: posted batches and readings past it
are served as per-minute aggregates (JSON and CSV, saying so), and their counts and extremes
are the posted ones."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import numpy as np
import pytest

from tests._readings import READING
from tests._server import LiveServer, start_server, wait_for
from tests.signals._batches import batch, new_device

RETAIN_DAYS = 1e-5  # 0.864 s: a batch is past it almost at once


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    env = {
        "SENSORHUB_RETAIN_RAW_SIGNALS_DAYS": str(RETAIN_DAYS),
        "SENSORHUB_RETAIN_READINGS_DAYS": str(RETAIN_DAYS),
        "SENSORHUB_UPKEEP_CHECK_S": "0.1",
    }
    live = start_server(tmp_path_factory.mktemp("signal-minutes") / "data", env=env)
    yield live
    live.stop()


def test_thinned_signals_are_served_as_labelled_minute_aggregates(server: LiveServer) -> None:
    device = new_device("retained")
    posted = [batch(device, seq, 10.0 * seq, 10.0) for seq in range(3)]
    with httpx.Client(base_url=server.url, timeout=30) as http:
        for body in posted:
            assert http.post("/api/wearable/signals", json=body).status_code == 200

        def thinned() -> dict[str, object] | None:
            answer = http.get("/api/wearable/signal-minutes", params={"device_id": device}).json()
            return answer if answer["raw_from"] is None and answer["data"] else None

        wait_for(thinned, timeout=30)
        answer = thinned()
        assert answer is not None
        assert "per-minute aggregates" in str(answer["aggregate"])
        rows = answer["data"]
        assert isinstance(rows, list)
        bvp = np.concatenate([b["bvp"]["values"] for b in posted])
        served = [row for row in rows if row["channel"] == "bvp"]
        assert sum(row["count"] for row in served) == bvp.size
        assert min(row["min"] for row in served) == bvp.min()
        assert max(row["max"] for row in served) == bvp.max()
        assert {row["channel"] for row in rows} == {
            "bvp", "temperature", "acc_x", "acc_y", "acc_z"
        }  # fmt: skip
        raw = http.get("/api/wearable/signals.csv", params={"device_id": device}).text
        assert raw.count("\n") == 1  # the header only: the raw values are gone

        csv = http.get("/api/wearable/signal-minutes.csv", params={"device_id": device}).text
        lines = csv.splitlines()
        assert lines[0].startswith("# per-minute aggregates")
        assert lines[1] == "minute_utc,device_id,channel,mean,min,max,count"
        assert len(lines) == 2 + len(rows)


def test_thinned_readings_are_served_as_labelled_reading_aggregates(server: LiveServer) -> None:
    device = new_device("retained-readings")
    temperatures = [33.0, 33.5, 34.25]
    with httpx.Client(base_url=server.url, timeout=30) as http:
        for temperature in temperatures:
            body = {**READING, "device_id": device, "temperature": temperature}
            assert http.post("/api/sensor-data", json=body).status_code == 200

        def thinned() -> list[dict[str, Any]] | None:
            params = {"device_id": device}
            answer = http.get("/api/wearable/signal-minutes", params=params).json()
            served = [row for row in answer["data"] if row["channel"] == "reading_temp"]
            return served if sum(row["count"] for row in served) == 3 else None

        wait_for(thinned, timeout=30)
        served = thinned()
        assert served is not None
        assert min(row["min"] for row in served) == 33.0
        assert max(row["max"] for row in served) == 34.25
        left = http.get("/api/readings", params={"device_id": device}).json()["data"]
        assert left == []  # the per-reading rows are gone
        answer = http.get("/api/wearable/signal-minutes", params={"device_id": device}).json()
        assert "retain_readings_days" in answer["aggregate"]
