"""Scripted force plates for the browser tests: a real-time streamer and a quick recorder.

Both speak the esp side of DESIGN §4.1 over python-socketio. Nothing here sleeps for a fixed
time: the streamer paces itself with ``receive(timeout=…)``, the rest polls with deadlines.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from typing import Any

import httpx
import socketio

from tests._server import wait_for

Sample = dict[str, float]
TIMEOUT_S = 10.0
DEVICE_CLOCK_START_MS = 250_000  # the esp's clock: ms since it booted, never 0 at a start

# A standing athlete, then the pull: sample counts at 1000 Hz (DESIGN §6: 1 s weighing).
STANDING = 1_500
RAMP = 300
LEFT_STANDING, RIGHT_STANDING = 380.0, 400.0
LEFT_PEAK, RIGHT_PEAK = 1_050.0, 1_250.0
SIDE_NOISE_N = 2.0  # each side's uniform noise, ±
TOTAL_NOISE_N = 2 * SIDE_NOISE_N  # the most a total (l + r) strays from its noiseless value


def noise(rng: random.Random) -> float:
    """One side's noise (N)."""
    return rng.uniform(-SIDE_NOISE_N, SIDE_NOISE_N)


def pull_force(k: int | None, rng: random.Random) -> tuple[float, float]:
    """Left and right force (N) ``k`` samples into a test (None: between tests)."""
    if k is None or k < STANDING:
        share = 0.0
    elif k < STANDING + RAMP:
        share = (k - STANDING) / RAMP
    else:
        share = 1.0
    left = LEFT_STANDING + share * (LEFT_PEAK - LEFT_STANDING) + noise(rng)
    right = RIGHT_STANDING + share * (RIGHT_PEAK - RIGHT_STANDING) + noise(rng)
    return left, right


# The guided trial: stand (weighing), pull, let go, then step off the plate.
PLATEAU = 1_500
LET_GO = 200
STEPPED_OFF = STANDING + RAMP + PLATEAU + LET_GO  # samples into a trial when the plate is empty


def guided_trial(k: int | None, rng: random.Random) -> tuple[float, float]:
    """pull_force's standing and pull, then the athlete lets go and steps off (0 N)."""
    if k is not None and k >= STEPPED_OFF:
        return noise(rng), noise(rng)
    if k is not None and k >= STANDING + RAMP + PLATEAU:
        return pull_force(None, rng)
    return pull_force(k, rng)


def pull_samples(count: int, *, scale: float = 1.0, seed: int = 1) -> list[Sample]:
    """A whole recorded pull (standing, ramp, plateau) at 1000 Hz; ``scale`` sets its size."""
    rng = random.Random(seed)
    out = []
    for k in range(count):
        left, right = pull_force(k, rng)
        out.append({"t": DEVICE_CLOCK_START_MS + k, "l": left * scale, "r": right * scale})
    return out


