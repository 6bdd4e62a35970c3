"""Train, evaluate and deploy window stress models from study sessions (issue 25): labelled
windows, leave-one-participant-out evaluation and its report (scikit-learn and matplotlib, the
``[train]`` extra, imported only when training), and the registry of versioned models, which
serves them with NumPy alone."""

from sensorhub.learning._dataset import (
    PHASE_TARGET,
    TARGET_PATTERN,
    LabelledWindow,
    SessionWindows,
    Target,
    labelled_windows,
    relative_to_baseline,
    window_phase,
)
from sensorhub.learning._registry import ModelRegistry, RegisteredModel
from sensorhub.learning._train import RESCORE_COLUMNS, rescore, train, train_and_register

__all__ = [
    "LabelledWindow",
    "ModelRegistry",
    "PHASE_TARGET",
    "RESCORE_COLUMNS",
    "RegisteredModel",
    "SessionWindows",
    "TARGET_PATTERN",
    "Target",
    "labelled_windows",
    "relative_to_baseline",
    "rescore",
    "train",
    "train_and_register",
    "window_phase",
]
