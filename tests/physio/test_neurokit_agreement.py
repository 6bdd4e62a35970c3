"""Our beats and HRV against NeuroKit2's ``ppg_process`` + ``hrv_time`` on its own simulated
PPG (a test-only dependency: the dev extra).

Both filter identically (Elgendi: Butterworth 0.5–8 Hz, order 2, zero phase) and both take
the local maxima of the filtered samples; NeuroKit2 keeps the sample, we move to the vertex of
the parabola through it and its neighbours, which for a local maximum is within half a sample.
So each of our beats is within T/2 of NeuroKit2's, and the tolerances below follow from that.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

from sensorhub.physio import (
    GOOD,
    Channel,
    WindowSignals,
    bandpass,
    detect_beats,
    window_analysis,
    window_features,
)
from sensorhub.physio.bvp import EDGE_S
from sensorhub.physio.correction import correct
from tests._services import require_module

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # its own dependencies' deprecation warnings
    nk = require_module("neurokit2", "pip install -e '.[dev]' (a test-only dependency)")

HZ = 64
T_MS = 1000 / HZ


@pytest.mark.parametrize(("heart_rate", "seed"), [(62, 1), (75, 2), (95, 3)])
def test_beats_and_hrv_agree_with_neurokit2(heart_rate: int, seed: int) -> None:
    ppg = np.asarray(
        nk.ppg_simulate(duration=60, sampling_rate=HZ, heart_rate=heart_rate, random_state=seed,
                        ibi_randomness=0.1, motion_amplitude=0.05, powerline_amplitude=0.0,
                        burst_number=0),
        dtype=float,
    )  # fmt: skip
    ours = detect_beats(bandpass(ppg, HZ), HZ) * HZ  # in samples
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _, info = nk.ppg_process(ppg, sampling_rate=HZ)
    theirs = np.asarray(info["PPG_Peaks"])
    theirs = theirs[(theirs >= ours[0] - 0.5) & (theirs <= ours[-1] + 0.5)]  # our edge span
    assert len(theirs) == len(ours)
    assert np.max(np.abs(ours - theirs)) <= 0.5 + 1e-9

    features = window_features(WindowSignals(bvp=Channel(HZ, ppg)))
    reference = nk.hrv_time(theirs, sampling_rate=HZ).iloc[0]
    m = len(theirs) - 1
    assert features.usable_beats == 1.0  # so both use the same intervals
    # Per beat ≤ T/2 apart, per interval ≤ T; the mean telescopes to (last − first)/m.
    assert features.mean_ibi_ms == pytest.approx(reference["HRV_MeanNN"], abs=T_MS / m)
    assert features.sdnn_ms == pytest.approx(
        reference["HRV_SDNN"], abs=T_MS * math.sqrt(m / (m - 1))
    )
    # A successive difference moves by ≤ 4 · T/2.
    assert features.rmssd_ms == pytest.approx(reference["HRV_RMSSD"], abs=2 * T_MS)
    # pNN50 may differ only by the differences within 2T of the 50 ms threshold.
    successive = np.abs(np.diff(np.diff(theirs) * T_MS))
    borderline = np.count_nonzero(np.abs(successive - 50) <= 2 * T_MS)
    assert features.pnn50 == pytest.approx(
        reference["HRV_pNN50"], abs=100 * borderline / len(successive)
    )


@pytest.mark.parametrize("seed", [4, 5])
def test_missed_and_extra_beats_are_corrected_as_neurokit2_does(seed: int) -> None:
    """On NeuroKit2's simulated PPG, one pulse deleted from its peaks and one added: our
    correction and ``signal_fixpeaks(method="kubios")`` give the same beats (NeuroKit2 rounds
    to whole samples, so within one sample), and so the same NN series."""
    ppg = nk.ppg_simulate(duration=60, sampling_rate=HZ, heart_rate=70, random_state=seed,
                          ibi_randomness=0.05, motion_amplitude=0.05, powerline_amplitude=0.0,
                          burst_number=0)  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _, info = nk.ppg_process(ppg, sampling_rate=HZ)
    peaks = np.asarray(info["PPG_Peaks"])
    planted = np.insert(np.delete(peaks, 40), 20, (peaks[19] + peaks[20]) // 2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _, theirs = nk.signal_fixpeaks(planted, sampling_rate=HZ, method="kubios")
    ours = correct(planted / HZ)
    assert ours.counts == {"extra": 1, "missed": 1, "ectopic": 0, "long_short": 0}
    assert len(ours.beats_s) == len(theirs) == len(peaks)
    assert np.max(np.abs(ours.beats_s * HZ - np.asarray(theirs))) <= 1.0
    assert np.max(np.abs(ours.beats_s * HZ - peaks)) <= HZ * 0.1  # the missed one, halfway


def _hr_rmssd_sdnn(peaks: np.ndarray) -> np.ndarray:
    """HR (bpm), RMSSD and SDNN (ms) of the beats (samples) inside our analysed span."""
    inside = peaks[(peaks >= EDGE_S * HZ) & (peaks <= 60 * HZ - EDGE_S * HZ)]
    nn = np.diff(inside) * T_MS
    return np.array([60_000 / np.mean(nn), np.sqrt(np.mean(np.diff(nn) ** 2)), np.std(nn, ddof=1)])


def _with_a_dropout_and_an_extra_pulse(ppg: np.ndarray, peaks: np.ndarray) -> np.ndarray:
    """The pulse at peak 40 lost (the wave between its troughs a straight line: the sensor
    lifted for a beat) and a pulse-high bump halfway between peaks 20 and 21 (a twitch)."""
    out = ppg.copy()
    lo = peaks[39] + int(np.argmin(ppg[peaks[39] : peaks[40]]))
    hi = peaks[40] + int(np.argmin(ppg[peaks[40] : peaks[41]]))
    out[lo : hi + 1] = np.linspace(ppg[lo], ppg[hi], hi - lo + 1)
    t = np.arange(len(ppg))
    middle, height = (peaks[20] + peaks[21]) / 2, np.ptp(ppg[peaks[19] : peaks[21]])
    return np.asarray(out + 0.8 * height * np.exp(-0.5 * ((t - middle) / (0.06 * HZ)) ** 2))


@pytest.mark.parametrize("seed", [4, 5])
def test_artefacts_in_the_pulse_are_corrected_by_both_pipelines_to_the_truth(seed: int) -> None:
    """NeuroKit2's simulated PPG with a lost pulse and an extra one *in the waveform*: our
    window features and NeuroKit2's corrected pipeline (``ppg_process``, then
    ``signal_fixpeaks(method="kubios")``) both land within the issue's bar (HR 1 bpm, RMSSD and
    SDNN 8 ms) of the clean signal's beats, where the uncorrected beats are far off; and we
    count the two planted corrections."""
    ppg = np.asarray(
        nk.ppg_simulate(duration=60, sampling_rate=HZ, heart_rate=70, random_state=seed,
                        ibi_randomness=0.05, motion_amplitude=0.05, powerline_amplitude=0.0,
                        burst_number=0),
        dtype=float,
    )  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        peaks = np.asarray(nk.ppg_process(ppg, sampling_rate=HZ)[1]["PPG_Peaks"])
        faulty = _with_a_dropout_and_an_extra_pulse(ppg, peaks)
        found = np.asarray(nk.ppg_process(faulty, sampling_rate=HZ)[1]["PPG_Peaks"])
        _, fixed = nk.signal_fixpeaks(found, sampling_rate=HZ, method="kubios")
    bar = np.array([1.0, 8.0, 8.0])
    truth = _hr_rmssd_sdnn(peaks)
    assert np.any(np.abs(_hr_rmssd_sdnn(found) - truth) > bar)  # the artefacts matter
    theirs = _hr_rmssd_sdnn(np.asarray(fixed))
    features, nn = window_analysis(WindowSignals(bvp=Channel(HZ, faulty)))
    assert features.quality == GOOD and nn is not None
    ours = np.array([features.hr_bpm, features.rmssd_ms, features.sdnn_ms], dtype=float)
    for result in (ours, theirs):
        assert np.all(np.abs(result - truth) <= bar), (result, truth)
    assert nn.corrected == 2
