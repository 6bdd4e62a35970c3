"""Plate data as it goes on the wire (REST replies and events alike)."""

from __future__ import annotations

from collections.abc import Sequence

from sensorhub.loadcell.session import Plate, Sample, SessionState
from sensorhub.types import JSONDict


def sample_dicts(samples: Sequence[Sample]) -> list[JSONDict]:
    return [{"t": t, "l": left, "r": right} for t, left, right in samples]


def status_event(plate: Plate) -> JSONDict:
    """The ``test_status`` event: the plate's test state after a change."""
    session = plate.session
    return {
        "running": plate.state is SessionState.RUNNING,
        "state": plate.state.value,
        "session_id": session.id if session else None,
        "device_id": plate.device_id,
        "sample_count": session.sample_count if session else 0,
    }
