"""Two processes, one service: start, stop and status agree whichever process answers, and a
test moves with its esp without ever being recorded by two processes."""

from __future__ import annotations

import math
from typing import Any

import httpx
import redis

from tests._redis import REDIS_URL
from tests._server import LiveServer, wait_for
from tests.forceplate._clients import (
    QUICK_FLUSH_ENV,
    SioClient,
    for_device,
    is_cmd,
    new_device,
    record_of,
    samples,
    samples_of,
    sio_client,
    start_test_rest,
    status,
    stop_test_rest,
    wait_esp_connected,
)

# What both processes must report alike about a device.
SHARED = ("state", "session_id", "esp_connected", "sample_count", "test_running")


def agreed_status(a: LiveServer, b: LiveServer, device_id: str) -> dict[str, Any]:
    """The device's status once both processes report the same (polled: no sleeps)."""
    seen: list[dict[str, Any]] = []

    def same() -> bool:
        seen[:] = [status(a, device_id), status(b, device_id)]
        return all(seen[0][key] == seen[1][key] for key in SHARED)

    wait_for(same)
    return seen[0]


def test_start_on_one_process_stop_on_the_other_and_status_agrees(
    pair: tuple[LiveServer, LiveServer],
) -> None:
    a, b = pair
    device = new_device()
    sent = [samples(0, 50), samples(50, 50), samples(100, 30)]
    with sio_client(b, "browser") as dashboard, sio_client(a, "esp", device) as esp:
        wait_esp_connected(b, device)  # B sees an esp connected to A
        response, session_id = start_test_rest(b, device, athlete="Ada")
        assert response.status_code == 200, response.text
        assert esp.expect("message", is_cmd("start"))["session_id"] == session_id
        for batch in sent[:2]:
            esp.send({"samples": batch}, event="samples")
        esp.ping()
        running = agreed_status(a, b, device)
        assert (running["state"], running["session_id"]) == ("running", session_id)
        assert running["sample_count"] == 100
        # The running test as A records it, on either process (B routes its status to A);
        # the plate is untared (identity calibration), so the peak is the raw l + r exactly.
        peak = max(s["l"] + s["r"] for batch in sent[:2] for s in batch)
        for test in (status(server, device)["test"] for server in (a, b)):
            assert (test["session_id"], test["athlete"]) == (session_id, "Ada")
            assert (test["sample_count"], test["peak_force_n"]) == (100, peak)

        dashboard.send({"cmd": "stop", "device_id": device}, event="cmd")  # stop from B
        assert esp.expect("message", is_cmd("stop"))["session_id"] == session_id
        esp.send({"samples": sent[2]}, event="samples")  # the esp's buffer, after the stop
        esp.send({"done": True}, event="done")
        complete = dashboard.expect("data_complete", for_device(device, session_id=session_id))
    assert complete["samples"] == 130
    idle = agreed_status(a, b, device)
    assert (idle["state"], idle["session_id"]) == ("idle", None)
    assert samples_of(b, session_id) == [s for batch in sent for s in batch]
    assert record_of(a, session_id)["state"] == "complete"


def test_a_second_stop_answers_409_on_either_process(pair: tuple[LiveServer, LiveServer]) -> None:
    a, b = pair
    device = new_device()
    response, _ = start_test_rest(a, device)
    assert response.status_code == 200, response.text
    assert start_test_rest(b, device)[0].status_code == 409  # already running, on A
    assert stop_test_rest(b, device).status_code == 200
    assert stop_test_rest(a, device).status_code == 409


def test_a_test_follows_its_esp_between_processes_recorded_by_one_at_a_time(
    start_process: Any,
) -> None:
    """Two esps of one device on two processes take turns: each batch makes its process take
    the device over. Every batch is stored once, in the order sent, and each process logs
    every test it adopted and handed over."""
    a = start_process("turn-a", **QUICK_FLUSH_ENV)
    b = start_process("turn-b", **QUICK_FLUSH_ENV)
    device = new_device()
    esp_a = SioClient(a.url)
    esp_b = SioClient(b.url)
    sent = []
    try:
        esp_a.register("esp", device)
        response, session_id = start_test_rest(a, device)
        assert response.status_code == 200, response.text
        for turn in range(6):
            esp = (esp_a, esp_b)[turn % 2]
            if turn == 1:
                esp_b.register("esp", device)
            batch = samples(turn * 20, 20)
            esp.send({"samples": batch}, event="samples")
            esp.ping()  # handled: stored before the other esp sends
            sent.extend(batch)
        assert esp_a.received("error") == [] and esp_b.received("error") == []
        assert stop_test_rest(a, device).status_code == 200
        wait_for(lambda: record_of(a, session_id)["state"] == "complete")
    finally:
        esp_a.close()
        esp_b.close()
    assert samples_of(a, session_id) == sent
    assert record_of(b, session_id)["sample_count"] == len(sent)
    for process in (a, b):
        assert process.log().count("event=test_adopted") >= 2
        assert process.log().count("event=test_handed_over") >= 2


