"""Change flags against values worked out by hand (docs/athletes.md).

Sessions fixture, one athlete, peak force (N) of each counted trial, by day:
    day 1: 2000, 2100 | day 2: 2150, 2050, 2100 | day 3: 2300 | day 4: 2310, 2290
    day 5: 2200, 2180
Best trial per day: 2100, 2150, 2300, 2310, 2200; mean of the best two per day: 2050, 2125,
2300, 2300, 2190.

Reliability study, three athletes with two sessions each: A 2000 → 2040, B 1800 → 1780,
C 2200 → 2230. Differences 40, −20, 30; mean 50/3; deviations 70/3, −110/3, 40/3;
Σ² = (4900 + 12100 + 1600) / 9 = 18600 / 9; SD = sqrt(18600 / 18) = sqrt(1033.33) = 32.146;
TE = SD / √2 = sqrt(516.667) = 22.730 N, df = 2. χ²(2) quantiles are closed-form,
−2 ln(1 − p), so the 90 % interval is TE × sqrt(2 / (−2 ln 0.05)) … TE × sqrt(2 / (−2 ln 0.95)).
Student's t(2) quantile is closed-form too: (2p − 1) / sqrt(2p(1 − p)); p = 0.95 gives
0.9 / sqrt(0.095) = 2.91999.
"""

from __future__ import annotations

import math
from datetime import date

import pytest

from sensorhub.loadcell.metrics import IMTP_METRICS, Better, MetricSpec
from sensorhub.loadcell.trends import (
    Change,
    Swc,
    Trial,
    TypicalError,
    change_estimate,
    default_typical_error,
    sessions_of,
    smallest_worthwhile_change,
    study_typical_error,
    trend,
)
from tests._rounding import gamma

DAYS = {
    date(2026, 1, 5): [2000.0, 2100.0],
    date(2026, 1, 12): [2150.0, 2050.0, 2100.0],
    date(2026, 1, 19): [2300.0],
    date(2026, 1, 26): [2310.0, 2290.0],
    date(2026, 2, 2): [2200.0, 2180.0],
}
STUDY = [[2000.0, 2040.0], [1800.0, 1780.0], [2200.0, 2230.0]]
STUDY_TE = math.sqrt(18600.0 / 18.0 / 2.0)
T2_95 = 0.9 / math.sqrt(0.095)
PEAK = IMTP_METRICS["peak_force_n"]
# A few dozen roundings in sums, squares, roots and SciPy's quantiles (which are accurate to
# a few ulps for these laws): gamma(60) bounds each relative error below.
REL = gamma(60)


def fixture_trials() -> list[Trial]:
    trials, test_id = [], 0
    for day, forces in DAYS.items():
        for force in forces:
            test_id += 1
            trials.append(Trial(test_id, day, force, force))
    return trials


def known(te: float) -> TypicalError:
    """A TE treated as known (normal law), as a default CV is."""
    return TypicalError("default_cv", "test", value=te)


def test_best_trial_is_the_highest_peak_of_each_day() -> None:
    sessions = sessions_of(fixture_trials())
    assert [s.best for s in sessions] == [2100.0, 2150.0, 2300.0, 2310.0, 2200.0]
    assert [s.best_test_id for s in sessions] == [2, 3, 6, 7, 9]


def test_mean_of_the_best_two_per_day() -> None:
    sessions = sessions_of(fixture_trials(), "mean_best_two")
    assert [s.best for s in sessions] == [2050.0, 2125.0, 2300.0, 2300.0, 2190.0]


def test_typical_error_of_a_reliability_study_with_its_interval() -> None:
    te = study_typical_error(STUDY, PEAK, "study")
    assert te is not None and te.source == "reliability_study" and te.df == 2
    assert te.value == pytest.approx(STUDY_TE, rel=REL)  # 22.730 N
    assert te.low == pytest.approx(STUDY_TE * math.sqrt(2.0 / (-2.0 * math.log(0.05))), rel=REL)
    assert te.high == pytest.approx(STUDY_TE * math.sqrt(2.0 / (-2.0 * math.log(0.95))), rel=REL)


def test_a_study_of_single_sessions_gives_no_typical_error() -> None:
    assert study_typical_error([[2000.0], [1800.0]], PEAK, "study") is None


def test_one_athletes_study_is_the_sd_of_their_session_values() -> None:
    # 2100, 2150, 2300: mean 6550 / 3; squares (250² + 100² + 350²) / 9 = 195000 / 9; TE² =
    # that / 2 = 10833.3, TE 104.083 N, df 2. (Consecutive differences 50 and 150 would give
    # 50 N: their SD about their mean leaves the rise out, and they share the middle session.)
    te = study_typical_error([[2100.0, 2150.0, 2300.0]], PEAK, "study")
    assert te is not None and te.df == 2
    assert te.value == pytest.approx(math.sqrt(195000.0 / 18.0), rel=REL)


def test_a_group_study_of_three_sessions_leaves_out_the_change_of_the_mean() -> None:
    # Balanced two-way by hand: residual = value − athlete mean − session mean + grand mean.
    # A: 2000, 2050, 2080; B: 1800, 1860, 1870 (means 2043.3, 1843.3; sessions 1900, 1955,
    # 1975; grand 1943.3): residuals ±(0, 5, −5) → Σ² = 4 × 25 = 100, df (2 − 1)(3 − 1) = 2.
    te = study_typical_error([[2000.0, 2050.0, 2080.0], [1800.0, 1860.0, 1870.0]], PEAK, "s")
    assert te is not None and te.df == 2
    assert te.value == pytest.approx(math.sqrt(100.0 / 2.0), rel=REL)


