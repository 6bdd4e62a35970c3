"""Asymmetry |L − R| / max(L, R) × 100 against values worked out by hand."""

from __future__ import annotations

import pytest

from sensorhub.loadcell.asymmetry import Asymmetry, asymmetry, stronger_side


def test_right_stronger_by_hand() -> None:
    # L 900, R 1100: |−200| / 1100 × 100 = 18.1818…; the old (R − L)/(R + L) gave 10.0.
    found = asymmetry(900.0, 1100.0)
    assert found is not None and found.stronger == "right"
    assert found.percent == pytest.approx(200.0 / 1100.0 * 100.0, rel=1e-15)
    assert found.signed_percent == found.percent


def test_size_does_not_depend_on_the_stronger_side() -> None:
    # L 1100, R 900 is the mirror image: the same 18.18 %, the other side named.
    left, right = asymmetry(1100.0, 900.0), asymmetry(900.0, 1100.0)
    assert left is not None and right is not None
    assert left.percent == right.percent
    assert (left.stronger, right.stronger) == ("left", "right")
    assert left.signed_percent == -right.signed_percent


def test_equal_sides_name_no_side() -> None:
    assert asymmetry(500.0, 500.0) == Asymmetry(0.0, None)


def test_one_side_only_is_one_hundred_percent() -> None:
    assert asymmetry(0.0, 750.0) == Asymmetry(100.0, "right")


def test_no_force_has_no_asymmetry() -> None:
    assert asymmetry(0.0, 0.0) is None
    assert asymmetry(-3.0, -1.0) is None


def test_a_signed_asymmetry_names_its_side() -> None:
    assert (stronger_side(12.5), stronger_side(-3.0), stronger_side(0.0)) == ("right", "left", None)
