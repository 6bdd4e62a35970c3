"""Fixtures shared by every test package."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests._server import LiveServer, start_server

REPO = Path(__file__).resolve().parents[1]
# Reference data the tests compare against; tests/fixtures/README.md says where each file came from.
FIXTURES = REPO / "tests" / "fixtures"


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
