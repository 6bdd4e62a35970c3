"""Results no person gives (docs/analysis.md#implausible-results), against known answers."""

from __future__ import annotations

import pytest

from sensorhub.loadcell import implausible
from sensorhub.loadcell.imtp import GRAVITY
from sensorhub.loadcell.plausibility import (
    BODY_MASS_KG,
    JUMP_HEIGHT_MAX_M,
    RELATIVE_PEAK_MAX_N_PER_KG,
)


def test_the_issues_pull_is_implausible_twice_with_its_numbers() -> None:
    # Tared under 784 N: weighed at 79 N, peak 1566.3 N on the plate (issue 23).
    relative = 1566.3 / (79.0 / GRAVITY)
    body, peak = implausible({"body_weight_n": 79.0, "relative_peak_force_n_per_kg": relative})
    assert body == (
        "body weight 79 N (8.1 kg) is outside 20–300 kg: was the plate tared with someone on it?"
    )
    assert peak == "relative peak force 194.5 N/kg is beyond human values (over 80 N/kg)"


@pytest.mark.parametrize("mass_kg", BODY_MASS_KG)
def test_body_mass_at_either_limit_is_plausible(mass_kg: float) -> None:
    assert implausible({"body_weight_n": mass_kg * GRAVITY}) == ()


def test_relative_peak_at_the_limit_is_plausible_and_beyond_it_not() -> None:
    limit = RELATIVE_PEAK_MAX_N_PER_KG
    assert implausible({"relative_peak_force_n_per_kg": limit}) == ()
    assert len(implausible({"relative_peak_force_n_per_kg": limit + 0.1})) == 1


def test_a_jump_higher_than_any_measured_is_implausible_by_either_height() -> None:
    assert implausible({"jump_height_impulse_m": JUMP_HEIGHT_MAX_M}) == ()
    (reason,) = implausible({"jump_height_impulse_m": 0.4, "jump_height_flight_m": 3.1})
    assert reason == "jump height 3.10 m is beyond human values (over 1.2 m)"


@pytest.mark.parametrize("summary", [None, {}, {"body_weight_n": None, "peak_force_n": 2000.0}])
def test_no_numbers_are_nothing_to_judge(summary: dict[str, float | None] | None) -> None:
    assert implausible(summary) == ()
