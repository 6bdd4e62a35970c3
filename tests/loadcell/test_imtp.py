"""IMTP analysis: agreement with the reference tool, closed-form curves, properties, errors."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sensorhub.errors import ValidationError
from sensorhub.loadcell import (
    WINDOWS_MS,
    AnalysisParams,
    FlagCode,
    ImtpResult,
    analyze,
    analyze_recording,
    read_force_file,
)
from tests._rounding import U64
from tests.loadcell._agreement import (
    GOLDEN_TRIALS,
    IMTP_FIXTURES,
    force_tolerance,
    sd_tolerance,
)

FloatArray = npt.NDArray[np.float64]

PROPERTY = settings(max_examples=50, deadline=None)


# --- synthetic curves --------------------------------------------------------------------------


def ramp_trial(
    *,
    rate_hz: float = 1000.0,
    weight: float = 800.0,
    slope: float = 5000.0,
    quiet_s: float = 2.0,
    ramp_s: float = 0.5,
    hold_s: float = 1.0,
) -> tuple[FloatArray, FloatArray, int]:
    """Quiet weight, then a linear rise of ``slope`` N/s starting at sample k, then a hold.

    Built by sample index so the rise is exactly linear in the sample times.
    """
    k, m = round(quiet_s * rate_hz), round(ramp_s * rate_hz)
    n = k + m + round(hold_s * rate_hz)
    index = np.arange(n, dtype=np.float64)
    t_ms = index / rate_hz * 1000.0
    total = weight + slope * np.clip(index - k, 0, m) / rate_hz
    return t_ms, total, k


def noisy_trial(
    seed: int, *, weight: float = 800.0, pull: float = 1200.0, noise: float = 2.0
) -> tuple[FloatArray, FloatArray]:
    """2 s quiet, a 0.4 s rise by ``pull`` N, a 2 s hold; Gaussian noise; 1 kHz."""
    rng = np.random.default_rng(seed)
    t_s = np.arange(4400) / 1000.0
    rise = np.clip((t_s - 2.0) / 0.4, 0.0, 1.0)
    total = weight + pull * rise + rng.normal(0.0, noise, t_s.size)
    return t_s * 1000.0, total


def manual(weigh_start_s: float, onset_time_s: float) -> AnalysisParams:
    return AnalysisParams(
        weigh_start_s=weigh_start_s, onset_method="manual", onset_time_s=onset_time_s
    )


def codes(result: ImtpResult) -> set[FlagCode]:
    return {flag.code for flag in result.flags}


# --- agreement with imtp-processor (tolerances: tests/loadcell/_agreement.py) ---------------


def _golden_trials() -> list[tuple[str, dict[str, Any]]]:
    return [
        (name, trial)
        for name, trial in sorted(GOLDEN_TRIALS.items())
        if (IMTP_FIXTURES / Path(trial["source"]).name).exists()
    ]


GOLDEN = _golden_trials()


def test_the_three_fixture_trials_are_found() -> None:
    # Guards the parametrised test below against silently running on nothing.
    assert [name for name, _ in GOLDEN] == ["generic", "hawkin", "pasco_left_right"]


@pytest.mark.parametrize(("name", "trial"), GOLDEN, ids=[name for name, _ in GOLDEN])
def test_agrees_with_the_reference_tool(name: str, trial: dict[str, Any]) -> None:
    recording = read_force_file(IMTP_FIXTURES / Path(trial["source"]).name)
    assert recording.sample_count == trial["n_samples"]
    params = manual(trial["params"]["weigh_start"], trial["params"]["onset_time"])
    result = analyze_recording(recording, params)
    ours, theirs = result, trial["pipeline"]
    assert ours.peak is not None and ours.onset is not None
    force_tol = force_tolerance(float(np.max(np.abs(recording.total))))
    assert ours.weighing.body_weight_n == pytest.approx(theirs["weight"], abs=force_tol)
    sd_tol = sd_tolerance(theirs["stddev"], theirs["weight"])
    assert ours.weighing.sd_n == pytest.approx(theirs["stddev"], abs=sd_tol)
    # mass = weight / 9.81: the weight's tolerance scaled, plus the division's rounding.
    mass_tol = force_tol / 9.81 + 2 * U64 * theirs["mass"]
    assert ours.weighing.mass_kg == pytest.approx(theirs["mass"], abs=mass_tol)
    assert ours.onset.index == theirs["start_index"]
    assert ours.peak.net_force_n == pytest.approx(theirs["peak_force"], abs=force_tol)
    for ms in WINDOWS_MS:
        ours_at = ours.window(ms).net_force_n
        assert ours_at == pytest.approx(theirs[f"f{ms}"], abs=force_tol), f"{ms} ms"
    assert result.has_flag(FlagCode.COUNTERMOVEMENT) is theirs["countermovement"]


# --- closed-form curves ------------------------------------------------------------------------


def test_linear_ramp_gives_its_slope_impulse_and_time_to_peak() -> None:
    slope, weight = 6000.0, 750.0
    t_ms, total, k = ramp_trial(slope=slope, weight=weight, ramp_s=0.5)
    result = analyze(t_ms, total=total, params=manual(0.5, t_ms[k] / 1000.0))
    assert result.onset is not None and result.onset.index == k
    for ms in WINDOWS_MS:
        window = result.window(ms)
        t = ms / 1000.0
        assert window.rfd_n_per_s == pytest.approx(slope, rel=1e-9)
        assert window.net_force_n == pytest.approx(slope * t, rel=1e-9)
        assert window.impulse_n_s == pytest.approx(0.5 * slope * t * t, rel=1e-9)
    peak = result.peak
    assert peak is not None
    assert peak.time_to_peak_s == pytest.approx(0.5, rel=1e-9)
    assert peak.net_force_n == pytest.approx(slope * 0.5, rel=1e-9)
    assert peak.force_n == pytest.approx(weight + slope * 0.5, rel=1e-12)
    assert peak.impulse_n_s == pytest.approx(0.5 * slope * 0.25, rel=1e-9)
    assert peak.relative_force_n_per_kg == pytest.approx(peak.force_n / (weight / 9.81))
    assert result.weighing.mass_kg == pytest.approx(weight / 9.81)


def test_step_is_the_onset_for_both_detectors() -> None:
    t_ms = np.arange(3000, dtype=np.float64)
    total = np.where(np.arange(3000) >= 2200, 1300.0, 800.0)
    for method in ("sd", "fixed"):
        result = analyze(t_ms, total=total, params=AnalysisParams(onset_method=method))
        assert result.onset is not None
        assert result.onset.index == 2200, method
        assert result.weighing.body_weight_n == pytest.approx(800.0)


def test_fixed_threshold_waits_for_the_threshold() -> None:
    t_ms, total, k = ramp_trial(slope=1000.0)  # 1 N per sample at 1 kHz
    result = analyze(t_ms, total=total, params=AnalysisParams(onset_method="fixed"))
    assert result.onset is not None
    assert result.onset.index == k + 51  # first sample above weight + 50 N


def test_sd_onset_is_the_first_sample_that_leaves_the_band() -> None:
    t_ms, total, k = ramp_trial()
    result = analyze(t_ms, total=total)
    assert result.weighing.automatic
    assert result.onset is not None and result.onset.index == k + 1  # sample k is still weight


def test_asymmetry_uses_both_sides_at_the_total_peak() -> None:
    t_ms, total, _ = ramp_trial()
    result = analyze(t_ms, 0.4 * total, 0.6 * total)
    peak = result.peak
    assert peak is not None
    # |0.4 − 0.6| / 0.6 × 100 = 33.33 %, right stronger (the old (R − L)/(R + L) gave 20 %).
    assert peak.asymmetry_pct == pytest.approx(100.0 / 3.0, rel=1e-12)
    assert peak.stronger_side == "right"
    assert peak.left_at_peak_n == pytest.approx(0.4 * peak.force_n)
    assert peak.right_at_peak_n == pytest.approx(0.6 * peak.force_n)
    assert peak.left_n == pytest.approx(0.4 * peak.force_n)


def test_side_peaks_are_each_sides_own_maximum() -> None:
    t_ms, total, k = ramp_trial(hold_s=1.0)
    left = 0.5 * total
    left[k + 300] += 600.0  # left peaks early (1790 N); the total still peaks at k + 500
    result = analyze(t_ms, left, 0.5 * total)
    peak = result.peak
    assert peak is not None
    assert peak.left_n == pytest.approx(left[k + 300])
    assert peak.left_at_peak_n == pytest.approx(left[peak.index])
    assert peak.index == k + 500


def test_total_only_input_leaves_side_metrics_empty() -> None:
    t_ms, total, _ = ramp_trial()
    peak = analyze(t_ms, total=total).peak
    assert peak is not None
    assert peak.left_n is None and peak.right_n is None
    assert peak.left_at_peak_n is None and peak.right_at_peak_n is None
    assert peak.asymmetry_pct is None


def test_given_total_is_used_over_the_sum_of_sides() -> None:
    t_ms, total, _ = ramp_trial()
    result = analyze(t_ms, 0.5 * total, 0.5 * total, total=total + 10.0)
    assert result.weighing.body_weight_n == pytest.approx(810.0)


@pytest.mark.parametrize(("dip_n", "flagged"), [(80.0, True), (30.0, False)])
def test_countermovement_dip_before_the_peak_is_flagged(dip_n: float, flagged: bool) -> None:
    t_ms, total, k = ramp_trial()
    total[k - 200 : k - 100] -= dip_n
    result = analyze(t_ms, total=total)
    assert result.has_flag(FlagCode.COUNTERMOVEMENT) is flagged
    assert result.weighing.end_s < (k - 200) / 1000.0


@pytest.mark.parametrize(("rate_hz", "flagged"), [(500.0, True), (1000.0, False), (2000.0, False)])
def test_low_sample_rate_is_flagged(rate_hz: float, flagged: bool) -> None:
    t_ms, total, _ = ramp_trial(rate_hz=rate_hz)
    result = analyze(t_ms, total=total)
    assert result.sample_rate_hz == pytest.approx(rate_hz)
    assert result.has_flag(FlagCode.LOW_SAMPLE_RATE) is flagged
    assert result.window(100).rfd_n_per_s == pytest.approx(5000.0)


def test_gaps_in_time_are_flagged() -> None:
    t_ms, total, _ = ramp_trial()
    keep = np.ones(t_ms.size, dtype=bool)
    keep[500:510] = False
    result = analyze(t_ms[keep], total=total[keep])
    assert codes(result) == {FlagCode.GAPS}
    assert "11.0 ms" in result.flags[0].reason


def test_out_of_order_samples_are_flagged_and_sorted() -> None:
    t_ms, total, _ = ramp_trial()
    in_order = analyze(t_ms, total=total)
    shuffled = np.arange(t_ms.size)
    shuffled[[900, 901]] = shuffled[[901, 900]]
    result = analyze(t_ms[shuffled], total=total[shuffled])
    assert codes(result) == {FlagCode.NON_MONOTONIC_TIME}
    assert result.peak == in_order.peak and result.windows == in_order.windows


def test_unsteady_weighing_is_flagged() -> None:
    t_ms, total = noisy_trial(1, noise=15.0)
    assert FlagCode.UNSTEADY_WEIGHING in codes(analyze(t_ms, total=total))
    t_ms, total = noisy_trial(1, noise=2.0)
    assert FlagCode.UNSTEADY_WEIGHING not in codes(analyze(t_ms, total=total))


def test_no_pull_still_gives_a_json_ready_result() -> None:
    rng = np.random.default_rng(3)
    t_ms = np.arange(4000, dtype=np.float64)
    result = analyze(t_ms, total=800.0 + rng.normal(0.0, 2.0, 4000))
    assert codes(result) == {FlagCode.NO_PULL}
    assert result.onset is None and result.peak is None
    assert all(w.net_force_n is None and w.rfd_n_per_s is None for w in result.windows)
    document = json.loads(json.dumps(result.to_dict(), allow_nan=False))
    assert document["peak"] is None
    assert document["flags"][0]["code"] == "no_pull"
    assert document["weighing"]["body_weight_n"] == pytest.approx(800.0, abs=1.0)


def test_result_to_dict_is_plain_json() -> None:
    t_ms, total, _ = ramp_trial()
    result = analyze(t_ms + 5_000_000.0, 0.5 * total, 0.5 * total)
    document = result.to_dict()
    assert json.loads(json.dumps(document, allow_nan=False)) == document
    assert document["start_t_ms"] == 5_000_000.0
    assert document["params"]["onset_method"] == "sd"
    assert [w["window_ms"] for w in document["windows"]] == list(WINDOWS_MS)


def test_times_are_seconds_from_the_first_sample_of_any_clock() -> None:
    t_ms, total, k = ramp_trial()
    result = analyze(t_ms + 123_456.0, total=total, params=manual(0.5, t_ms[k] / 1000.0))
    assert result.onset is not None and result.onset.index == k
    assert result.weighing.start_s == pytest.approx(0.5)
    assert result.onset.time_s == pytest.approx(t_ms[k] / 1000.0)


def test_metrics_past_the_end_of_the_recording_are_none() -> None:
    t_ms, total, k = ramp_trial(ramp_s=0.5, hold_s=0.0)
    result = analyze(t_ms[: k + 120], total=total[: k + 120], params=manual(0.5, k / 1000.0))
    assert result.window(100).net_force_n is not None
    assert result.window(150).net_force_n is None


# --- automatic weighing ------------------------------------------------------------------------


def test_automatic_weighing_skips_a_steady_plateau_before_a_late_peak() -> None:
    rng = np.random.default_rng(5)
    t_s = np.arange(6000) / 1000.0
    total = np.where(t_s < 2.0, 800.0 + rng.normal(0.0, 3.0, t_s.size), 0.0)
    plateau = (t_s >= 2.3) & (t_s < 5.9)
    total[plateau] = 2000.0 + rng.normal(0.0, 1.0, int(plateau.sum()))  # steadier than quiet
    rise = (t_s >= 2.0) & (t_s < 2.3)
    total[rise] = np.linspace(800.0, 2000.0, int(rise.sum()))
    total[t_s >= 5.9] = 2050.0  # the peak comes last
    result = analyze(t_s * 1000.0, total=total)
    assert result.weighing.body_weight_n == pytest.approx(800.0, abs=1.0)
    assert result.weighing.end_s < 2.0


def test_automatic_weighing_ignores_the_empty_plate_before_stepping_on() -> None:
    rng = np.random.default_rng(6)
    t_s = np.arange(6000) / 1000.0
    on_plate = np.clip((t_s - 1.5) / 0.3, 0.0, 1.0) * 850.0
    pull = np.clip((t_s - 4.0) / 0.4, 0.0, 1.0) * 1300.0
    total = on_plate + pull + rng.normal(0.0, 0.3 + 2.0 * (t_s > 1.5), t_s.size)
    result = analyze(t_s * 1000.0, total=total)
    assert result.weighing.body_weight_n == pytest.approx(850.0, abs=1.0)
    assert result.weighing.start_s >= 1.8 and result.weighing.end_s <= 4.0


def test_given_weighing_window_is_closed_like_the_reference_tool() -> None:
    t_ms, total, _ = ramp_trial()
    weighing = analyze(t_ms, total=total, params=AnalysisParams(weigh_start_s=0.25)).weighing
    assert not weighing.automatic
    assert weighing.sample_count == 1001
    assert (weighing.start_s, weighing.end_s) == pytest.approx((0.25, 1.25))


# --- properties --------------------------------------------------------------------------------


@PROPERTY
@given(
    weight=st.floats(500.0, 1500.0),
    slope=st.floats(1000.0, 10000.0),  # up to 4000 N over the 0.4 s rise
    rate_hz=st.floats(250.0, 4000.0),
)
def test_rfd_of_a_ramp_is_its_slope(weight: float, slope: float, rate_hz: float) -> None:
    t_ms, total, _ = ramp_trial(
        rate_hz=rate_hz, weight=weight, slope=slope, quiet_s=1.5, ramp_s=0.4, hold_s=0.2
    )
    result = analyze(t_ms, total=total)
    for ms in WINDOWS_MS:
        assert result.window(ms).rfd_n_per_s == pytest.approx(slope, rel=1e-6), ms
    assert result.weighing.body_weight_n == pytest.approx(weight, rel=1e-12)
    assert result.has_flag(FlagCode.LOW_SAMPLE_RATE) is (rate_hz < 995.0)


@PROPERTY
@given(seed=st.integers(0, 2**32 - 1), scale=st.floats(0.2, 5.0))
def test_scaling_force_scales_net_metrics(seed: int, scale: float) -> None:
    t_ms, total = noisy_trial(seed)
    base, scaled = analyze(t_ms, total=total), analyze(t_ms, total=scale * total)
    assert base.peak is not None and scaled.peak is not None
    assert scaled.onset is not None and base.onset is not None
    assert scaled.onset.index == base.onset.index
    assert scaled.weighing.start_s == base.weighing.start_s
    assert scaled.peak.net_force_n == pytest.approx(scale * base.peak.net_force_n, rel=1e-9)
    for ours, theirs in zip(scaled.windows, base.windows, strict=True):
        assert ours.rfd_n_per_s == pytest.approx(scale * _value(theirs.rfd_n_per_s), rel=1e-9)


@PROPERTY
@given(seed=st.integers(0, 2**32 - 1), offset=st.floats(-200.0, 500.0))
def test_constant_offset_leaves_net_metrics_unchanged(seed: int, offset: float) -> None:
    t_ms, total = noisy_trial(seed)
    base, shifted = analyze(t_ms, total=total), analyze(t_ms, total=total + offset)
    assert base.peak is not None and shifted.peak is not None
    assert shifted.weighing.body_weight_n == pytest.approx(base.weighing.body_weight_n + offset)
    assert shifted.onset is not None and base.onset is not None
    assert shifted.onset.index == base.onset.index
    assert shifted.peak.net_force_n == pytest.approx(base.peak.net_force_n, abs=1e-6)
    assert shifted.peak.impulse_n_s == pytest.approx(base.peak.impulse_n_s, abs=1e-6)
    for ours, theirs in zip(shifted.windows, base.windows, strict=True):
        assert ours.net_force_n == pytest.approx(_value(theirs.net_force_n), abs=1e-6)
        assert ours.rfd_n_per_s == pytest.approx(_value(theirs.rfd_n_per_s), abs=1e-6)
        assert ours.impulse_n_s == pytest.approx(_value(theirs.impulse_n_s), abs=1e-6)


@PROPERTY
@given(seed=st.integers(0, 2**32 - 1), left_share=st.floats(0.2, 0.8))
def test_swapping_sides_negates_asymmetry(seed: int, left_share: float) -> None:
    t_ms, total = noisy_trial(seed)
    left, right = left_share * total, (1.0 - left_share) * total
    peak, swapped = analyze(t_ms, left, right).peak, analyze(t_ms, right, left).peak
    assert peak is not None and swapped is not None
    assert peak.asymmetry_pct is not None and swapped.asymmetry_pct is not None
    assert swapped.asymmetry_pct == -peak.asymmetry_pct
    # (R − L) / max(L, R) with L, R = share, 1 − share of the total: signed |L − R| / max.
    larger = max(left_share, 1.0 - left_share)
    assert peak.asymmetry_pct == pytest.approx((1.0 - 2.0 * left_share) / larger * 100.0)


def _value(value: float | None) -> float:
    assert value is not None
    return value


# --- bad input ---------------------------------------------------------------------------------


def _short() -> FloatArray:
    return np.arange(500, dtype=np.float64)


BAD_INPUT: list[tuple[str, dict[str, Any], str]] = [
    ("empty", {"t_ms": [], "total": []}, "t_ms is empty"),
    ("mismatch", {"t_ms": np.arange(3000.0), "total": np.ones(2999)}, "2999 samples"),
    ("nan", {"t_ms": np.arange(3000.0), "total": np.r_[np.ones(2999), math.nan]}, "total[2999]"),
    ("inf time", {"t_ms": np.r_[np.arange(2999.0), math.inf], "total": np.ones(3000)}, "t_ms["),
    ("text", {"t_ms": ["a", "b"], "total": [1.0, 2.0]}, "t_ms must hold numbers"),
    ("2-D", {"t_ms": np.ones((2, 2)), "total": np.ones((2, 2))}, "one-dimensional"),
    ("one side", {"t_ms": np.arange(3000.0), "left": np.ones(3000)}, "both left and right"),
    ("no force", {"t_ms": np.arange(3000.0)}, "no force"),
    ("too short", {"t_ms": _short(), "total": np.full(500, 800.0)}, "0.499 s long"),
    ("one sample", {"t_ms": [0.0], "total": [800.0]}, "at least 2 samples"),
    ("frozen clock", {"t_ms": np.zeros(3000), "total": np.ones(3000)}, "does not advance"),
    ("empty plate", {"t_ms": np.arange(3000.0), "total": np.zeros(3000)}, "nobody on the plate"),
]


@pytest.mark.parametrize(("case", "kwargs", "message"), BAD_INPUT, ids=[c[0] for c in BAD_INPUT])
def test_bad_input_is_a_validation_error(case: str, kwargs: dict[str, Any], message: str) -> None:
    t_ms = kwargs.pop("t_ms")
    with pytest.raises(ValidationError, match=message.replace("[", r"\[")):
        analyze(t_ms, **kwargs)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (AnalysisParams(weigh_start_s=3.0), "past the end of the recording"),
        (manual(0.5, 9.0), "onset_time_s=9 is past the end"),
        (AnalysisParams(weigh_start_s=0.0, weigh_duration_s=0.005), "needs at least 10"),
    ],
)
def test_times_outside_the_data_are_validation_errors(params: AnalysisParams, message: str) -> None:
    t_ms, total, _ = ramp_trial(quiet_s=2.0, ramp_s=0.5, hold_s=0.5)  # 3 s
    with pytest.raises(ValidationError, match=message):
        analyze(t_ms, total=total, params=params)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"onset_method": "manual"}, "needs onset_time_s"),
        ({"onset_time_s": 1.0}, "only used with onset_method 'manual'"),
        ({"onset_method": "peak"}, "onset_method must be one of"),
        ({"sd_multiplier": 0.0}, "sd_multiplier must be a positive number"),
        ({"threshold_n": -5.0}, "threshold_n must be a positive number"),
        ({"weigh_duration_s": math.nan}, "weigh_duration_s must be a positive number"),
        ({"weigh_start_s": -1.0}, "weigh_start_s must be seconds"),
        ({"sd_multiplier": "5"}, "sd_multiplier must be a positive number, not '5'"),
    ],
)
def test_bad_params_are_validation_errors(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        AnalysisParams(**kwargs)
