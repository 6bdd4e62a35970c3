"""USB serial listener: newline-delimited JSON from a device, forwarded to a sink.

Each line is a wearable reading or a force-plate message (DESIGN §4); the device counts as an
esp for the latter, and commands for it (``{"cmd": "start"|"stop", …}``) are written back to
it as JSON lines. The listener survives an unplug: a failed read closes the port, and it is
reopened with exponential backoff until :meth:`SerialListener.stop`. Bad lines are counted
and logged, never fatal.

pyserial blocks, so each read runs in a worker thread with a short timeout; the port is
closed only once no read or write is in flight on it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import signal
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import asdict, dataclass
from typing import TypeVar

from sensorhub.devices._backoff import Backoff
from sensorhub.devices._framing import (
    MAX_LINE_BYTES,
    BadLine,
    Kind,
    LineSplitter,
    TooLong,
    parse_line,
)
from sensorhub.devices._http_sink import HttpSink
from sensorhub.devices._serial_port import PortOpener, SerialPort, open_serial_port
from sensorhub.devices._sinks import Sink
from sensorhub.errors import SensorhubError, ValidationError
from sensorhub.logs import log_event
from sensorhub.tasks import BackgroundTasks
from sensorhub.types import JSONDict

logger = logging.getLogger(__name__)
_T = TypeVar("_T")

READ_SIZE = 4096
# Counters are logged this often while they change, so a long run shows its health.
STATS_INTERVAL_S = 60.0
# A noisy line (wrong baud rate) must not flood the log: one line per kind per second.
LOG_INTERVAL_S = 1.0
# stop() takes effect within a read timeout (0.1 s) plus the message being forwarded; past
# this, shutdown cancels the listener rather than hang.
STOP_TIMEOUT_S = 5.0


@dataclass
class SerialStats:
    """What the listener has seen since it started."""

    bytes_read: int = 0
    lines_ok: int = 0  # JSON objects of a known shape
    bad_lines: int = 0  # not UTF-8 / JSON / an object, unknown shape, too long, cut off
    forwarded: int = 0  # taken by the sink
    rejected: int = 0  # refused by the server (validation), at once or later
    failed: int = 0  # not delivered (server unreachable, 5xx, a sink bug)
    sent: int = 0  # lines written back to the device (commands)
    opens: int = 0  # successful opens of the port
    reconnects: int = 0  # opens after the first one

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


class _LogThrottle:
    def __init__(self, interval_s: float = LOG_INTERVAL_S) -> None:
        self._interval = interval_s
        self._last: dict[str, float] = {}

    def allow(self, kind: str) -> bool:
        now = time.monotonic()
        if now - self._last.get(kind, -self._interval) < self._interval:
            return False
        self._last[kind] = now
        return True


class SerialListener:
    """Reads one serial port until :meth:`stop`; see the module docstring."""

    def __init__(
        self,
        port: str,
        baud: int,
        sink: Sink,
        *,
        open_port: PortOpener = open_serial_port,
        backoff: Backoff | None = None,
        max_line_bytes: int = MAX_LINE_BYTES,
    ) -> None:
        self.port = port
        self.baud = baud
        self.stats = SerialStats()
        self._sink = sink
        self._open_port = open_port
        self._backoff = backoff or Backoff()
        self._max_line = max_line_bytes
        self._stopping = asyncio.Event()
        self._current: SerialPort | None = None
        self._write_lock = asyncio.Lock()
        self._throttle = _LogThrottle()
        self._stats_logged = (time.monotonic(), self.stats.as_dict())

    @property
    def connected(self) -> bool:
        """Whether the port is open right now."""
        return self._current is not None

    def stop(self) -> None:
        """Ask :meth:`run` to return; it does within the read timeout (~0.1 s)."""
        self._stopping.set()

    async def run(self) -> None:
        """Open, read and forward, reopening after failures, until stopped or cancelled."""
        log_event(logger, "serial_listener_started", port=self.port, baud=self.baud)
        await self._sink.open(self)
        try:
            while (port := await self._open()) is not None:
                await self._pump(port)
        finally:
            await self._sink.close()
            log_event(logger, "serial_listener_stopped", port=self.port, **self.stats.as_dict())

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[SerialListener]:
        """Run in the background for the ``async with`` block (e.g. the server's lifespan);
        on exit, stop and wait until the port and the sink are closed."""
        tasks = BackgroundTasks()  # keeps a reference and logs a failure
        task = tasks.spawn(self.run(), name=f"serial-listener {self.port}")
        try:
            yield self
        finally:
            self.stop()
            await asyncio.wait({task}, timeout=STOP_TIMEOUT_S)
            await tasks.cancel_all()

    # --- DeviceLink: what sinks may call -------------------------------------------------

    async def send(self, message: JSONDict) -> None:
        """Write ``message`` to the device as one JSON line; dropped (and logged) if unplugged."""
        line = (json.dumps(message, separators=(",", ":")) + "\n").encode()
        async with self._write_lock:
            port = self._current
            if port is None:
                log_event(logger, "serial_send_dropped", logging.WARNING, port=self.port)
                return
            try:
                await _port_call(port.write, line)
            except Exception as exc:  # the hub awaits this: it must never raise
                log_event(logger, "serial_send_failed", logging.WARNING, error=_reason(exc))
                return
        self.stats.sent += 1

    def rejected(self, reason: str) -> None:
        self.stats.rejected += 1
        self._warn("serial_message_rejected", reason=reason, count=self.stats.rejected)

    # --- opening and reading -------------------------------------------------------------

    async def _open(self) -> SerialPort | None:
        """The opened port, after backoff delays between failed attempts; None once stopped."""
        retry = self.stats.opens > 0  # after a session ended, wait before reopening
        while not self._stopping.is_set():
            if retry and await self._wait(self._backoff.next_delay()):
                return None
            retry = True
            try:
                port = await asyncio.to_thread(self._open_port, self.port, self.baud)
            except Exception as exc:  # SerialPortError, or a driver's surprise: retry alike
                self._warn("serial_open_failed", port=self.port, error=_reason(exc))
                continue
            return self._opened(port)
        return None

    def _opened(self, port: SerialPort) -> SerialPort | None:
        if self._stopping.is_set():  # stop() came while the port was opening
            port.close()
            return None
        self._backoff.reset()
        self.stats.opens += 1
        self.stats.reconnects = self.stats.opens - 1
        self._current = port
        log_event(logger, "serial_opened", port=self.port, reconnects=self.stats.reconnects)
        return port

    async def _wait(self, seconds: float) -> bool:
        """Sleep ``seconds`` unless stopped first; True when stopped."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), seconds)
        return self._stopping.is_set()

    async def _pump(self, port: SerialPort) -> None:
        splitter = LineSplitter(self._max_line)
        failed = False
        try:
            while not self._stopping.is_set():
                chunk = await self._read(port)
                if chunk is None:
                    failed = True
                    break
                self.stats.bytes_read += len(chunk)
                for line in splitter.feed(chunk):
                    await self._handle(line)
                self._log_stats_now_and_then()
        finally:
            if failed and splitter.pending:
                self._bad(f"line cut off when the port failed ({splitter.pending} bytes)", b"")
            await self._close(port)

    async def _read(self, port: SerialPort) -> bytes | None:
        """The next chunk (maybe empty), or None when the port failed."""
        try:
            return await _port_call(port.read, READ_SIZE)
        except Exception as exc:  # SerialPortError, or a driver's surprise: reopen alike
            failed = "serial_read_failed"
            log_event(logger, failed, logging.WARNING, port=self.port, error=_reason(exc))
            return None

    async def _close(self, port: SerialPort) -> None:
        async with self._write_lock:  # no command write is in flight on this port
            self._current = None
            port.close()
        log_event(logger, "serial_closed", port=self.port)

    # --- lines ---------------------------------------------------------------------------

    async def _handle(self, line: bytes | TooLong) -> None:
        try:
            parsed = parse_line(line)
        except BadLine as exc:
            self._bad(exc.message, line if isinstance(line, bytes) else b"")
            return
        if parsed is not None:
            self.stats.lines_ok += 1
            await self._forward(*parsed)

    async def _forward(self, kind: Kind, message: JSONDict) -> None:
        try:
            if kind == "reading":
                await self._sink.reading(message)
            else:
                await self._sink.plate_message(message)
        except ValidationError as exc:
            self.rejected(exc.message)
        except SensorhubError as exc:
            self._failed(exc.message)
        except Exception as exc:  # a sink bug must not stop the device's data
            self._failed(repr(exc))
        else:
            self.stats.forwarded += 1

    def _bad(self, reason: str, line: bytes) -> None:
        self.stats.bad_lines += 1
        excerpt = repr(line[:60]) if line else ""
        self._warn("serial_bad_line", reason=reason, line=excerpt, count=self.stats.bad_lines)

    def _failed(self, reason: str) -> None:
        self.stats.failed += 1
        self._warn("serial_forward_failed", reason=reason, count=self.stats.failed)

    def _warn(self, event: str, **fields: object) -> None:
        if self._throttle.allow(event):
            log_event(logger, event, logging.WARNING, **fields)

    def _log_stats_now_and_then(self) -> None:
        logged_at, logged = self._stats_logged
        now, current = time.monotonic(), self.stats.as_dict()
        if now - logged_at >= STATS_INTERVAL_S and current != logged:
            log_event(logger, "serial_stats", port=self.port, **current)
            self._stats_logged = (now, current)


async def _port_call(call: Callable[..., _T], *args: object) -> _T:
    """Run a blocking port call in a worker thread. If the caller is cancelled meanwhile,
    wait for the call to end first: a thread cannot be cancelled, and the port must not be
    closed under it (a read ends within its timeout, a write within its write timeout)."""
    future = asyncio.ensure_future(asyncio.to_thread(call, *args))
    try:
        return await asyncio.shield(future)
    except asyncio.CancelledError:
        await asyncio.wait({future})
        if not future.cancelled():
            future.exception()  # retrieved: nobody is left to care about its outcome
        raise


def _reason(exc: Exception) -> str:
    return exc.message if isinstance(exc, SensorhubError) else repr(exc)


async def run_serial_forwarder(
    port: str,
    baud: int,
    url: str,
    *,
    token: str | None = None,
    open_port: PortOpener = open_serial_port,
) -> None:
    """``sensorhub serial``: forward a device's lines to the server at ``url``.

    Returns after SIGINT/SIGTERM (or when cancelled), with the port and connections closed.
    """
    listener = SerialListener(port, baud, HttpSink(url, token=token), open_port=open_port)
    with _stop_on_signals(listener):
        await listener.run()


@contextlib.contextmanager
def _stop_on_signals(listener: SerialListener) -> Iterator[None]:
    loop = asyncio.get_running_loop()
    installed: list[signal.Signals] = []
    for sig in (signal.SIGINT, signal.SIGTERM):
        # Not on Windows, nor outside the main thread: then Ctrl-C cancels the task instead.
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(sig, listener.stop)
            installed.append(sig)
    try:
        yield
    finally:
        for sig in installed:
            loop.remove_signal_handler(sig)
