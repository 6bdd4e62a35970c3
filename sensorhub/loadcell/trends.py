"""An athlete's IMTP history: sessions, their best value, and whether a change is real
(pure NumPy; docs/athletes.md gives the rules with an example).

- A **session** is the athlete's tests on one day. Excluded trials count nowhere.
- Its **best value** follows a rule: ``best_trial`` (the metric of the trial with the highest
  peak force, the default) or ``mean_best_two`` (the mean of the metric over the two trials
  with the highest peak force; one trial alone is its own mean).
- **Typical error** (TE) is the pooled within-session sample SD of the metric:
  sqrt(Σ_sessions Σ_trials (x − session mean)² / Σ_sessions (n − 1)), over sessions of two or
  more trials; **CV %** is TE / the mean of those same trials × 100.
- The **smallest worthwhile change** (SWC) is 0.2 × the between-athlete SD of the group's
  latest session values when ``MIN_GROUP_ATHLETES`` or more athletes of the group have one
  (Hopkins' "small" effect), else 0.3 × the athlete's own between-session SD (sample SD of the
  session values; two or more sessions), else unknown.
- A session **changed** from the previous one when the difference passes
  ``max(SWC, √2 × TE)``: a difference of two measurements carries √2 × TE of noise, and a
  change below the SWC does not matter even when real. Then it ``improved`` or ``declined``
  (for asymmetry, towards or away from 0), else it is ``within_noise``; ``unknown`` when
  neither TE nor SWC can be estimated yet.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Literal

import numpy as np

BestRule = Literal["best_trial", "mean_best_two"]
#: A group's between-athlete SD is used for the SWC from this many athletes on; fewer give an
#: SD too unsteady to set a threshold with.
MIN_GROUP_ATHLETES = 5
GROUP_SWC_FACTOR = 0.2
OWN_SWC_FACTOR = 0.3
#: Metrics where smaller magnitude is better (the rest: larger is better).
TOWARDS_ZERO = frozenset({"asymmetry_pct"})


class Change(StrEnum):
    IMPROVED = "improved"
    DECLINED = "declined"
    WITHIN_NOISE = "within_noise"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class Trial:
    """One test's value of a metric; ``peak_force_n`` ranks trials within a session."""

    test_id: int
    day: date
    value: float
    peak_force_n: float


@dataclass(frozen=True, slots=True)
class Session:
    day: date
    values: tuple[float, ...]  # every counted trial, in test order
    best: float
    best_test_id: int


@dataclass(frozen=True, slots=True)
class SessionChange:
    session: Session
    change: Change | None  # None for the first session: nothing to compare with
    difference: float | None


@dataclass(frozen=True, slots=True)
class Trend:
    metric: str
    sessions: tuple[SessionChange, ...]
    typical_error: float | None
    cv_pct: float | None
    swc: float | None
    swc_rule: str
    threshold: float | None  # the change a session must pass to count as one


def sessions_of(trials: Sequence[Trial], rule: BestRule = "best_trial") -> list[Session]:
    """Trials grouped by day (oldest first), each day's best value by ``rule``."""
    by_day: dict[date, list[Trial]] = {}
    for trial in trials:
        by_day.setdefault(trial.day, []).append(trial)
    return [_session(day, by_day[day], rule) for day in sorted(by_day)]


def _session(day: date, trials: list[Trial], rule: BestRule) -> Session:
    ranked = sorted(trials, key=lambda t: (-t.peak_force_n, t.test_id))
    chosen = ranked[:2] if rule == "mean_best_two" else ranked[:1]
    best = float(np.mean([t.value for t in chosen]))
    return Session(day, tuple(t.value for t in trials), best, ranked[0].test_id)


def typical_error(sessions: Sequence[Session]) -> tuple[float | None, float | None]:
    """Pooled within-session sample SD and it as CV % of the mean (see the module doc)."""
    repeated = [np.asarray(s.values, dtype=np.float64) for s in sessions if len(s.values) >= 2]
    if not repeated:
        return None, None
    squares = sum(float(((v - v.mean()) ** 2).sum()) for v in repeated)
    freedom = sum(v.size - 1 for v in repeated)
    te = math.sqrt(squares / freedom)
    mean = float(np.concatenate(repeated).mean())
    return te, (te / abs(mean) * 100.0 if mean != 0 else None)


def smallest_worthwhile_change(
    sessions: Sequence[Session], group_latest: Sequence[float]
) -> tuple[float | None, str]:
    """SWC and the rule that gave it; ``group_latest``: each group athlete's latest value."""
    if len(group_latest) >= MIN_GROUP_ATHLETES:
        sd = float(np.std(group_latest, ddof=1))
        return GROUP_SWC_FACTOR * sd, (
            f"{GROUP_SWC_FACTOR:g} × between-athlete SD of the group ({len(group_latest)} athletes)"
        )
    if len(sessions) >= 2:
        sd = float(np.std([s.best for s in sessions], ddof=1))
        return OWN_SWC_FACTOR * sd, (
            f"{OWN_SWC_FACTOR:g} × own between-session SD ({len(sessions)} sessions; the group "
            f"has fewer than {MIN_GROUP_ATHLETES} athletes with values)"
        )
    return None, "unknown: fewer than 2 sessions and a group of fewer than 5 athletes"


def trend(
    metric: str,
    trials: Sequence[Trial],
    *,
    rule: BestRule = "best_trial",
    group_latest: Sequence[float] = (),
) -> Trend:
    """Sessions with their change from the previous one, TE, CV % and SWC."""
    sessions = sessions_of(trials, rule)
    te, cv = typical_error(sessions)
    swc, swc_rule = smallest_worthwhile_change(sessions, group_latest)
    known = [x for x in (swc, None if te is None else math.sqrt(2.0) * te) if x is not None]
    threshold = max(known) if known else None
    changes = []
    for i, session in enumerate(sessions):
        if i == 0:
            changes.append(SessionChange(session, None, None))
            continue
        previous = sessions[i - 1].best
        difference = session.best - previous
        changes.append(
            SessionChange(session, _change(metric, previous, session.best, threshold), difference)
        )
    return Trend(metric, tuple(changes), te, cv, swc, swc_rule, threshold)


def _change(metric: str, before: float, after: float, threshold: float | None) -> Change:
    if threshold is None:
        return Change.UNKNOWN
    if abs(after - before) <= threshold:
        return Change.WITHIN_NOISE
    better = abs(after) < abs(before) if metric in TOWARDS_ZERO else after > before
    return Change.IMPROVED if better else Change.DECLINED
