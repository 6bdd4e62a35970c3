"""Where the athlete is on the plate: contact and airborne stretches of total force.

The plate is unloaded in flight, so an airborne stretch is a run of samples whose total force is
under the contact threshold (McMahon et al. 2018: take-off when force falls below 5 SD of the
unloaded plate's force; landing when it rises above it again). The threshold is found in two
passes: a provisional fixed threshold locates the flights, then 5 × the SD of the unloaded
plate over their middle halves (plus its mean, which a drifting tare leaves off zero) sets the
threshold, never under ``THRESHOLD_FLOOR_N``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

#: First-pass threshold to locate flights. VALD ForceDecks uses 20 N to find the start of a
#: movement and 30 N for take-off and landing; 20 N is far above an unloaded plate's noise
#: (a few N) and far below a standing athlete.
PROVISIONAL_THRESHOLD_N = 20.0
#: The threshold never drops under this: a very quiet plate (5 SD of 1 N) would otherwise see a
#: toe brushing the plate as a landing. 10 N is 1.3 % of an 80 kg athlete's weight.
THRESHOLD_FLOOR_N = 10.0
#: McMahon et al. 2018: take-off and landing at 5 SD of the unloaded plate's force.
FLIGHT_SD_MULTIPLIER = 5.0
#: Shorter airborne or contact runs are noise or a flick, not a flight or a contact: a hop
#: in a 10/5 test has over 100 ms of contact and of flight.
MIN_RUN_S = 0.03
#: A flight longer than this is not a jump (1 s of flight is a 1.23 m jump): the athlete
#: stepped off the plate, or the jump started or ended off it.
MAX_FLIGHT_S = 1.0


@dataclass(frozen=True, slots=True)
class Run:
    """Samples ``first`` to ``last`` (inclusive) on the plate or airborne."""

    first: int
    last: int
    airborne: bool

    def duration_s(self, t_s: FloatArray) -> float:
        """From the run's first sample to the first sample of the next run."""
        end = min(self.last + 1, t_s.size - 1)
        return float(t_s[end] - t_s[self.first])


def contact_threshold(t_s: FloatArray, total: FloatArray) -> float:
    """The force under which the plate counts as unloaded (see the module docstring)."""
    provisional = _runs(t_s, total < PROVISIONAL_THRESHOLD_N)
    middles = [
        total[run.first + (run.last - run.first) // 4 : run.last - (run.last - run.first) // 4 + 1]
        for run in provisional
        if run.airborne
    ]
    unloaded = np.concatenate(middles) if middles else np.empty(0)
    if unloaded.size < 2:
        return PROVISIONAL_THRESHOLD_N
    spread = FLIGHT_SD_MULTIPLIER * float(unloaded.std(ddof=1))
    return float(unloaded.mean()) + max(spread, THRESHOLD_FLOOR_N)


def contact_runs(t_s: FloatArray, total: FloatArray, threshold_n: float) -> list[Run]:
    """Alternating contact and airborne runs covering the recording."""
    return _runs(t_s, total < threshold_n)


def _runs(t_s: FloatArray, airborne: BoolArray) -> list[Run]:
    # A run too short to be a flight or a contact joins its neighbours.
    runs = _raw_runs(airborne)
    merged: list[Run] = []
    for run in runs:
        short = run.duration_s(t_s) < MIN_RUN_S and run.first > 0 and run.last < t_s.size - 1
        if merged and (short or merged[-1].airborne == run.airborne):
            previous = merged.pop()
            run = Run(previous.first, run.last, previous.airborne)
        merged.append(run)
    return merged


def _raw_runs(airborne: BoolArray) -> list[Run]:
    edges = np.flatnonzero(np.diff(airborne.astype(np.int8))) + 1
    starts = np.concatenate(([0], edges))
    stops = np.concatenate((edges, [airborne.size]))
    return [
        Run(int(first), int(stop) - 1, bool(airborne[first]))
        for first, stop in zip(starts, stops, strict=True)
    ]
