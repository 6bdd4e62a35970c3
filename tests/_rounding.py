"""Rounding-error bounds for results computed in another order or precision (Higham, Accuracy
and Stability of Numerical Algorithms, §3.1): tolerances derived, not tuned."""

from __future__ import annotations

import numpy as np

# float64 unit roundoff.
U64 = float(np.finfo(np.float64).eps) / 2


def gamma(n: int, u: float = U64) -> float:
    """The relative error bound of n roundings in a row with unit roundoff ``u``."""
    return n * u / (1 - n * u)
