"""Fit a stress model and evaluate it leave-one-participant-out (LOPO), with scikit-learn (the
``[train]`` extra; imported only here, never on the server's start-up path).

Why LOPO: a model tested on windows of people it was trained on learns the people, not the
stress, and looks far better than it is on a new person (Saeb et al. 2017, GigaScience 6(5):
record-wise vs subject-wise cross-validation; Schmidt et al. 2018, WESAD, evaluate LOSO).
The figure with participants *not* held out (5-fold over windows) is computed too, only to
show that inflation.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from sensorhub.learning._dataset import LabelledWindow

# Fewer participants than this and the report says so: with LOPO each fold tests one person,
# and the spread of per-person accuracy across 10 people is the least that lets a mean over
# people be read as "a new person" (docs/research.md, "How many participants").
MIN_PARTICIPANTS = 10
# Inverse regularisation of the logistic regression: scikit-learn's default, not tuned on the
# test folds (tuning it there would leak them).
C = 1.0
INFLATED_FOLDS = 5
SEED = 0


@dataclass(frozen=True, slots=True)
class LinearParameters:
    """A fitted standardised logistic regression: p = σ(((x − mean)/scale)·coef + intercept)."""

    mean: list[float]
    scale: list[float]
    coef: list[float]
    intercept: float


def _pipeline() -> Any:
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    return make_pipeline(StandardScaler(), LogisticRegression(C=C, class_weight="balanced"))


def fit(x: np.ndarray, y: np.ndarray) -> LinearParameters:
    model = _pipeline().fit(x, y)
    scaler, logistic = model[0], model[1]
    return LinearParameters(
        scaler.mean_.tolist(), scaler.scale_.tolist(), logistic.coef_[0].tolist(),
        float(logistic.intercept_[0]),
    )  # fmt: skip


def scores(y: np.ndarray, p: np.ndarray) -> dict[str, Any]:
    """Balanced accuracy, F1 (stress the positive class) and ROC AUC (None with one class)."""
    from sklearn.metrics import balanced_accuracy_score, confusion_matrix, f1_score, roc_auc_score

    predicted = (p >= 0.5).astype(int)
    both = len(set(y.tolist())) == 2
    return {
        "windows": len(y),
        "balanced_accuracy": float(balanced_accuracy_score(y, predicted)) if both else None,
        "f1": float(f1_score(y, predicted, zero_division=0)),
        "roc_auc": float(roc_auc_score(y, p)) if both else None,
        "confusion": confusion_matrix(y, predicted, labels=[0, 1]).tolist(),
    }


def evaluate(windows: list[LabelledWindow]) -> dict[str, Any]:
    """LOPO per participant and pooled (every held-out prediction together), the ROC curve of
    the pooled predictions, and the inflated figure of folds that mix participants."""
    from sklearn.metrics import roc_curve
    from sklearn.model_selection import StratifiedKFold

    x = np.array([w.features for w in windows])
    y = np.array([w.target for w in windows])
    people = np.array([w.participant for w in windows])
    held_out = np.zeros(len(y))
    per_participant = {}
    for person in sorted(set(people.tolist())):
        test = people == person
        if len(set(y[~test].tolist())) < 2:
            continue  # the others alone cannot teach both classes
        held_out[test] = _pipeline().fit(x[~test], y[~test]).predict_proba(x[test])[:, 1]
        per_participant[person] = scores(y[test], held_out[test])
    mixed = np.zeros(len(y))
    folds = StratifiedKFold(INFLATED_FOLDS, shuffle=True, random_state=SEED)
    for train, test in folds.split(x, y):
        mixed[test] = _pipeline().fit(x[train], y[train]).predict_proba(x[test])[:, 1]
    fpr, tpr, _ = roc_curve(y, held_out)
    participants = len(per_participant)
    return {
        "participants": participants,
        "too_few_participants": participants < MIN_PARTICIPANTS,
        "min_participants": MIN_PARTICIPANTS,
        "pooled": scores(y, held_out),
        "per_participant": per_participant,
        "not_held_out": scores(y, mixed),
        "roc": {"fpr": fpr.tolist(), "tpr": tpr.tolist()},
    }
