"""Several sensorhub processes sharing one PostgreSQL database and one Redis."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests._postgres import postgres_database
from tests._redis import REDIS_URL, redis_prefix
from tests._server import LiveServer, start_server

StartProcess = Callable[..., LiveServer]


@pytest.fixture(scope="module")
def shared_db() -> Iterator[str]:
    yield from postgres_database()


@pytest.fixture(scope="module")
def queue_prefix() -> Iterator[str]:
    yield from redis_prefix()


def cluster_env(database_url: str, prefix: str, **extra: str) -> dict[str, str]:
    """The environment of one process of a cluster: shared database and message queue."""
    return {
        "SENSORHUB_DB": database_url,
        "SENSORHUB_MESSAGE_QUEUE": REDIS_URL,
        "SENSORHUB_MESSAGE_QUEUE_PREFIX": prefix,
        **extra,
    }


@pytest.fixture(scope="module")
def start_process(
    queue_prefix: str, shared_db: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[StartProcess]:
    """Starts processes of one cluster; each has its own data dir (CSV files), all share the
    database and the queue. Every one started is stopped at the end of the module. (Redis is
    asked for first: a missing Redis is then reported as such even when PostgreSQL is missing
    too, which tests/test_required_services.py relies on.)"""
    started: list[LiveServer] = []

    def start(name: str, **env: str) -> LiveServer:
        data_dir: Path = tmp_path_factory.mktemp(name) / "data"
        server = start_server(data_dir, env=cluster_env(shared_db, queue_prefix, **env))
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture(scope="module")
def pair(start_process: StartProcess) -> Iterator[tuple[LiveServer, LiveServer]]:
    """Two processes of one cluster, A and B."""
    yield start_process("a"), start_process("b")
