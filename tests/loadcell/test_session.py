"""The plate state machine: idle → running → flushing → complete, and what it refuses."""

from __future__ import annotations

import pytest

from sensorhub.errors import NoSessionRunning, SessionRunning
from sensorhub.loadcell.calibration import Calibration
from sensorhub.loadcell.session import Plate, SessionState, TestSession


def new_session(test_id: int = 1) -> TestSession:
    return TestSession(test_id, "plate", 100.0, Calibration())


def test_full_lifecycle_keeps_every_sample_in_arrival_order() -> None:
    plate = Plate("plate")
    assert plate.receive([(0, 1, 1)]) == (None, 0)  # idle: live view only
    session = new_session()
    plate.begin(session)
    assert plate.receive([(1, 2, 2), (2, 3, 3)]) == (session, 1)
    plate.stop()
    assert session.state is SessionState.FLUSHING
    assert plate.receive([(3, 4, 4)]) == (session, 2)  # after stop: still the test's

    finished = plate.finish(SessionState.COMPLETE)

    assert finished.samples == [(1, 2, 2), (2, 3, 3), (3, 4, 4)]
    assert finished.state is SessionState.COMPLETE
    assert plate.state is SessionState.IDLE
    assert plate.last_session_id == 1
    assert plate.latest == (3, 4, 4)


@pytest.mark.parametrize("stopped", [False, True])
def test_starting_while_running_or_flushing_is_refused(stopped: bool) -> None:
    plate = Plate("plate")
    plate.begin(new_session())
    if stopped:
        plate.stop()
    with pytest.raises(SessionRunning, match="already"):
        plate.begin(new_session(2))


def test_stopping_when_idle_or_flushing_is_refused() -> None:
    plate = Plate("plate")
    with pytest.raises(NoSessionRunning):
        plate.stop()
    plate.begin(new_session())
    plate.stop()
    with pytest.raises(NoSessionRunning):
        plate.stop()


def test_last_second_uses_the_device_clock() -> None:
    plate = Plate("plate")
    plate.receive([(float(t), 1.0, 2.0) for t in range(0, 3000, 10)])
    window = plate.last_second()
    assert window[0][0] == 1990.0 and window[-1][0] == 2990.0
    assert len(window) == 101
