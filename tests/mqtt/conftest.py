"""Brokers for the MQTT tests: a Mosquitto per test module, or per test for the
tests that stop it or crash the server (``own_broker``)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests._mosquitto import Broker


def _running_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Broker]:
    broker = Broker(tmp_path_factory.mktemp("mosquitto"))
    broker.start()
    yield broker
    broker.stop()


@pytest.fixture(scope="module")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Broker]:
    """One broker for a module's tests; each test uses device ids of its own."""
    yield from _running_broker(tmp_path_factory)


@pytest.fixture
def own_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Broker]:
    """A broker of the test's own, for a test that stops it or kills the server."""
    yield from _running_broker(tmp_path_factory)
