"""deploy/nginx.conf in front of three processes: the force-plate contract through it, with a
/ws esp and a polling-only Socket.IO dashboard; and one process killed mid-test."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import redis

from tests._redis import REDIS_URL
from tests._server import LiveServer, wait_for
from tests.cluster._nginx import nginx_config, start_nginx
from tests.cluster.conftest import StartProcess
from tests.forceplate._clients import (
    QUICK_FLUSH_ENV,
    SioClient,
    for_device,
    new_device,
    record_of,
    samples,
    samples_of,
    tlr,
    ws_esp,
)

BEHIND_NGINX = {"SENSORHUB_TRUSTED_PROXIES": "127.0.0.1", **QUICK_FLUSH_ENV}
# Short leases: a killed process's devices move on within about a second.
QUICK_LEASES = {"SENSORHUB_LEASE_TTL_S": "1"}


def rest_from(address: str) -> httpx.Client:
    """REST from another loopback address: nginx hashes it to (likely) another process."""
    return httpx.Client(transport=httpx.HTTPTransport(local_address=address), timeout=10)


def test_the_example_config_names_three_processes_and_the_body_limit() -> None:
    text = nginx_config([1, 2, 3], 8080)
    assert "server 127.0.0.1:1 " in text and "server 127.0.0.1:3 " in text
    assert "listen 127.0.0.1:8080;" in text
    assert "client_max_body_size 1m;" in text  # = the default SENSORHUB_MAX_BODY_BYTES


@pytest.fixture(scope="module")
def front(
    start_process: StartProcess, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    processes = [start_process(f"n{index}", **BEHIND_NGINX) for index in range(3)]
    nginx = start_nginx(tmp_path_factory.mktemp("nginx"), [p.port for p in processes])
    yield nginx
    nginx.stop()


def test_force_plate_contract_through_nginx_with_ws_esp_and_polling_dashboard(
    front: LiveServer,
) -> None:
    device = new_device()
    sent = [samples(0, 50), samples(50, 50)]
    dashboard = SioClient(front.url, transports=["polling"])
    try:
        dashboard.register("browser")
        with ws_esp(front, device) as esp, rest_from("127.0.0.2") as coach:
            started = coach.post(front.url + "/api/start_test", json={"device_id": device})
            assert started.status_code == 200, started.text
            session_id = started.json()["session_id"]
            assert esp.expect_command("start")["session_id"] == session_id
            for batch in sent:
                esp.send({"samples": batch})
                live = dashboard.expect("sensor_data", for_device(device, session_id=session_id))
                assert tlr(live["samples"]) == batch
            stopped = coach.post(front.url + "/api/stop_test", json={"device_id": device})
            assert stopped.status_code == 200, stopped.text
            assert esp.expect_command("stop")["session_id"] == session_id
            esp.send({"done": True})
            complete = dashboard.expect("data_complete", for_device(device, session_id=session_id))
    finally:
        dashboard.close()
    assert complete["samples"] == 100
    assert samples_of(front, session_id) == [s for batch in sent for s in batch]


def test_nginx_refuses_a_body_over_the_limit(front: LiveServer) -> None:
    too_big = b"x" * (1024 * 1024 + 1)
    response = httpx.post(front.url + "/api/sensor-data/batch", content=too_big, timeout=10)
    assert response.status_code == 413


def lease_holder_pid(prefix: str, device: str) -> int:
    """The pid in the device's lease (``host-pid-nonce``, sensorhub/cluster/_assembly.py)."""
    with redis.Redis.from_url(REDIS_URL, decode_responses=True) as client:
        holder = client.get(f"{prefix}:lease:{device}")
    assert isinstance(holder, str), "nobody holds the device"
    return int(holder.rsplit("-", 2)[1])


def test_killing_the_process_running_a_test_loses_nothing_acknowledged(
    tmp_path: Path, start_process: StartProcess, queue_prefix: str
) -> None:
    processes = [start_process(f"k{index}", **BEHIND_NGINX, **QUICK_LEASES) for index in range(3)]
    nginx = start_nginx(tmp_path / "nginx", [p.port for p in processes])
    device = new_device()
    acknowledged: list[dict[str, float]] = []

    def send(esp: SioClient, batch: list[dict[str, float]]) -> None:
        esp.send({"samples": batch}, event="samples")
        esp.ping()  # pong: the batch is handled, so stored (an error would be an event first)
        assert esp.received("error") == []
        acknowledged.extend(batch)

    try:
        esp = SioClient(nginx.url, reconnection=False)
        esp.register("esp", device)
        with rest_from("127.0.0.3") as coach:
            started = coach.post(nginx.url + "/api/start_test", json={"device_id": device})
            assert started.status_code == 200, started.text
            session_id = started.json()["session_id"]
            esp.expect("message", lambda m: m.get("cmd") == "start")
            for first in range(0, 100, 25):
                send(esp, samples(first, 25))
            holder = lease_holder_pid(queue_prefix, device)
            victim = next(p for p in processes if p.process.pid == holder)
            victim.process.send_signal(signal.SIGKILL)
            victim.process.wait(timeout=30)
            # The esp's firmware reconnects: nginx sends it to a live process, which waits for
            # the dead one's lease to lapse, then takes the test over.
            esp = SioClient(nginx.url, reconnection=False)
            esp.register("esp", device)
            for first in range(100, 200, 25):
                send(esp, samples(first, 25))
            stopped = coach.post(nginx.url + "/api/stop_test", json={"device_id": device})
            assert stopped.status_code == 200, stopped.text
            esp.expect("message", lambda m: m.get("cmd") == "stop")
            esp.send({"done": True}, event="done")
            wait_for(lambda: record_of(nginx, session_id)["state"] == "complete")
        esp.close()
    finally:
        nginx.stop()
    survivors = [p for p in processes if p is not victim]
    assert samples_of(survivors[0], session_id) == acknowledged
    assert any("event=test_adopted" in p.log() for p in survivors)
