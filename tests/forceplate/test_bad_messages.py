"""Malformed messages get an ``error`` event {message, code} to their sender only; the server
and every other client carry on, and the valid samples of a batch are kept (issue 3, item 7).

Documented choice tested here: a batch with some bad samples is filtered, not rejected whole;
the valid samples are kept and the error names the index of each bad sample.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests._server import LiveServer
from tests.forceplate._clients import (
    SioClient,
    assert_csv_holds,
    csv_path,
    for_device,
    is_cmd,
    new_device,
    running_server,
    samples,
    sio_client,
    start_test_rest,
    stop_test_rest,
    tlr,
)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with running_server(tmp_path_factory.mktemp("fp-bad") / "data") as live:
        yield live


def assert_error(payload: Any) -> None:
    assert isinstance(payload, dict)
    assert isinstance(payload["message"], str) and payload["message"]
    assert "code" in payload  # the documents do not fix the code values


def all_samples(events: list[Any]) -> list[Any]:
    return [sample for event in events for sample in tlr(event["samples"])]


# Sent by a registered esp: a dict goes as the ``message`` event, a str as its raw payload.
MALFORMED: dict[str, dict[str, Any] | str] = {
    "unknown-type": {"type": "toaster"},
    "unknown-object": {"hello": "world"},
    "samples-not-a-list": {"samples": "1,2,3"},
    "samples-an-object": {"samples": {"t": 1, "l": 2, "r": 3}},
    "sample-missing-key": {"samples": [{"t": 1, "l": 2}]},
    "sample-not-a-number": {"samples": [{"t": 1, "l": "heavy", "r": 2}]},
    "sample-null": {"samples": [{"t": 1, "l": None, "r": 2}]},
    "nan-in-raw-json": '{"samples": [{"t": 1, "l": NaN, "r": 2}]}',
    "infinity-in-raw-json": '{"samples": [{"t": 1, "l": 3, "r": Infinity}]}',
    "wrong-json": '{"samples": [{"t": 1',
    "json-not-an-object": "[1, 2, 3]",
}


@pytest.mark.parametrize("body", list(MALFORMED.values()), ids=list(MALFORMED))
def test_malformed_message_gets_error_to_sender_only(
    server: LiveServer, body: dict[str, Any] | str
) -> None:
    device = new_device("bad")
    valid = samples(0, 3)
    with (
        sio_client(server, "browser") as browser,
        sio_client(server, "esp", device) as other_esp,
        sio_client(server, "esp", device) as sender,
    ):
        if isinstance(body, str):
            sender.send_text(body)
        else:
            sender.send(body)
        assert_error(sender.expect("error"))

        # the sender, the server and the others carry on
        sender.send({"samples": valid})
        event = browser.expect("sensor_data", for_device(device))
        assert tlr(event["samples"]) == valid
        for client in (browser, other_esp):
            client.ping()
            assert client.received("error") == []
        # nothing of the bad message went out as live data
        assert all_samples(browser.received("sensor_data", for_device(device))) == valid
        assert httpx.get(server.url + "/api/health", timeout=10).status_code == 200


def test_unknown_command_gets_error_and_starts_nothing(server: LiveServer) -> None:
    device = new_device("bad-cmd")
    with sio_client(server, "browser") as browser, sio_client(server, "esp", device) as esp:
        browser.send({"cmd": "explode", "device_id": device})
        assert_error(browser.expect("error"))
        esp.ping()
        assert esp.received("message") == []


# The bad sample sits at index 2 of [good, good, bad, good].
BAD_SAMPLE: dict[str, str] = {
    "string-value": '{"t": 902, "l": "heavy", "r": 1.5}',
    "missing-r": '{"t": 902, "l": 1.5}',
    "nan": '{"t": 902, "l": NaN, "r": 1.5}',
    "negative-infinity": '{"t": 902, "l": 1.5, "r": -Infinity}',
    "not-an-object": '"oops"',
}


@pytest.mark.parametrize("bad", list(BAD_SAMPLE.values()), ids=list(BAD_SAMPLE))
def test_batch_with_one_bad_sample_keeps_the_valid_ones(server: LiveServer, bad: str) -> None:
    device = new_device("mixed")
    good = samples(0, 3, l0=10.0)
    items = [json.dumps(good[0]), json.dumps(good[1]), bad, json.dumps(good[2])]
    text = '{"samples": [' + ", ".join(items) + "]}"
    with sio_client(server, "browser") as browser, sio_client(server, "esp", device) as esp:
        response, session_id = start_test_rest(server, device)
        assert response.status_code == 200
        esp.expect("message", is_cmd("start"))
        esp.send_text(text)
        error = esp.expect("error")
        assert_error(error)
        assert re.search(r"\b2\b", error["message"]), error["message"]  # names the bad index

        live = browser.expect("sensor_data", for_device(device, session_id=session_id))
        assert tlr(live["samples"]) == good
        assert all(math.isfinite(v) for s in tlr(live["samples"]) for v in s.values())

        assert stop_test_rest(server, device).status_code == 200
        esp.expect("message", is_cmd("stop"))
        esp.send({"done": True})
        complete = browser.expect("data_complete", for_device(device, session_id=session_id))
    assert complete["samples"] == len(good)
    assert_csv_holds(csv_path(server, complete["file"]), good)


def test_bad_message_from_one_esp_does_not_disturb_another_device(server: LiveServer) -> None:
    noisy, steady = new_device("noisy"), new_device("steady")
    with (
        sio_client(server, "browser") as browser,
        sio_client(server, "esp", noisy) as bad_esp,
        sio_client(server, "esp", steady) as good_esp,
    ):
        response, session_id = start_test_rest(server, steady)
        assert response.status_code == 200
        good_esp.expect("message", is_cmd("start"))
        sent: list[Any] = []
        for step in range(3):
            bad_esp.send_text("{not json")
            batch = samples(step * 5, 5)
            good_esp.send({"samples": batch})
            sent += batch
        for _ in range(3):
            assert_error(bad_esp.expect("error"))
        assert stop_test_rest(server, steady).status_code == 200
        good_esp.expect("message", is_cmd("stop"))
        good_esp.send({"done": True})
        complete = browser.expect("data_complete", for_device(steady, session_id=session_id))
        good_esp.ping()
        assert good_esp.received("error") == []
    assert complete["samples"] == len(sent)
    assert_csv_holds(csv_path(server, complete["file"]), sent)


def test_broken_json_from_an_unregistered_client_gets_error(server: LiveServer) -> None:
    client = SioClient(server.url)
    try:
        client.send_text('{"type": "esp", "device_id": ')
        assert_error(client.expect("error"))
        client.ping()
    finally:
        client.close()
