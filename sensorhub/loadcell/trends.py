"""An athlete's IMTP history: sessions, their value, and whether a change is real and worth
having, with stated error rates (pure NumPy/SciPy; docs/athletes.md gives the rules).

The framework is Hopkins (2000, "Measures of reliability in sports medicine and science";
2004, "How to interpret changes in an athletic performance test") and Swinton et al. (2018,
"A statistical framework to interpret individual response to intervention"):

- A **session** is the athlete's tests on one day. Excluded trials count nowhere. Its value
  follows a rule: ``best_trial`` (the trial with the highest peak force; each jump rep is a
  trial, ranked by the number that picks a best rep in its better direction) or
  ``mean_best_two``.
- The **typical error** (TE) is the noise of one session value, day-to-day variation included.
  It never comes from the series being judged: from a **reliability study** (session values of
  a stable period: the within-athlete SD, with a 90 % confidence interval),
  else the metric's published default CV %, else it is unknown.
- The **smallest worthwhile change** (SWC) never comes from the series either: a value the
  coach sets, else 0.2 × the between-athlete SD of the study's athletes, else of the group's
  latest values (``MIN_GROUP_ATHLETES`` or more), else unknown.
- Each session's **change** from the previous one comes with a 90 % interval,
  d ± t(0.95, df) × √2 × TE, and the chances that the true change is beyond +SWC and −SWC.
  The flag: ``within_noise`` when the interval holds 0; else ``trivial`` when |d| ≤ SWC; else
  ``improved`` / ``declined`` by the metric's `Better` (``increased`` / ``decreased`` for a
  metric with no better direction). With no true change, at most 5 % of changes are flagged
  either way; a change depends only on its two sessions, the TE and the SWC, so new sessions
  leave past flags as they were.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Literal

import numpy as np

from sensorhub.lazy import lazy_module
from sensorhub.loadcell.metrics import MetricSpec

# Only an athlete's history asks for t and chi² quantiles; scipy.stats (~50 MB, a third of the
# server's import time) is loaded by the first such request, not at start-up.
stats = lazy_module("scipy.stats")

BestRule = Literal["best_trial", "mean_best_two"]
#: A group's between-athlete SD sets the SWC from this many athletes on; fewer give an SD too
#: unsteady to set a threshold with.
MIN_GROUP_ATHLETES = 5
#: Hopkins' "small" effect: 0.2 of the between-athlete SD.
SWC_FACTOR = 0.2
#: The interval of a change: 90 %, so at most 5 % of no-change comparisons fall past it on
#: either side (Hopkins 2004 uses 90 % intervals for individual changes).
CONFIDENCE = 0.90
TeSource = Literal["reliability_study", "default_cv", "unknown"]


class Change(StrEnum):
    IMPROVED = "improved"
    DECLINED = "declined"
    INCREASED = "increased"  # a real change of a metric with no better direction
    DECREASED = "decreased"
    TRIVIAL = "trivial"  # real (the interval excludes 0) but not beyond the SWC
    WITHIN_NOISE = "within_noise"
    UNKNOWN = "unknown"  # no typical error: the noise of a change cannot be told


@dataclass(frozen=True, slots=True)
class Trial:
    """One test's (or jump rep's) value of a metric; ``rank`` (the higher the better) ranks
    trials within a session: an IMTP's peak force, a jump's ``ranking_metric`` turned by its
    better direction (``recorded.rank``: a drop landing's lowest peak landing force ranks first)."""

    test_id: int
    day: date
    value: float
    rank: float


@dataclass(frozen=True, slots=True)
class Session:
    day: date
    values: tuple[float, ...]  # every counted trial, in test order
    best: float
    best_test_id: int


@dataclass(frozen=True, slots=True)
class TypicalError:
    """The noise of one session value, and where it came from.

    From a study: ``value`` in the metric's unit with its 90 % interval and degrees of freedom.
    From a default: ``cv_pct`` only (TE is that share of the value at hand; treated as known,
    ``df`` None). Unknown: all None.
    """

    source: TeSource
    description: str
    value: float | None = None
    low: float | None = None
    high: float | None = None
    df: int | None = None
    cv_pct: float | None = None

    def at(self, level: float) -> float | None:
        """The TE in the metric's unit near ``level`` (a default CV scales with it)."""
        if self.value is not None:
            return self.value
        return None if self.cv_pct is None else abs(level) * self.cv_pct / 100.0


@dataclass(frozen=True, slots=True)
class Swc:
    value: float | None
    description: str
    #: From the group's latest values: it moves with every new test in the group.
    follows_group: bool = False


@dataclass(frozen=True, slots=True)
class ChangeEstimate:
    """A session against the previous one, in judged terms (magnitudes for closer-to-zero)."""

    difference: float
    low: float | None  # the 90 % interval of the true change
    high: float | None
    p_above_swc: float | None  # chance the true change is beyond +SWC (its sign, not "better")
    p_below_swc: float | None
    flag: Change


@dataclass(frozen=True, slots=True)
class SessionChange:
    session: Session
    change: ChangeEstimate | None  # None for the first session: nothing to compare with


@dataclass(frozen=True, slots=True)
class Trend:
    metric: MetricSpec
    sessions: tuple[SessionChange, ...]
    typical_error: TypicalError
    swc: Swc


def sessions_of(trials: Sequence[Trial], rule: BestRule = "best_trial") -> list[Session]:
    """Trials grouped by day (oldest first), each day's value by ``rule``."""
    by_day: dict[date, list[Trial]] = {}
    for trial in trials:
        by_day.setdefault(trial.day, []).append(trial)
    return [_session(day, by_day[day], rule) for day in sorted(by_day)]


def _session(day: date, trials: list[Trial], rule: BestRule) -> Session:
    ranked = sorted(trials, key=lambda t: (-t.rank, t.test_id))
    chosen = ranked[:2] if rule == "mean_best_two" else ranked[:1]
    best = float(np.mean([t.value for t in chosen]))
    return Session(day, tuple(t.value for t in trials), best, ranked[0].test_id)


def study_typical_error(
    athletes: Sequence[Sequence[float]], metric: MetricSpec, description: str
) -> TypicalError | None:
    """TE from a reliability study: each athlete's session values in a stable period (oldest
    first), with its 90 % interval from the χ² distribution (Hopkins 2000: the typical error
    is the within-athlete SD). Two or more athletes with two or more sessions: the residual SD
    of athlete + session-number effects (the two-way analysis), so a change in the mean from
    one session to the next (learning) is not noise; with two sessions each this is the SD of
    the differences / √2, df n − 1. One athlete: the SD of their session values, df k − 1
    (consecutive differences would share sessions: their SD overstates the TE by √(k/(k−1))).
    None when that leaves no degree of freedom."""
    series = [[metric.better.judged(v) for v in values] for values in athletes if len(values) > 1]
    if len(series) > 1:
        squares, df = _two_way_residual(series)
    elif series:
        values = np.asarray(series[0])
        squares, df = float(np.sum((values - values.mean()) ** 2)), values.size - 1
    else:
        return None
    if df < 1:
        return None
    te = math.sqrt(squares / df)
    tail = (1.0 - CONFIDENCE) / 2.0
    low = te * math.sqrt(df / float(stats.chi2.ppf(1.0 - tail, df)))
    high = te * math.sqrt(df / float(stats.chi2.ppf(tail, df)))
    return TypicalError("reliability_study", description, te, low, high, df)


def _two_way_residual(series: Sequence[Sequence[float]]) -> tuple[float, int]:
    """Residual sum of squares and df of value = athlete + session number, by least squares
    on values and session-number indicators centred within each athlete (which removes the
    athlete effects exactly; Frisch–Waugh–Lovell)."""
    numbers = max(len(values) for values in series)
    centred_values, centred_numbers = [], []
    for values in series:
        own = np.asarray(values)
        indicators = np.eye(numbers)[: own.size, 1:]  # session 1 is the reference
        centred_values.append(own - own.mean())
        centred_numbers.append(indicators - indicators.mean(axis=0))
    y, x = np.concatenate(centred_values), np.vstack(centred_numbers)
    fit, _, rank, _ = np.linalg.lstsq(x, y, rcond=None)
    residual = y - x @ fit
    return float(residual @ residual), y.size - len(series) - int(rank)


def default_typical_error(metric: MetricSpec) -> TypicalError:
    """The metric's published default CV %, or unknown without one."""
    if metric.default_cv_pct is None or metric.cv_source is None:
        return TypicalError(
            "unknown",
            "unknown: no reliability study recorded and no published default for this metric",
        )
    return TypicalError(
        "default_cv",
        f"default CV {metric.default_cv_pct:g} %: {metric.cv_source}",
        cv_pct=metric.default_cv_pct,
    )


def smallest_worthwhile_change(
    coach_value: float | None,
    study_means: Sequence[float],
    group_latest: Sequence[float],
) -> Swc:
    """The coach's value, else 0.2 × between-athlete SD of the study's athletes (each one's
    mean), else of each group athlete's latest value; never the judged athlete's own series."""
    if coach_value is not None:
        return Swc(coach_value, "set by the coach")
    sources = ((study_means, "reliability study", False), (group_latest, "group's latest", True))
    for values, what, follows_group in sources:
        if len(values) >= MIN_GROUP_ATHLETES:
            sd = float(np.std(values, ddof=1))
            return Swc(
                SWC_FACTOR * sd,
                f"{SWC_FACTOR:g} × between-athlete SD of the {what} values "
                f"({len(values)} athletes)",
                follows_group,
            )
    return Swc(
        None, f"unknown: no coach's value and fewer than {MIN_GROUP_ATHLETES} athletes to set it"
    )


def change_estimate(
    metric: MetricSpec, before: float, after: float, te: TypicalError, swc: float | None
) -> ChangeEstimate:
    """The change from ``before`` to ``after`` with its 90 % interval, the chances of a true
    change beyond ±SWC, and the flag (the module doc gives the rule)."""
    judged_before = metric.better.judged(before)
    difference = metric.better.judged(after) - judged_before
    noise = te.at(judged_before)
    if noise is None:
        return ChangeEstimate(difference, None, None, None, None, Change.UNKNOWN)
    spread = math.sqrt(2.0) * noise
    half = _quantile(te.df) * spread
    low, high = difference - half, difference + half
    above = below = None
    if swc is not None and spread > 0:
        above = _beyond((difference - swc) / spread, te.df)
        below = _beyond((-swc - difference) / spread, te.df)
    flag = _flag(metric, difference, low, swc)
    return ChangeEstimate(difference, low, high, above, below, flag)


@functools.cache
def _quantile(df: int | None) -> float:
    """The two-sided ``CONFIDENCE`` quantile: Student's t with a study's df, else normal."""
    upper = 1.0 - (1.0 - CONFIDENCE) / 2.0
    return float(stats.norm.ppf(upper) if df is None else stats.t.ppf(upper, df))


def _beyond(z: float, df: int | None) -> float:
    """P(X ≤ z) of the same law: the chance a true change lies past a bound."""
    return float(stats.norm.cdf(z) if df is None else stats.t.cdf(z, df))


def _flag(metric: MetricSpec, difference: float, low: float, swc: float | None) -> Change:
    half = difference - low
    if abs(difference) <= half:  # the interval holds 0
        return Change.WITHIN_NOISE
    if swc is not None and abs(difference) <= swc:
        return Change.TRIVIAL
    better = metric.better.improved(difference)
    if better is None:
        return Change.INCREASED if difference > 0 else Change.DECREASED
    return Change.IMPROVED if better else Change.DECLINED


def trend(
    metric: MetricSpec,
    trials: Sequence[Trial],
    te: TypicalError,
    swc: Swc,
    *,
    rule: BestRule = "best_trial",
) -> Trend:
    """Sessions with their change from the previous one, judged with ``te`` and ``swc``."""
    sessions = sessions_of(trials, rule)
    changes = [SessionChange(sessions[0], None)] if sessions else []
    for previous, session in zip(sessions, sessions[1:], strict=False):
        estimate = change_estimate(metric, previous.best, session.best, te, swc.value)
        changes.append(SessionChange(session, estimate))
    return Trend(metric, tuple(changes), te, swc)
