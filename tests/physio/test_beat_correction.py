"""Known-truth rhythms with planted artefacts: after correction (Lipponen & Tarvainen 2019)
HR is within 1 bpm, RMSSD and SDNN within 8 ms of the heart's NN series (the issue's bar), and
the window reports the share of corrected beats it planted."""

from __future__ import annotations

import numpy as np
import pytest

from sensorhub.physio import (
    GOOD,
    POOR,
    Channel,
    WindowSignals,
    window_analysis,
    window_features,
)
from sensorhub.physio.correction import ECTOPIC, EXTRA, MISSED, classify, correct, rolling_median
from sensorhub.physio.quality import MAX_CORRECTED_SHARE
from tests._services import require_module
from tests.physio._rhythms import ACC_HZ, HZ, Rhythm, resting_sinus, rhythms

RHYTHMS = {r.name: r for r in rhythms()}


def _signals(rhythm: Rhythm) -> WindowSignals:
    return WindowSignals(bvp=Channel(HZ, rhythm.bvp()), acc=Channel(ACC_HZ, rhythm.acc()))


def _features(rhythm: Rhythm) -> dict[str, float | int | str | None]:
    return window_features(_signals(rhythm)).as_dict()


@pytest.mark.parametrize("name", RHYTHMS)
def test_hr_and_hrv_follow_the_heart_and_corrections_are_counted(name: str) -> None:
    rhythm = RHYTHMS[name]
    features, series = window_analysis(_signals(rhythm))
    f = features.as_dict()
    nn = rhythm.truth()
    assert f["quality"] == GOOD, f["reason"]
    assert f["hr_bpm"] == pytest.approx(60_000 / np.mean(nn), abs=1.0)
    assert f["rmssd_ms"] == pytest.approx(np.sqrt(np.mean(np.diff(nn) ** 2)), abs=8.0)
    assert f["sdnn_ms"] == pytest.approx(np.std(nn, ddof=1), abs=8.0)
    # Exactly the planted corrections, and the share reported is theirs.
    assert series is not None and series.corrected == rhythm.planted
    assert f["corrected_beats"] == pytest.approx(rhythm.planted / series.beats, abs=1e-12)
    if rhythm.motion_s is None:
        # Every beat of the span is in the NN series once corrected.
        assert series.beats == len(nn) + 1
        assert f["motion_beats"] == 0.0
    else:
        # Beats under motion are left out (counted), not corrected.
        lo, hi = rhythm.motion_s
        left_out = float(f["motion_beats"] or 0.0) * float(f["beats"] or 0)
        assert left_out >= (hi - lo) * 1000 / np.max(nn)  # at least the heart's beats there


def test_the_planted_kinds_are_named() -> None:
    sinus = resting_sinus()
    early = sinus.copy()
    early[30] -= 0.22 * (sinus[30] - sinus[29])
    assert [a.kind for a in classify(early)] == [ECTOPIC]
    assert correct(early).counts[ECTOPIC] == 1
    # The early beat is moved back between its neighbours, close to where the heart put it.
    assert np.max(np.abs(correct(early).beats_s - sinus)) < 0.03
    assert correct(np.delete(sinus, 45)).counts[MISSED] == 1
    assert correct(np.insert(sinus, 41, sinus[40] + 0.45)).counts[EXTRA] == 1


def test_too_many_corrections_make_the_window_poor() -> None:
    sinus = resting_sinus()
    shown = sinus.copy()
    for k in range(10, 60, 8):  # six isolated early beats: 6 of 69 beats, 8.7 %
        shown[k] -= 0.3 * (sinus[k] - sinus[k - 1])
    f = _features(Rhythm("frequent ectopy", sinus, shown))
    assert (f["quality"], f["reason"]) == (POOR, "artefacts")
    assert float(f["corrected_beats"] or 0) > MAX_CORRECTED_SHARE
    assert f["hr_bpm"] is None and f["rmssd_ms"] is None


def test_a_wrist_moving_all_minute_is_poor_motion() -> None:
    sinus = resting_sinus()
    f = _features(Rhythm("walking", sinus, sinus, motion_s=(0.0, 60.0)))
    assert (f["quality"], f["reason"]) == (POOR, "motion")


def test_the_rolling_median_is_pandas_centred_rolling_median() -> None:
    pd = require_module("pandas", "pip install -e '.[dev]' (NeuroKit2 brings it)")
    values = np.random.default_rng(0).normal(850.0, 40.0, 70)
    for width in (11, 91):  # shorter than the series, and longer
        expected = pd.Series(values).rolling(width, center=True, min_periods=1).median()
        np.testing.assert_allclose(rolling_median(values, width), expected.to_numpy())
