"""Each kind of "better" on one hand-made case."""

from __future__ import annotations

import pytest

from sensorhub.loadcell.metrics import IMTP_METRICS, Better, MetricSpec


def test_higher_is_better() -> None:
    assert Better.HIGHER.improved(Better.HIGHER.judged(2100.0) - Better.HIGHER.judged(2000.0))
    assert Better.HIGHER.improved(-50.0) is False


def test_lower_is_better() -> None:
    # A time to peak RFD of 0.12 s after 0.15 s: 0.03 s quicker is better.
    assert Better.LOWER.improved(0.12 - 0.15) is True
    assert Better.LOWER.improved(0.02) is False


def test_closer_to_zero_judges_the_magnitude() -> None:
    # −6 % (left stronger) to +4 % (right stronger): the gap shrank by 2 points, improved;
    # judged on the signed value it would have looked like a 10-point "rise".
    before, after = Better.CLOSER_TO_ZERO.judged(-6.0), Better.CLOSER_TO_ZERO.judged(4.0)
    assert after - before == pytest.approx(-2.0)
    assert Better.CLOSER_TO_ZERO.improved(after - before) is True
    assert Better.CLOSER_TO_ZERO.improved(Better.CLOSER_TO_ZERO.judged(-9.0) - before) is False


def test_none_has_no_better_direction() -> None:
    assert Better.NONE.improved(150.0) is None
    assert Better.NONE.improved(-150.0) is None


def test_imtp_directions() -> None:
    assert IMTP_METRICS["body_weight_n"].better is Better.NONE
    assert IMTP_METRICS["asymmetry_pct"].better is Better.CLOSER_TO_ZERO
    assert IMTP_METRICS["peak_rfd_time_s"].better is Better.NONE
    assert IMTP_METRICS["peak_force_n"].better is Better.HIGHER


def test_a_default_cv_needs_its_source() -> None:
    with pytest.raises(ValueError, match="source"):
        MetricSpec("jump_height_m", "m", Better.HIGHER, default_cv_pct=4.0)
