"""Train a window model over study sessions, evaluate it, and re-score a session with one."""

from __future__ import annotations

import time
from dataclasses import asdict
from typing import Any

import numpy as np

from sensorhub.biometrics import classify
from sensorhub.contracts import iso_time
from sensorhub.errors import ValidationError
from sensorhub.learning._dataset import (
    BASELINE,
    SessionWindows,
    Target,
    labelled_windows,
    relative_to_baseline,
    window_phase,
)
from sensorhub.learning._registry import ModelRegistry, RegisteredModel
from sensorhub.physio import FEATURE_NAMES

# The smallest LOPO evaluation that can run at all: two people to train on, one to test.
FEWEST_PARTICIPANTS = 3


def train(
    sessions: list[SessionWindows], target: Target, relative: bool, name: str
) -> dict[str, Any]:
    """The new model's metadata: parameters, evaluation, provenance. CPU-bound and imports
    scikit-learn: call it in a worker thread or a command."""
    from sensorhub.learning._evaluate import evaluate, fit

    windows = labelled_windows(sessions, FEATURE_NAMES, target)
    if relative:
        windows = relative_to_baseline(windows)
    people = {w.participant for w in windows}
    if len(people) < FEWEST_PARTICIPANTS or len({w.target for w in windows}) < 2:
        raise ValidationError(
            f"sessions: need labelled windows of both classes from at least "
            f"{FEWEST_PARTICIPANTS} participants ({len(people)} found)"
        )
    x = np.array([w.features for w in windows])
    y = np.array([w.target for w in windows])
    meta: dict[str, Any] = {
        "name": name,
        "created_at": time.time(),
        "demo": False,
        "target": target.spec,
        "features": list(FEATURE_NAMES),
        "relative_to_baseline": relative,
        "sessions": sorted({w.session_id for w in windows}),
        "participants": sorted(people),
        "windows": len(windows),
        "parameters": asdict(fit(x, y)),
        "evaluation": evaluate(windows),
    }
    return meta


def train_and_register(
    registry: ModelRegistry, sessions: list[SessionWindows], target: Target, relative: bool,
    name: str,
) -> RegisteredModel:  # fmt: skip
    from sensorhub.learning._report import report_html

    return registry.register(train(sessions, target, relative, name), report_html)


RESCORE_COLUMNS = ("window_id", "start_ms", "end_ms", "time_utc", "phase",
                   "stress_probability", "prediction", "model")  # fmt: skip


def rescore(model: RegisteredModel, session: SessionWindows) -> list[tuple[object, ...]]:
    """Every good window of ``session`` scored by ``model`` (relative to this session's own
    baseline windows if the model was trained so); the stored predictions stay as they were."""
    rows = [(r, window_phase(r, session), r.features.vector()) for r in session.windows]
    good = [(r, phase, v) for r, phase, v in rows if v is not None]
    if not good:
        return []
    x = np.array([v for _, _, v in good])
    if model.relative_to_baseline:
        baseline = [v for _, phase, v in good if phase == BASELINE]
        if not baseline:
            raise ValidationError(
                f"session {session.session.id}: model {model.name} takes features relative to "
                "the baseline, and this session has no baseline window"
            )
        x = x - np.mean(np.array(baseline), axis=0)
    p = model.predict_proba(x.astype(np.float32)).tolist()
    return [
        (r.id, r.start_ms, r.end_ms, iso_time(r.at), phase, prob, classify(prob), model.name)
        for (r, phase, _), prob in zip(good, p, strict=True)
    ]
