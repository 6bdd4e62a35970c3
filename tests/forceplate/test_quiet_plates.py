"""Per-device plate state is forgotten when a plate goes quiet (docs/plates.md "Memory per
device"), on a real server with a short idle time; a plate with a running test is kept."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests._server import LiveServer, wait_for
from tests.forceplate._clients import (
    for_device,
    new_device,
    running_server,
    samples,
    sio_client,
    start_test_rest,
    status,
)

IDLE_S = 1.0


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    env = {"SENSORHUB_PLATE_DEVICE_IDLE_S": str(IDLE_S)}
    with running_server(tmp_path_factory.mktemp("fp-quiet") / "data", env) as live:
        yield live


def devices(server: LiveServer) -> set[str]:
    return {d["device_id"] for d in status(server)["devices"]}


def test_quiet_plates_are_forgotten_and_a_recording_one_is_kept(server: LiveServer) -> None:
    quiet = [new_device("quiet") for _ in range(3)]
    recording = new_device("recording")
    with sio_client(server, "browser") as browser:
        with sio_client(server, "esp", recording) as esp:
            response, _ = start_test_rest(server, recording)
            assert response.status_code == 200, response.text
            esp.send({"samples": samples(0, 5)})
            browser.expect("sensor_data", for_device(recording))
        for device in quiet:
            with sio_client(server, "esp", device) as esp:
                esp.send({"samples": samples(0, 5)})
                browser.expect("sensor_data", for_device(device))
        assert devices(server) >= {*quiet, recording}

        waker = new_device("waker")
        with sio_client(server, "esp", waker) as esp:

            def quiet_forgotten() -> bool:
                # Pruning runs at a batch: keep one arriving until the idle time has passed.
                esp.send({"samples": samples(0, 1)})
                browser.expect("sensor_data", for_device(waker))
                return devices(server).isdisjoint(quiet)

            wait_for(quiet_forgotten, timeout=10 * IDLE_S + 10, interval=IDLE_S / 4)
    held = devices(server)
    assert recording in held and waker in held
    assert status(server, recording)["state"] == "running"
