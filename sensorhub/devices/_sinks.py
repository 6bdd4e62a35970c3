"""Where the serial listener sends what a device wrote: the ``Sink`` interface and a fake.

A sink raises :class:`~sensorhub.errors.ValidationError` when the server refuses a message
(the listener counts it as *rejected*) and any other ``SensorhubError`` when the message
could not be delivered (*failed*). Neither stops the listener.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Protocol

from sensorhub.errors import ValidationError
from sensorhub.types import JSONDict


class DeviceLink(Protocol):
    """What a sink may use of the listener: the port's name and the way back to the device."""

    @property
    def port(self) -> str: ...

    async def send(self, message: JSONDict) -> None:
        """Write ``message`` to the device as one JSON line (dropped, logged, if unplugged)."""
        ...

    def rejected(self, reason: str) -> None:
        """Count and log a refusal the server reported later (e.g. an ``error`` frame)."""
        ...


class Sink(ABC):
    """Forwards decoded messages. ``open`` before the first message, ``close`` after the last."""

    async def open(self, link: DeviceLink) -> None:  # noqa: B027 - optional hook
        """Called once when the listener starts."""

    @abstractmethod
    async def reading(self, message: JSONDict) -> None:
        """A wearable reading ``{"bvp", "temperature", "acceleration", …}``."""

    @abstractmethod
    async def plate_message(self, message: JSONDict) -> None:
        """A force-plate message (``type``, ``samples``, ``done`` or ``cmd``); the device is
        treated as an esp client."""

    async def close(self) -> None:  # noqa: B027 - optional hook
        """Called once when the listener stops; releases connections."""


class MemorySink(Sink):
    """A sink for tests: keeps every message; refuses any that holds the key ``"refuse"``."""

    REFUSE_KEY = "refuse"

    def __init__(self) -> None:
        self.readings: list[JSONDict] = []
        self.plate_messages: list[JSONDict] = []
        self.link: DeviceLink | None = None
        self.closed = False

    async def open(self, link: DeviceLink) -> None:
        self.link = link

    async def reading(self, message: JSONDict) -> None:
        self._check(message)
        self.readings.append(message)

    async def plate_message(self, message: JSONDict) -> None:
        self._check(message)
        self.plate_messages.append(message)

    async def close(self) -> None:
        self.closed = True

    def _check(self, message: JSONDict) -> None:
        if self.REFUSE_KEY in message:
            raise ValidationError(f"{self.REFUSE_KEY}: refused by the test sink")
