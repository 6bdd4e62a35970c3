"""The simulated wearer's windows show what its state says: stress is a faster, steadier
heart, a smaller pulse, skin cooling over minutes, no extra movement."""

from __future__ import annotations

import numpy as np
import pytest

from sensorhub.physio import GOOD, Channel, WindowSignals, window_features
from sensorhub.physio.wearer import BVP_HZ, CALM, STRESSED, SimulatedWearer, State


def _window(state: State) -> dict[str, float | int | str | None]:
    signals = SimulatedWearer(seed=5).signals(0.0, 60.0, state)
    acc = np.column_stack([signals["acc"][axis] for axis in "xyz"])
    window = WindowSignals(
        bvp=Channel(signals["bvp"]["hz"], np.array(signals["bvp"]["values"])),
        temperature=Channel(
            signals["temperature"]["hz"], np.array(signals["temperature"]["values"])
        ),
        acc=Channel(signals["acc"]["hz"], acc),
    )
    return window_features(window).as_dict()


def test_stress_raises_heart_rate_and_lowers_rmssd() -> None:
    calm, stressed = _window(CALM), _window(STRESSED)
    assert calm["quality"] == stressed["quality"] == GOOD
    # 68 → 88 bpm and 45 → 24 ms in the model; a minute's sampling spread of RMSSD is about
    # RMSSD/√(2n) ≈ 4 ms (n ≈ 70 differences), of HR well under 1 bpm: half the gaps are safe.
    assert float(stressed["hr_bpm"] or 0) > float(calm["hr_bpm"] or 0) + 10
    assert float(stressed["rmssd_ms"] or 0) < float(calm["rmssd_ms"] or 0) - 10
    assert float(stressed["temp_mean"] or 0) < float(calm["temp_mean"] or 0)


def test_stress_shrinks_the_pulse_and_cools_the_skin_over_minutes() -> None:
    calm = SimulatedWearer(seed=5).signals(0.0, 10.0, CALM)
    wearer = SimulatedWearer(seed=5)
    stressed = wearer.signals(0.0, 10.0, STRESSED)
    assert np.ptp(stressed["bvp"]["values"]) < 0.8 * np.ptp(calm["bvp"]["values"])
    # After 10 s the skin has moved 1 − e^(−10/180) ≈ 5 % of the way; after 9 more minutes
    # 1 − e^(−550/180) ≈ 95 %.
    start, target = CALM.temperature_c, STRESSED.temperature_c
    assert stressed["temperature"]["values"][-1] > start - 0.1 * (start - target)
    later = wearer.signals(10.0, 540.0, STRESSED)["temperature"]["values"][-1]
    assert later < start - 0.9 * (start - target)
    assert np.std(stressed["acc"]["x"]) < 0.02  # seated: no fidgeting unless asked


@pytest.mark.parametrize("seed", range(4))
def test_a_minute_at_rest_has_a_pulse_throughout_and_a_heart_a_classifier_leaves_alone(
    seed: int,
) -> None:
    """A stretch of any length carries every beat (a minute made in one call is a minute of
    pulses), and the breathing rhythm is no artefact to the beat correction."""
    f = window_features(
        WindowSignals(
            bvp=Channel(
                BVP_HZ, np.array(SimulatedWearer(seed).signals(0.0, 60.0, CALM)["bvp"]["values"])
            )
        )
    )
    # 58 s analysed (1 s edges) at 68 bpm: about 66 beats; the intervals' swing is < 10 %.
    assert f.quality == GOOD and f.beats is not None and f.beats >= 60
    assert (f.corrected_beats or 0.0) <= 1 / f.beats  # at most one beat of a minute
