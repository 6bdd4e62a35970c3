"""A key prefix of its own in the local Redis for each test, removed afterwards; or a Redis
server of a test's own, for a test that restarts it."""

from __future__ import annotations

import os
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import redis

from tests._server import free_port, wait_for
from tests._services import require_service

# .ci/run starts this server; another one can be named in SENSORHUB_TEST_REDIS_URL.
REDIS_URL = os.environ.get("SENSORHUB_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


# How long an own redis-server may take to answer its first ping.
STARTUP_TIMEOUT_S = 30.0


def redis_prefix() -> Iterator[str]:
    """A unique ``message_queue_prefix``; its keys are deleted when the test ends."""
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.RedisError as exc:
        client.close()
        require_service("Redis", f"{REDIS_URL}: {type(exc).__name__}: {exc}")
    prefix = f"test-{uuid.uuid4().hex[:12]}"
    try:
        yield prefix
    finally:
        for key in client.scan_iter(match=f"{prefix}:*"):
            client.delete(key)
        client.close()


class OwnRedis:
    """A ``redis-server`` of the caller's own on a free port, without persistence (a restart
    loses every key, as a crash would): for tests and runs that stop Redis, which must
    never happen to the machine's shared one."""

    def __init__(self, directory: Path) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self._directory = directory
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self._directory.mkdir(parents=True, exist_ok=True)
        command = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                   "--appendonly", "no", "--dir", str(self._directory)]  # fmt: skip
        with (self._directory / "redis.log").open("ab") as log:
            self._process = subprocess.Popen(command, stdout=log, stderr=log)
        client = redis.Redis.from_url(self.url)

        def answers() -> bool:
            try:
                return bool(client.ping())
            except redis.ConnectionError:
                return False

        try:
            wait_for(answers, timeout=STARTUP_TIMEOUT_S)
        finally:
            client.close()

    def stop(self) -> None:
        if self._process is not None:
            self._process.kill()
            self._process.wait(timeout=30)
            self._process = None
