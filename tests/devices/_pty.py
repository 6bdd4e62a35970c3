"""A real pseudo-terminal pair standing in for a USB serial device.

The listener opens ``link`` (a symlink we control), so a test can "unplug" the device by
closing the master and "replug" it by making a new pair and re-pointing the link.
"""

from __future__ import annotations

import asyncio
import json
import os
import select
import time
import tty
from pathlib import Path
from typing import Any


class Pty:
    """The device side (master fd) of a pty whose slave the listener opens via ``link``."""

    def __init__(self, link: Path) -> None:
        self.master, slave = os.openpty()
        tty.setraw(slave)  # no echo or line editing before the listener configures it
        self.slave_path = os.ttyname(slave)
        os.close(slave)  # the listener opens it by path, like a real /dev/ttyUSB0
        self.link = link
        self._pending = b""
        temporary = link.with_name(link.name + ".new")
        temporary.unlink(missing_ok=True)
        temporary.symlink_to(self.slave_path)
        temporary.replace(link)  # atomic: the listener sees the old device or the new one
        self.closed = False

    async def write(self, data: bytes) -> None:
        """Write all of ``data`` from a thread: a full pty buffer must not block the loop."""
        await asyncio.to_thread(self._write_all, data)

    async def write_json(self, obj: Any, end: bytes = b"\n") -> None:
        await self.write(json.dumps(obj).encode() + end)

    def _write_all(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            written = os.write(self.master, view)
            view = view[written:]

    async def read_json_line(self, timeout: float = 10.0) -> Any:
        """The next JSON line the listener wrote back to the device."""
        return json.loads(await asyncio.to_thread(self._read_line, timeout))

    def _read_line(self, timeout: float) -> bytes:
        deadline = time.monotonic() + timeout
        while b"\n" not in self._pending:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"no line from the listener within {timeout}s")
            ready, _, _ = select.select([self.master], [], [], remaining)
            if ready:
                self._pending += os.read(self.master, 4096)
        line, _, self._pending = self._pending.partition(b"\n")
        return line

    def unplug(self) -> None:
        if not self.closed:
            self.closed = True
            os.close(self.master)
