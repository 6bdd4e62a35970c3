"""A server of the test module's own, and a client of it, for the API tests that count what
they stored; a module may define its own ``server`` (other settings) and keep ``http``."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests._server import LiveServer, start_server


@pytest.fixture(scope="module")
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    live = start_server(
        tmp_path_factory.mktemp(request.module.__name__.rpartition(".")[2]) / "data"
    )
    yield live
    live.stop()


@pytest.fixture
def http(server: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=30.0) as client:
        yield client
