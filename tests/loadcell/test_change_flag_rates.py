"""The change flags' error rates on simulated athletes with known truth (fixed seed).

Each simulated squad: a reliability study (``STUDY_ATHLETES`` athletes, two sessions in a
stable period) gives the TE; ``JUDGED_ATHLETES`` other athletes are followed over
``SESSIONS`` sessions and every session is judged against the previous one with the coach's
SWC of 60 N (0.2 × the between-athlete SD). ``SQUADS`` squads per scenario.

- No true change: the 90 % interval leaves at most 5 % of changes flagged either way. The
  bound checked is 5 % + 3 standard errors of the measured share, the SE taken over squads
  (changes in one squad share a TE, so they are not independent).
- A true change of 2 × SWC with small noise (no day-to-day variation): most (> 50 %) are
  flagged improved, as the issue asks.
The measured rates are in docs/athletes.md and the issue's note.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from sensorhub.loadcell.metrics import IMTP_METRICS
from sensorhub.loadcell.trends import Change, Swc, study_typical_error, trend
from tests.loadcell._simulated_athletes import TRUE_SWC_N, as_trials, best, sessions

SQUADS = 60
STUDY_ATHLETES = 20
JUDGED_ATHLETES = 10
SESSIONS = 8
SEED = 21
PEAK = IMTP_METRICS["peak_force_n"]
SWC = Swc(TRUE_SWC_N, "set by the coach")


def flag_shares(day_sd: float, step: float) -> tuple[np.ndarray, np.ndarray]:
    """Per squad: the share of changes flagged improved, and declined."""
    rng = np.random.default_rng([SEED, int(day_sd), int(step)])
    improved, declined = [], []
    for _ in range(SQUADS):
        study = [best(sessions(rng, 2, day_sd)) for _ in range(STUDY_ATHLETES)]
        te = study_typical_error(study, PEAK, "simulated study")
        assert te is not None
        flags = []
        for _ in range(JUDGED_ATHLETES):
            found = trend(PEAK, as_trials(sessions(rng, SESSIONS, day_sd, step)), te, SWC)
            flags += [c.change.flag for c in found.sessions[1:] if c.change is not None]
        improved.append(flags.count(Change.IMPROVED) / len(flags))
        declined.append(flags.count(Change.DECLINED) / len(flags))
    return np.asarray(improved), np.asarray(declined)


def bound(shares: np.ndarray) -> float:
    return 0.05 + 3.0 * float(shares.std(ddof=1)) / math.sqrt(shares.size)


@pytest.mark.parametrize("day_sd", [0.0, 50.0, 75.0])
def test_no_true_change_is_flagged_at_most_five_percent_each_way(day_sd: float) -> None:
    improved, declined = flag_shares(day_sd, 0.0)
    print(f"day SD {day_sd:g} N: improved {improved.mean():.3f}, declined {declined.mean():.3f}")
    assert improved.mean() <= bound(improved)
    assert declined.mean() <= bound(declined)


def test_a_true_change_of_two_swc_is_mostly_flagged_when_noise_is_small() -> None:
    improved, declined = flag_shares(0.0, 2.0 * TRUE_SWC_N)
    print(f"2 × SWC: improved {improved.mean():.3f}, declined {declined.mean():.3f}")
    assert improved.mean() > 0.5
    assert declined.mean() <= bound(declined)  # a wrong-way flag stays as rare as a false one


def test_a_true_change_of_one_swc_is_flagged_more_than_no_change() -> None:
    improved, _ = flag_shares(0.0, TRUE_SWC_N)
    null, _ = flag_shares(0.0, 0.0)
    print(f"1 × SWC: improved {improved.mean():.3f} (no change: {null.mean():.3f})")
    assert improved.mean() > null.mean()
