"""Chaos: real life for N minutes against three server processes sharing a database and Redis.

``python -m bench.chaos --minutes 15`` (``make chaos``, ``CHAOS_MINUTES``). Three sensorhub
processes share a PostgreSQL cluster and a Redis server of the run's own (temporary, on free
ports: they are restarted, which must never happen to a machine's shared servers). Meanwhile:

- wearables stream 1 s signal batches as the firmware does (a bounded buffer sent oldest
  first, resent until acknowledged, moving to another process when one fails); each reboots
  now and then (a new boot id, seq from 1, its clock from 0: unacknowledged batches are lost
  with its memory, as on a real device) and goes offline once, buffering, then back-filling;
- force plates record 5 s tests at 1 kHz over Socket.IO (start, samples, stop, done); now and
  then one loses power mid-test (the connection drops; it comes back as a new connection);
- two of the three processes are killed with SIGKILL in turn (each restarted after
  ``DOWN_S``), Redis is killed and restarted once, PostgreSQL is stopped immediately (as in a
  crash) and restarted once.

It prints, per device, what the server acknowledged and what the database holds at the end
(they must be equal: a wearable's acknowledged (boot, seq) batches; a plate's samples of the
tests whose ``data_complete`` it received), the RSS of each process at the start and the end,
and the longest answer time any request got (a failure counts with the time it took).

Not a test: it is long, and on a shared machine its numbers are an order of magnitude.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import json
import random
import secrets
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import socketio
from sqlalchemy import create_engine, text

from bench._throwaway import ThrowawayPostgres
from tests._redis import OwnRedis
from tests._server import LiveServer, free_port, start_server
from tests.signals._batches import batch as signal_batch

PROCESSES = 3
WEARABLES = 6
PLATES = 3
PLATE_HZ, PLATE_BATCH = 1000, 50
TEST_S = 5.0
DOWN_S = 10.0  # a killed process is restarted this long after
# Batches a wearable keeps while unacknowledged: the firmware's bound (firmware/README.md).
BUFFERED = 120
OFFLINE_S = 20.0
REQUEST_TIMEOUT_S = 30.0
RETRY_S = 0.5
# Each wearable reboots about this often, each plate loses power in about one test of this.
REBOOT_EVERY_S = 60.0
POWER_CUT_ONE_IN = 4


# -- wearables (python -m bench.chaos --role wearables --urls U1,U2,U3 --seconds S) --------
class Wearable:
    """One device: its boot, its buffer, what the servers acknowledged."""

    def __init__(self, device_id: str, urls: list[str], seconds: float, rng: random.Random):
        self.device_id = device_id
        self.urls = urls
        self.seconds = seconds
        self.rng = rng
        self.acknowledged: set[tuple[str, int]] = set()
        self.lost_in_reboot = 0  # made, never acknowledged, gone with the device's memory
        self.dropped = 0  # dropped from the full buffer
        self.refused: collections.Counter[int] = collections.Counter()
        self.reboots = 0
        self.longest_s = 0.0
        self._url = rng.randrange(len(urls))
        self._boot()

    def _boot(self) -> None:
        self.boot, self.seq, self.booted_at = secrets.token_hex(4), 1, time.monotonic()
        self.buffer: collections.deque[dict[str, Any]] = collections.deque()

    async def run(self, http: httpx.AsyncClient) -> None:
        begin = time.monotonic()
        offline_from = begin + self.rng.uniform(0.2, 0.7) * self.seconds
        next_reboot = begin + self.rng.expovariate(1 / REBOOT_EVERY_S)
        while (now := time.monotonic()) - begin < self.seconds:
            if now >= next_reboot:
                self.lost_in_reboot += len(self.buffer)
                self.reboots += 1
                self._boot()
                next_reboot = now + self.rng.expovariate(1 / REBOOT_EVERY_S)
            while self.booted_at + (self.seq - 1) <= now:  # one batch a second of device time
                self._keep()
            offline = offline_from <= now < offline_from + OFFLINE_S
            if self.buffer and not offline:
                if not await self._send(http, self.buffer[0]):
                    await asyncio.sleep(RETRY_S)
                continue
            await asyncio.sleep(max(0.0, self.booted_at + (self.seq - 1) - time.monotonic()))

    def _keep(self) -> None:
        body = signal_batch(self.device_id, self.seq, float(self.seq - 1), 1.0)
        if len(self.buffer) >= BUFFERED:
            self.buffer.popleft()
            self.dropped += 1
        self.buffer.append({**body, "boot": self.boot})
        self.seq += 1

    async def _send(self, http: httpx.AsyncClient, body: dict[str, Any]) -> bool:
        """Done with the oldest batch: acknowledged (or refused for good)."""
        url = self.urls[self._url]
        start = time.monotonic()
        try:
            response = await http.post(url + "/api/wearable/signals", json=body)
        except httpx.HTTPError:
            response = None
        self.longest_s = max(self.longest_s, time.monotonic() - start)
        if response is not None and response.status_code == 200:
            self.acknowledged.add((body["boot"], body["seq"]))
            self.buffer.popleft()
            return True
        if response is not None and response.status_code not in (429, 503):
            self.refused[response.status_code] += 1
            self.buffer.popleft()
            return True
        self._url = (self._url + 1) % len(self.urls)  # as firmware with a fallback server
        return False

    def report(self) -> dict[str, Any]:
        return {
            "acknowledged": sorted(self.acknowledged),
            "lost_in_reboot": self.lost_in_reboot,
            "dropped": self.dropped,
            "refused": dict(self.refused),
            "reboots": self.reboots,
            "longest_s": self.longest_s,
        }


async def wearables_async(urls: list[str], seconds: float) -> dict[str, Any]:
    rng = random.Random(20)
    devices = [Wearable(f"chaos-wrist-{i}", urls, seconds, rng) for i in range(WEARABLES)]
    timeout = httpx.Timeout(REQUEST_TIMEOUT_S)
    async with httpx.AsyncClient(timeout=timeout) as http:
        await asyncio.gather(*(device.run(http) for device in devices))
    return {device.device_id: device.report() for device in devices}


def wearables(urls: list[str], seconds: float) -> dict[str, Any]:
    return asyncio.run(wearables_async(urls, seconds))


# -- plates (python -m bench.chaos --role plates …) ------------------------------------------
class Plate:
    def __init__(self, device_id: str, urls: list[str], seconds: float, seed: int) -> None:
        self.device_id = device_id
        self.urls = urls
        self.seconds = seconds
        self.rng = random.Random(seed)
        self.acknowledged: dict[int, int] = {}  # test id: samples data_complete reported
        self.unfinished: collections.Counter[str] = collections.Counter()  # cut tests, by why
        self.power_cuts = 0
        self.stopped_leftovers = 0  # tests left running by a power cut, stopped at the next
        self.longest_s = 0.0

    def run(self) -> None:
        begin = time.monotonic()
        while time.monotonic() - begin < self.seconds:
            url = self.rng.choice(self.urls)
            try:
                self._record(url)
            except Exception as exc:  # a process died, or a power cut: reconnect, elsewhere
                self.unfinished[f"{type(exc).__name__}: {str(exc)[:60]}"] += 1
                time.sleep(RETRY_S)

    def _record(self, url: str) -> None:
        timeout = httpx.Timeout(REQUEST_TIMEOUT_S)
        with socketio.SimpleClient() as esp, httpx.Client(base_url=url, timeout=timeout) as http:
            esp.connect(url, transports=["websocket"])
            esp.emit("register", {"type": "esp", "device_id": self.device_id})
            esp.emit("ping")
            _wait_for(esp, "pong", lambda data: True)
            started = self._post(http, "/api/start_test")
            if started.status_code == 409:  # a test of the last power-on is still running
                self.stopped_leftovers += 1
                self._stop_leftover(http)
                started = self._post(http, "/api/start_test")
            started.raise_for_status()
            test_id = started.json()["session_id"]
            _wait_for(esp, "message", lambda data: data.get("cmd") == "start")
            if self.rng.randrange(POWER_CUT_ONE_IN) == 0:
                self.power_cuts += 1
                _stream(esp, self.rng.uniform(0.5, TEST_S))
                esp.client.eio.disconnect(abort=True)  # the power went: no close handshake
                raise RuntimeError("power cut")
            _stream(esp, TEST_S)
            self._post(http, "/api/stop_test").raise_for_status()
            _wait_for(esp, "message", lambda data: data.get("cmd") == "stop")
            esp.emit("done", {"done": True})
            complete = _wait_for(esp, "data_complete", lambda data: data["session_id"] == test_id)
            self.acknowledged[test_id] = complete["samples"]

    def _stop_leftover(self, http: httpx.Client) -> None:
        """Stop it, as a coach would, and wait until it is saved (the esp that recorded it
        is gone: the server completes it after its flush grace)."""
        self._post(http, "/api/stop_test")
        deadline = time.monotonic() + REQUEST_TIMEOUT_S
        while time.monotonic() < deadline:
            status = http.get("/api/status", params={"device_id": self.device_id}).json()
            if status["state"] == "idle":
                return
            time.sleep(RETRY_S)

    def _post(self, http: httpx.Client, path: str) -> httpx.Response:
        start = time.monotonic()
        try:
            return http.post(path, json={"device_id": self.device_id})
        finally:
            self.longest_s = max(self.longest_s, time.monotonic() - start)

    def report(self) -> dict[str, Any]:
        return {
            "acknowledged": self.acknowledged,
            "unfinished": self.unfinished,
            "power_cuts": self.power_cuts,
            "stopped_leftovers": self.stopped_leftovers,
            "longest_s": self.longest_s,
        }


def _stream(esp: socketio.SimpleClient, seconds: float) -> None:
    sent, begin = 0, time.monotonic()
    while (elapsed := time.monotonic() - begin) < seconds:
        time.sleep(max(0.0, sent / PLATE_HZ - elapsed))  # the firmware's timer
        t = time.time() * 1000
        batch = [{"t": t + i, "l": 400.0 + i % 7, "r": 410.0 - i % 5} for i in range(PLATE_BATCH)]
        esp.emit("samples", {"samples": batch})
        sent += PLATE_BATCH


def _wait_for(client: socketio.SimpleClient, name: str, match: Any) -> Any:
    deadline = time.monotonic() + REQUEST_TIMEOUT_S
    while (left := deadline - time.monotonic()) > 0:
        event, *args = client.receive(timeout=left)
        if event == name and match(args[0] if args else None):
            return args[0] if args else None
    raise TimeoutError(name)


def plates(urls: list[str], seconds: float) -> dict[str, Any]:
    devices = [Plate(f"chaos-plate-{i}", urls, seconds, seed=i) for i in range(PLATES)]
    threads = [threading.Thread(target=device.run) for device in devices]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {device.device_id: device.report() for device in devices}


ROLES = {"wearables": wearables, "plates": plates}


# -- the conductor -----------------------------------------------------------------------
class Cluster:
    """Three processes on fixed ports (a restart comes back on its own port)."""

    def __init__(self, base: Path, database_url: str, queue_url: str) -> None:
        self.base = base
        self.env = {"SENSORHUB_MESSAGE_QUEUE": queue_url, "SENSORHUB_LOG_LEVEL": "warning"}
        self.args = ["--db", database_url]
        self.ports = [free_port() for _ in range(PROCESSES)]
        self.servers: list[LiveServer] = [self._start(i) for i in range(PROCESSES)]

    def _start(self, index: int) -> LiveServer:
        data_dir = self.base / f"process-{index}" / "data"
        return start_server(data_dir, args=self.args, env=self.env, port=self.ports[index])

    def urls(self) -> list[str]:
        return [f"http://127.0.0.1:{port}" for port in self.ports]

    def kill(self, index: int) -> None:
        self.servers[index].kill()

    def restart(self, index: int) -> None:
        self.servers[index] = self._start(index)

    def rss_mib(self) -> list[float]:
        return [_rss_mib(server.process.pid) for server in self.servers]

    def stop(self) -> None:
        for server in self.servers:
            if server.process.poll() is None:
                server.stop()


def _rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def load(role: str, urls: list[str], seconds: float, log: Path) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "bench.chaos", "--role", role, "--urls", ",".join(urls)]
    return subprocess.Popen(
        [*command, "--seconds", str(seconds)],
        stdout=subprocess.PIPE,
        stderr=log.open("ab"),
        text=True,
    )


def result(process: subprocess.Popen[str], timeout: float) -> dict[str, Any]:
    out, _ = process.communicate(timeout=timeout)
    assert process.returncode == 0, out
    data: dict[str, Any] = json.loads(out.splitlines()[-1])
    return data


def schedule(seconds: float) -> list[tuple[float, str]]:
    """When each fault happens, as a share of the run: spread out, none overlapping."""
    return [
        (0.15 * seconds, "kill process 0"),
        (0.15 * seconds + DOWN_S, "restart process 0"),
        (0.35 * seconds, "restart redis"),
        (0.50 * seconds, "kill process 1"),
        (0.50 * seconds + DOWN_S, "restart process 1"),
        (0.70 * seconds, "restart postgresql"),
    ]


def chaos(minutes: float) -> int:
    seconds = minutes * 60
    with tempfile.TemporaryDirectory(prefix="sensorhub-chaos-") as tmp:
        base = Path(tmp)
        queue, database = OwnRedis(base / "redis"), ThrowawayPostgres(base / "postgres")
        queue.start()
        database.start()
        cluster: Cluster | None = None
        try:
            cluster = Cluster(base, database.url, queue.url)
            rss_start = cluster.rss_mib()
            pids_start = [s.process.pid for s in cluster.servers]
            log = base / "load.log"
            loads = [load(role, cluster.urls(), seconds, log) for role in ROLES]
            begin = time.monotonic()
            for at, fault in schedule(seconds):
                time.sleep(max(0.0, begin + at - time.monotonic()))
                print(f"{time.monotonic() - begin:6.1f} s  {fault}", flush=True)
                _inflict(fault, cluster, queue, database)
            worn, plated = (result(p, seconds + 600) for p in loads)
            rss_end = cluster.rss_mib()
            restarted = [
                s.process.pid != pid for s, pid in zip(cluster.servers, pids_start, strict=True)
            ]
            stored_batches, stored_samples = _stored(database.url, plated)
            _print_report(worn, plated, stored_batches, stored_samples, rss_start, rss_end,
                          restarted)  # fmt: skip
            equal = all(
                len(worn[d]["acknowledged"]) == stored_batches.get(d, 0) for d in worn
            ) and all(sum(plated[d]["acknowledged"].values()) == stored_samples[d] for d in plated)
            if not equal:
                print("\nlogs kept: acknowledged and stored differ", file=sys.stderr)
                for server in cluster.servers:
                    print(server.log()[-4000:], file=sys.stderr)
            return 0 if equal else 1
        finally:
            if cluster is not None:
                cluster.stop()
            queue.stop()
            database.stop()


def _inflict(fault: str, cluster: Cluster, queue: OwnRedis, db: ThrowawayPostgres) -> None:
    verb, _, what = fault.partition(" ")
    if what.startswith("process"):
        index = int(what.split()[1])
        cluster.kill(index) if verb == "kill" else cluster.restart(index)
    elif what == "redis":
        queue.stop()
        queue.start()
    elif what == "postgresql":
        db.restart()


def _stored(database_url: str, plated: dict[str, Any]) -> tuple[dict[str, int], dict[str, int]]:
    """Per wearable: distinct (boot, seq) batches stored; per plate: the samples stored of
    the tests it was told were complete."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            batches: dict[Any, Any] = dict(conn.execute(text(
                "SELECT device_id, count(*) FROM (SELECT DISTINCT device_id, boot, seq"
                " FROM signal_batches) AS b GROUP BY device_id"
            )).all())  # fmt: skip
            samples = {}
            for device, report in plated.items():
                ids = [int(i) for i in report["acknowledged"]]
                total = 0
                for (stored,) in conn.execute(
                    text("SELECT samples FROM sample_batches WHERE test_id = ANY(:ids)"),
                    {"ids": ids},
                ):
                    total += len(json.loads(stored))
                samples[device] = total
    finally:
        engine.dispose()
    return {str(k): int(v) for k, v in batches.items()}, samples


