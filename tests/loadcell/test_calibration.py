"""Calibration math against known answers: raw counts, kg and newtons."""

from __future__ import annotations

import pytest

from sensorhub.errors import PlateNotReady, SensorhubError, ValidationError
from sensorhub.loadcell.calibration import (
    GRAVITY,
    Calibration,
    ChannelCalibration,
    calibrate_channel,
    tare,
)


def test_identity_by_default() -> None:
    assert Calibration().l.to_newtons(123.4) == 123.4


def test_tare_zeroes_each_channel_at_its_mean_and_keeps_scales() -> None:
    start = Calibration(ChannelCalibration(0, 2.0), ChannelCalibration(0, 3.0))
    tared = tare(start, [(0, 100.0, 50.0), (1, 102.0, 54.0)])
    assert (tared.l.offset, tared.r.offset) == (101.0, 52.0)
    assert (tared.l.scale, tared.r.scale) == (2.0, 3.0)
    assert tared.l.to_newtons(101.0) == 0.0


def test_known_mass_on_raw_counts_gives_newtons() -> None:
    # An HX711-style channel: zero at 8000 counts, 20 kg reads 28000 counts.
    zeroed = Calibration(ChannelCalibration(8000.0, 1.0), ChannelCalibration())
    calibrated = calibrate_channel(zeroed, "l", 20.0, [(0, 28000.0, 0.0)] * 10)
    assert calibrated.l.to_newtons(28000.0) == pytest.approx(20.0 * GRAVITY)
    assert calibrated.l.to_newtons(18000.0) == pytest.approx(10.0 * GRAVITY)
    assert calibrated.r == ChannelCalibration()


def test_firmware_sending_kg_needs_scale_g() -> None:
    calibrated = calibrate_channel(Calibration(), "r", 80.0, [(0, 0.0, 80.0)])
    assert calibrated.r.scale == pytest.approx(GRAVITY)


@pytest.mark.parametrize(
    ("mass", "samples", "error", "message"),
    [
        (0.0, [(0, 1.0, 1.0)], ValidationError, "mass_kg"),
        # The request is fine; the plate's state is not (a 409, not a 422).
        (10.0, [], PlateNotReady, "no recent samples"),
        (10.0, [(0, 0.0, 0.0)], PlateNotReady, "reads the same as its zero"),
    ],
)
def test_impossible_calibrations_are_refused(
    mass: float,
    samples: list[tuple[float, float, float]],
    error: type[SensorhubError],
    message: str,
) -> None:
    with pytest.raises(error, match=message):
        calibrate_channel(Calibration(), "l", mass, samples)


def test_round_trips_through_its_dict() -> None:
    calibration = Calibration(ChannelCalibration(1.5, 2.5), ChannelCalibration(-3.0, 0.5))
    assert Calibration.from_dict(calibration.to_dict()) == calibration
