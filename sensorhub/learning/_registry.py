"""The registry of trained window models, on disk under ``<data dir>/models/window/``:

    v3/model.json    the fitted parameters (no pickle: loading runs no code) and what it takes
    v3/report.html   the training report
    v3/scores/       re-scored sessions (session-12.csv), apart from the stored windows
    active.json      {"version": 3}: the one model scoring live windows

A model is served with NumPy alone, so activating one needs neither scikit-learn nor a restart.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from sensorhub.errors import ModelError, ModelNotFound
from sensorhub.physio import FEATURE_NAMES

PURPOSE = "window"
_ACTIVE = "active.json"


@dataclass(frozen=True, slots=True)
class RegisteredModel:
    """A trained window model: ``name`` (``stress@v3``) is what every prediction it makes stores."""

    version: int
    meta: dict[str, Any]

    @property
    def name(self) -> str:
        return f"{self.meta['name']}@v{self.version}"

    source = "registry"
    backend = "numpy"

    @property
    def demo(self) -> bool:
        return bool(self.meta["demo"])

    @property
    def relative_to_baseline(self) -> bool:
        return bool(self.meta["relative_to_baseline"])

    def predict_proba(self, features: npt.NDArray[np.float32]) -> npt.NDArray[np.float64]:
        """Rows of ``physio.FEATURE_NAMES`` (relative to the baseline if it was trained so)."""
        p = self.meta["parameters"]
        columns = [FEATURE_NAMES.index(n) for n in self.meta["features"]]
        x = (np.asarray(features, dtype=np.float64)[:, columns] - p["mean"]) / p["scale"]
        z = x @ np.asarray(p["coef"]) + p["intercept"]
        return np.asarray(1.0 / (1.0 + np.exp(-z)))


class ModelRegistry:
    def __init__(self, root: Path) -> None:
        self.root = root / "models" / PURPOSE

    def register(
        self, meta: dict[str, Any], report: Callable[[dict[str, Any]], str]
    ) -> RegisteredModel:
        """Give ``meta`` the next version; ``report`` writes the HTML report of the result."""
        self.root.mkdir(parents=True, exist_ok=True)
        version = max(self._versions(), default=0) + 1
        folder = self.root / f"v{version}"
        folder.mkdir()
        meta = {**meta, "version": version, "purpose": PURPOSE}
        (folder / "report.html").write_text(report(meta))
        _write_atomically(folder / "model.json", json.dumps(meta, indent=2, allow_nan=False))
        return RegisteredModel(version, meta)

    def models(self) -> list[RegisteredModel]:
        return [self.get(v) for v in sorted(self._versions(), reverse=True)]

    def get(self, version: int) -> RegisteredModel:
        path = self.root / f"v{version}" / "model.json"
        if not path.is_file():
            raise ModelNotFound(f"no window model with version {version}")
        try:
            return RegisteredModel(version, json.loads(path.read_text()))
        except (OSError, ValueError) as exc:
            raise ModelError(f"model {path}: not readable JSON: {exc}") from exc

    def report_path(self, version: int) -> Path:
        self.get(version)
        return self.root / f"v{version}" / "report.html"

    def active_version(self) -> int | None:
        path = self.root / _ACTIVE
        return int(json.loads(path.read_text())["version"]) if path.is_file() else None

    def activate(self, version: int) -> RegisteredModel:
        model = self.get(version)
        _write_atomically(self.root / _ACTIVE, json.dumps({"version": version}))
        return model

    def scores_path(self, version: int, session_id: int, create: bool = True) -> Path:
        """Where a session re-scored by ``version`` is kept; 404 for an unknown version."""
        self.get(version)
        folder = self.root / f"v{version}" / "scores"
        if create:
            folder.mkdir(exist_ok=True)
        return folder / f"session-{session_id}.csv"

    def _versions(self) -> list[int]:
        if not self.root.is_dir():
            return []
        return [int(p.name[1:]) for p in self.root.iterdir() if p.name[1:].isdigit()]


def _write_atomically(path: Path, text: str) -> None:
    """Readers see the old file or the new one, never half of one."""
    partial = path.with_suffix(".partial")
    partial.write_text(text)
    os.replace(partial, path)
