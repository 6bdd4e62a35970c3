"""Nothing lost: every reading acknowledged with 2xx survives SIGKILL of the server."""

from __future__ import annotations

import threading
from pathlib import Path

import httpx

from tests._readings import READING, stored_readings
from tests._server import start_server


def stored_ids(url: str) -> set[int]:
    return {reading["id"] for reading in stored_readings(url)}


def test_readings_acknowledged_before_sigkill_are_all_stored(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    server = start_server(data_dir)
    with httpx.Client(base_url=server.url) as http:
        acked = [
            http.post("/api/sensor-data", json={**READING, "bvp": float(i)}).json()["data"]["id"]
            for i in range(200)
        ]
    server.kill()  # right after the last 2xx: no graceful shutdown, no final flush

    restarted = start_server(data_dir)
    try:
        assert stored_ids(restarted.url) == set(acked)
    finally:
        restarted.stop()


def test_concurrent_posters_killed_mid_flight_lose_no_acknowledged_reading(
    tmp_path: Path,
) -> None:
    data_dir = tmp_path / "data"
    server = start_server(data_dir)
    acked: list[int] = []
    lock = threading.Lock()
    enough = threading.Event()

    def post_until_refused() -> None:
        with httpx.Client(base_url=server.url, timeout=5.0) as http:
            for _ in range(10_000):
                try:
                    response = http.post(
                        "/api/sensor-data/batch", json={"readings": [READING] * 10}
                    )
                except httpx.TransportError:
                    return  # the server died mid-request: that batch was never acknowledged
                with lock:
                    acked.extend(r["id"] for r in response.json()["data"])
                    if len(acked) >= 2000:
                        enough.set()

    workers = [threading.Thread(target=post_until_refused) for _ in range(4)]
    for worker in workers:
        worker.start()
    assert enough.wait(timeout=60), "posters did not get 2000 readings acknowledged"
    server.kill()  # while all four are still posting
    for worker in workers:
        worker.join(timeout=30)

    restarted = start_server(data_dir)
    try:
        stored = stored_ids(restarted.url)
        assert set(acked) <= stored
    finally:
        restarted.stop()
