"""The bundled models' NumPy copies (``biometrics/_model_files.py``): what the server reads
instead of their ``.h5`` files, so it starts without h5py."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from sensorhub.biometrics import (
    BUNDLED_MODEL_PATH,
    BUNDLED_WINDOW_MODEL_PATH,
    load_stress_model,
    write_numpy_copy,
)
from tests.biometrics.test_stress_model import READINGS

BUNDLED = [BUNDLED_MODEL_PATH, BUNDLED_WINDOW_MODEL_PATH]


@pytest.mark.parametrize("h5_path", BUNDLED, ids=lambda path: path.name)
def test_the_shipped_copy_holds_what_its_h5_file_holds(h5_path: Path, tmp_path: Path) -> None:
    fresh = write_numpy_copy(Path(shutil.copy(h5_path, tmp_path)))

    with np.load(h5_path.with_suffix(".npz")) as shipped, np.load(fresh) as expected:
        assert sorted(shipped.files) == sorted(expected.files)
        for key in expected.files:
            assert shipped[key].dtype == expected[key].dtype, key
            assert np.array_equal(shipped[key], expected[key]), key


def test_the_bundled_model_predicts_the_same_from_its_copy_as_from_its_h5(tmp_path: Path) -> None:
    # Outside the bundled folder a model is read from its .h5, with h5py.
    from_h5 = load_stress_model(Path(shutil.copy(BUNDLED_MODEL_PATH, tmp_path)))
    from_copy = load_stress_model(BUNDLED_MODEL_PATH)

    # The same float32 weights through the same float64 steps: equal to the last bit.
    assert np.array_equal(from_copy.predict_proba(READINGS), from_h5.predict_proba(READINGS))
    assert from_copy.name == from_h5.name == "stress_model_demo.h5"


def test_a_users_model_is_read_from_its_h5_even_beside_an_npz(tmp_path: Path) -> None:
    model = Path(shutil.copy(BUNDLED_MODEL_PATH, tmp_path / "stress_model.h5"))
    model.with_suffix(".npz").write_bytes(b"not the model")

    assert load_stress_model(model).predict_proba(READINGS).shape == (len(READINGS),)
