"""Trend maths against values worked out by hand on a small fixture (docs/athletes.md).

The fixture: one athlete, peak force (N) of each counted trial, by day:

    day 1: 2000, 2100          mean 2050, Σ(x − mean)² = 50² + 50²        = 5000, n − 1 = 1
    day 2: 2150, 2050, 2100    mean 2100, Σ(x − mean)² = 50² + 50² + 0²   = 5000, n − 1 = 2
    day 3: 2300                (one trial: no within-session spread)
    day 4: 2310, 2290          mean 2300, Σ(x − mean)² = 10² + 10²        =  200, n − 1 = 1
    day 5: 2200, 2180          mean 2190, Σ(x − mean)² = 10² + 10²        =  200, n − 1 = 1

Typical error = sqrt((5000 + 5000 + 200 + 200) / (1 + 2 + 1 + 1)) = sqrt(2080) = 45.6070 N.
Its mean: the 9 trials of days 1, 2, 4, 5 sum to 19380, mean 2153.333 N;
CV % = 45.6070 / 2153.333 × 100 = 2.11797 %.
Best trial (highest peak) per day: 2100, 2150, 2300, 2310, 2200; mean 2212; deviations
−112, −62, 88, 98, −12; Σ² = 12544 + 3844 + 7744 + 9604 + 144 = 33880; SD = sqrt(33880 / 4)
= sqrt(8470) = 92.0326 N; own SWC = 0.3 × 92.0326 = 27.6098 N.
Threshold = max(SWC, √2 × TE) = max(27.61, sqrt(4160) = 64.4981) = 64.4981 N.
Changes: day 2 +50 (≤ 64.5: within noise), day 3 +150 (improved), day 4 +10 (within noise),
day 5 −110 (declined).
Mean of the best two per day: 2050, 2125, 2300 (one trial), 2300, 2190.
"""

from __future__ import annotations

import math
from datetime import date

import pytest

from sensorhub.loadcell.trends import (
    Change,
    Trial,
    sessions_of,
    smallest_worthwhile_change,
    trend,
    typical_error,
)
from tests._rounding import gamma

DAYS = {
    date(2026, 1, 5): [2000.0, 2100.0],
    date(2026, 1, 12): [2150.0, 2050.0, 2100.0],
    date(2026, 1, 19): [2300.0],
    date(2026, 1, 26): [2310.0, 2290.0],
    date(2026, 2, 2): [2200.0, 2180.0],
}
# Sums of at most 9 values and their squares, a square root and a division or two: a
# relative bound of gamma(30) covers every quantity below.
REL = gamma(30)


def fixture_trials() -> list[Trial]:
    trials, test_id = [], 0
    for day, forces in DAYS.items():
        for force in forces:
            test_id += 1
            trials.append(Trial(test_id, day, force, force))
    return trials


def test_best_trial_is_the_highest_peak_of_each_day() -> None:
    sessions = sessions_of(fixture_trials())
    assert [s.best for s in sessions] == [2100.0, 2150.0, 2300.0, 2310.0, 2200.0]
    assert [s.best_test_id for s in sessions] == [2, 3, 6, 7, 9]


def test_mean_of_the_best_two_per_day() -> None:
    sessions = sessions_of(fixture_trials(), "mean_best_two")
    assert [s.best for s in sessions] == [2050.0, 2125.0, 2300.0, 2300.0, 2190.0]


def test_typical_error_is_the_pooled_within_session_sd_and_its_cv() -> None:
    te, cv = typical_error(sessions_of(fixture_trials()))
    assert te == pytest.approx(math.sqrt(2080.0), rel=REL)  # 45.6070 N
    assert cv == pytest.approx(math.sqrt(2080.0) / (19380.0 / 9.0) * 100.0, rel=REL)  # 2.118 %
    assert cv == pytest.approx(2.11797, abs=5e-6)  # the hand value, to its 6 digits


def test_swc_from_own_sessions_when_the_group_is_small() -> None:
    swc, rule = smallest_worthwhile_change(sessions_of(fixture_trials()), [2000.0] * 4)
    assert swc == pytest.approx(0.3 * math.sqrt(8470.0), rel=REL)  # 27.6098 N
    assert rule.startswith("0.3 × own between-session SD")


def test_swc_from_the_group_from_five_athletes() -> None:
    # Latest values 2000 … 2400 by 100: deviations ±200, ±100, 0; Σ² = 100000; SD =
    # sqrt(100000 / 4) = 158.114; SWC = 0.2 × 158.114 = 31.6228 N.
    group = [2000.0, 2100.0, 2200.0, 2300.0, 2400.0]
    swc, rule = smallest_worthwhile_change(sessions_of(fixture_trials()), group)
    assert swc == pytest.approx(0.2 * math.sqrt(25000.0), rel=REL)
    assert rule.startswith("0.2 × between-athlete SD of the group (5 athletes)")


def test_each_session_against_the_previous_one() -> None:
    result = trend("peak_force_n", fixture_trials())

    assert result.threshold == pytest.approx(math.sqrt(4160.0), rel=REL)  # 64.4981 N
    assert [c.change for c in result.sessions] == [
        None,
        Change.WITHIN_NOISE,
        Change.IMPROVED,
        Change.WITHIN_NOISE,
        Change.DECLINED,
    ]
    assert [c.difference for c in result.sessions] == [None, 50.0, 150.0, 10.0, -110.0]


def test_asymmetry_improves_towards_zero() -> None:
    day1, day2 = date(2026, 1, 1), date(2026, 1, 8)
    # Asymmetry 8 % then −2 %, one trial a day: no TE; own SWC = 0.3 × SD(8, −2) =
    # 0.3 × sqrt(50) = 2.12 %; the change of −10 passes it and |−2| < |8|: improved.
    trials = [Trial(1, day1, 8.0, 2000.0), Trial(2, day2, -2.0, 2000.0)]
    result = trend("asymmetry_pct", trials)
    assert result.typical_error is None
    assert result.swc == pytest.approx(0.3 * math.sqrt(50.0), rel=REL)
    assert result.sessions[1].change is Change.IMPROVED


def test_one_session_knows_no_change_yet() -> None:
    result = trend("peak_force_n", [Trial(1, date(2026, 1, 1), 2000.0, 2000.0)])
    assert (result.typical_error, result.swc, result.threshold) == (None, None, None)
    assert result.sessions[0].change is None
