"""A registered window model with fixed parameters, for tests that need one to exist without
training it (the contract fuzzing's seeded server)."""

from __future__ import annotations

from pathlib import Path

from sensorhub.learning import ModelRegistry, RegisteredModel
from sensorhub.physio import FEATURE_NAMES

_SCORES = {"windows": 2, "balanced_accuracy": 0.5, "f1": 0.5, "roc_auc": 0.5,
           "confusion": [[1, 0], [1, 0]]}  # fmt: skip


def register_fixed_model(data_dir: Path) -> RegisteredModel:
    """Heart rate alone: p = σ((hr − 75) / 10); every other coefficient 0."""
    features = list(FEATURE_NAMES)
    meta = {
        "name": "fixed", "created_at": 0.0, "demo": False, "target": "phase",
        "features": features, "relative_to_baseline": False, "sessions": [1],
        "participants": ["P01"], "windows": 2,
        "parameters": {"mean": [75.0] + [0.0] * (len(features) - 1),
                       "scale": [10.0] + [1.0] * (len(features) - 1),
                       "coef": [1.0] + [0.0] * (len(features) - 1), "intercept": 0.0},
        "evaluation": {"participants": 1, "too_few_participants": True, "min_participants": 10,
                       "pooled": _SCORES, "per_participant": {"P01": _SCORES},
                       "not_held_out": _SCORES, "roc": {"fpr": [0, 1], "tpr": [0, 1]}},
    }  # fmt: skip
    return ModelRegistry(data_dir).register(meta, lambda m: "<!doctype html><title>fixed</title>")
