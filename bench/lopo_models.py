"""Which model family generalises to a new person: leave-one-participant-out balanced accuracy
and ROC AUC of a logistic regression and a random forest, on the loop test's six simulated
participants (windows computed offline with the server's own code; docs/research.md).

Run: PYTHONPATH=. .venv/bin/python bench/lopo_models.py (needs the [train] extra).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import numpy as np
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import balanced_accuracy_score, roc_auc_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sensorhub.physio import SlidingWindows, window_features
from sensorhub.signals import SignalBatchIn
from sensorhub.studies import batch_payloads
from tests.learning._participants import PARTICIPANTS, PHASE_S, PHASES, recording


def labelled_windows() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Features, stress (1) or not, participant: windows wholly inside one phase."""
    rows, targets, people = [], [], []
    for person in range(PARTICIPANTS):
        rec = recording(person)
        windows = SlidingWindows(60, 10)
        for payload in batch_payloads("sim", rec):
            for w in windows.add(SignalBatchIn.model_validate(payload).to_batch()):
                vector = window_features(w.signals).vector()
                start = w.start_ms / 1000 - rec.start_s()
                phase = int(start // PHASE_S)
                if vector is None or w.end_ms / 1000 - rec.start_s() > (phase + 1) * PHASE_S:
                    continue
                rows.append(vector)
                targets.append(int(PHASES[phase] == "stress"))
                people.append(person)
    return np.array(rows), np.array(targets), np.array(people)


def lopo(make: Callable[[], Any], x: np.ndarray, y: np.ndarray, people: np.ndarray) -> str:
    p = np.zeros(len(y))
    for person in range(PARTICIPANTS):
        test = people == person
        p[test] = make().fit(x[~test], y[~test]).predict_proba(x[test])[:, 1]
    accuracy = balanced_accuracy_score(y, p >= 0.5)
    return f"LOPO balanced accuracy {accuracy:.3f} ROC AUC {roc_auc_score(y, p):.3f}"


def main() -> None:
    x, y, people = labelled_windows()
    relative = x.copy()
    for person in range(PARTICIPANTS):
        mine = np.flatnonzero(people == person)
        baseline = mine[y[mine] == 0][: len(mine) // 3]  # the first phase: baseline
        relative[mine] -= x[baseline].mean(axis=0)
    print(f"{len(y)} windows")
    models: list[tuple[str, Callable[[], Any]]] = [
        ("logistic", lambda: make_pipeline(StandardScaler(),
                                           LogisticRegression(class_weight="balanced"))),
        ("random forest", lambda: RandomForestClassifier(random_state=0, class_weight="balanced")),
    ]  # fmt: skip
    for name, make in models:
        for features, inputs in (("absolute", x), ("relative", relative)):
            started = time.process_time()
            figures = lopo(make, inputs, y, people)
            cpu = time.process_time() - started
            print(f"{name:14} {features:9} {figures} cpu {cpu:.2f}s")


if __name__ == "__main__":
    main()
