"""From stored tests to the trend maths: which tests count for a metric and a method, and why
the others do not. No analysis method is mixed into another's trend: a test analysed another
way is left out and listed with the reason (re-analyse it with the trend's method to count it).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sensorhub.loadcell import (
    IMTP_METRICS,
    JUMP_METRICS,
    JUMP_TYPES,
    MetricSpec,
    asymmetry,
    implausible,
    method_key,
    method_label,
    rank,
    ranking_metric,
    stronger_side,
    trend_metrics,
)
from sensorhub.loadcell.squad import SQUAD_METRICS, z_scores
from sensorhub.loadcell.trends import (
    BestRule,
    ChangeEstimate,
    Session,
    Swc,
    Trend,
    Trial,
    TypicalError,
    sessions_of,
    trend,
)
from sensorhub.spreadsheet import CsvWriter
from sensorhub.storage import AthleteRecord, TestRecord

DayOf = Callable[[float], date]


def local_day(timestamp: float) -> date:
    """The day a test belongs to: the server's local calendar day (one session per day)."""
    return datetime.fromtimestamp(timestamp).date()


@dataclass(frozen=True, slots=True)
class Left:
    """A test that does not count, and why."""

    test_id: int
    reason: str


@dataclass(frozen=True, slots=True)
class Counted:
    trials: tuple[Trial, ...]
    left_out: tuple[Left, ...]


def counted_trials(
    records: Sequence[TestRecord], metric: str, method: str, day_of: DayOf = local_day
) -> Counted:
    """The trials of ``metric`` analysed with ``method`` (a ``method_key``); the rest, left out.

    An IMTP test is one trial; each rep of a jump test is a trial of its own (the session's
    rule then takes the best rep, or the mean of the best two, across the day's tests)."""
    trials, left = [], []
    for record in records:
        reason = _why_not(record, metric, method)
        if reason is not None:
            left.append(Left(record.id, reason))
            continue
        day = day_of(record.started_at)
        trials += [
            Trial(record.id, day, value, rank) for value, rank in _ranked(record, metric, method)
        ]
    return Counted(tuple(trials), tuple(left))


def _ranked(record: TestRecord, metric: str, method: str) -> list[tuple[float, float]]:
    """The test's values of ``metric`` with their ``rank``: each rep's, or the summary's for a
    test with no rep rows (an IMTP)."""
    ranking = ranking_metric(method)
    if method in JUMP_TYPES and record.reps:
        return [
            (value, rank(method, by))
            for rep in record.reps
            if (value := rep.metrics.get(metric)) is not None
            and (by := rep.metrics.get(ranking)) is not None
        ]
    return [(_value(record, metric), rank(method, _summary(record)[ranking]))]


def _summary(record: TestRecord) -> dict[str, Any]:
    summary: dict[str, Any] = (record.analysis or {}).get("summary") or {}
    return summary


def _value(record: TestRecord, metric: str) -> float:
    """The metric of a counted test. Asymmetry is recomputed from the sides at peak, so tests
    analysed before it became |L − R| / max(L, R) (issue 21) count on the same scale."""
    if metric == "asymmetry_pct":
        peak = ((record.analysis or {}).get("result") or {}).get("peak") or {}
        left, right = peak.get("left_at_peak_n"), peak.get("right_at_peak_n")
        found = None if left is None or right is None else asymmetry(left, right)
        if found is not None:
            return found.signed_percent
    value: float = _summary(record)[metric]
    return value


def exclusion(record: TestRecord) -> str | None:
    """Why the test counts nowhere: a person's reason, or "implausible: …" for numbers no
    person gives (``loadcell.implausible``) until a person includes the test; None if it counts.
    """
    if record.excluded_reason is not None or record.included:
        return record.excluded_reason
    reasons = implausible(_summary(record))
    return f"implausible: {'; '.join(reasons)}" if reasons else None


def _why_not(record: TestRecord, metric: str, method: str) -> str | None:
    excluded = exclusion(record)
    if excluded is not None:
        return f"excluded: {excluded}"
    analysis = record.analysis
    if analysis is None or analysis.get("summary") is None:
        error = (analysis or {}).get("error", f"the test is {record.state}")
        return f"no analysis: {error}"
    used = method_key(analysis.get("params", {}))
    if used != method:
        return (
            f"analysed with {method_label(analysis.get('params', {}))}; this trend uses "
            f"{_label(method)} (re-analyse the test with it to count it)"
        )
    summary = _summary(record)
    if metric not in trend_metrics(method):
        return f"{_label(method)} tests have no {metric}"
    if summary.get(ranking_metric(method)) is None:
        return "no rep found" if method in JUMP_TYPES else "no pull found"
    if summary.get(metric) is None:
        return f"no {metric}: the recording has no left/right sides or no body weight"
    return None


def metric_spec(metric: str, method: str) -> MetricSpec:
    """The metric as the change flags take it. A metric the method's tests lack (a jump
    metric of an IMTP trend, or the reverse) still has its spec; its trend then leaves every
    test out, saying so."""
    specs = {**IMTP_METRICS, **JUMP_METRICS, **trend_metrics(method)}
    return specs[metric]


def _label(key: str) -> str:
    """The ``method_label`` of a ``method_key`` (a jump key is its test type)."""
    if key in JUMP_TYPES:
        return key
    method, at, _ = key.partition("@")
    name, _, value = method.partition(":")
    params: dict[str, Any] = {"onset_method": name, "reference": "baseline" if at else None}
    names = {"sd": "sd_multiplier", "fixed": "threshold_n", "bw_pct": "body_weight_pct"}
    if name in names:
        params[names[name]] = float(value)
    return method_label(params)


