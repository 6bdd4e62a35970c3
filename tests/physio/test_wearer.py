"""The simulated wearer's windows show what its state says: stress is a faster, steadier
heart, cooler skin."""

from __future__ import annotations

import numpy as np

from sensorhub.physio import GOOD, Channel, WindowSignals, window_features
from sensorhub.physio.wearer import CALM, STRESSED, SimulatedWearer, State


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
    # 68 → 98 bpm and 45 → 16 ms in the model: far apart next to a minute's sampling spread.
    assert float(stressed["hr_bpm"] or 0) > float(calm["hr_bpm"] or 0) + 20
    assert float(stressed["rmssd_ms"] or 0) < float(calm["rmssd_ms"] or 0) / 2
    assert float(stressed["temp_mean"] or 0) < float(calm["temp_mean"] or 0)
