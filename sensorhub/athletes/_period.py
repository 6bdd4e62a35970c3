"""A report's date range: the tests of days within it count."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sensorhub.athletes._history import local_day
from sensorhub.loadcell.recorded import JUMP_HEADLINES
from sensorhub.storage import TestRecord

#: The metrics an athlete's IMTP report charts.
REPORT_METRICS = (
    "peak_force_n",
    "relative_peak_force_n_per_kg",
    "rfd_0_200_n_per_s",
    "asymmetry_pct",
)
#: Charts on one page: a jump type's report takes its first headline numbers.
REPORT_CHARTS = len(REPORT_METRICS)


def report_metrics(method: str) -> tuple[str, ...]:
    """What an athlete's report of ``method`` (a ``method_key``) charts: the IMTP's
    ``REPORT_METRICS``, or a jump type's first headline numbers (``JUMP_HEADLINES``)."""
    if method not in JUMP_HEADLINES:
        return REPORT_METRICS
    return JUMP_HEADLINES[method][:REPORT_CHARTS]


@dataclass(frozen=True, slots=True)
class Period:
    """Days ``first`` … ``last``, both included; None: open on that side."""

    first: date | None = None
    last: date | None = None

    def holds(self, record: TestRecord) -> bool:
        day = local_day(record.started_at)
        return (self.first is None or day >= self.first) and (self.last is None or day <= self.last)

    def text(self) -> str:
        return f"{self.first or 'the first test'} to {self.last or 'the latest test'}"


ALL_TIME = Period()


@dataclass(frozen=True, slots=True)
class ReliabilityStudy:
    """A stable period whose sessions measure the noise of a session value (Hopkins 2000):
    the sessions of ``group``'s athletes (None: the athlete's own) on the days of ``period``.
    Those days of the athlete are the study, not changes to judge. A study the coach recorded
    has its ``stored`` id and name, and may set the SWC of some metrics (``swc``)."""

    period: Period
    group: str | None = None
    stored: tuple[int, str] | None = None
    swc: tuple[tuple[str, float], ...] = ()

    def text(self) -> str:
        whose = f"group {self.group}" if self.group else "the athlete's own sessions"
        named = "" if self.stored is None else f' "{self.stored[1]}" (id {self.stored[0]})'
        return f"reliability study{named} of {whose}, {self.period.text()}"

    def swc_of(self, metric: str) -> float | None:
        return dict(self.swc).get(metric)
