"""Between-side asymmetry as the field reports it (pure Python).

The percentage difference |L − R| / max(L, R) × 100, with the stronger side named: its size
does not depend on which side is stronger, and it is the scale the published 10–15 % cut-offs
and the commercial plates use. Bishop et al. (2016, "Asymmetries of the lower limb: the
calculation conundrum in strength training and conditioning", Strength Cond J 38(6):27–32)
recommend it for bilateral tests; the asymmetry-index comparison in J Sports Sci Med 2021
(PMC8488821) shows why the others differ: (R − L)/(R + L) is about half as large, and an index
divided by one fixed side changes size when the other side is the stronger one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Side = Literal["left", "right"]


@dataclass(frozen=True, slots=True)
class Asymmetry:
    """``percent`` ≥ 0; ``stronger`` is None when the sides are equal (``percent`` 0)."""

    percent: float
    stronger: Side | None

    @property
    def signed_percent(self) -> float:
        """``percent`` with a sign for charts: + when the right side is stronger."""
        return -self.percent if self.stronger == "left" else self.percent


def stronger_side(signed_percent: float) -> Side | None:
    """The side a signed asymmetry (+ = right stronger) names; None when even."""
    if signed_percent == 0:
        return None
    return "right" if signed_percent > 0 else "left"


def asymmetry(left: float, right: float) -> Asymmetry | None:
    """|L − R| / max(L, R) × 100 and the stronger side; None when neither side pushes
    (max ≤ 0: no force to compare)."""
    strongest = max(left, right)
    if strongest <= 0:
        return None
    if left == right:
        return Asymmetry(0.0, None)
    return Asymmetry(abs(left - right) / strongest * 100.0, "left" if left > right else "right")
