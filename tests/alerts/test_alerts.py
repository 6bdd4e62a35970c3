"""Alerts against a real server (with switchable storage faults) and a webhook receiver of the
test's own: sent once when a condition starts (retried until taken), once when it ends, stored
with both times, and the test button."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests._readings import READING
from tests._server import LiveServer, start_server, wait_for
from tests._webhook import Receiver
from tests.forceplate._clients import new_device, sio_client

SILENT_MIN = 0.02  # 1.2 s: a device counts as silent quickly
CHECK_S = 0.1
TIMEOUT_S = 30.0


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    receiver = Receiver()
    yield receiver
    receiver.close()


@pytest.fixture(scope="module")
def faults(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("faults")


@pytest.fixture(scope="module")
def server(
    tmp_path_factory: pytest.TempPathFactory, receiver: Receiver, faults: Path
) -> Iterator[LiveServer]:
    data_dir = tmp_path_factory.mktemp("alerts") / "data"
    env = {
        "SENSORHUB_TEST_FAULTS": str(faults),
        "SENSORHUB_ALERT_DEVICE_SILENT_MIN": str(SILENT_MIN),
        "SENSORHUB_ALERT_CHECK_S": str(CHECK_S),
        "SENSORHUB_ALERT_WEBHOOK": receiver.url,
        "SENSORHUB_ALERT_WEBHOOK_PAUSE_S": "0.05",
    }
    args = ["--db", f"sqlite:///{data_dir / 'sensorhub.db'}"]  # the faults are SQLite's
    live = start_server(data_dir, module="tests._faulty_server", env=env, args=args)
    yield live
    live.stop()


def post_reading(server: LiveServer, device_id: str) -> httpx.Response:
    return httpx.post(f"{server.url}/api/sensor-data", json={**READING, "device_id": device_id})


def stored_alerts(server: LiveServer, subject: str) -> list[dict[str, Any]]:
    alerts = httpx.get(f"{server.url}/api/alerts", params={"limit": 1000}).json()["data"]
    return [alert for alert in alerts if alert["subject"] == subject]


def test_a_silent_device_is_told_once_retried_until_taken_and_ended_when_it_sends(
    server: LiveServer, receiver: Receiver
) -> None:
    receiver.fail_first = receiver.refused + 2  # the first two attempts get a 500
    assert post_reading(server, "quiet-wrist").status_code == 200
    wait_for(lambda: receiver.received(subject="quiet-wrist", state="firing"), TIMEOUT_S)
    assert receiver.refused == receiver.fail_first  # delivered on the third attempt
    [firing] = receiver.received(subject="quiet-wrist", state="firing")
    assert firing["rule"] == "device_silent" and isinstance(firing["id"], int)

    # While it stays silent, more checks run (a second device goes silent after it and is
    # told), and the first is not told again.
    assert post_reading(server, "later-wrist").status_code == 200
    wait_for(lambda: receiver.received(subject="later-wrist", state="firing"), TIMEOUT_S)
    assert len(receiver.received(subject="quiet-wrist")) == 1
    [stored] = stored_alerts(server, "quiet-wrist")
    assert stored["firing"] and stored["ended_at"] is None and stored["notified"]

    assert post_reading(server, "quiet-wrist").status_code == 200
    wait_for(lambda: receiver.received(subject="quiet-wrist", state="resolved"), TIMEOUT_S)
    [resolved] = receiver.received(subject="quiet-wrist", state="resolved")
    assert resolved["id"] == firing["id"] and resolved["ended_at"] >= resolved["started_at"]
    # Silent again, it is a new alert (the first ended), stored beside the first.
    wait_for(lambda: len(receiver.received(subject="quiet-wrist", state="firing")) == 2, TIMEOUT_S)
    first, *_ = sorted(stored_alerts(server, "quiet-wrist"), key=lambda a: a["id"])
    assert first["id"] == firing["id"] and first["ended_at"] is not None


def idle_second(start_ms: int, left: float, right: float) -> list[dict[str, float]]:
    """A second of a steady idle plate at 100 Hz (identity calibration: values are N); the
    seconds sent are 2 s apart, so a plate's last second holds one of them only."""
    return [{"t": start_ms + 10 * i, "l": left, "r": right} for i in range(100)]