def test_tare_asked_of_one_process_uses_the_samples_streamed_to_the_other(
    pair: tuple[LiveServer, LiveServer],
) -> None:
    a, b = pair
    device = new_device()
    quiet = samples(0, 50)
    with sio_client(a, "esp", device) as esp:
        esp.send({"samples": quiet}, event="samples")
        esp.ping()
        # ~300 raw units read as a load on a plate never tared: the tare is confirmed.
        tared = httpx.post(f"{b.url}/api/devices/{device}/tare?confirm=true", timeout=10)
        assert tared.status_code == 200, tared.text
        calibration = tared.json()["data"]["calibration"]
        # The offset is the mean of the last second's raw values, computed as tare does.
        assert calibration["l"]["offset"] == math.fsum(s["l"] for s in quiet) / len(quiet)
        seen_on_a = httpx.get(f"{a.url}/api/devices/{device}", timeout=10).json()["data"]
        assert seen_on_a["calibration"] == calibration


def test_every_process_lists_the_devices_of_every_process(
    pair: tuple[LiveServer, LiveServer],
) -> None:
    a, b = pair
    on_a, on_b = new_device(), new_device()

    def listed_everywhere() -> bool:
        for process in (a, b):
            devices = {d["device_id"]: d for d in status(process, on_a)["devices"]}
            if not all(devices.get(d, {}).get("esp_connected") for d in (on_a, on_b)):
                return False
        return True

    with sio_client(a, "esp", on_a), sio_client(b, "esp", on_b):
        wait_for(listed_everywhere)


def test_a_test_recording_on_one_process_cannot_be_deleted_or_reanalysed_on_the_other(
    pair: tuple[LiveServer, LiveServer],
) -> None:
    a, b = pair
    device = new_device()
    athlete = httpx.post(b.url + "/api/athletes", json={"name": f"Rec {device}"}).json()
    athlete_id = (athlete.get("data") or athlete)["id"]
    with sio_client(a, "esp", device) as esp:
        response, session_id = start_test_rest(a, device, athlete_id=athlete_id)
        assert response.status_code == 200, response.text
        esp.expect("message", is_cmd("start"))
        refused = [
            httpx.delete(f"{b.url}/api/tests/{session_id}"),
            httpx.post(f"{b.url}/api/tests/{session_id}/analysis", json={}),
            httpx.delete(f"{b.url}/api/athletes/{athlete_id}", params={"with_tests": True}),
        ]
        assert [r.status_code for r in refused] == [409, 409, 409], [r.text for r in refused]
        assert {r.json()["code"] for r in refused} == {"session_running"}
        assert stop_test_rest(a, device).status_code == 200
        esp.expect("message", is_cmd("stop"))
        esp.send({"done": True}, event="done")
        wait_for(lambda: record_of(b, session_id)["state"] == "complete")
    assert httpx.delete(f"{b.url}/api/tests/{session_id}").status_code == 200


def test_a_status_read_takes_no_lease(
    pair: tuple[LiveServer, LiveServer], queue_prefix: str
) -> None:
    a, b = pair
    device = new_device()
    assert status(a, device)["state"] == "idle"
    assert status(b, device)["state"] == "idle"
    client = redis.Redis.from_url(REDIS_URL)
    try:
        assert client.exists(f"{queue_prefix}:lease:{device}") == 0
    finally:
        client.close()


def test_malformed_requests_leave_the_process_answering_its_peers(
    pair: tuple[LiveServer, LiveServer], queue_prefix: str
) -> None:
    a, b = pair
    client = redis.Redis.from_url(REDIS_URL)
    try:
        channels = client.pubsub_channels(f"{queue_prefix}:calls:*")
        assert len(channels) >= 2  # the pair's, and those of any other process started here
        for channel in channels:
            for garbage in (b"not json", b"[]", b'{"op": "status"}', b'{"op": 1, "args": 2}'):
                assert client.publish(channel, garbage) == 1
    finally:
        client.close()
    wait_for(lambda: "event=call_malformed" in a.log() and "event=call_malformed" in b.log())
    device = new_device()
    with sio_client(a, "esp", device) as esp:
        wait_esp_connected(b, device)
        response, session_id = start_test_rest(b, device)  # B asks A, which runs the device
        assert response.status_code == 200, response.text
        assert esp.expect("message", is_cmd("start"))["session_id"] == session_id
        assert stop_test_rest(b, device).status_code == 200
