"""A simulated wearer for the simulators and the demo: BVP 64 Hz, skin temperature 4 Hz and
acceleration 32 Hz whose heart rate, HRV, pulse amplitude, temperature and movement follow a
calm or stressed state. The directions follow the physiology of acute mental stress; the
sizes are plausible, chosen, not measured (docs/signals.md, "Simulator and demo"):

- heart rate up: sympathetic activation and vagal withdrawal (about +15–25 bpm in the Trier
  Social Stress Test, Kirschbaum et al. 1993);
- RMSSD down: vagal withdrawal (Castaldo et al. 2015, a review of HRV under mental stress);
- a smaller pulse: sympathetic vasoconstriction of the skin's vessels shrinks the
  photoplethysmogram's pulse at the finger and wrist (Allen 2007, Physiol Meas 28:R1);
- skin cooling, slowly, over minutes: the distal skin temperature falls during acute stress
  (Vinkers et al. 2013, Stress 16:520–530);
- no more movement than at rest: a seated stress task; movement only when asked for.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from sensorhub.physio.synth import pulse_wave

BVP_HZ = 64.0
TEMPERATURE_HZ = 4.0
ACC_HZ = 32.0
# Breathing (15 a minute, in the HF band) and the share of RMSSD from beat-to-beat noise.
BREATHING_HZ = 0.25
NOISE_SHARE = 0.3
# Skin temperature follows a change of state this slowly (s): minutes, not seconds.
TEMPERATURE_TAU_S = 180.0


@dataclass(frozen=True, slots=True)
class State:
    hr_bpm: float
    rmssd_ms: float
    temperature_c: float
    movement_g: float  # SD of each axis; far below the motion rule's 0.15 g
    pulse_height: float  # BVP units


CALM = State(hr_bpm=68, rmssd_ms=45, temperature_c=34.2, movement_g=0.01, pulse_height=60)
STRESSED = State(hr_bpm=88, rmssd_ms=24, temperature_c=33.6, movement_g=0.01, pulse_height=36)


# With episodes: this long calm, then this long stressed, repeating. A 60 s window needs a
# minute to fill with one state, so an episode lasts longer than that.
CALM_S = 120.0
STRESSED_S = 90.0
# Heart rate rises and falls over this long at an episode's start and end.
RAMP_S = 20.0


def state_at(elapsed_s: float, episodes: bool) -> State:
    """The wearer's state ``elapsed_s`` into a run: calm, or with episodes calm for
    ``CALM_S`` and stressed for ``STRESSED_S`` in turn, ramping over ``RAMP_S``."""
    if not episodes:
        return CALM
    into = elapsed_s % (CALM_S + STRESSED_S)
    rising = (into - CALM_S) / RAMP_S if into >= CALM_S else 1.0 - into / RAMP_S
    share = min(max(rising, 0.0), 1.0) if elapsed_s >= CALM_S else 0.0
    return blend(CALM, STRESSED, share)


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
        self._beats_until(start_s, start_s + seconds + 1.0, state)
        return {
            "bvp": {"hz": BVP_HZ, "values": self._bvp(start_s, seconds, state)},
            "temperature": {"hz": TEMPERATURE_HZ, "values": self._skin(seconds, state)},
            "acc": {"hz": ACC_HZ, **self._acc(seconds, state)},
        }

    def _beats_until(self, start_s: float, end_s: float, state: State) -> None:
        """Intervals around 60/HR that swing with breathing (respiratory sinus arrhythmia, the
        vagal HF rhythm: Task Force 1996) plus a little beat-to-beat noise, sized so their
        RMSSD is about ``rmssd_ms``. White-noise intervals of that RMSSD would be unlike a
        heart: their largest jumps read as ectopic beats to a beat classifier."""
        ibi_s = 60.0 / state.hr_bpm
        # Successive differences of A·sin(2πft) sampled every T have RMS √2·A·sin(πfT), of
        # independent noise σ·√2: split RMSSD² between them.
        noise_sd = NOISE_SHARE * state.rmssd_ms / math.sqrt(2)
        swing = math.sqrt(1 - NOISE_SHARE**2) * state.rmssd_ms
        amplitude = swing / (math.sqrt(2) * math.sin(math.pi * BREATHING_HZ * ibi_s))
        while self._beats[-1] < end_s:
            breathing = math.sin(2 * math.pi * BREATHING_HZ * self._beats[-1])
            ibi_ms = 1000 * ibi_s + amplitude * breathing + self._rng.normal(0, noise_sd)
            self._beats.append(self._beats[-1] + ibi_ms / 1000)
        # Beats long before this stretch no longer shape its wave (a pulse lasts < 2 s); the
        # whole stretch keeps its beats, however long it is.
        self._beats = [b for b in self._beats if b > start_s - 10.0]

    def _bvp(self, start_s: float, seconds: float, state: State) -> list[float]:
        t = start_s + np.arange(round(seconds * BVP_HZ)) / BVP_HZ
        wave = state.pulse_height * pulse_wave(np.array(self._beats), t)
        breathing = 0.1 * state.pulse_height * np.sin(2 * np.pi * BREATHING_HZ * t)
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
