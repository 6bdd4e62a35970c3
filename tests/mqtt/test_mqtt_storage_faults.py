"""sensorhub acknowledges a message to the broker only once it is stored (docs/mqtt.md).

The device's own PUBACK comes from the broker, so what shows sensorhub's acknowledgement is
the broker's memory: a reading that cannot be stored (another process holds SQLite's write
lock) when sensorhub is killed must still be owed to sensorhub's session, and arrive, once,
after the restart. Had sensorhub acknowledged it before the commit, it would be lost.
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests._mosquitto import Broker
from tests._readings import READING, stored_readings
from tests._server import LiveServer, start_server, wait_for
from tests.mqtt._device import device
from tests.test_storage_faults import exclusive_lock


def storage_state(server: LiveServer) -> str:
    state: str = httpx.get(f"{server.url}/api/health").json()["storage"]
    return state


@pytest.mark.sqlite_only
def test_a_reading_the_locked_database_did_not_take_is_delivered_again_after_a_crash(
    own_broker: Broker, tmp_path: Path
) -> None:
    data_dir = tmp_path / "data"
    server = start_server(data_dir, args=["--mqtt", own_broker.url])
    try:
        with device(own_broker, "wrist") as wrist:
            wrist.publish("reading", {**READING, "bvp": 1.0})
            wait_for(lambda: wrist_bvps(server, wrist.device_id) == [1.0])
            with exclusive_lock(data_dir / "sensorhub.db"):
                wrist.sent_and_acked("reading", {**READING, "bvp": 2.0})  # the broker has it
                wait_for(lambda: storage_state(server) == "unavailable")  # sensorhub tried
                server.kill()
            server = start_server(data_dir, args=["--mqtt", own_broker.url])
            wait_for(lambda: wrist_bvps(server, wrist.device_id) == [1.0, 2.0])
            assert "session_present=True" in server.log()  # the broker kept it for us
            assert wrist.received.empty()  # never refused: no error was published
    finally:
        server.stop()


def wrist_bvps(server: LiveServer, device_id: str) -> list[float]:
    return sorted(r["bvp"] for r in stored_readings(server.url) if r["device_id"] == device_id)
