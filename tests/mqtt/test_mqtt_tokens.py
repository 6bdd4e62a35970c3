"""MQTT and tokens: with an API token set, a device proves itself per message, as over HTTP.

The token travels as an MQTT v5 user property ``token`` or a ``token`` field of the JSON
object. The broker's own ACLs are a second fence (docs/mqtt.md), not tested here.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator

import httpx
import pytest

from tests._mosquitto import Broker, serve
from tests._postgres import SERVER_DATABASES
from tests._readings import READING
from tests._server import LiveServer, wait_for
from tests.mqtt._device import device

API_TOKEN = "mqtt-api-token-0123456789"


@pytest.fixture(scope="module")
def server(broker: Broker, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    data_dir = tmp_path_factory.mktemp("mqtt-tokens") / "data"
    yield from serve(broker, data_dir, env={"SENSORHUB_API_TOKEN": API_TOKEN})


def device_token(server: LiveServer, device_id: str) -> str:
    command = [sys.executable, "-m", "sensorhub", "token", "create", "--device", device_id]
    command += ["--data-dir", str(server.data_dir), *SERVER_DATABASES.args_for(server.data_dir)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=60, check=True)
    token = done.stdout.strip().splitlines()[-1]
    assert re.fullmatch(r"\S{20,}", token)
    return token


def stored_bvps(server: LiveServer, device_id: str) -> list[float]:
    response = httpx.get(
        f"{server.url}/api/readings",
        params={"device_id": device_id},
        headers={"Authorization": f"Bearer {API_TOKEN}"},
    )
    return [r["bvp"] for r in response.json()["data"]]


def test_without_a_token_a_reading_is_refused_as_unauthorized(
    server: LiveServer, broker: Broker
) -> None:
    with device(broker, "wrist") as wrist:
        wrist.sent_and_acked("reading", READING)
        assert wrist.expect("error")["code"] == "unauthorized"
        assert stored_bvps(server, wrist.device_id) == []


def test_a_device_token_as_user_property_or_field_sends_as_its_device(
    server: LiveServer, broker: Broker
) -> None:
    with device(broker, "wrist") as wrist:
        token = device_token(server, wrist.device_id)
        wrist.sent_and_acked("reading", {**READING, "bvp": 1.0}, token=token)
        wrist.sent_and_acked("reading", {**READING, "bvp": 2.0, "token": token})
        wait_for(lambda: sorted(stored_bvps(server, wrist.device_id)) == [1.0, 2.0])


def test_a_device_token_cannot_send_as_another_device(server: LiveServer, broker: Broker) -> None:
    with device(broker, "wrist") as wrist, device(broker, "other") as other:
        token = device_token(server, wrist.device_id)
        other.sent_and_acked("reading", READING, token=token)
        assert other.expect("error")["code"] == "forbidden"
        other.sent_and_acked("samples", {"samples": [{"t": 0, "l": 1, "r": 2}]}, token=token)
        assert other.expect("error")["code"] == "forbidden"
        assert stored_bvps(server, other.device_id) == []
