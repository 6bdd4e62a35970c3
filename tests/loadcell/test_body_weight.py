"""Body weight per Comfort et al. 2019: weighed before pre-tension, cross-checked against the
stored body mass, and the stored mass used when a recording holds no body weight.

The pull: 1 kHz; quiet stance 0–1.5 s alternating 799 / 801 N (SD ≈ 1 N, mean 800 N), then a
pre-tension held at exactly 950 N for 1.5 s (SD 0: steadier than the stance), then a 0.5 s
linear rise to 2000 N, held 1 s. A 1 s closed window of the stance holds 1001 samples, so its
mean is 800 ± 1/1001 N (one more 799 or 801 than the other).
"""

from __future__ import annotations

import numpy as np
import pytest

from sensorhub.loadcell import AnalysisParams, FlagCode, analyze
from sensorhub.loadcell.imtp import GRAVITY

RATE_HZ = 1000.0


def pull_with_pretension() -> tuple[np.ndarray, np.ndarray]:
    index = np.arange(4500)
    t_ms = index * 1000.0 / RATE_HZ
    stance = 800.0 + np.where(index % 2 == 0, -1.0, 1.0)
    rise = np.clip((t_ms - 3000.0) / 500.0, 0.0, 1.0)
    total = np.where(t_ms < 1500.0, stance, 950.0 + (2000.0 - 950.0) * rise)
    return t_ms, total


def test_pretension_steadier_than_the_stance_is_not_body_weight() -> None:
    t_ms, total = pull_with_pretension()
    result = analyze(t_ms, total=total)
    assert result.weighing.body_weight_n == pytest.approx(800.0, abs=1.0 / 1001.0)
    assert result.weighing.end_s < 1.5  # within the stance
    assert result.has_flag(FlagCode.PRETENSION_IN_WEIGHING)
    peak = result.peak
    assert peak is not None
    # Relative peak force on body weight: 2000 / (800 / 9.81) = 24.525 N/kg, not 2000 / (950 /
    # 9.81) = 20.65 (−16 %); net force 1200 N, not 1050.
    mass = result.weighing.body_weight_n / GRAVITY
    assert peak.relative_force_n_per_kg == pytest.approx(2000.0 / mass, rel=1e-12)
    assert peak.net_force_n == pytest.approx(1200.0, abs=1.0 / 1001.0)


def test_without_pretension_there_is_no_flag() -> None:
    t_ms, total = pull_with_pretension()
    total = np.where((t_ms >= 1500.0) & (t_ms < 3000.0), total - 150.0, total)  # held at 800 N
    result = analyze(t_ms, total=total)
    assert not result.has_flag(FlagCode.PRETENSION_IN_WEIGHING)
    assert result.weighing.body_weight_n == pytest.approx(800.0, abs=1.0 / 1001.0)


def test_a_given_weighing_window_is_taken_as_given() -> None:
    t_ms, total = pull_with_pretension()
    result = analyze(t_ms, total=total, params=AnalysisParams(weigh_start_s=1.8))
    assert result.weighing.body_weight_n == 950.0
    assert not result.has_flag(FlagCode.PRETENSION_IN_WEIGHING)


def test_stored_body_mass_cross_checks_the_weighing() -> None:
    t_ms, total = pull_with_pretension()
    # 800 N is 81.55 kg; 78 kg is 765.2 N, 4.5 % off: within the 5 % tolerance.
    assert not analyze(t_ms, total=total, body_mass_kg=78.0).has_flag(FlagCode.BODY_WEIGHT_MISMATCH)
    # 70 kg is 686.7 N: the weighing is 16.5 % off.
    mismatch = analyze(t_ms, total=total, body_mass_kg=70.0)
    assert mismatch.has_flag(FlagCode.BODY_WEIGHT_MISMATCH)
    assert mismatch.weighing.body_weight_n == pytest.approx(800.0, abs=1.0 / 1001.0)


def test_stored_mass_gives_relative_force_to_a_series_load_cell() -> None:
    # At rest 0 N (no body weight in it), then a pull to 1200 N. With 80 kg stored, the ground
    # reaction at peak is 80 × 9.81 + 1200 N: relative force 1200 / 80 + 9.81 = 24.81 N/kg.
    t_ms = np.arange(3000, dtype=np.float64)
    total = 1200.0 * np.clip((t_ms - 1500.0) / 500.0, 0.0, 1.0)
    baseline = AnalysisParams(reference="baseline")
    result = analyze(t_ms, total=total, params=baseline, body_mass_kg=80.0)
    assert (result.weighing.mass_kg, result.weighing.mass_source) == (80.0, "stored")
    assert result.peak is not None
    assert result.peak.relative_force_n_per_kg == pytest.approx(1200.0 / 80.0 + GRAVITY, rel=1e-12)
    without = analyze(t_ms, total=total, params=baseline)
    assert without.peak is not None and without.peak.relative_force_n_per_kg is None
