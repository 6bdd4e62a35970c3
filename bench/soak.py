"""Soak: a club's worth of devices for N minutes against a real server process.

``python -m bench.soak --minutes 10`` (``make soak``, ``SOAK_MINUTES``): 10 force plates at
1000 Hz (50 samples every 50 ms, as the firmware batches) recording 10 s tests back to back,
50 wearables posting 4 readings/s, and 5 dashboards watching, with the server on its default
limits. Load runs in separate processes (plates, wearables, dashboards), so the server's
numbers are its own. Prints samples and readings sent vs stored (read back from the API), the
server's RSS and open files at start and end, and the p99 end-to-end latency (a plate's send
to a dashboard's receive, same clock).

Not a test: it is long, and on a shared machine its numbers are an order of magnitude.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import socketio

from bench._table import Result, format_table
from sensorhub.config import Settings
from tests._server import LiveServer, start_server

PLATES, PLATE_HZ, BATCH = 10, 1000, 50
TEST_SECONDS = 10.0  # an IMTP test: weigh, pull, release
# Idle connections are let go before uvicorn's 5 s keep-alive timeout closes them under us.
KEEPALIVE_S = 2.0
WEARABLES, WEARABLE_HZ = 50, 4.0
DASHBOARDS = 5
READING = {"bvp": 0.85, "temperature": 36.5, "acceleration": {"x": 0.02, "y": -0.01, "z": 0.98}}


# -- load processes (python -m bench.soak --role ROLE --url URL --seconds S) -------------
# python-socketio's asyncio client needs aiohttp; its threaded client needs nothing more.
def plate(url: str, device_id: str, seconds: float) -> dict[str, Any]:
    """Record tests back to back for ``seconds``, as a coach does: start, stream paced
    batches with ``t`` = wall-clock ms, stop, done; then read each test's count back."""
    sent = stored = tests = 0
    limits = httpx.Limits(keepalive_expiry=KEEPALIVE_S)
    http = httpx.Client(base_url=url, timeout=30, limits=limits)
    with socketio.SimpleClient() as esp, http:
        esp.connect(url, transports=["websocket"])
        esp.emit("register", {"type": "esp", "device_id": device_id})
        esp.emit("ping")  # answered in turn: once it is, the esp is registered for `start`
        wait_for_event(esp, "pong", lambda data: True)
        begin = time.monotonic()
        while time.monotonic() - begin < seconds:
            started = http.post("/api/start_test", json={"device_id": device_id})
            session_id = started.json()["session_id"]
            wait_for_event(esp, "message", lambda data: data.get("cmd") == "start")
            sent += stream(esp, min(TEST_SECONDS, seconds - (time.monotonic() - begin)))
            http.post("/api/stop_test", json={"device_id": device_id})
            wait_for_event(esp, "message", lambda data: data.get("cmd") == "stop")
            esp.emit("done", {"done": True})
            wait_for_event(esp, "data_complete", session_is(session_id))
            stored += http.get(f"/api/tests/{session_id}").json()["data"]["sample_count"]
            tests += 1
    return {"sent": sent, "stored": stored, "tests": tests}


def stream(esp: socketio.SimpleClient, seconds: float) -> int:
    sent, begin = 0, time.monotonic()
    while (elapsed := time.monotonic() - begin) < seconds:
        time.sleep(max(0.0, sent / PLATE_HZ - elapsed))  # the firmware's timer
        t = time.time() * 1000
        batch = [{"t": t + i, "l": 400.0 + i % 7, "r": 410.0 - i % 5} for i in range(BATCH)]
        esp.emit("samples", {"samples": batch})
        sent += BATCH
    return sent


def session_is(session_id: int) -> Any:
    return lambda data: data["session_id"] == session_id


def wait_for_event(client: socketio.SimpleClient, name: str, match: Any) -> None:
    while True:
        event, *args = client.receive(timeout=180)
        if event == name and match(args[0]):
            return


def in_threads(count: int, work: Any) -> list[Any]:
    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(work, range(count)))


def plates(url: str, seconds: float) -> dict[str, Any]:
    results = in_threads(PLATES, lambda i: plate(url, f"soak-plate-{i}", seconds))
    return {key: sum(r[key] for r in results) for key in ("sent", "stored", "tests")}


async def wearables(url: str, seconds: float) -> dict[str, Any]:
    counts = {"sent": 0, "refused": 0, "failed": 0}
    latencies: list[float] = []

    async def wearable(http: httpx.AsyncClient, device_id: str) -> None:
        begin, posted = time.monotonic(), 0
        while (elapsed := time.monotonic() - begin) < seconds:
            await asyncio.sleep(max(0.0, posted / WEARABLE_HZ - elapsed))
            start = time.perf_counter()
            posted += 1
            try:
                response = await http.post(
                    "/api/sensor-data", json={**READING, "device_id": device_id}
                )
            except httpx.TransportError:  # a wearable would send it again; here it is counted
                counts["failed"] += 1
                continue
            latencies.append(time.perf_counter() - start)
            counts["sent" if response.status_code == 200 else "refused"] += 1

    limits = httpx.Limits(max_connections=WEARABLES, keepalive_expiry=KEEPALIVE_S)
    async with httpx.AsyncClient(base_url=url, timeout=30, limits=limits) as http:
        await asyncio.gather(*(wearable(http, f"soak-wrist-{i}") for i in range(WEARABLES)))
    latencies.sort()
    return {**counts, "p99_ms": latencies[int(len(latencies) * 0.99)] * 1000}


