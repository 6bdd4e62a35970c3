"""Results no human body gives: what a plate tared under load, a wrong calibration or a wrong
test type produce. Such a result is kept but counts nowhere until a person includes it
(docs/analysis.md#implausible-results; issue 23: a tare at 784 N gave 79 N and 194.5 N/kg).

Each limit is far outside what people give, so a real result is never caught, and each names
why in docs/analysis.md.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from sensorhub.loadcell.imtp import GRAVITY

#: Body mass (kg) a person on the plate can have. 20 kg is under the 8-year-olds that youth
#: strength testing starts with (CDC growth charts: 5th percentile ≈ 20 kg at 8 years); 300 kg
#: is over the heaviest athletes on record (sumo wrestlers: Ōrora, the heaviest, weighed about
#: 293 kg).
BODY_MASS_KG = (20.0, 300.0)
#: Relative IMTP peak force (N/kg, with body weight): 80 N/kg is a pull of 7.2 times body
#: weight on top of standing, beyond any lift: deadlift records stay under 5 times body weight,
#: and isometric peak force exceeds the concentric maximum by tens of percent, not multiples.
RELATIVE_PEAK_MAX_N_PER_KG = 80.0
#: Jump height (m): 1.2 m is over the highest standing vertical jumps measured (the NFL
#: combine's record, 46 in = 1.17 m, measured as reach with an arm swing, which overstates the
#: rise of the centre of mass that the plate measures).
JUMP_HEIGHT_MAX_M = 1.2

Check = Callable[[Mapping[str, Any]], str | None]


def _body_mass(summary: Mapping[str, Any]) -> str | None:
    weight = summary.get("body_weight_n")
    if weight is None:
        return None
    low, high = BODY_MASS_KG
    if low <= weight / GRAVITY <= high:
        return None
    return (
        f"body weight {weight:.0f} N ({weight / GRAVITY:.1f} kg) is outside "
        f"{low:g}–{high:g} kg: was the plate tared with someone on it?"
    )


def _relative_peak(summary: Mapping[str, Any]) -> str | None:
    relative = summary.get("relative_peak_force_n_per_kg")
    if relative is None or relative <= RELATIVE_PEAK_MAX_N_PER_KG:
        return None
    return (
        f"relative peak force {relative:.1f} N/kg is beyond human values "
        f"(over {RELATIVE_PEAK_MAX_N_PER_KG:g} N/kg)"
    )


def _jump_height(summary: Mapping[str, Any]) -> str | None:
    heights = [summary.get(k) for k in ("jump_height_impulse_m", "jump_height_flight_m")]
    highest = max((h for h in heights if h is not None), default=None)
    if highest is None or highest <= JUMP_HEIGHT_MAX_M:
        return None
    return f"jump height {highest:.2f} m is beyond human values (over {JUMP_HEIGHT_MAX_M:g} m)"


_CHECKS: tuple[Check, ...] = (_body_mass, _relative_peak, _jump_height)


def implausible(summary: Mapping[str, Any] | None) -> tuple[str, ...]:
    """Why the numbers of a test's ``summary`` (IMTP or jump) cannot be a person's; empty
    when they can, or when there is no summary."""
    if not summary:
        return ()
    return tuple(reason for check in _CHECKS if (reason := check(summary)) is not None)