class StreamingEsp:
    """An esp that streams ``samples`` at ``rate_hz`` in batches from its own thread.

    Between tests it streams a standing athlete (the live view); on ``start`` it plays a
    pull (or what ``force`` gives ``k`` samples into a test); on ``stop`` it sends ``done``
    and pauses until the next ``start`` (or, ``streams_between_tests``, streams on).
    ``hold()`` holds every sample back until ``resume()``. ``sent`` holds every sample in the
    order sent.
    """

    def __init__(
        self,
        url: str,
        device_id: str,
        *,
        rate_hz: float = 1000.0,
        batch: int = 50,
        force: Callable[[int | None, random.Random], tuple[float, float]] = pull_force,
        streams_between_tests: bool = False,
    ):
        self.url = url
        self.device_id = device_id
        self.batch = batch
        self.force = force
        self.streams_between_tests = streams_between_tests  # after a stop: else it pauses
        self._paused = threading.Event()  # set: sends nothing until cleared
        self._held = threading.Event()  # the streaming thread has seen the pause
        self.period_s = batch / rate_hz
        self.sent: list[Sample] = []
        self.commands: list[dict[str, Any]] = []
        self.test_samples = 0  # samples sent since the last start command
        self._lock = threading.Lock()
        self._closing = threading.Event()
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._rng = random.Random(7)
        self._rebooted_at: int | None = None  # set by reboot(): the clock's next value
        self._thread = threading.Thread(target=self._run, name=f"esp-{device_id}", daemon=True)

    def __enter__(self) -> StreamingEsp:
        self._thread.start()
        if not self._ready.wait(TIMEOUT_S):
            raise AssertionError(f"esp did not connect: {self._error!r}")
        return self

    def __exit__(self, *exc: object) -> None:
        self._closing.set()
        self._thread.join(TIMEOUT_S)

    def snapshot(self) -> list[Sample]:
        with self._lock:
            return list(self.sent)

    def hold(self) -> None:
        """Send nothing more until ``resume()``; returns once no batch is on its way."""
        self._paused.set()
        if not self._held.wait(TIMEOUT_S):
            raise AssertionError("the esp did not pause")

    def resume(self) -> None:
        self._held.clear()
        self._paused.clear()

    def reboot(self, clock_ms: int = 1_000) -> None:
        """Start the device clock again at ``clock_ms``, as a power cycle does (its t are ms
        since boot); the test it streams goes on."""
        with self._lock:
            self._rebooted_at = clock_ms

    def saw(self, cmd: str) -> bool:
        with self._lock:
            return any(c.get("cmd") == cmd for c in self.commands)

    def _run(self) -> None:
        sio = socketio.SimpleClient()
        try:
            sio.connect(self.url, transports=["websocket"])
            sio.emit("register", {"type": "esp", "device_id": self.device_id})
            sio.emit("ping")  # the pong comes after the registration was handled
            while sio.receive(timeout=TIMEOUT_S)[0] != "pong":
                pass
            self._ready.set()
            self._stream(sio)
        except BaseException as exc:  # surfaced by __enter__ or the test's waits
            self._error = exc
            self._ready.set()
        finally:
            sio.disconnect()

    def _stream(self, sio: Any) -> None:
        clock = DEVICE_CLOCK_START_MS
        k: int | None = None  # samples into the current test
        streaming = True
        next_at = time.monotonic()
        while not self._closing.is_set():
            now = time.monotonic()
            if self._paused.is_set():
                self._held.set()
            sending = streaming and not self._paused.is_set()
            if sending and now >= next_at:
                with self._lock:
                    if self._rebooted_at is not None:
                        clock, self._rebooted_at = self._rebooted_at, None
                batch = []
                for _ in range(self.batch):
                    left, right = self.force(k, self._rng)
                    batch.append({"t": float(clock), "l": left, "r": right})
                    clock += 1
                    k = None if k is None else k + 1
                sio.emit("samples", {"samples": batch})
                with self._lock:
                    self.sent.extend(batch)
                    if k is not None:
                        self.test_samples = k
                next_at = max(next_at + self.period_s, now - 0.5)  # never burst to catch up
                continue
            wait = max(0.0, next_at - now) if sending else 0.1
            try:
                event, *args = sio.receive(timeout=wait)
            except socketio.exceptions.TimeoutError:
                continue
            if event != "message" or not args or not isinstance(args[0], dict):
                continue
            with self._lock:
                self.commands.append(args[0])
            if args[0].get("cmd") == "start":
                k, streaming, next_at = 0, True, time.monotonic()
            elif args[0].get("cmd") == "stop":
                sio.emit("done", {"done": True})  # every batch is sent on schedule: none left
                k, streaming = None, self.streams_between_tests


def record_test(
    url: str,
    device_id: str,
    samples: list[Sample],
    *,
    athlete: str,
    notes: str | None = None,
    test_type: str = "imtp",
    drop_height_m: float | None = None,
) -> int:
    """Record a complete test of ``samples`` (sent at once, not in real time); its id."""
    http = httpx.Client(base_url=url, timeout=TIMEOUT_S)
    sio = socketio.SimpleClient()
    try:
        sio.connect(url, transports=["websocket"])
        sio.emit("register", {"type": "esp", "device_id": device_id})
        _expect(sio, lambda e, a: e == "pong", emit="ping")
        body: dict[str, Any] = {
            "device_id": device_id,
            "athlete": athlete,
            "notes": notes,
            "test_type": test_type,
        }
        if drop_height_m is not None:
            body["drop_height_m"] = drop_height_m
        test_id: int = (
            http.post("/api/start_test", json=body).raise_for_status().json()["session_id"]
        )
        _expect(sio, lambda e, a: e == "message" and a.get("cmd") == "start")
        for first in range(0, len(samples), 500):
            sio.emit("samples", {"samples": samples[first : first + 500]})
        status = f"/api/status?device_id={device_id}"
        wait_for(lambda: http.get(status).json()["sample_count"] == len(samples), TIMEOUT_S)
        http.post("/api/stop_test", json={"device_id": device_id}).raise_for_status()
        _expect(sio, lambda e, a: e == "message" and a.get("cmd") == "stop")
        sio.emit("done", {"done": True})
        wait_for(lambda: http.get(f"/api/tests/{test_id}").json()["data"]["state"] == "complete")
        return test_id
    finally:
        sio.disconnect()
        http.close()


def _expect(sio: Any, match: Callable[[str, Any], bool], *, emit: str | None = None) -> None:
    if emit is not None:
        sio.emit(emit)
    deadline = time.monotonic() + TIMEOUT_S
    while time.monotonic() < deadline:
        try:
            event, *args = sio.receive(timeout=deadline - time.monotonic())
        except socketio.exceptions.TimeoutError:
            break
        if match(event, args[0] if args else {}):
            return
    raise AssertionError("expected event did not arrive")
