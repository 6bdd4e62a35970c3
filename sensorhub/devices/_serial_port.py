"""The serial-port outside edge: a three-method interface, pyserial behind it, and a fake.

Every pyserial exception becomes :class:`~sensorhub.errors.SerialPortError` here, so the
listener handles one error type whether the cable was pulled, the port never existed or a
write timed out.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from typing import Protocol

import serial

from sensorhub.errors import SerialPortError

# Short, so a blocked read notices stop() quickly; long enough not to spin on an idle line.
READ_TIMEOUT_S = 0.1
# A device that stops draining its input must not hold a command write for ever.
WRITE_TIMEOUT_S = 1.0
# What pyserial raises when a port is missing, busy or vanishes mid-call; termios.error
# (POSIX) escapes it from some calls, e.g. the input flush when a port opens.
_PORT_ERRORS: tuple[type[Exception], ...] = (serial.SerialException, OSError, ValueError)
with contextlib.suppress(ImportError):
    import termios

    _PORT_ERRORS += (termios.error,)


class SerialPort(Protocol):
    """An open serial port. Blocking calls, made from a worker thread."""

    def read(self, size: int) -> bytes:
        """Up to ``size`` bytes as soon as any arrive, or ``b""`` after a short timeout.

        Raises SerialPortError when the device is gone.
        """
        ...

    def write(self, data: bytes) -> None:
        """Write all of ``data``; raises SerialPortError when that fails or times out."""
        ...

    def close(self) -> None: ...


# (port, baud) -> an open port; raises SerialPortError when it cannot be opened.
PortOpener = Callable[[str, int], SerialPort]


class PySerialPort:
    """A real port through pyserial (USB-serial adapters, the ESP32's USB port, ptys)."""

    def __init__(self, port: str, baud: int) -> None:
        try:
            self._serial = serial.Serial(
                port, baud, timeout=READ_TIMEOUT_S, write_timeout=WRITE_TIMEOUT_S
            )
        except _PORT_ERRORS as exc:
            raise SerialPortError(f"cannot open {port}: {exc}") from exc
        self.name = port

    def read(self, size: int) -> bytes:
        try:
            # read(1) waits up to the timeout for the first byte; the rest is what is buffered,
            # so a line is handled when it arrives, not when 'size' bytes have piled up.
            first: bytes = self._serial.read(1)
            if not first:
                return b""
            waiting = min(self._serial.in_waiting, size - 1)
            rest: bytes = self._serial.read(waiting) if waiting > 0 else b""
            return first + rest
        except _PORT_ERRORS as exc:
            raise SerialPortError(f"read from {self.name} failed: {exc}") from exc

    def write(self, data: bytes) -> None:
        try:
            self._serial.write(data)
        except _PORT_ERRORS as exc:
            raise SerialPortError(f"write to {self.name} failed: {exc}") from exc

    def close(self) -> None:
        # Closing a port whose device vanished may fail; it is closed either way.
        with contextlib.suppress(*_PORT_ERRORS):
            self._serial.close()


def open_serial_port(port: str, baud: int) -> SerialPort:
    """The default opener: a real port via pyserial."""
    return PySerialPort(port, baud)


class FakeSerialPort:
    """An in-memory port for tests: ``feed`` bytes in, read ``written`` out, ``unplug`` it."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.written = bytearray()
        self.closed = False
        self._incoming = bytearray()
        self._unplugged = False
        self._changed = threading.Condition()

    def feed(self, data: bytes) -> None:
        with self._changed:
            self._incoming += data
            self._changed.notify_all()

    @property
    def gone(self) -> bool:
        return self._unplugged or self.closed

    def unplug(self) -> None:
        with self._changed:
            self._unplugged = True
            self._changed.notify_all()

    def read(self, size: int) -> bytes:
        with self._changed:
            self._changed.wait_for(
                lambda: self._incoming or self._unplugged or self.closed, READ_TIMEOUT_S
            )
            if self._unplugged or self.closed:
                raise SerialPortError(f"read from {self.name} failed: device disconnected")
            chunk = bytes(self._incoming[:size])
            del self._incoming[:size]
            return chunk

    def write(self, data: bytes) -> None:
        with self._changed:
            if self._unplugged or self.closed:
                raise SerialPortError(f"write to {self.name} failed: device disconnected")
            self.written += data

    def close(self) -> None:
        with self._changed:
            self.closed = True
            self._changed.notify_all()


class FakeSerialPorts:
    """A :data:`PortOpener` over fake ports: ``plug(name)`` makes one that the next open gets."""

    def __init__(self) -> None:
        self.ports: dict[str, FakeSerialPort] = {}
        self.open_attempts = 0
        self._lock = threading.Lock()

    def plug(self, name: str) -> FakeSerialPort:
        with self._lock:
            self.ports[name] = port = FakeSerialPort(name)
            return port

    def __call__(self, name: str, baud: int) -> SerialPort:
        with self._lock:
            self.open_attempts += 1
            port = self.ports.get(name)
            if port is None or port.gone:
                raise SerialPortError(f"cannot open {name}: no such device")
            return port
