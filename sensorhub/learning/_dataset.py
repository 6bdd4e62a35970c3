"""Labelled windows from study sessions: each window's phase (the one it lies wholly inside),
its target, and its features, optionally relative to its participant's baseline phase."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, replace

import numpy as np

from sensorhub.errors import ValidationError
from sensorhub.physio.study import LABEL, Mark, StudySession, phase_containing, phase_spans
from sensorhub.storage import WindowRecord

BASELINE = "baseline"
PHASE_TARGET = "phase"
# A window is "stressed" in the phase target when it lies in the stress phase; baseline,
# amusement and recovery are the other class (WESAD's binary task, Schmidt et al. 2018).
STRESS_PHASE = "stress"
_LABEL_TARGET = re.compile(r"^label:(?P<name>[^>]+)>=(?P<threshold>-?\d+(\.\d+)?)$")
# What a target may be, for the request's schema: phase, or label:NAME>=X.
TARGET_PATTERN = r"^(phase|label:[^>]+>=-?\d+(\.\d+)?)$"


@dataclass(frozen=True, slots=True)
class Target:
    """What a model learns: ``phase`` (stress vs the other phases) or ``label:NAME>=X`` (the
    last answer to NAME before the window's end is at least X)."""

    spec: str

    @classmethod
    def parse(cls, spec: str) -> Target:
        if spec != PHASE_TARGET and _LABEL_TARGET.match(spec) is None:
            raise ValidationError(f"target: {spec!r} is neither 'phase' nor 'label:NAME>=X'")
        return cls(spec)

    def of(self, phase: str, labels: list[Mark], end: float) -> int | None:
        if self.spec == PHASE_TARGET:
            return int(phase == STRESS_PHASE)
        match = _LABEL_TARGET.match(self.spec)
        assert match is not None  # checked in parse
        answers = [m for m in labels if m.name == match["name"] and m.at <= end]
        if not answers:
            return None
        try:
            return int(float(answers[-1].value or "") >= float(match["threshold"]))
        except ValueError:
            return None


@dataclass(frozen=True, slots=True)
class LabelledWindow:
    participant: str
    session_id: int
    phase: str
    features: tuple[float, ...]
    target: int


@dataclass(frozen=True, slots=True)
class SessionWindows:
    session: StudySession
    marks: list[Mark]
    windows: list[WindowRecord]


def window_phase(record: WindowRecord, session: SessionWindows) -> str | None:
    """The phase the window lies wholly inside (server time), or None (between phases)."""
    length_s = (record.end_ms - record.start_ms) / 1000.0
    spans = phase_spans(session.marks, session.session.stopped_at)
    return phase_containing(spans, record.at - length_s, record.at)


def labelled_windows(
    sessions: list[SessionWindows], features: tuple[str, ...], target: Target
) -> list[LabelledWindow]:
    """Every good window wholly inside a phase with a target; poor windows are left out."""
    out = []
    for s in sessions:
        assert s.session.id is not None
        labels = [m for m in s.marks if m.kind == LABEL]
        for record in s.windows:
            values = record.features.as_dict()
            phase = window_phase(record, s)
            if phase is None or any(values[name] is None for name in features):
                continue
            value = target.of(phase, labels, record.at)
            if value is not None:
                vector = tuple(float(values[name]) for name in features)  # type: ignore[arg-type]
                out.append(
                    LabelledWindow(s.session.participant, s.session.id, phase, vector, value)
                )
    return out


def relative_to_baseline(windows: list[LabelledWindow]) -> list[LabelledWindow]:
    """Each window's features minus the mean of its participant's baseline windows (the
    per-person normalisation that lifts cross-person accuracy in WESAD-style studies);
    participants with no baseline window are left out."""
    baselines: dict[str, list[tuple[float, ...]]] = defaultdict(list)
    for w in windows:
        if w.phase == BASELINE:
            baselines[w.participant].append(w.features)
    means = {p: np.mean(np.array(v), axis=0) for p, v in baselines.items()}
    return [
        replace(w, features=tuple((np.array(w.features) - means[w.participant]).tolist()))
        for w in windows
        if w.participant in means
    ]
