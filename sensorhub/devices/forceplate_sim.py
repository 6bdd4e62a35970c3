"""A simulated force-plate esp: streams like the real firmware and answers start and stop.

Idle, it streams quiet standing (the live view). On ``start`` it runs an IMTP (see
``imtp_curve``) or the jumps it was made for (``jump_curve``); on ``stop`` it sends what is
buffered, then ``{"done": true}``, exactly what DESIGN §4.1 asks of the firmware.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from sensorhub import wire
from sensorhub.devices.esp_link import EspLink
from sensorhub.devices.imtp_curve import AdcOutput, Athlete, ForceModel
from sensorhub.devices.jump_curve import JumpForceModel, SimulatedJump, jump_set
from sensorhub.logs import log_event

logger = logging.getLogger(__name__)


class ForceSource(Protocol):
    def sample(self, t_s: float, since_start_s: float | None) -> tuple[float, float]: ...


@dataclass(frozen=True, slots=True)
class PlateSettings:
    rate_hz: float = 1000.0
    batch: int = 50
    adc: AdcOutput | None = None  # None: the firmware sends newtons


class ForcePlateSimulator:
    """Produces samples on the device clock and paces them in real time."""

    def __init__(
        self,
        athlete: Athlete,
        settings: PlateSettings,
        rng: random.Random | None = None,
        jump: SimulatedJump | None = None,
        reps: int = 1,
    ) -> None:
        """Without ``jump`` each start runs an IMTP; with it, ``reps`` of that jump."""
        self._model: ForceSource = ForceModel(athlete, rng)
        if jump is not None:
            motion = jump_set(jump, athlete.mass_kg, reps)
            self._model = JumpForceModel(motion, athlete.noise_n, rng)
        self._settings = settings
        self._lock = threading.Lock()
        self._pull_started_at: float | None = None  # device time (s) of the last start
        self._flush_requested = False
        self._produced = 0
        self.tests_run = 0

    def on_command(self, command: dict[str, Any]) -> None:
        """Called on the link's thread; the streaming loop acts on it."""
        with self._lock:
            if command["cmd"] == "start":
                self._pull_started_at = self._produced / self._settings.rate_hz
            else:
                self._pull_started_at = None
                self._flush_requested = True

    def next_samples(self, count: int) -> list[dict[str, Any]]:
        """The next ``count`` samples ``{t, l, r}``; ``t`` in ms of the device clock."""
        with self._lock:
            started = self._pull_started_at
        samples = []
        for _ in range(count):
            t_s = self._produced / self._settings.rate_hz
            left, right = self._model.sample(t_s, None if started is None else t_s - started)
            samples.append({"t": _ms(t_s), "l": self._out(left), "r": self._out(right)})
            self._produced += 1
        return samples

    def take_flush_request(self) -> bool:
        with self._lock:
            requested, self._flush_requested = self._flush_requested, False
        if requested:
            self.tests_run += 1
        return requested

    def _out(self, newtons: float) -> float | int:
        adc = self._settings.adc
        return adc.counts(newtons) if adc else round(newtons, 3)

    def stream(self, link: EspLink, stop: threading.Event) -> None:
        """Send samples as they fall due, in batches, until ``stop`` is set."""
        rate, batch = self._settings.rate_hz, self._settings.batch
        start = time.monotonic()
        buffer: list[dict[str, Any]] = []
        while not stop.is_set():
            due = int((time.monotonic() - start) * rate) - self._produced
            buffer += self.next_samples(max(due, 0))
            while len(buffer) >= batch:
                link.send(wire.SAMPLES, {"samples": buffer[:batch]})
                del buffer[:batch]
            if self.take_flush_request():
                if buffer:
                    link.send(wire.SAMPLES, {"samples": buffer})
                    buffer = []
                link.send(wire.DONE, {"done": True})
                log_event(logger, "simulated_test_flushed", tests=self.tests_run)
            # Wake about twice per batch: pacing, not waiting for an event.
            stop.wait(batch / rate / 2)


def _ms(t_s: float) -> float | int:
    ms = t_s * 1000.0
    return int(ms) if ms.is_integer() else round(ms, 3)


def run_forceplate(
    open_link: Callable[[Callable[[dict[str, Any]], None]], EspLink],
    simulator: ForcePlateSimulator,
    stop: threading.Event,
) -> None:
    """Connect, stream until ``stop``, disconnect."""
    link = open_link(simulator.on_command)
    try:
        simulator.stream(link, stop)
    finally:
        link.close()