def test_an_idle_plate_drifting_past_20_n_is_told_and_ends_when_it_reads_zero_again(
    server: LiveServer, receiver: Receiver
) -> None:
    device = new_device("drifting")
    with sio_client(server, "esp", device) as esp:
        esp.send({"samples": idle_second(0, 0.4, -0.3)})  # tared: within the default ±20 N
        esp.send({"samples": idle_second(2000, 12.0, 13.0)})  # 25 N unloaded: re-tare
        told = {"subject": device, "rule": "plate_drift"}  # it may go silent here too
        wait_for(lambda: receiver.received(**told, state="firing"), TIMEOUT_S)
        [firing] = receiver.received(**told)
        assert "+25.0 N" in firing["detail"]
        esp.send({"samples": idle_second(4000, 0.2, 0.1)})  # re-tared
        wait_for(lambda: receiver.received(**told, state="resolved"), TIMEOUT_S)
    drift = [a for a in stored_alerts(server, device) if a["rule"] == "plate_drift"]
    assert len(drift) == 1 and drift[0]["ended_at"] is not None


def test_storage_unavailable_is_told_and_stored_once_the_database_takes_writes(
    server: LiveServer, receiver: Receiver, faults: Path
) -> None:
    (faults / "disk-full").touch()
    try:
        # Writes fail now; a reading is refused with 503, and the storage alert fires.
        wait_for(lambda: post_reading(server, "full-wrist").status_code == 503, TIMEOUT_S)
        wait_for(lambda: receiver.received(rule="storage_unavailable", state="firing"), TIMEOUT_S)
    finally:
        (faults / "disk-full").unlink()
    wait_for(lambda: receiver.received(rule="storage_unavailable", state="resolved"), TIMEOUT_S)
    [stored] = stored_alerts(server, "storage")
    assert stored["rule"] == "storage_unavailable"
    assert stored["ended_at"] is not None and stored["ended_at"] >= stored["started_at"]


def test_the_test_button_posts_once_to_the_webhook(server: LiveServer, receiver: Receiver) -> None:
    answer = httpx.post(f"{server.url}/api/alerts/test-webhook")
    assert answer.status_code == 200
    assert answer.json()["data"] == {"delivered": True, "http_status": 204, "error": None}
    assert len(receiver.received(test=True)) == 1


def test_alerts_firing_are_a_metric(server: LiveServer) -> None:
    from prometheus_client.parser import text_string_to_metric_families

    def firing_now() -> int:
        count: int = httpx.get(f"{server.url}/api/alerts").json()["firing"]
        return count

    wait_for(lambda: firing_now() >= 1, TIMEOUT_S)  # the silent wrists
    families = text_string_to_metric_families(httpx.get(f"{server.url}/metrics").text)
    [firing] = [f for f in families if f.name == "sensorhub_alerts_firing"]
    assert firing.samples[0].value == firing_now()


def test_a_restart_takes_up_an_open_alert_without_telling_it_again(
    tmp_path: Path, receiver: Receiver
) -> None:
    env = {
        "SENSORHUB_ALERT_DEVICE_SILENT_MIN": str(SILENT_MIN),
        "SENSORHUB_ALERT_CHECK_S": str(CHECK_S),
        "SENSORHUB_ALERT_WEBHOOK": receiver.url,
    }
    first = start_server(tmp_path / "data", env=env)
    try:
        assert post_reading(first, "restart-wrist").status_code == 200
        wait_for(lambda: receiver.received(subject="restart-wrist", state="firing"), TIMEOUT_S)
    finally:
        first.stop()
    again = start_server(tmp_path / "data", env=env, port=first.port)
    try:
        # Checks run after the restart: a device first heard of now goes silent and is told.
        assert post_reading(again, "new-wrist").status_code == 200
        wait_for(lambda: receiver.received(subject="new-wrist", state="firing"), TIMEOUT_S)
        assert receiver.received(subject="restart-wrist") == [
            *receiver.received(subject="restart-wrist", state="firing")
        ]
        assert len(receiver.received(subject="restart-wrist")) == 1  # not again, not resolved
        [stored] = stored_alerts(again, "restart-wrist")
        assert stored["firing"]
    finally:
        again.stop()
