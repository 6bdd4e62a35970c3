"""The plate state machine: idle → running → flushing → complete, and what it refuses."""

from __future__ import annotations

import pytest

from sensorhub.errors import NoSessionRunning, SessionRunning
from sensorhub.loadcell.calibration import Calibration, ChannelCalibration
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


def test_peak_total_is_the_highest_calibrated_total_of_the_kept_samples() -> None:
    calibration = Calibration(ChannelCalibration(10.0, 2.0), ChannelCalibration(0.0, 1.0))
    session = TestSession(1, "plate", 100.0, calibration)
    assert session.peak_total_n() is None
    session.add([(0, 110, 5), (1, 60, 900)])  # totals 205 and 1000
    assert session.peak_total_n() == 1000.0
    highest = session.add([(2, 510, 100)])  # total 1100
    session.add([(3, 20, 0)])
    assert session.peak_total_n() == 1100.0  # batches since the last ask are read then
    session.withdraw(highest)  # the database refused it: its peak goes with it
    assert session.peak_total_n() == 1000.0


def test_peak_total_reads_restored_batches_in_any_order() -> None:
    session = new_session()
    session.restore([(2, [(1, 5, 5)]), (1, [(0, 400, 400)])])
    assert session.peak_total_n() == 800.0
    session.add([(2, 300, 300)])
    assert session.peak_total_n() == 800.0
