"""Durability of force-plate tests: SIGKILL during a test, dropped and reconnecting esps.

DESIGN §5: samples of a running test are committed as they arrive (within ~100 ms); after a
crash, a running test is recovered on start-up (state ``interrupted``, samples kept, CSV).
"""

from __future__ import annotations

import socket
from pathlib import Path

import httpx

from tests._server import start_server, wait_for
from tests.forceplate._clients import (
    CSV_NAME,
    QUICK_FLUSH_ENV,
    TIMEOUT_S,
    assert_csv_holds,
    csv_dir,
    csv_path,
    for_device,
    is_cmd,
    listed,
    new_device,
    numeric,
    read_csv,
    record_of,
    running_server,
    samples,
    samples_of,
    sio_client,
    start_test_rest,
    status,
    stop_test_rest,
    tlr,
    unwrap,
    wait_esp_connected,
    ws_esp,
)


def test_sigkill_during_a_test_recovers_it_as_interrupted(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    device = new_device("crash")
    sent = samples(0, 25) + samples(25, 25)
    first = start_server(data_dir, env=QUICK_FLUSH_ENV)
    try:
        with (
            sio_client(first, "browser", reconnection=False) as browser,
            sio_client(first, "esp", device, reconnection=False) as esp,
        ):
            response, session_id = start_test_rest(first, device, athlete="Fay")
            assert response.status_code == 200
            assert session_id is not None
            esp.expect("message", is_cmd("start"))
            esp.send({"samples": sent[:25]})
            esp.send({"samples": sent[25:]})
            for _ in range(2):
                browser.expect("sensor_data", for_device(device, session_id=session_id))

            # Committed within ~100 ms (DESIGN §5): wait until the stored test shows them.
            # Assumption: a running test is already a test of /api/tests (state "running").
            def stored() -> bool:
                url = f"{first.url}/api/tests/{session_id}/samples"
                got = httpx.get(url, timeout=TIMEOUT_S)
                return got.status_code == 200 and len(unwrap(got.json(), "samples", "data")) == len(
                    sent
                )

            wait_for(lambda: status(first, device)["sample_count"] == len(sent))
            wait_for(stored)
            first.kill()
    finally:
        first.kill()

    second = start_server(data_dir, env=QUICK_FLUSH_ENV)
    try:
        item = listed(second, session_id)
        assert item is not None
        record = record_of(second, session_id)
        assert record["state"] == "interrupted"
        assert record["athlete"] == "Fay"
        assert samples_of(second, session_id) == sent

        files = sorted(csv_dir(second).glob("*.csv"))
        assert [bool(CSV_NAME.match(file.name)) for file in files] == [True]
        assert_csv_holds(files[0], sent)
        csv_response = httpx.get(f"{second.url}/api/tests/{session_id}.csv", timeout=TIMEOUT_S)
        assert csv_response.status_code == 200
        assert read_csv(csv_response.text)[1] == numeric(sent)

        after = status(second, device)
        assert after["test_running"] is False
        assert after["state"] == "idle"
        restarted, new_session = start_test_rest(second, device)
        assert restarted.status_code == 200
        assert new_session != session_id
    finally:
        second.stop()


def test_reconnected_esp_keeps_adding_to_the_same_test(tmp_path: Path) -> None:
    before, after, flush = samples(0, 10), samples(10, 10), samples(20, 3)
    device = new_device("reconnect")
    with (
        running_server(tmp_path / "data") as live,
        sio_client(live, "browser") as browser,
    ):
        with sio_client(live, "esp", device) as esp:
            response, session_id = start_test_rest(live, device)
            assert response.status_code == 200
            esp.expect("message", is_cmd("start"))
            esp.send({"samples": before})
            browser.expect("sensor_data", for_device(device, session_id=session_id))
        wait_esp_connected(live, device, connected=False)
        assert status(live, device)["state"] == "running"
        assert status(live, device)["session_id"] == session_id

        with sio_client(live, "esp", device) as esp:
            esp.send({"samples": after})
            event = browser.expect("sensor_data", for_device(device, session_id=session_id))
            assert tlr(event["samples"]) == after
            assert stop_test_rest(live, device).status_code == 200
            assert esp.expect("message", is_cmd("stop"))["session_id"] == session_id
            esp.send({"samples": flush})
            esp.send({"done": True})
            complete = browser.expect("data_complete", for_device(device, session_id=session_id))
        assert complete["samples"] == len(before + after + flush)
        assert_csv_holds(csv_path(live, complete["file"]), before + after + flush)


def test_abruptly_dropped_ws_esp_loses_nothing(tmp_path: Path) -> None:
    # No close handshake: the TCP connection just goes away, like a board losing power.
    # A long flush grace: only "no esp connected → complete at once" can end this in time.
    device = new_device("drop")
    sent = samples(0, 30)
    with (
        running_server(tmp_path / "data", env={"SENSORHUB_FLUSH_GRACE_S": "60"}) as live,
        sio_client(live, "browser") as browser,
    ):
        with ws_esp(live, device) as esp:
            response, session_id = start_test_rest(live, device)
            assert response.status_code == 200
            esp.expect_command("start")
            esp.send({"samples": sent})
            browser.expect("sensor_data", for_device(device, session_id=session_id))
            esp.ws.socket.shutdown(socket.SHUT_RDWR)
        wait_esp_connected(live, device, connected=False)
        assert status(live, device)["state"] == "running"
        assert stop_test_rest(live, device).status_code == 200
        complete = browser.expect("data_complete", for_device(device, session_id=session_id))
        assert complete["samples"] == len(sent)
        assert_csv_holds(csv_path(live, complete["file"]), sent)
