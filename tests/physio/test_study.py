"""Phases last from their mark to the next one, or to the session's stop."""

from __future__ import annotations

from sensorhub.physio.study import LABEL, PHASE, Mark, PhaseSpan, phase_spans


def test_no_phases_no_spans() -> None:
    assert phase_spans([], None) == [] and phase_spans([], 10.0) == []


def test_each_phase_ends_where_the_next_begins_and_the_last_at_the_stop() -> None:
    marks = [
        Mark(1, PHASE, "stress", None, 20.0),
        Mark(1, LABEL, "stress (1-9)", "7", 25.0),
        Mark(1, PHASE, "baseline", None, 5.0),
    ]
    assert phase_spans(marks, 40.0) == [
        PhaseSpan("baseline", None, 5.0, 20.0),
        PhaseSpan("stress", None, 20.0, 40.0),
    ]
    assert phase_spans(marks, None)[-1].end is None
