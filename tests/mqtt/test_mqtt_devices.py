"""MQTT devices against a real server and a Mosquitto broker of this module's own.

Readings and plate batches arrive as over HTTP and the sockets (same validation, storage and
broadcast); commands and the retained status go out on the plate's topics; refusals come
back on its ``error`` topic.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

import httpx
import pytest

from tests._mosquitto import Broker, serve
from tests._readings import READING, stored_readings
from tests._server import LiveServer, wait_for
from tests.forceplate._clients import (
    for_device,
    samples,
    samples_of,
    sio_client,
    start_test_rest,
    status,
    stop_test_rest,
)
from tests.mqtt._device import device
from tests.signals._batches import batch


@pytest.fixture(scope="module")
def server(broker: Broker, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    data_dir = tmp_path_factory.mktemp("mqtt") / "data"
    yield from serve(broker, data_dir, env={"SENSORHUB_FLUSH_GRACE_S": "0.5"})


def readings_of(server: LiveServer, device_id: str) -> list[dict[str, object]]:
    return [r for r in stored_readings(server.url) if r["device_id"] == device_id]


def test_a_reading_is_stored_and_broadcast(server: LiveServer, broker: Broker) -> None:
    with device(broker, "wrist") as wrist, sio_client(server, "browser") as browser:
        wrist.publish("reading", {**READING, "bvp": 7.5})
        streamed = browser.expect("stream", for_device(wrist.device_id))
        assert streamed["bvp"] == 7.5
        # Broadcast only after the commit (docs/broadcast.md): it is listed by now.
        [stored] = readings_of(server, wrist.device_id)
        assert stored["bvp"] == 7.5 and stored["prediction"] in {"Calm", "Stressed"}


def test_a_signal_batch_is_stored_once_even_when_published_twice(
    server: LiveServer, broker: Broker
) -> None:
    with device(broker, "wearable") as wearable:
        body = batch(wearable.device_id, 1, 0.0, 2.0)
        del body["device_id"]  # the topic names the device
        wearable.sent_and_acked("signals", body)
        wearable.sent_and_acked("signals", body)  # firmware replaying after a lost PUBACK
        wearable.sent_and_acked("signals", {**body, "bvp": {"hz": 64, "values": ["x"]}})
        assert "bvp" in wearable.expect("error")["message"]
    response = httpx.get(
        server.url + "/api/wearable/signals.csv", params={"device_id": wearable.device_id}
    )
    rows = list(csv.DictReader(io.StringIO(response.text)))
    bvp = [float(row["value"]) for row in rows if row["channel"] == "bvp"]
    assert bvp == body["bvp"]["values"]
    assert len(rows) == len(bvp) + len(body["temperature"]["values"]) + 3 * len(body["acc"]["x"])


@pytest.mark.parametrize(
    ("payload", "code", "names"),
    [
        (b"{not json", "validation_error", "JSON"),
        (b"[1, 2]", "validation_error", "object"),
        ({**READING, "bvp": "high"}, "validation_error", "bvp"),
        ({**READING, "device_id": "someone-else"}, "validation_error", "device_id"),
    ],
)
def test_a_refused_reading_gets_an_error_and_is_acked_and_the_next_one_is_stored(
    server: LiveServer, broker: Broker, payload: object, code: str, names: str
) -> None:
    with device(broker, "wrist") as wrist:
        wrist.sent_and_acked("reading", payload)
        error = wrist.expect("error")
        assert error["code"] == code and names in error["message"]
        assert error["topic"] == wrist.topic("reading")
        wrist.publish("reading", {**READING, "bvp": 2.0})
        wait_for(lambda: [r["bvp"] for r in readings_of(server, wrist.device_id)] == [2.0])


def test_a_whole_plate_test_over_mqtt(server: LiveServer, broker: Broker) -> None:
    sent = samples(0, 40) + samples(40, 40)
    with device(broker, "plate") as plate:
        plate.sent_and_acked("samples", {"samples": sent[:1]})  # streaming: now it is known
        wait_for(lambda: status(server, plate.device_id)["esp_connected"])

        response, session_id = start_test_rest(server, plate.device_id, athlete="Mo")
        assert response.status_code == 200
        assert plate.expect("cmd") == {"cmd": "start", "session_id": session_id}
        assert plate.expect("status")["test_running"] is True
        for batch in (sent[:40], sent[40:]):
            plate.sent_and_acked("samples", {"samples": batch})
        assert stop_test_rest(server, plate.device_id).status_code == 200
        assert plate.expect("cmd")["cmd"] == "stop"
        plate.sent_and_acked("samples", {"done": True})

        wait_for(lambda: status(server, plate.device_id)["state"] == "idle")
        assert samples_of(server, session_id) == sent

    with device(broker, "late") as late:  # a plate rebooting mid-test reads the status
        late.client.subscribe(plate.topic("status"), qos=1)
        wait_for(lambda: not late.received.empty())
        topic, retained, was_retained = late.received.get()
        assert topic == plate.topic("status") and was_retained
        assert retained["test_running"] is False


def test_a_plate_message_without_samples_or_done_is_refused(
    server: LiveServer, broker: Broker
) -> None:
    with device(broker, "plate") as plate:
        plate.sent_and_acked("samples", {"cmd": "start"})
        assert "samples" in plate.expect("error")["message"]


def test_invalid_samples_are_filtered_and_named(server: LiveServer, broker: Broker) -> None:
    with device(broker, "plate") as plate:
        plate.sent_and_acked("samples", {"samples": [{"t": 0, "l": 1.0, "r": "x"}]})
        assert "samples[0].r" in plate.expect("error")["message"]
