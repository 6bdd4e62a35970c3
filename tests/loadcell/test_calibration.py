"""Calibration math against known answers: raw counts, kg and newtons."""

from __future__ import annotations

import pytest

from sensorhub.errors import PlateLoaded, PlateNotReady, SensorhubError, ValidationError
from sensorhub.loadcell.calibration import (
    GRAVITY,
    TARE_MAX_LOAD_N,
    Calibration,
    ChannelCalibration,
    calibrate_channel,
    tare,
)


def test_identity_by_default() -> None:
    assert Calibration().l.to_newtons(123.4) == 123.4


def test_tare_zeroes_each_channel_at_its_mean_and_keeps_scales() -> None:
    start = Calibration(ChannelCalibration(0, 2.0), ChannelCalibration(0, 3.0))
    # 101 × 2 + 52 × 3 = 358 N above the old zero: a load, so the tare is confirmed.
    tared = tare(start, [(0, 100.0, 50.0), (1, 102.0, 54.0)], confirmed=True)
    assert (tared.l.offset, tared.r.offset) == (101.0, 52.0)
    assert (tared.l.scale, tared.r.scale) == (2.0, 3.0)
    assert tared.l.to_newtons(101.0) == 0.0


def _standing(total_n: float) -> list[tuple[float, float, float]]:
    """Samples of a plate tared at zero (identity scale) reading ``total_n`` across both sides."""
    return [(t, total_n / 2, total_n / 2) for t in range(10)]


def test_tare_with_a_person_on_the_plate_is_refused_naming_the_load() -> None:
    zeroed = Calibration(ChannelCalibration(0.0, 1.0), ChannelCalibration(0.0, 1.0))
    with pytest.raises(PlateLoaded) as refused:
        tare(zeroed, _standing(784.0))
    assert "784 N" in refused.value.message
    assert f"{784.0 / GRAVITY:.1f} kg" in refused.value.message


def test_tare_with_a_person_on_the_plate_goes_through_when_confirmed() -> None:
    tared = tare(Calibration(), _standing(784.0), confirmed=True)
    assert (tared.l.offset, tared.r.offset) == (392.0, 392.0)


@pytest.mark.parametrize("drift_n", [TARE_MAX_LOAD_N, -TARE_MAX_LOAD_N, 20.0])
def test_tare_of_a_drifted_empty_plate_needs_no_confirmation(drift_n: float) -> None:
    tared = tare(Calibration(), _standing(drift_n))
    assert tared.l.offset + tared.r.offset == pytest.approx(drift_n)


def test_first_tare_of_raw_counts_says_they_are_raw() -> None:
    with pytest.raises(PlateLoaded, match="not yet tared"):
        tare(Calibration(), _standing(8_000_000.0))


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
