"""Reading processing: the seed's magnitude and threshold, and one model call per batch."""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sensorhub.biometrics import Reading, acceleration_magnitude, classify, process_readings


class RecordingPredictor:
    """Returns queued probabilities and records each call's features."""

    name = "fake-model"

    def __init__(self, probabilities: list[float]) -> None:
        self.probabilities = probabilities
        self.calls: list[npt.NDArray[np.float32]] = []

    def predict_proba(self, features: npt.NDArray[np.float32]) -> npt.NDArray[np.float64]:
        self.calls.append(features)
        return np.array(self.probabilities[: len(features)])


def test_seed_example_magnitude_is_0_9803() -> None:
    assert acceleration_magnitude(0.02, -0.01, 0.98) == 0.9803


@given(st.tuples(*[st.floats(-1e9, 1e9, allow_nan=False)] * 3))
def test_magnitude_is_the_rounded_norm_and_never_overflows(xyz: tuple[float, float, float]) -> None:
    magnitude = acceleration_magnitude(*xyz)
    assert math.isfinite(magnitude)
    assert magnitude == round(math.sqrt(sum(v * v for v in xyz)), 4)


@pytest.mark.parametrize(
    ("probability", "label"),
    [(0.0, "Calm"), (0.5, "Calm"), (0.5000001, "Stressed"), (1.0, "Stressed")],
)
def test_above_one_half_is_stressed(probability: float, label: str) -> None:
    assert classify(probability) == label


def test_a_batch_is_predicted_in_one_call_with_seed_feature_order() -> None:
    readings = [Reading(10.0, 33.0, 0.0, 0.0, 1.0), Reading(-5.0, 35.5, 3.0, 4.0, 0.0, "w2", "17")]
    model = RecordingPredictor([0.2, 0.9])

    processed = process_readings(readings, model, received_at=1234.5)

    assert len(model.calls) == 1
    np.testing.assert_array_equal(model.calls[0], [[10.0, 33.0, 1.0], [-5.0, 35.5, 5.0]])
    assert [p.prediction for p in processed] == ["Calm", "Stressed"]
    assert [p.stress_probability for p in processed] == [0.2, 0.9]
    assert processed[1].device_id == "w2" and processed[1].device_timestamp == "17"
    assert {p.received_at for p in processed} == {1234.5}
    assert {p.model for p in processed} == {"fake-model"}
