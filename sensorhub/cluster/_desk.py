"""The plate desk of one process among several: each request about a device is answered by
the process that holds the device's lease, and an esp's process takes the lease over.

Routing: a process that holds the lease answers itself; one that finds the lease free takes
it (adopting the test a dead owner left) and answers; otherwise it sends the request to the
holder (``Calls``). An esp's batches must be recorded where the esp is connected, so its
process asks the holder to hand the device over, or waits for a dead holder's lease to
lapse, before it records (``claim``).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Literal

from sensorhub.cluster._calls import Calls
from sensorhub.cluster._leases import Leases
from sensorhub.cluster._registry import Registry
from sensorhub.errors import DeviceMoved, OwnerUnreachable, SensorhubError, ValidationError
from sensorhub.loadcell.calibration import Channel
from sensorhub.loadcell.session import Sample
from sensorhub.logs import log_event
from sensorhub.plates import LocalDesk, Plates
from sensorhub.presence import DEFAULT_DEVICE
from sensorhub.tasks import BackgroundTasks
from sensorhub.types import JSONDict

logger = logging.getLogger(__name__)

# A request meets a hand-over at most this often before it gives up (503, retry).
MAX_HOPS = 3
# Leases are renewed (and snapshots published) this share of the TTL apart.
HEARTBEAT_SHARE = 0.25
# Unfinished tests nobody holds are looked for every this many heartbeats (once per TTL).
ORPHAN_SWEEP_BEATS = 4
# How often a process waiting for a dead holder's lease to lapse looks again.
CLAIM_POLL_S = 0.1


class RoutedDesk:
    """A ``PlateDesk`` over several processes: routes each request, and ``local`` (this
    process's desk) answers those that are run here."""

    def __init__(
        self,
        local: LocalDesk,
        leases: Leases,
        calls: Calls,
        registry: Registry,
        redis_close: Callable[[], Awaitable[None]],
    ) -> None:
        self._local = local
        self._redis_close = redis_close
        self._background = BackgroundTasks()
        self._leases = leases
        self._calls = calls
        self._registry = registry
        # One lease taken at a time: two requests must not both adopt a device's test. (One
        # lock for all devices: a lock per device id would let made-up ids grow memory.)
        self._taking = asyncio.Lock()
        # What another process may ask of this one, by name.
        self._ops: dict[str, Callable[..., Awaitable[JSONDict]]] = {
            "status": local.status,
            "summary": local.summary,
            "latest": local.latest,
            "session_data": local.session_data,
            "start": local.start,
            "stop": local.stop,
            "tare": local.tare,
            "calibrate": local.calibrate,
            "set_calibration": local.set_calibration,
        }

    @property
    def plates(self) -> Plates:
        return self._local.plates

    # -- what transports ask -------------------------------------------------------------
    async def addressed(self, named: str | None) -> str:
        if named is not None:
            return named
        streaming = await self._registry.esp_devices()
        return streaming.pop() if len(streaming) == 1 else DEFAULT_DEVICE

    async def status(self, device_id: str) -> JSONDict:
        """The device as its process reports it; clients and devices over every process."""
        status = await self._routed("status", device_id, find=self._reader)
        status["clients"] = await self._registry.counts()
        status["devices"] = await self._registry.devices(status["devices"])
        return status

    async def summary(self, device_id: str) -> JSONDict:
        return await self._routed("summary", device_id, find=self._reader)

    async def latest(self, device_id: str) -> JSONDict:
        return await self._routed("latest", device_id, find=self._reader)

    async def session_data(self, device_id: str) -> JSONDict:
        return await self._routed("session_data", device_id, find=self._reader)

    async def start(
        self,
        device_id: str,
        athlete: str | None,
        notes: str | None,
        athlete_id: int | None,
        test_type: str = "imtp",
        drop_height_m: float | None = None,
    ) -> JSONDict:
        return await self._routed(
            "start",
            device_id,
            athlete=athlete,
            notes=notes,
            athlete_id=athlete_id,
            test_type=test_type,
            drop_height_m=drop_height_m,
        )

    async def stop(self, device_id: str) -> JSONDict:
        return await self._routed("stop", device_id)

    async def tare(self, device_id: str, confirmed: bool = False) -> JSONDict:
        return await self._routed("tare", device_id, confirmed=confirmed)

    async def calibrate(self, device_id: str, channel: Channel, mass_kg: float) -> JSONDict:
        return await self._routed("calibrate", device_id, channel=channel, mass_kg=mass_kg)

    async def set_calibration(self, device_id: str, channels: JSONDict) -> JSONDict:
        return await self._routed("set_calibration", device_id, channels=channels)

    async def esp_connected(self, device_id: str) -> None:
        await self._claim(device_id)
        await self._registry.publish()

    async def ingest(self, device_id: str, samples: Sequence[Sample]) -> None:
        await self._as_owner(device_id, self._local.ingest, samples)

    async def done(self, device_id: str) -> None:
        await self._as_owner(device_id, self._local.done)

    # -- what other processes ask ----------------------------------------------------------
    async def answer(self, op: str, args: JSONDict) -> JSONDict:
        """Run a request another process sent here (``Calls.serve``)."""
        device_id = args.pop("device_id")
        if op == "hand_over":
            await self.hand_over(device_id)
            return {}
        if op not in self._ops:
            raise ValidationError(f"unknown request {op!r}")
        if not self._leases.holds(device_id):
            raise DeviceMoved(f"device {device_id!r} is no longer run here")
        return await self._ops[op](device_id, **args)

    async def hand_over(self, device_id: str) -> None:
        """Let another process run the device: stop here, commit, release the lease."""
        if not self._leases.holds(device_id):
            return
        self._leases.forget(device_id)
        await self.plates.recorder.hand_over(device_id, lambda: self._leases.release(device_id))

    async def keep_leases(self) -> None:
        """Heartbeat: renew the leases of devices in use here, release the others."""
        presence, recorder = self._local.presence, self.plates.recorder
        for device_id in self._leases.held():
            in_use = presence.esp_connected(device_id) or recorder.busy(device_id)
            if not in_use:
                await self._leases.release(device_id)
            elif not await self._leases.renew(device_id):  # lapsed: someone else may run it
                await recorder.hand_over(device_id, _lease_lapsed)

    async def hand_over_all(self) -> None:
        """At shutdown: every device this process runs goes to whoever asks next."""
        for device_id in self._leases.held():
            await self.hand_over(device_id)

    # -- routing ------------------------------------------------------------------------
    async def _routed(
        self, op: str, device_id: str, find: _FindHolder | None = None, **args: Any
    ) -> JSONDict:
        """``op`` run by the device's process, found by ``find`` (default: ``_holder``,
        which takes a free lease)."""
        for _ in range(MAX_HOPS):
            holder = await (find or self._holder)(device_id)
            try:
                if holder == self._leases.me:
                    return await self._ops[op](device_id, **args)
                return await self._calls.call(holder, op, {"device_id": device_id, **args})
            except DeviceMoved:
                continue  # handed over meanwhile: ask whoever runs it now
        raise OwnerUnreachable(
            f"device {device_id!r} is moving between server processes; try again",
            retry_after_s=self._leases.ttl_s,
        )

    async def _reader(self, device_id: str) -> str:
        """Who answers a read: the holder, or this process when nobody holds the device. A
        read takes no lease: a status poll neither moves a device nor adopts its test."""
        if self._leases.holds(device_id):
            return self._leases.me
        return await self._leases.holder(device_id) or self._leases.me

    async def _holder(self, device_id: str) -> str:
        """The process running the device: this one when the lease was free (it is taken,
        and a test left by a dead holder adopted)."""
        while not self._leases.holds(device_id):
            async with self._taking:
                if self._leases.holds(device_id):
                    break
                holder = await self._leases.take(device_id)
                if holder == self._leases.me:
                    await self._adopt(device_id)
                elif holder is not None:
                    return holder
        return self._leases.me

    async def _adopt(self, device_id: str) -> None:
        """Run the device here, with its unfinished test if it has one. Should that fail
        (the database away), the lease goes at once: the next request tries again."""
        try:
            # The last holder may have changed its calibration: read it afresh.
            await self.plates.calibration.load()
            await self.plates.recorder.adopt(device_id)
        except BaseException:
            with contextlib.suppress(SensorhubError):  # Redis away too: the lease lapses
                await self._leases.release(device_id)
            raise

    async def _as_owner(
        self, device_id: str, work: Callable[..., Awaitable[None]], *args: Any
    ) -> None:
        for _ in range(MAX_HOPS):
            if not self._leases.holds(device_id):
                await self._claim(device_id)
            try:
                await work(device_id, *args)
                return
            except DeviceMoved:
                continue
        raise OwnerUnreachable(
            f"device {device_id!r} is moving between server processes; send again",
            retry_after_s=self._leases.ttl_s,
        )

    async def _claim(self, device_id: str) -> None:
        """Run the device here: ask its holder to hand it over, or wait until a dead holder's
        lease lapses (at most twice the TTL)."""
        deadline = time.monotonic() + 2 * self._leases.ttl_s
        while (holder := await self._holder(device_id)) != self._leases.me:
            try:
                await self._calls.call(holder, "hand_over", {"device_id": device_id})
            except OwnerUnreachable:
                if time.monotonic() > deadline:
                    raise
                await asyncio.sleep(CLAIM_POLL_S)

    # -- background ---------------------------------------------------------------------
    async def open(self) -> None:
        await self._registry.publish()
        self._background.spawn(self._calls.serve(self.answer), "cluster-calls")
        self._background.spawn(self._heartbeat(), "cluster-heartbeat")

    def message_queue_health(self) -> Literal["ok", "reconnecting"] | None:
        return "ok" if self._calls.listening else "reconnecting"

    async def close(self) -> None:
        await self._background.cancel_all()
        await self.hand_over_all()
        await self._redis_close()

    async def adopt_orphans(self) -> None:
        """Take over every unfinished test nobody holds (its process died and its esp has
        not come back): it goes on running here until it is stopped or its esp returns."""
        for device_id in await self.plates.archive.unfinished_devices():
            if not self._leases.holds(device_id):
                await self._holder(device_id)

    async def _heartbeat(self) -> None:
        for beat in itertools.count(1):
            await asyncio.sleep(self._leases.ttl_s * HEARTBEAT_SHARE)
            try:
                await self.keep_leases()
                await self._registry.publish()
                if beat % ORPHAN_SWEEP_BEATS == 0:
                    await self.adopt_orphans()
            except SensorhubError as exc:  # Redis or the database away: try again next beat
                log_event(logger, "heartbeat_failed", logging.WARNING, error=repr(exc))


_FindHolder = Callable[[str], Awaitable[str]]


async def _lease_lapsed() -> None:
    """Nothing to release: the lease already lapsed."""
