"""``sensorhub serve --workers N``: N processes on one port, sharing state through Redis."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx

from tests._mosquitto import Broker
from tests._server import REPO, free_port, start_server, wait_for
from tests.cluster.conftest import cluster_env
from tests.forceplate._clients import complete_run, new_device, samples, samples_of
from tests.mqtt._device import device
from tests.signals._batches import batch


def test_more_than_one_worker_needs_a_message_queue_said_in_one_line(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "sensorhub", "serve", "--workers", "2"]
    command += ["--port", str(free_port()), "--data-dir", str(tmp_path)]
    done = subprocess.run(command, capture_output=True, text=True, cwd=REPO, timeout=60)
    assert done.returncode != 0
    assert done.stderr.strip().splitlines()[-1] == (
        "Error: invalid setting 'workers': Value error, more than one process needs "
        "--message-queue (docs/deploy.md)"
    )


def test_two_workers_on_one_port_run_a_whole_test(
    tmp_path: Path, shared_db: str, queue_prefix: str
) -> None:
    server = start_server(
        tmp_path / "data", args=["--workers", "2"], env=cluster_env(shared_db, queue_prefix)
    )
    try:
        wait_for(lambda: server.log().count("event=server_started") == 2, timeout=60)
        device = new_device()
        batches = [samples(0, 50), samples(50, 50)]
        session_id, complete = complete_run(server, device, batches)
        assert complete["samples"] == 100
        assert samples_of(server, session_id) == [s for batch in batches for s in batch]
    finally:
        assert server.stop() == 0
    assert "event=workers_stopped" in server.log()


def test_a_message_queue_out_of_reach_is_said_in_one_line(tmp_path: Path) -> None:
    # Port 1 on loopback: nothing listens there, and nothing leaves the machine.
    command = [sys.executable, "-m", "sensorhub", "serve", "--port", str(free_port())]
    command += ["--data-dir", str(tmp_path), "--message-queue", "redis://127.0.0.1:1/0"]
    done = subprocess.run(command, capture_output=True, text=True, cwd=REPO, timeout=60)
    assert done.returncode != 0
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("Error: cannot reach the message queue: "), done.stderr


def test_workers_refuse_a_serial_port_in_one_line(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "sensorhub", "serve", "--workers", "2", "--serial", "/dev/x"]
    command += ["--message-queue", "redis://127.0.0.1:1/0"]
    command += ["--port", str(free_port()), "--data-dir", str(tmp_path)]
    done = subprocess.run(command, capture_output=True, text=True, cwd=REPO, timeout=60)
    assert done.returncode != 0
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("Error: invalid setting 'workers': Value error, --serial reads one")


def test_two_workers_with_mqtt_have_one_subscriber_and_store_a_batch_once(
    tmp_path: Path, shared_db: str, queue_prefix: str
) -> None:
    broker = Broker(tmp_path / "mosquitto")
    broker.start()
    server = start_server(
        tmp_path / "data",
        args=["--workers", "2", "--mqtt", broker.url],
        env=cluster_env(shared_db, queue_prefix),
    )
    try:
        wait_for(lambda: server.log().count("event=server_started") == 2, timeout=60)
        wait_for(lambda: "event=mqtt_connected" in server.log(), timeout=30)
        with device(broker, "worker-wrist") as wearable:
            body = batch(wearable.device_id, 1, 0.0, 1.0)
            del body["device_id"]
            wearable.sent_and_acked("signals", body)
            exported = httpx.get(
                server.url + "/api/wearable/signals.csv",
                params={"device_id": wearable.device_id},
            )
        assert len(exported.text.strip().splitlines()) == 1 + 64 + 4 + 3 * 32
        # The second worker never connected: one broker session, not two taking turns.
        assert server.log().count("event=mqtt_connected") == 1
    finally:
        assert server.stop() == 0
        broker.stop()