def latest_best(
    records: Sequence[TestRecord], metric: str, method: str, rule: BestRule
) -> float | None:
    """An athlete's value of their latest session, or None without one."""
    sessions = sessions_of(counted_trials(records, metric, method).trials, rule)
    return sessions[-1].best if sessions else None


def trend_view(found: Trend, counted: Counted, method: str, rule: BestRule) -> dict[str, Any]:
    """The JSON of ``GET /api/athletes/{id}/trend`` (without the athlete, group and study)."""
    return {
        "metric": found.metric.name,
        "unit": found.metric.unit,
        "better": found.metric.better.value,
        "method": {"key": method, "label": _label(method)},
        "rule": rule,
        "typical_error": te_view(found.typical_error),
        "swc": {"value": found.swc.value, "source": found.swc.description},
        "sessions": [
            {
                "date": change.session.day.isoformat(),
                "best": change.session.best,
                "best_test_id": change.session.best_test_id,
                "values": list(change.session.values),
                **_change_view(change.change),
            }
            for change in found.sessions
        ],
        "left_out": [{"test_id": left.test_id, "reason": left.reason} for left in counted.left_out],
    }


def te_view(te: TypicalError) -> dict[str, Any]:
    return {
        "source": te.source,
        "description": te.description,
        "value": te.value,
        "interval": None if te.low is None else [te.low, te.high],
        "df": te.df,
        "cv_pct": te.cv_pct,
    }


def _change_view(change: ChangeEstimate | None) -> dict[str, Any]:
    if change is None:
        return {"change": None, "difference": None, "interval": None}
    interval = None if change.low is None else [change.low, change.high]
    return {
        "change": change.flag.value,
        "difference": change.difference,
        "interval": interval,
        "p_above_swc": change.p_above_swc,
        "p_below_swc": change.p_below_swc,
    }


def athlete_trend(
    records: Sequence[TestRecord],
    metric: str,
    method: str,
    rule: BestRule,
    noise: tuple[TypicalError, Swc],
    day_of: DayOf = local_day,
) -> tuple[Trend, Counted]:
    """The athlete's trend of ``metric`` judged with ``noise`` (TE and SWC, found elsewhere)."""
    counted = counted_trials(records, metric, method, day_of)
    te, swc = noise
    return trend(metric_spec(metric, method), counted.trials, te, swc, rule=rule), counted


def squad_columns(method: str) -> tuple[tuple[str, str], ...]:
    """The squad view's (metric, unit) columns for ``method``: the IMTP's ``SQUAD_METRICS``, or
    a jump type's headline numbers."""
    if method not in JUMP_TYPES:
        return SQUAD_METRICS
    specs = trend_metrics(method)
    return tuple((name, spec.unit) for name, spec in specs.items() if name != "body_weight_n")


def squad_rows(
    athletes: Sequence[AthleteRecord],
    records: Sequence[TestRecord],
    method: str,
    rule: BestRule,
    day_of: DayOf = local_day,
) -> list[dict[str, Any]]:
    """Each athlete's latest session value of every squad column, with z-scores in the group;
    the date is the latest session of the first column."""
    columns = [metric for metric, _ in squad_columns(method)]
    rows: list[dict[str, Any]] = []
    for athlete in athletes:
        own = [r for r in records if r.athlete_id == athlete.id]
        latest = {metric: _latest_session(own, metric, method, rule, day_of) for metric in columns}
        first = latest[columns[0]]
        rows.append(
            {
                "athlete_id": athlete.id,
                "name": athlete.name,
                "date": None if first is None else first.day.isoformat(),
                "values": {m: None if s is None else s.best for m, s in latest.items()},
                "asymmetry_side": _side(latest.get("asymmetry_pct")),
            }
        )
    for metric in columns:
        scores = z_scores([row["values"][metric] for row in rows])
        for row, score in zip(rows, scores, strict=True):
            row.setdefault("z", {})[metric] = score
    return rows


def _latest_session(
    records: Sequence[TestRecord], metric: str, method: str, rule: BestRule, day_of: DayOf
) -> Session | None:
    sessions = sessions_of(counted_trials(records, metric, method, day_of).trials, rule)
    return sessions[-1] if sessions else None


def _side(session: Session | None) -> str | None:
    return None if session is None else stronger_side(session.best)


def squad_csv(rows: Sequence[dict[str, Any]], method: str) -> str:
    """The squad view as CSV: one row per athlete, each metric and its z-score, and the side
    the asymmetry names (``left`` / ``right``; empty when even or unknown)."""
    header = ["athlete_id", "name", "date"]
    for metric, _ in squad_columns(method):
        header += [metric, f"{metric}_z"]
    header.append("asymmetry_side")
    out = io.StringIO()
    writer = CsvWriter(out)
    writer.writerow(header)
    for row in rows:
        cells = [row["athlete_id"], row["name"], row["date"] or ""]
        for metric, _ in squad_columns(method):
            cells += [_cell(row["values"][metric]), _cell(row["z"][metric])]
        cells.append(row["asymmetry_side"] or "")
        writer.writerow(cells)
    return out.getvalue()


def _cell(value: float | None) -> str:
    return "" if value is None else repr(value)
