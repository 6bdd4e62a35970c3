"""A stress model over window features: the ``.h5`` file plus a JSON sidecar (same name,
``.json``) naming the features it takes, in order, from ``physio.FEATURE_NAMES``.

The sidecar is what tells a window model from a per-reading one: the seed's per-reading
model takes [bvp, temperature, acceleration_magnitude] and has none (or says
``"inputs": "reading"``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Protocol

import numpy as np
import numpy.typing as npt

from sensorhub.biometrics._layers import FloatArray
from sensorhub.biometrics._model_files import BUNDLED_MODELS_DIR
from sensorhub.biometrics.stress_model import BUNDLED_MODEL_PATH, StressModel, load_stress_model
from sensorhub.errors import ModelError
from sensorhub.physio import FEATURE_NAMES

BUNDLED_WINDOW_MODEL_PATH = BUNDLED_MODELS_DIR / "stress_window_model_demo.h5"
# A user's own window model, picked up from the working directory like ``stress_model.h5``.
CWD_WINDOW_MODEL_NAME = "stress_window_model.h5"
WINDOW_INPUTS = "window"


_DEMO_MODEL_NAMES = frozenset({BUNDLED_MODEL_PATH.name, BUNDLED_WINDOW_MODEL_PATH.name})


def is_demo_model(name: str | None) -> bool:
    """Whether a prediction's model (by the name stored with it) is one of the bundled demos:
    trained on synthetic data, not physiology. None (no prediction) is not."""
    return name in _DEMO_MODEL_NAMES


class WindowScorer(Protocol):
    """What scores windows: a bundled or configured ``WindowModel``, or a registered one."""

    @property
    def name(self) -> str: ...

    @property
    def source(self) -> str: ...  # bundled, cwd, cli or registry

    @property
    def backend(self) -> str: ...

    @property
    def demo(self) -> bool: ...

    def predict_proba(self, features: npt.NDArray[np.float32]) -> npt.NDArray[np.float64]: ...


class WindowModel:
    """Takes rows of ``physio.FEATURE_NAMES``; feeds the model the columns its sidecar names."""

    def __init__(self, model: StressModel, features: tuple[str, ...], demo: bool) -> None:
        self.model = model
        self.name = model.name
        self.source = model.source
        self.backend = model.backend
        self.features = features
        self.demo = demo
        self._columns = [FEATURE_NAMES.index(name) for name in features]

    def predict_proba(self, features: npt.NDArray[np.float32]) -> FloatArray:
        return self.model.predict_proba(np.asarray(features)[:, self._columns])


def sidecar_path(model_path: Path) -> Path:
    return model_path.with_suffix(".json")


def read_sidecar(model_path: Path) -> dict[str, object] | None:
    path = sidecar_path(model_path)
    if not path.is_file():
        return None
    try:
        sidecar = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise ModelError(f"model sidecar {path}: not readable JSON: {exc}") from exc
    if not isinstance(sidecar, dict):
        raise ModelError(f"model sidecar {path}: must be a JSON object")
    return sidecar


def load_window_model(path: Path, source: str = "cli") -> WindowModel:
    sidecar = read_sidecar(path)
    if sidecar is None or sidecar.get("inputs") != WINDOW_INPUTS:
        raise ModelError(
            f"window model {path}: needs {sidecar_path(path).name} with "
            f'"inputs": "window" and "features": [names from {", ".join(FEATURE_NAMES)}]'
        )
    features = sidecar.get("features")
    if not isinstance(features, list) or not all(n in FEATURE_NAMES for n in features):
        raise ModelError(f"window model {path}: features must name some of {FEATURE_NAMES}")
    model = load_stress_model(path, source)
    if model.input_features != len(features):
        raise ModelError(
            f"window model {path} takes {model.input_features} inputs; its sidecar names "
            f"{len(features)} features"
        )
    return WindowModel(model, tuple(features), demo=bool(sidecar.get("demo", False)))


def find_window_model(explicit: Path | None, cwd: Path) -> tuple[Path, str]:
    """``--window-model``, else ./stress_window_model.h5, else the bundled demo."""
    if explicit is not None:
        path = cwd / explicit
        if not path.is_file():
            raise ModelError(f"window model file {path} does not exist")
        return path, "cli"
    local = cwd / CWD_WINDOW_MODEL_NAME
    return (local, "cwd") if local.is_file() else (BUNDLED_WINDOW_MODEL_PATH, "bundled")
