"""What each metric is: its unit, which way is "better", and the typical error to assume when
no reliability study has been recorded (pure Python). The change flags (`trends`) take a
`MetricSpec` as data, so a new test (jumps, …) declares its metrics in its own table and
reuses the framework unchanged.

A default CV % names its published source; None means none was found that fits, and a change
is then judged only against a reliability study the coach records (else it is ``unknown``).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Better(StrEnum):
    """Which way a change of the metric is an improvement."""

    HIGHER = "higher"
    LOWER = "lower"
    CLOSER_TO_ZERO = "closer_to_zero"  # judged on the magnitude: a signed side asymmetry
    NONE = "none"  # descriptive: body weight, times; a change is up or down, never better

    def judged(self, value: float) -> float:
        """The number a change is measured on: the magnitude for ``CLOSER_TO_ZERO``."""
        return abs(value) if self is Better.CLOSER_TO_ZERO else value

    def improved(self, difference: float) -> bool | None:
        """Whether a positive/negative ``difference`` of ``judged`` values is an improvement;
        None for ``NONE`` (no direction is better)."""
        if self is Better.NONE:
            return None
        return difference > 0 if self is Better.HIGHER else difference < 0

    def rank(self, value: float) -> float:
        """A number that is larger the better, to pick a best trial or rep: the value, its
        negative when lower is better, minus its magnitude when closer to zero is; a metric
        with no better direction ranks by its value."""
        if self is Better.LOWER:
            return -value
        return -abs(value) if self is Better.CLOSER_TO_ZERO else value


@dataclass(frozen=True, slots=True)
class MetricSpec:
    """A metric as the change flags see it.

    ``default_cv_pct``: the between-session coefficient of variation (typical error as % of
    the value) to assume without a reliability study, with ``cv_source`` naming where it comes
    from; both None when no published value fits.
    """

    name: str
    unit: str
    better: Better
    default_cv_pct: float | None = None
    cv_source: str | None = None

    def __post_init__(self) -> None:
        if (self.default_cv_pct is None) != (self.cv_source is None):
            raise ValueError(f"{self.name}: a default CV % needs its source, and only then")


#: Between-session IMTP reliability in strength-trained athletes (two sessions after a
#: familiarisation): peak force and relative peak force CV ≤ 5.3 %. The upper value is taken,
#: so a default flags fewer changes rather than more.
_IMTP_PEAK_CV = (
    "between-session CV ≤ 5.3 % for IMTP peak and relative peak force (Giuliano, Soriano, "
    "Pino-Mulero & González-García, Testing Consistency: Analyzing the Reliability of Two "
    "Lower Limb Isometric Force Measurements in Strength-Trained Athletes, Applied Sciences "
    "2025, 15(1):303, published Dec 2024)"
)

IMTP_METRICS: dict[str, MetricSpec] = {
    spec.name: spec
    for spec in (
        MetricSpec("body_weight_n", "N", Better.NONE),
        MetricSpec("peak_force_n", "N", Better.HIGHER, 5.3, _IMTP_PEAK_CV),
        MetricSpec("peak_net_force_n", "N", Better.HIGHER),
        MetricSpec("relative_peak_force_n_per_kg", "N/kg", Better.HIGHER, 5.3, _IMTP_PEAK_CV),
        MetricSpec("rfd_0_200_n_per_s", "N/s", Better.HIGHER),
        MetricSpec("asymmetry_pct", "%", Better.CLOSER_TO_ZERO),
        MetricSpec("peak_rfd_n_per_s", "N/s", Better.HIGHER),
        MetricSpec("peak_rfd_time_s", "s", Better.NONE),
        MetricSpec("best_1s_force_n", "N", Better.HIGHER),
    )
}
