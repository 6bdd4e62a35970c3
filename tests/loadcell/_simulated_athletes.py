"""Simulated IMTP peak forces of athletes with known truth, for the change-flag error rates.

An athlete's true peak force is drawn from N(2000, 300) N (between-athlete SD 300 N, so the
SWC is 0.2 × 300 = 60 N). A session adds a day effect N(0, day_sd) to every trial, and each of
its 3 trials adds N(0, 50) N (the issue's within-session SD). The session value is the best
trial. A true change adds ``step`` N to every session after the previous one.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np

from sensorhub.loadcell.trends import Trial

BETWEEN_SD_N = 300.0
WITHIN_SD_N = 50.0
TRIALS = 3
TRUE_SWC_N = 0.2 * BETWEEN_SD_N
START = date(2026, 1, 5)


def sessions(
    rng: np.random.Generator, count: int, day_sd: float, step: float = 0.0
) -> list[list[float]]:
    """One athlete's ``count`` sessions of ``TRIALS`` trial values each."""
    level = rng.normal(2000.0, BETWEEN_SD_N)
    days = level + step * np.arange(count) + rng.normal(0.0, day_sd, count)
    trials = days[:, None] + rng.normal(0.0, WITHIN_SD_N, (count, TRIALS))
    return trials.tolist()  # type: ignore[no-any-return]


def as_trials(values: list[list[float]]) -> list[Trial]:
    """Sessions a week apart; a trial's value is its peak force, so it ranks itself."""
    trials, test_id = [], 0
    for week, session in enumerate(values):
        for value in session:
            test_id += 1
            trials.append(Trial(test_id, START + timedelta(weeks=week), value, value))
    return trials


def best(values: list[list[float]]) -> list[float]:
    return [max(session) for session in values]
