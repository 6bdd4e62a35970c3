"""The plain-text report: every key metric with its unit, and the awkward cases."""

from __future__ import annotations

import numpy as np

from sensorhub.loadcell import AnalysisParams, analyze, format_report


def _trial() -> tuple[np.ndarray, np.ndarray]:
    t_ms = np.arange(3500, dtype=np.float64)
    total = 800.0 + np.clip(t_ms - 2000.0, 0.0, 500.0) * 3.0  # 3000 N/s from 2 s to 2.5 s
    return t_ms, total


def test_report_shows_key_metrics_with_units() -> None:
    t_ms, total = _trial()
    result = analyze(t_ms, 0.45 * total, 0.55 * total)
    text = format_report(result)
    peak = result.peak
    assert peak is not None and peak.asymmetry_pct is not None
    assert f"{result.weighing.body_weight_n:.1f} N" in text
    assert f"{result.weighing.mass_kg:.2f} kg" in text
    assert f"{peak.net_force_n:.1f} N" in text
    assert f"{peak.relative_force_n_per_kg:.2f} N/kg" in text
    assert f"{peak.impulse_n_s:.2f} N·s" in text
    assert f"{peak.asymmetry_pct:.1f} %" in text
    assert "3000 N/s" in text
    for ms in (50, 100, 150, 200, 250):
        assert f"{ms} ms" in text
    assert "Flags\n  none" in text
    assert text.endswith("\n")


def test_total_only_report_has_no_side_rows() -> None:
    t_ms, total = _trial()
    text = format_report(analyze(t_ms, total=total))
    assert "asymmetry" not in text
    assert "peak net force" in text


def test_report_of_a_recording_without_a_pull_lists_the_flag() -> None:
    t_ms = np.arange(3000, dtype=np.float64)
    result = analyze(t_ms, total=np.full(3000, 800.0), params=AnalysisParams(onset_method="fixed"))
    text = format_report(result)
    assert "none found (fixed 50 N)" in text
    assert "no_pull:" in text
    assert "n/a" in text
