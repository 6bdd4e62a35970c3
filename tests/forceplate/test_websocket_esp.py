"""An esp over the plain WebSocket at ``/ws`` with a Socket.IO browser (DESIGN §4.1).

One JSON object per text frame; commands to an esp arrive as the bare object
``{"cmd": …, "session_id": …}``, other server events as ``{"event": name, "data": …}``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests._server import LiveServer, wait_for
from tests.forceplate._clients import (
    assert_csv_holds,
    csv_path,
    for_device,
    new_device,
    running_server,
    samples,
    sio_client,
    status,
    tlr,
    ws_esp,
)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with running_server(tmp_path_factory.mktemp("fp-ws") / "data") as live:
        yield live


def test_ws_esp_full_run_with_socketio_browser(server: LiveServer) -> None:
    device = new_device("ws")
    first, second, flush = samples(0, 8), samples(8, 8), samples(16, 5)
    with sio_client(server, "browser") as browser, ws_esp(server, device) as esp:
        browser.send({"cmd": "start", "device_id": device, "athlete": "Wes"})
        start = esp.expect_command("start")
        session_id = start["session_id"]
        assert session_id is not None
        assert "event" not in start  # a command is the bare object, not an event envelope
        running = browser.expect("test_status", for_device(device, state="running"))
        assert running["session_id"] == session_id

        for batch in (first, second):
            esp.send({"samples": batch})
            event = browser.expect("sensor_data", for_device(device))
            assert event["session_id"] == session_id
            assert tlr(event["samples"]) == batch

        browser.send({"cmd": "stop", "device_id": device})
        assert esp.expect_command("stop")["session_id"] == session_id
        esp.send({"samples": flush})
        esp.send({"done": True})

        complete = browser.expect("data_complete", for_device(device, session_id=session_id))
    assert complete["samples"] == len(first + second + flush)
    assert_csv_holds(csv_path(server, complete["file"]), first + second + flush)


def test_ws_esp_receives_other_events_in_an_envelope(server: LiveServer) -> None:
    # test_status goes "to all" (§4.1); over /ws it arrives as {"event": ..., "data": ...}.
    device = new_device("ws-env")
    with sio_client(server, "browser") as browser, ws_esp(server, device) as esp:
        browser.send({"cmd": "start", "device_id": device})
        session_id = esp.expect_command("start")["session_id"]
        data = esp.expect(
            lambda f: (
                isinstance(f, dict)
                and f.get("event") == "test_status"
                and for_device(device, state="running")(f.get("data"))
            )
        )["data"]
        assert data["session_id"] == session_id
        assert data["running"] is True
        browser.send({"cmd": "stop", "device_id": device})
        esp.expect_command("stop")
        esp.send({"done": True})
        browser.expect("data_complete", for_device(device, session_id=session_id))


def test_ws_esp_counts_as_connected_esp(server: LiveServer) -> None:
    device = new_device("ws-count")
    with ws_esp(server, device):
        assert status(server, device)["esp_connected"] is True
    wait_for(lambda: status(server, device)["esp_connected"] is False)


def test_ws_esp_idle_samples_reach_the_browser(server: LiveServer) -> None:
    device = new_device("ws-idle")
    batch = samples(0, 6)
    with sio_client(server, "browser") as browser, ws_esp(server, device) as esp:
        esp.send({"samples": batch})
        event = browser.expect("sensor_data", for_device(device))
        assert event["session_id"] is None
        assert tlr(event["samples"]) == batch


def test_ws_malformed_frame_gets_an_error_event(server: LiveServer) -> None:
    device = new_device("ws-bad")
    with sio_client(server, "browser") as browser, ws_esp(server, device) as esp:
        esp.send_text("{this is not json")
        error: dict[str, Any] = esp.expect_event("error")
        assert isinstance(error["message"], str) and error["message"]
        assert "code" in error
        # the connection and the server carry on
        esp.send({"samples": samples(0, 2)})
        event = browser.expect("sensor_data", for_device(device))
        assert tlr(event["samples"]) == samples(0, 2)


def test_ws_esp_quick_frames_are_saved_whole_and_in_order(server: LiveServer) -> None:
    device = new_device("ws-quick")
    batches = [samples(i * 50, 50, l0=float(i)) for i in range(40)]
    with sio_client(server, "browser") as browser, ws_esp(server, device) as esp:
        browser.send({"cmd": "start", "device_id": device})
        session_id = esp.expect_command("start")["session_id"]
        for batch in batches:
            esp.send({"samples": batch})
        browser.send({"cmd": "stop", "device_id": device})
        esp.expect_command("stop")
        esp.send({"done": True})
        complete = browser.expect(
            "data_complete", for_device(device, session_id=session_id), timeout=30
        )
    every = [sample for batch in batches for sample in batch]
    assert complete["samples"] == len(every)
    assert_csv_holds(csv_path(server, complete["file"]), every)
