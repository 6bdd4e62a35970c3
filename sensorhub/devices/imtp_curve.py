"""A simulated athlete on a force plate: quiet standing, and an IMTP on request.

Pure Python (``random`` and ``math``), so the simulators need nothing beyond the standard
library. The shape follows published IMTP curves: a still weighing phase, an exponential rise
(time constant ~0.25 s, so RFD 0–200 ms is several thousand N/s), a plateau that fades a few
percent, and a release back to body weight.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

GRAVITY = 9.81
WEIGH_S = 1.5  # still phase after "start": analysis needs ≥ 1 s of quiet weighing
RISE_TAU_S = 0.25
RISE_S = 1.2  # 1 − e^(−4.8) ≈ 99.2 % of peak by the end of the rise
PLATEAU_S = 2.0
PLATEAU_FADE = 0.03  # the pull fades 3 % over the plateau: the peak is at its start
RELEASE_S = 0.4
PULL_S = WEIGH_S + RISE_S + PLATEAU_S + RELEASE_S
SWAY_HZ = 0.3
SWAY_N = 1.5


@dataclass(frozen=True, slots=True)
class Athlete:
    """Who stands on the plate; ``peak_net_n`` defaults to twice body weight."""

    mass_kg: float = 80.0
    asymmetry_pct: float = 0.0  # |L − R| / max(L, R) × 100 at peak, + when right is stronger
    peak_net_n: float | None = None
    noise_n: float = 2.0  # per-channel noise SD, as a decent amplifier gives

    @property
    def weight_n(self) -> float:
        return self.mass_kg * GRAVITY

    @property
    def peak_net(self) -> float:
        return self.peak_net_n if self.peak_net_n is not None else 2.0 * self.weight_n


def net_pull_force(athlete: Athlete, since_start_s: float) -> float:
    """Force above body weight ``since_start_s`` after the start command (0 when not pulling)."""
    u = since_start_s - WEIGH_S
    peak = athlete.peak_net
    if u < 0 or since_start_s >= PULL_S:
        return 0.0
    if u < RISE_S:
        return peak * (1.0 - math.exp(-u / RISE_TAU_S))
    top = peak * (1.0 - math.exp(-RISE_S / RISE_TAU_S))
    u -= RISE_S
    if u < PLATEAU_S:
        return top * (1.0 - PLATEAU_FADE * u / PLATEAU_S)
    return top * (1.0 - PLATEAU_FADE) * (1.0 - (u - PLATEAU_S) / RELEASE_S)


class ForceModel:
    """Left and right force (N) at a given time, with sway, noise and asymmetry."""

    def __init__(self, athlete: Athlete, rng: random.Random | None = None) -> None:
        self.athlete = athlete
        self._rng = rng or random.Random()

    def sample(self, t_s: float, since_start_s: float | None) -> tuple[float, float]:
        """``(left, right)`` at device time ``t_s``; ``since_start_s`` None means standing."""
        sway = SWAY_N * math.sin(2 * math.pi * SWAY_HZ * t_s)
        pull = 0.0 if since_start_s is None else net_pull_force(self.athlete, since_start_s)
        total = self.athlete.weight_n + sway + pull
        # Standing is even; the split leans to the athlete's asymmetry as the pull builds, so
        # the asymmetry at peak, |L − R| / max(L, R) (`loadcell.asymmetry`), is the one asked
        # for: right stronger by a share a of it means R = 1 / (2 − a) of the total.
        lean = self.athlete.asymmetry_pct / 100.0 * pull / self.athlete.peak_net
        share_right = 1.0 / (2.0 - lean) if lean >= 0 else 1.0 - 1.0 / (2.0 + lean)
        noise = self.athlete.noise_n
        left = total * (1.0 - share_right) + self._rng.gauss(0.0, noise)
        right = total * share_right + self._rng.gauss(0.0, noise)
        return left, right


@dataclass(frozen=True, slots=True)
class AdcOutput:
    """Raw ADC counts like an HX711: ``counts = offset + newtons / scale``.

    Configure the server with the same numbers (calibration ``offset``, ``scale`` in N per
    count) and the analysis reads newtons again.
    """

    offset: float = 8_388_608.0
    scale: float = 0.01

    def counts(self, newtons: float) -> int:
        return round(self.offset + newtons / self.scale)
