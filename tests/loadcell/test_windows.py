"""Peak RFD over 20 ms, the best 1-s mean force and the % body-weight onset, on closed-form
curves. Tolerances are float64 rounding bounds (tests/_rounding.py), never tuned."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sensorhub.errors import ValidationError
from sensorhub.loadcell import AnalysisParams, analyze, best_mean, peak_rfd
from tests._rounding import gamma

WEIGHT_N = 800.0
T_MS = np.arange(6000, dtype=np.float64)  # 1 kHz, 6 s


def logistic(t_ms: np.ndarray, centre_ms: float, amplitude: float, scale_ms: float) -> np.ndarray:
    return WEIGHT_N + amplitude / (1.0 + np.exp(-(t_ms - centre_ms) / scale_ms))


def test_peak_rfd_of_a_logistic_rise_is_its_centred_20_ms_secant() -> None:
    # The secant over [a, a + 20] of a symmetric sigmoid is steepest when centred on its
    # centre c: A·(σ(10/s) − σ(−10/s)) / 0.020 s = A·tanh(10 / (2s)) / 0.020 s.
    amplitude, scale, centre = 1500.0, 40.0, 3000.0
    force = logistic(T_MS, centre, amplitude, scale)
    onset = 2500

    found = peak_rfd(T_MS, force, onset)

    expected = amplitude * math.tanh(10.0 / (2.0 * scale)) / 0.020
    # Two forces of at most |F|max, each rounded (exp, division, sum: a few roundings), then
    # subtracted and divided by 0.020 s: a bound of gamma(8)·2·|F|max / 0.020 s.
    tolerance = gamma(8) * 2.0 * float(force.max()) / 0.020
    assert found is not None
    assert found.rfd_n_per_s == pytest.approx(expected, abs=tolerance)
    assert found.time_s == (centre - onset) / 1000.0  # the window 2990–3010 ms: exact
    assert found.window_ms == 20.0


def test_peak_rfd_at_80_hz_spans_the_first_sample_at_least_20_ms_on() -> None:
    # 12.5 ms steps: a 20 ms window ends 25 ms on. On the ramp F = 800 + 3 N/ms·t every such
    # secant is 3000 N/s.
    t_ms = np.arange(0.0, 2000.0, 12.5)
    force = WEIGHT_N + 3.0 * t_ms

    found = peak_rfd(t_ms, force, 0)

    assert found is not None
    assert found.rfd_n_per_s == pytest.approx(3000.0, abs=gamma(4) * 2 * force.max() / 0.025)


def test_peak_rfd_needs_one_whole_window() -> None:
    assert peak_rfd(T_MS[:15], np.full(15, WEIGHT_N), 0) is None


def test_best_1s_mean_of_a_parabolic_hump() -> None:
    # F = W + A − k·(t − m)² near m. The closed 1 s window centred on m holds t = m−500 … m+500
    # (1001 samples): mean = W + A − k·Σi²/1001 = W + A − k·500·501/3.
    amplitude, k, middle = 1000.0, 0.001, 3500.0
    force = np.maximum(WEIGHT_N, WEIGHT_N + amplitude - k * (T_MS - middle) ** 2)
    onset = 2000

    found = best_mean(T_MS, force, onset)

    expected = WEIGHT_N + amplitude - k * 500 * 501 / 3
    # Centred cumulative sums over n samples: each partial sum is within gamma(n)·Σ|f − mean|.
    n = T_MS.size - onset
    tolerance = gamma(n) * 2 * float(np.abs(force).max())
    assert found is not None
    assert found.force_n == pytest.approx(expected, abs=tolerance)
    assert found.start_s == (middle - 500 - onset) / 1000.0
    assert found.window_ms == 1000.0


def test_best_1s_mean_is_none_when_less_than_a_second_follows_onset() -> None:
    assert best_mean(T_MS, np.full(T_MS.size, WEIGHT_N), T_MS.size - 500) is None


def ramp() -> np.ndarray:
    """Still at 800 N, then +3 N per ms from 2 s: F − W = 3·(t − 2000)."""
    return WEIGHT_N + 3.0 * np.clip(T_MS - 2000.0, 0.0, 1000.0)


@pytest.mark.parametrize(
    ("percent", "onset_ms"),
    # 5 % of 800 N = 40 N: 3·14 = 42 > 40 ≥ 3·13. 2.5 % = 20 N: 3·7 = 21 > 20 ≥ 3·6.
    [(5.0, 2014.0), (2.5, 2007.0)],
)
def test_body_weight_percent_onset(percent: float, onset_ms: float) -> None:
    params = AnalysisParams(onset_method="bw_pct", body_weight_pct=percent)

    result = analyze(T_MS, total=ramp(), params=params)

    assert result.onset is not None
    assert result.onset.time_s == onset_ms / 1000.0
    assert result.onset.method == "bw_pct"
    assert result.to_dict()["params"]["body_weight_pct"] == percent


@pytest.mark.parametrize("threshold", [20.0, 40.0, 50.0, 75.0])
def test_fixed_thresholds_in_use(threshold: float) -> None:
    # The first sample with 3·(t − 2000) > threshold.
    expected_ms = 2000.0 + math.floor(threshold / 3.0) + 1
    params = AnalysisParams(onset_method="fixed", threshold_n=threshold)
    result = analyze(T_MS, total=ramp(), params=params)
    assert result.onset is not None
    assert result.onset.time_s == expected_ms / 1000.0


def test_analysis_carries_both_new_metrics_and_the_summary_names_them() -> None:
    result = analyze(T_MS, total=ramp())
    document = result.to_dict()
    assert document["peak_rfd"]["rfd_n_per_s"] == pytest.approx(3000.0, rel=gamma(8))
    # The plateau 3800 N from 3 s on is longer than 1 s: the best mean is exactly it.
    assert document["best_1s"]["force_n"] == pytest.approx(3800.0, rel=gamma(T_MS.size))


@pytest.mark.parametrize("bad", [0.0, -5.0, math.nan])
def test_body_weight_percent_must_be_positive(bad: float) -> None:
    with pytest.raises(ValidationError, match="body_weight_pct"):
        AnalysisParams(onset_method="bw_pct", body_weight_pct=bad)
