"""A simulated wearer for the signal simulator and the demo: BVP 64 Hz, skin temperature
4 Hz and acceleration 32 Hz whose heart rate, HRV, temperature and movement follow a calm or
stressed state (stress: faster, steadier heart, cooling skin, some fidgeting; the direction of
the changes seen in WESAD, the sizes chosen to be visible, not measured)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from sensorhub.physio.synth import pulse_wave

BVP_HZ = 64.0
TEMPERATURE_HZ = 4.0
ACC_HZ = 32.0
# Skin temperature follows a change of state this slowly (s).
TEMPERATURE_TAU_S = 60.0


@dataclass(frozen=True, slots=True)
class State:
    hr_bpm: float
    rmssd_ms: float
    temperature_c: float
    movement_g: float  # SD of each axis; below the motion rule's 0.15 g
    pulse_height: float  # BVP units


CALM = State(hr_bpm=68, rmssd_ms=45, temperature_c=34.2, movement_g=0.01, pulse_height=60)
STRESSED = State(hr_bpm=98, rmssd_ms=16, temperature_c=33.2, movement_g=0.03, pulse_height=40)


def blend(a: State, b: State, share: float) -> State:
    """``share`` of the way from ``a`` to ``b``: the body changes over seconds, not at once."""
    return State(*(x + share * (y - x) for x, y in zip(_fields(a), _fields(b), strict=True)))


def _fields(state: State) -> tuple[float, ...]:
    return (state.hr_bpm, state.rmssd_ms, state.temperature_c, state.movement_g, state.pulse_height)


class SimulatedWearer:
    """Signals from one wearer; ``signals`` must be asked for consecutive stretches of time."""

    def __init__(self, seed: int | None = None, temperature_c: float = CALM.temperature_c) -> None:
        """``temperature_c``: the skin's temperature at the start."""
        self._rng = np.random.default_rng(seed)
        self._beats = [0.4]
        self._temperature = temperature_c

    def signals(self, start_s: float, seconds: float, state: State) -> dict[str, Any]:
        """The channels of a ``signals`` batch (``{"bvp": {"hz", "values"}, …}``)."""
        self._beats_until(start_s + seconds + 1.0, state)
        return {
            "bvp": {"hz": BVP_HZ, "values": self._bvp(start_s, seconds, state)},
            "temperature": {"hz": TEMPERATURE_HZ, "values": self._skin(seconds, state)},
            "acc": {"hz": ACC_HZ, **self._acc(seconds, state)},
        }

    def _beats_until(self, end_s: float, state: State) -> None:
        """Intervals around 60/HR whose successive differences have RMS ≈ ``rmssd_ms``
        (independent deviations of SD s differ by s·√2)."""
        sd_ms = state.rmssd_ms / math.sqrt(2)
        while self._beats[-1] < end_s:
            ibi_ms = 60_000 / state.hr_bpm + self._rng.normal(0, sd_ms)
            self._beats.append(self._beats[-1] + ibi_ms / 1000)
        self._beats = [b for b in self._beats if b > end_s - 10.0]

    def _bvp(self, start_s: float, seconds: float, state: State) -> list[float]:
        t = start_s + np.arange(round(seconds * BVP_HZ)) / BVP_HZ
        wave = state.pulse_height * pulse_wave(np.array(self._beats), t)
        breathing = 0.1 * state.pulse_height * np.sin(2 * np.pi * 0.25 * t)
        noise = self._rng.normal(0, 0.005 * state.pulse_height, len(t))
        return [round(v, 4) for v in (wave + breathing + noise).tolist()]

    def _skin(self, seconds: float, state: State) -> list[float]:
        values = []
        step = 1.0 - math.exp(-1.0 / (TEMPERATURE_HZ * TEMPERATURE_TAU_S))
        for _ in range(round(seconds * TEMPERATURE_HZ)):
            self._temperature += (state.temperature_c - self._temperature) * step
            values.append(round(self._temperature + float(self._rng.normal(0, 0.01)), 3))
        return values

    def _acc(self, seconds: float, state: State) -> dict[str, list[float]]:
        n = round(seconds * ACC_HZ)
        axes = self._rng.normal(0, state.movement_g, (3, n)) + np.array([[0.0], [0.0], [1.0]])
        return {
            name: [round(v, 4) for v in axis.tolist()]
            for name, axis in zip("xyz", axes, strict=True)
        }
