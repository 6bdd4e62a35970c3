"""A group side by side: each athlete's latest values and where they stand (pure NumPy).

A z-score is (value − the group's mean) / the group's sample SD (ddof = 1), over the athletes
that have a value; None for an athlete without one, and for everyone when fewer than two
have one or all are equal (no spread to stand out from).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

#: The columns of the squad view, in order: (summary metric, unit).
SQUAD_METRICS: tuple[tuple[str, str], ...] = (
    ("peak_force_n", "N"),
    ("relative_peak_force_n_per_kg", "N/kg"),
    ("rfd_0_200_n_per_s", "N/s"),
    ("asymmetry_pct", "%"),
)


def z_scores(values: Sequence[float | None]) -> list[float | None]:
    present = np.array([v for v in values if v is not None], dtype=np.float64)
    if present.size < 2:
        return [None] * len(values)
    mean, sd = float(present.mean()), float(present.std(ddof=1))
    if sd == 0:
        return [None] * len(values)
    return [None if v is None else (v - mean) / sd for v in values]
