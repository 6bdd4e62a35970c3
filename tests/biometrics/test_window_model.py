"""The window model: its sidecar names the features it takes, in order."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from sensorhub.biometrics import BUNDLED_WINDOW_MODEL_PATH, load_window_model
from sensorhub.errors import ModelError
from sensorhub.physio import FEATURE_NAMES


def _copy(tmp_path: Path, sidecar: object | None) -> Path:
    path = tmp_path / "window.h5"
    shutil.copy(BUNDLED_WINDOW_MODEL_PATH, path)
    if sidecar is not None:
        path.with_suffix(".json").write_text(json.dumps(sidecar))
    return path


def test_the_bundled_demo_takes_every_window_feature() -> None:
    model = load_window_model(BUNDLED_WINDOW_MODEL_PATH, "bundled")
    assert model.features == FEATURE_NAMES and model.demo
    rows = np.random.default_rng(1).normal(size=(4, len(FEATURE_NAMES))).astype(np.float32)
    probabilities = model.predict_proba(rows)
    assert probabilities.shape == (4,) and np.all((probabilities >= 0) & (probabilities <= 1))


def test_the_sidecar_order_picks_the_columns(tmp_path: Path) -> None:
    reordered = list(reversed(FEATURE_NAMES))
    model = load_window_model(_copy(tmp_path, {"inputs": "window", "features": reordered}))
    rows = np.random.default_rng(2).normal(size=(3, len(FEATURE_NAMES))).astype(np.float32)
    assert np.array_equal(model.predict_proba(rows), model.model.predict_proba(rows[:, ::-1]))


@pytest.mark.parametrize(
    ("sidecar", "says"),
    [
        (None, "needs window.json"),
        ({"inputs": "reading"}, "needs window.json"),
        ({"inputs": "window", "features": ["hr_bpm", "heart"]}, "features must name"),
        ({"inputs": "window", "features": ["hr_bpm"]}, "takes 10 inputs"),
    ],
)
def test_a_model_without_a_fitting_sidecar_is_refused(
    tmp_path: Path, sidecar: object, says: str
) -> None:
    with pytest.raises(ModelError, match=says):
        load_window_model(_copy(tmp_path, sidecar))
