"""Nothing acknowledged is lost when the broker restarts mid-stream, nor stored twice.

A wearable publishes readings with distinct markers at QoS 1 while its broker (this module's
own Mosquitto, persisting to disk) is restarted. Every reading the device got a PUBACK for
must end up in sensorhub's database exactly once: the broker acknowledged it, so it owes it
to sensorhub's persistent session, and sensorhub acknowledges only what it committed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import pytest

from tests._mosquitto import Broker, serve
from tests._readings import READING, stored_readings
from tests._server import LiveServer, wait_for
from tests.mqtt._device import device

BEFORE, DURING, AFTER = 100, 100, 100  # readings before, while and after the restart
TIMEOUT_S = 60.0  # reconnects back off to seconds; the bound only ends a broken run


@pytest.fixture
def server(own_broker: Broker, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    yield from serve(own_broker, tmp_path_factory.mktemp("mqtt") / "data")


def test_every_acknowledged_reading_is_stored_exactly_once_across_a_broker_restart(
    server: LiveServer, own_broker: Broker
) -> None:
    with device(own_broker, "wrist") as wrist:
        markers: dict[int, float] = {}  # mid → the reading's bvp

        def publish(start: int, count: int) -> None:
            for marker in range(start, start + count):
                markers[wrist.publish("reading", {**READING, "bvp": float(marker)})] = marker

        publish(0, BEFORE)
        own_broker.stop()  # mid-stream: some of the first readings may still be in flight
        publish(BEFORE, DURING)  # queued by the device's client until the broker is back
        own_broker.start()
        publish(BEFORE + DURING, AFTER)

        total = BEFORE + DURING + AFTER
        wait_for(lambda: len(wrist.acked) == total, timeout=TIMEOUT_S)
        acked = {markers[mid] for mid in wrist.acked}

        def stored() -> Counter[float]:
            return Counter(
                r["bvp"] for r in stored_readings(server.url) if r["device_id"] == wrist.device_id
            )

        wait_for(lambda: acked <= set(stored()), timeout=TIMEOUT_S)
        counts = stored()
        assert {marker for marker, n in counts.items() if n > 1} == set()
        assert set(counts) == acked
    # The restart really cut the server's connection, and its session outlived it.
    assert "session_present=True" in server.log()
