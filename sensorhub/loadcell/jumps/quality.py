"""Quality checks on a jump recording: each has a code and a sentence giving the numbers.

A check does not stop the analysis; it says which numbers deserve a second look. The limits and
their reasons are in docs/jumps.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]

#: Weighing SD over which the quiet phase is unstable. As for the IMTP: at 10 N the ±5 SD onset
#: band is ±50 N wide, so onset comes late and the integration misses impulse.
UNSTEADY_SD_N = 10.0
#: Owen et al. 2014 and McMahon et al. 2018 analyse at 1000 Hz: onset, take-off and landing
#: are then within 1 ms. 0.5 % is allowed for clock rounding.
MIN_RATE_HZ = 1000.0
RATE_TOLERANCE = 0.005
#: A squat jump starts from a held squat: a CoM dip deeper than this before take-off is a
#: countermovement. 10 mm is ten times the drift the integration of a still athlete's noise
#: builds up over a jump (see docs/jumps.md).
SQUAT_DIP_M = 0.010
#: CoM velocity excursions smaller than this are noise when counting countermovements: a second
#: dip below −0.05 m/s after rising above +0.05 m/s is a double bounce or a step.
BOUNCE_VELOCITY_M_S = 0.05
#: Jump heights by impulse and by flight time differing by more than this mean the take-off or
#: the landing was not (all) on the plate, or the landing posture differed (bent knees lengthen
#: the flight). Same-posture jumps agree within 1–2 cm.
HEIGHT_AGREEMENT_M = 0.05
#: A flat top of this many samples at a channel's maximum is a clipped (saturated) signal.
CLIPPED_RUN = 3


class CheckCode(StrEnum):
    """Why a trial's numbers deserve a second look."""

    UNSTEADY_WEIGHING = "unsteady_weighing"
    SHORT_WEIGHING = "short_weighing"
    COUNTERMOVEMENT_IN_SQUAT_JUMP = "countermovement_in_squat_jump"
    DOUBLE_BOUNCE = "double_bounce"
    OFF_PLATE = "off_plate"
    HEIGHTS_DISAGREE = "heights_disagree"
    CLIPPED = "clipped"
    LOW_SAMPLE_RATE = "low_sample_rate"
    NO_LANDING = "no_landing"


@dataclass(frozen=True, slots=True)
class Check:
    """One quality warning: a stable code and a sentence for people."""

    code: CheckCode
    reason: str

    def to_dict(self) -> dict[str, str]:
        return {"code": self.code.value, "reason": self.reason}


def sample_rate_check(rate_hz: float) -> Check | None:
    if rate_hz >= MIN_RATE_HZ * (1.0 - RATE_TOLERANCE):
        return None
    return Check(
        CheckCode.LOW_SAMPLE_RATE,
        f"sample rate is {rate_hz:.0f} Hz, under {MIN_RATE_HZ:.0f} Hz: events are only within "
        f"{1000.0 / rate_hz:.1f} ms, and RFD and the phase times are that much less precise",
    )


def clipped_check(channels: dict[str, FloatArray], capacity_n: float | None) -> Check | None:
    """A channel at or over the plate's capacity, or flat at its top for ``CLIPPED_RUN`` samples."""
    for name, force in channels.items():
        top = float(force.max())
        if capacity_n is not None and top >= capacity_n:
            return Check(
                CheckCode.CLIPPED,
                f"{name} force reaches {top:.0f} N, the plate's capacity ({capacity_n:.0f} N): "
                "peak forces are underestimated",
            )
        at_top = np.concatenate(([0], (force == top).astype(np.int8), [0]))
        edges = np.flatnonzero(np.diff(at_top))
        longest = int((edges[1::2] - edges[::2]).max())
        if longest >= CLIPPED_RUN and top > 1.5 * float(np.median(force)):
            return Check(
                CheckCode.CLIPPED,
                f"{name} force sits at its maximum, {top:.0f} N, for {longest} samples in a row: "
                "the signal is clipped and peak forces are underestimated",
            )
    return None


def weighing_check(sd_n: float) -> Check | None:
    if sd_n <= UNSTEADY_SD_N:
        return None
    return Check(
        CheckCode.UNSTEADY_WEIGHING,
        f"body weight SD is {sd_n:.1f} N (limit {UNSTEADY_SD_N:g} N): the athlete was not still, "
        "so body weight, onset and every integrated number are uncertain",
    )


def bounce_count(velocity: FloatArray) -> int:
    """How many separate downward movements (below −band after being above +band) there are."""
    downs, state = 0, "still"
    for v in velocity:
        if v < -BOUNCE_VELOCITY_M_S and state != "down":
            downs, state = downs + 1, "down"
        elif v > BOUNCE_VELOCITY_M_S:
            state = "up"
    return downs
