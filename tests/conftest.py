"""Fixtures shared by every test package."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests._postgres import SERVER_DATABASES
from tests._server import LiveServer, start_server

REPO = Path(__file__).resolve().parents[1]
# Reference data the tests compare against; tests/fixtures/README.md says where each file came from.
FIXTURES = REPO / "tests" / "fixtures"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--database",
        choices=("sqlite", "postgresql"),
        default="sqlite",
        help="What the servers the tests start store in (make test runs the contract suite "
        "on both); the storage tests always run on both.",
    )


def pytest_configure(config: pytest.Config) -> None:
    SERVER_DATABASES.enabled = config.getoption("database") == "postgresql"


def pytest_unconfigure(config: pytest.Config) -> None:
    SERVER_DATABASES.drop_all()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if SERVER_DATABASES.enabled:
        skip = pytest.mark.skip(reason="about the SQLite file; this run stores in PostgreSQL")
        for item in items:
            if item.get_closest_marker("sqlite_only"):
                item.add_marker(skip)


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """One real server for the contract tests that do not need a fresh database."""
    server = start_server(tmp_path_factory.mktemp("live") / "data")
    yield server
    server.stop()


@pytest.fixture
def fresh_server(tmp_path: Path) -> Iterator[LiveServer]:
    """A real server with its own empty database, for tests that count rows."""
    server = start_server(tmp_path / "data")
    yield server
    server.stop()


@pytest.fixture
def client(live_server: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live_server.url, timeout=10.0) as http:
        yield http