def _print_report(
    worn: dict[str, Any],
    plated: dict[str, Any],
    stored_batches: dict[str, int],
    stored_samples: dict[str, int],
    rss_start: list[float],
    rss_end: list[float],
    restarted: list[bool],
) -> None:
    print(f"\n{'device':<16}{'acknowledged':>14}{'stored':>10}  notes")
    for device, r in worn.items():
        notes = (
            f"batches; {r['reboots']} reboots, {r['lost_in_reboot']} unacknowledged lost in "
            f"reboots, {r['dropped']} dropped (full buffer), refused {r['refused']}"
        )
        _row(device, len(r["acknowledged"]), stored_batches.get(device, 0), notes)
    for device, r in plated.items():
        cut = sum(r["unfinished"].values())
        notes = (f"samples; {len(r['acknowledged'])} tests complete, {cut} cut "
                 f"({r['power_cuts']} power cuts, {r['stopped_leftovers']} left running and "
                 f"stopped at the next start): {r['unfinished']}")  # fmt: skip
        _row(device, sum(r["acknowledged"].values()), stored_samples[device], notes)
    print("\nprocess  RSS start → end (MiB)")
    for index, (start, end) in enumerate(zip(rss_start, rss_end, strict=True)):
        again = " (killed and restarted: end is the new process)" if restarted[index] else ""
        print(f"{index:>7}  {start:6.1f} → {end:6.1f}{again}")
    longest = max(r["longest_s"] for r in [*worn.values(), *plated.values()])
    print(f"\nlongest answer time: {longest:.2f} s (any request, failures included)")


def _row(device: str, acknowledged: int, stored: int, notes: str) -> None:
    print(f"{device:<16}{acknowledged:>14}{stored:>10}  {notes}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=15.0)
    parser.add_argument("--role", choices=sorted(ROLES), help=argparse.SUPPRESS)
    parser.add_argument("--urls", help=argparse.SUPPRESS)
    parser.add_argument("--seconds", type=float, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.role:
        print(json.dumps(ROLES[args.role](args.urls.split(","), args.seconds)), flush=True)
        return
    sys.exit(chaos(args.minutes))


if __name__ == "__main__":
    main()