def dashboard(url: str, seconds: float) -> dict[str, Any]:
    """Watch until every plate's last test is saved; latency of each batch's first sample."""
    latencies: list[float] = []
    saved: set[str] = set()
    dropped = 0
    with socketio.SimpleClient() as viewer:
        viewer.connect(url, transports=["websocket"])
        viewer.emit("register", {"type": "browser"})
        print("ready", flush=True)
        end = time.monotonic() + seconds  # plates start later, so their last tests end after
        while len(saved) < PLATES:
            event, *args = viewer.receive(timeout=seconds + 180)
            if event == "sensor_data" and args[0]["session_id"] is not None:
                latencies.append(time.time() * 1000 - args[0]["samples"][0]["t"])
            elif event == "data_complete" and time.monotonic() > end:
                saved.add(args[0]["device_id"])
            elif event == "dropped":
                dropped += args[0]["count"]
    latencies.sort()
    return {
        "batches": len(latencies),
        "dropped": dropped,
        "p50_ms": latencies[len(latencies) // 2] if latencies else 0.0,
        "p99_ms": latencies[int(len(latencies) * 0.99)] if latencies else 0.0,
    }


def wearables_process(url: str, seconds: float) -> dict[str, Any]:
    return asyncio.run(wearables(url, seconds))


ROLES = {"plates": plates, "wearables": wearables_process, "dashboard": dashboard}


# -- the conductor ------------------------------------------------------------------------
def server_resources(server: LiveServer) -> tuple[float, int]:
    """The server's RSS in MiB and its open file descriptors."""
    pid = server.process.pid
    status = Path(f"/proc/{pid}/status").read_text().splitlines()
    rss_kib = next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))
    return rss_kib / 1024, len(os.listdir(f"/proc/{pid}/fd"))


def stored_readings(server: LiveServer) -> int:
    with httpx.stream("GET", server.url + "/api/readings.csv", timeout=300) as response:
        return sum(1 for _ in response.iter_lines()) - 1  # the header line


def load(role: str, url: str, seconds: float) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "bench.soak", "--role", role, "--url", url]
    return subprocess.Popen(
        [*command, "--seconds", str(seconds)], stdout=subprocess.PIPE, text=True
    )


def result(process: subprocess.Popen[str], timeout: float) -> dict[str, Any]:
    out, _ = process.communicate(timeout=timeout)
    assert process.returncode == 0, out
    data: dict[str, Any] = json.loads(out.splitlines()[-1])
    return data


def soak(minutes: float) -> list[Result]:
    seconds = minutes * 60
    with tempfile.TemporaryDirectory() as tmp:
        # The server's own default limits (start_server turns the rate limit off for tests).
        default_rate = Settings.model_fields["rate_limit_per_s"].default
        env = {"SENSORHUB_LOG_LEVEL": "warning", "SENSORHUB_RATE_LIMIT_PER_S": str(default_rate)}
        server = start_server(Path(tmp) / "data", env=env)
        try:
            watchers = [load("dashboard", server.url, seconds) for _ in range(DASHBOARDS)]
            for watcher in watchers:
                assert watcher.stdout is not None and watcher.stdout.readline().strip() == "ready"
            rss_start, files_start = server_resources(server)
            devices = [load(role, server.url, seconds) for role in ("plates", "wearables")]
            grace = seconds + 300
            plated, worn = (result(p, grace) for p in devices)
            watched = [result(watcher, grace) for watcher in watchers]
            rss_end, files_end = server_resources(server)
            stored = stored_readings(server)
        finally:
            server.stop()
    p50s = "p50 " + ", ".join(f"{w['p50_ms']:.0f}" for w in watched) + " ms"
    dropped = sum(w["dropped"] for w in watched)
    return [
        Result(
            "plate samples sent",
            plated["sent"],
            "samples",
            note=f"{PLATES} plates at {PLATE_HZ} Hz",
        ),
        Result(
            "plate samples stored",
            plated["stored"],
            "samples",
            note=f"{plated['tests']} tests, read back",
        ),
        Result(
            "readings sent (200)", worn["sent"], "readings", note=f"{WEARABLES} wearables at 4 Hz"
        ),
        Result(
            "readings stored",
            stored,
            "readings",
            note=f"refused {worn['refused']}, failed {worn['failed']}",
        ),
        Result("server RSS start → end", rss_end, "MiB", note=f"start {rss_start:.1f} MiB"),
        Result("server open files start → end", files_end, "fds", note=f"start {files_start}"),
        Result("plate → dashboard p99 (worst)", max(w["p99_ms"] for w in watched), "ms", note=p50s),
        Result(
            "dashboard batches",
            sum(w["batches"] for w in watched),
            "batches",
            note=f"dropped {dropped}",
        ),
        Result("reading POST p99", worn["p99_ms"], "ms", note="wearable → committed reply"),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--role", choices=sorted(ROLES), help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--seconds", type=float, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.role:
        print(json.dumps(ROLES[args.role](args.url, args.seconds)), flush=True)
        return
    rows = soak(args.minutes)
    print(f"soak: {args.minutes:g} min, {os.cpu_count()} cores")
    print(format_table(rows))


if __name__ == "__main__":
    main()