def test_default_cv_names_its_source_else_unknown() -> None:
    assert default_typical_error(PEAK).cv_pct == 5.3
    assert "Applied Sciences" in default_typical_error(PEAK).description
    rfd = default_typical_error(IMTP_METRICS["rfd_0_200_n_per_s"])
    assert (rfd.source, rfd.at(5000.0)) == ("unknown", None)


def test_swc_sources_in_order() -> None:
    # Latest values 2000 … 2400 by 100: SD = sqrt(100000 / 4) = 158.114; 0.2 × SD = 31.6228.
    five = [2000.0, 2100.0, 2200.0, 2300.0, 2400.0]
    assert smallest_worthwhile_change(40.0, five, five).value == 40.0
    by_study = smallest_worthwhile_change(None, five, [])
    assert by_study.value == pytest.approx(0.2 * math.sqrt(25000.0), rel=REL)
    assert "reliability study" in by_study.description
    by_group = smallest_worthwhile_change(None, five[:4], five)
    assert "group's latest" in by_group.description
    assert by_group.follows_group and not by_study.follows_group  # flags recomputed with it
    assert smallest_worthwhile_change(None, five[:4], five[:4]).value is None


def test_change_with_a_study_te_by_hand() -> None:
    # 2100 → 2300 N: d = 200; spread √2 × 22.730 = 32.146; half-width 2.91999 × 32.146 = 93.87.
    te = study_typical_error(STUDY, PEAK, "study")
    assert te is not None
    found = change_estimate(PEAK, 2100.0, 2300.0, te, 60.0)
    half = T2_95 * math.sqrt(2.0) * STUDY_TE
    assert found.low == pytest.approx(200.0 - half, rel=REL)
    assert found.high == pytest.approx(200.0 + half, rel=REL)
    # P(true > +SWC) = T2((200 − 60) / 32.146); the t(2) CDF is 1/2 + x / (2 sqrt(2 + x²)).
    x = 140.0 / (math.sqrt(2.0) * STUDY_TE)
    assert found.p_above_swc == pytest.approx(0.5 + x / (2.0 * math.sqrt(2.0 + x * x)), rel=REL)
    assert found.flag is Change.IMPROVED


def test_flags_within_noise_trivial_and_real() -> None:
    # Known TE 10 N: spread 14.142, half-width 1.64485 × 14.142 = 23.26 N; SWC 30 N.
    assert change_estimate(PEAK, 2000.0, 2020.0, known(10.0), 30.0).flag is Change.WITHIN_NOISE
    assert change_estimate(PEAK, 2000.0, 2025.0, known(10.0), 30.0).flag is Change.TRIVIAL
    assert change_estimate(PEAK, 2000.0, 2031.0, known(10.0), 30.0).flag is Change.IMPROVED
    assert change_estimate(PEAK, 2000.0, 1969.0, known(10.0), 30.0).flag is Change.DECLINED
    # No SWC: a change whose interval excludes 0 is flagged by its direction alone.
    assert change_estimate(PEAK, 2000.0, 2025.0, known(10.0), None).flag is Change.IMPROVED


def test_lower_is_better_flags_a_quicker_time_improved() -> None:
    quick = MetricSpec("time_s", "s", Better.LOWER)
    assert change_estimate(quick, 0.15, 0.10, known(0.01), 0.02).flag is Change.IMPROVED


def test_asymmetry_is_judged_on_its_magnitude() -> None:
    # −6 % → +4 %: the magnitude fell by 2 points, not rose by 10. Known TE 0.5 %: half-width
    # 1.645 × 0.707 = 1.16 < 2, SWC 1: improved. Judged on the signed value it was "+10".
    asymmetry = IMTP_METRICS["asymmetry_pct"]
    found = change_estimate(asymmetry, -6.0, 4.0, known(0.5), 1.0)
    assert found.difference == -2.0
    assert found.flag is Change.IMPROVED


def test_no_better_direction_says_up_or_down() -> None:
    weight = IMTP_METRICS["body_weight_n"]
    assert change_estimate(weight, 800.0, 850.0, known(5.0), 10.0).flag is Change.INCREASED
    assert change_estimate(weight, 800.0, 750.0, known(5.0), 10.0).flag is Change.DECREASED


def test_default_cv_scales_with_the_previous_value() -> None:
    # CV 5.3 % of 2000 N = 106 N; half-width 1.64485 × √2 × 106 = 246.6 N.
    te = default_typical_error(PEAK)
    assert change_estimate(PEAK, 2000.0, 2240.0, te, 60.0).flag is Change.WITHIN_NOISE
    assert change_estimate(PEAK, 2000.0, 2250.0, te, 60.0).flag is Change.IMPROVED


def test_unknown_te_flags_unknown() -> None:
    rfd = IMTP_METRICS["rfd_0_200_n_per_s"]
    found = change_estimate(rfd, 9000.0, 12000.0, default_typical_error(rfd), None)
    assert (found.flag, found.low, found.p_above_swc) == (Change.UNKNOWN, None, None)


def test_past_flags_stay_when_sessions_are_added() -> None:
    te = study_typical_error(STUDY, PEAK, "study")
    assert te is not None
    swc = Swc(60.0, "set by the coach")
    trials = fixture_trials()
    before = trend(PEAK, trials[:-2], te, swc)
    after = trend(PEAK, trials, te, swc)
    assert after.sessions[: len(before.sessions)] == before.sessions
    assert [c.change.flag if c.change else None for c in after.sessions] == [
        None,
        Change.WITHIN_NOISE,  # +50: the interval ±93.9 holds 0
        Change.IMPROVED,  # +150
        Change.WITHIN_NOISE,  # +10
        Change.DECLINED,  # −110
    ]
