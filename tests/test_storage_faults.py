"""Storage failure is a state, not a hang: each fault against a real server.

For every fault: every request is answered before an ESP32's HTTP client would give up
(200, or 503 + ``Retry-After`` meaning "not stored"), nothing acknowledged is lost, nothing
refused is stored, and the server recovers by itself once the fault is gone.
"""

from __future__ import annotations

import itertools
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from sensorhub.config import Settings
from tests._readings import READING, stored_readings
from tests._server import LiveServer, start_server

# An ESP32's HTTP client gives up after about this long; an answer after it is no answer.
ESP32_TIMEOUT_S = 5.0
STORAGE_TIMEOUT_S: float = Settings.model_fields["storage_timeout_s"].default
assert STORAGE_TIMEOUT_S < ESP32_TIMEOUT_S  # the default must let the device learn the outcome
MAX_POSTS = 5000  # every phase ends by its condition long before this; a bound, not a target

# Holds SQLite's write lock until a line arrives on stdin, as another process might.
LOCKER = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=30)
conn.execute("BEGIN EXCLUSIVE")
print("locked", flush=True)
sys.stdin.readline()
conn.execute("COMMIT")
"""


@dataclass(frozen=True)
class Answer:
    marker: float  # the reading's bvp: unique per request, so it can be found in the database
    status: int
    body: dict[str, Any]
    retry_after: str | None
    elapsed_s: float


class Load:
    """Posts readings with unique markers from worker threads and keeps every answer."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.answers: list[Answer] = []
        self._markers = itertools.count(1)
        self._lock = threading.Lock()

    def run(self, workers: int, until: Callable[[list[Answer]], bool]) -> list[Answer]:
        """Post until ``until(answers of this phase)``; returns this phase's answers."""
        phase: list[Answer] = []
        done = threading.Event()

        def post_until_done() -> None:
            with httpx.Client(base_url=self.url, timeout=ESP32_TIMEOUT_S) as http:
                while not done.is_set():
                    answer = self._post(http)
                    with self._lock:
                        phase.append(answer)
                        self.answers.append(answer)
                        if until(phase) or len(phase) >= MAX_POSTS:
                            done.set()

        threads = [threading.Thread(target=post_until_done) for _ in range(workers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert until(phase), f"the condition was not met in {len(phase)} posts"
        return phase

    def _post(self, http: httpx.Client) -> Answer:
        with self._lock:
            marker = float(next(self._markers))
        started = time.monotonic()
        # A timeout here raises and fails the test: the server left the device without answer.
        response = http.post("/api/sensor-data", json={**READING, "bvp": marker})
        elapsed = time.monotonic() - started
        retry = response.headers.get("retry-after")
        return Answer(marker, response.status_code, response.json(), retry, elapsed)

    def markers(self, status: int) -> set[float]:
        return {a.marker for a in self.answers if a.status == status}


def count(status: int, minimum: int) -> Callable[[list[Answer]], bool]:
    return lambda answers: sum(a.status == status for a in answers) >= minimum


def recovered(answers: list[Answer]) -> bool:
    return len(answers) >= 5 and all(a.status == 200 for a in answers[-5:])


def assert_refusals_are_honest(answers: Sequence[Answer]) -> None:
    for answer in answers:
        assert answer.status in (200, 503), answer
        if answer.status == 503:
            assert answer.body["status"] == "error"
            assert answer.body["code"] == "storage_unavailable"
            assert "nothing was stored" in answer.body["message"]
            assert answer.retry_after is not None and int(answer.retry_after) >= 1


def assert_nothing_lost(name: str, load: Load, stored: set[float]) -> None:
    """Every answer honest, every acknowledged reading stored, no refused one."""
    assert_refusals_are_honest(load.answers)
    report(name, load, stored)
    assert load.markers(200) <= stored
    assert not load.markers(503) & stored


def report(name: str, load: Load, stored: set[float], kept: set[float] | None = None) -> None:
    """One line for the issue note: slowest answer, acknowledged vs stored (or ``kept``)."""
    acked, refused = load.markers(200), load.markers(503)
    slowest = max(a.elapsed_s for a in load.answers)
    print(
        f"{name}: {len(load.answers)} requests, slowest answer {slowest:.2f}s, "
        f"{len(acked)} acknowledged / {len(acked & (kept or stored))} of them kept, "
        f"{len(refused)} refused / {len(refused & stored)} of them in the database"
    )


def stored_markers(server: LiveServer) -> set[float]:
    return {reading["bvp"] for reading in stored_readings(server.url)}


def storage_state(server: LiveServer) -> str:
    state: str = httpx.get(f"{server.url}/api/health").json()["storage"]
    return state


def database_file(server: LiveServer) -> Path:
    return server.data_dir / "sensorhub.db"


@contextmanager
def exclusive_lock(path: Path) -> Iterator[None]:
    locker = subprocess.Popen(
        [sys.executable, "-c", LOCKER, str(path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert locker.stdin is not None and locker.stdout is not None
    try:
        assert locker.stdout.readline().strip() == "locked"
        yield
    finally:
        locker.stdin.write("\n")
        locker.stdin.close()
        locker.stdout.close()
        assert locker.wait(timeout=30) == 0


@pytest.fixture
def faults(tmp_path: Path) -> Path:
    path = tmp_path / "faults"
    path.mkdir()
    return path


@pytest.fixture
def faulty_server(tmp_path: Path, faults: Path) -> Iterator[LiveServer]:
    env = {"SENSORHUB_TEST_FAULTS": str(faults)}
    server = start_server(tmp_path / "data", module="tests._faulty_server", env=env)
    yield server
    server.stop()


@pytest.mark.sqlite_only
def test_a_database_locked_longer_than_the_wait(fresh_server: LiveServer) -> None:
    load = Load(fresh_server.url)
    load.run(workers=1, until=count(200, 10))
    with exclusive_lock(database_file(fresh_server)):
        locked_at = time.monotonic()
        during = load.run(
            workers=4, until=lambda _: time.monotonic() - locked_at > 2 * STORAGE_TIMEOUT_S
        )
        assert storage_state(fresh_server) == "unavailable"
    load.run(workers=1, until=recovered)
    assert storage_state(fresh_server) == "ok"

    assert any(a.status == 503 for a in during)
    assert_nothing_lost("locked", load, stored_markers(fresh_server))


@pytest.mark.sqlite_only
def test_a_removed_database_file(fresh_server: LiveServer, tmp_path: Path) -> None:
    load = Load(fresh_server.url)
    load.run(workers=1, until=count(200, 10))
    kept = tmp_path / "kept.db"
    kept.hardlink_to(database_file(fresh_server))  # keeps the removed file readable for the test
    database_file(fresh_server).unlink()
    load.run(workers=4, until=count(503, 1))
    load.run(workers=1, until=recovered)

    assert_refusals_are_honest(load.answers)
    assert database_file(fresh_server).exists()  # a new database, with the schema
    # The removed file's last commits were in its WAL journal, which was set aside.
    [journal] = fresh_server.data_dir.glob("sensorhub.db-wal.orphan-*")
    shutil.copy(journal, f"{kept}-wal")
    with closing(sqlite3.connect(kept)) as old:
        in_removed_file = {row[0] for row in old.execute("SELECT bvp FROM readings")}
    stored = stored_markers(fresh_server)
    report("removed", load, stored, kept=stored | in_removed_file)
    # Acknowledged before the removal: in the removed file; after it: in the new one.
    assert load.markers(200) <= stored | in_removed_file
    assert not load.markers(503) & stored


@pytest.mark.sqlite_only
def test_a_full_disk(faulty_server: LiveServer, faults: Path) -> None:
    load = Load(faulty_server.url)
    load.run(workers=1, until=count(200, 10))
    (faults / "disk-full").touch()
    load.run(workers=4, until=count(503, 10))  # what still fits is taken, then refusals
    (faults / "disk-full").unlink()
    load.run(workers=1, until=recovered)

    assert_nothing_lost("disk full", load, stored_markers(faulty_server))


def test_a_writer_killed_by_an_injected_fault(faulty_server: LiveServer, faults: Path) -> None:
    load = Load(faulty_server.url)
    load.run(workers=1, until=count(200, 10))
    (faults / "kill-writer").touch()
    [killed] = load.run(workers=1, until=lambda answers: len(answers) == 1)
    load.run(workers=1, until=recovered)

    assert killed.status == 503
    assert not (faults / "kill-writer").exists()  # the fault did fire
    assert "writer_restarted" in faulty_server.log()
    assert_nothing_lost("writer killed", load, stored_markers(faulty_server))
