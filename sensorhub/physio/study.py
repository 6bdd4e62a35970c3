"""Study sessions on a wearable: a participant (a pseudonym), the protocol's phases as they
begin, and self-report labels. Plain data; storage and the routes keep and serve it."""

from __future__ import annotations

from dataclasses import dataclass

# The WESAD protocol's conditions; anything else is a ``custom`` phase with its own name.
PHASES = ("baseline", "stress", "amusement", "recovery", "custom")
PHASE = "phase"
LABEL = "label"


@dataclass(frozen=True, slots=True)
class Mark:
    """A phase beginning (``name``: the phase, ``value``: a custom phase's own name) or a
    self-report label (``name``: the question, ``value``: the answer) at server time ``at``."""

    session_id: int
    kind: str
    name: str
    value: str | None
    at: float
    id: int | None = None


@dataclass(frozen=True, slots=True)
class StudySession:
    device_id: str
    participant: str
    started_at: float
    stopped_at: float | None = None
    notes: str | None = None
    id: int | None = None


@dataclass(frozen=True, slots=True)
class PhaseSpan:
    name: str
    value: str | None
    start: float
    end: float | None  # None: still running


def phase_spans(marks: list[Mark], stopped_at: float | None) -> list[PhaseSpan]:
    """Each phase lasts from its mark to the next phase's mark, or to the session's stop."""
    phases = sorted((m for m in marks if m.kind == PHASE), key=lambda m: m.at)
    ends = [m.at for m in phases[1:]] + [stopped_at]
    if not phases:
        return []
    return [PhaseSpan(m.name, m.value, m.at, end) for m, end in zip(phases, ends, strict=True)]


def phase_containing(spans: list[PhaseSpan], start: float, end: float) -> str | None:
    """The phase (a custom one by its own name) that [start, end] lies wholly inside, or None
    when it spans two: a window is labelled by one phase or by none."""
    for span in spans:
        if span.start <= start and (span.end is None or end <= span.end):
            return span.value or span.name
    return None
