"""The test lifecycle, driven by a hand-moved clock: no sleeps, no server."""

from __future__ import annotations

import asyncio

import pytest

from sensorhub.errors import NoReading, NoSessionRunning, SessionRunning, StorageError
from sensorhub.loadcell.calibration import Calibration, ChannelCalibration
from sensorhub.loadcell.session import SessionState
from sensorhub.plates import FIRST_SAVE_RETRY_S, PLATE_IDLE_S
from tests.plates.conftest import FLUSH_GRACE_S, Rig, settle

DEVICE = "plate-a"


def batch(start: int, count: int = 5) -> list[tuple[float, float, float]]:
    return [(float(start + i), 100.0 + i, 200.0 + i) for i in range(count)]


async def stored_state(rig: Rig, test_id: int) -> str:
    return (await rig.storage.tests.require(test_id)).state


async def test_start_samples_stop_done_saves_every_sample(rig: Rig) -> None:
    rig.connect_esp(DEVICE)
    recorder = rig.plates.recorder
    session = await recorder.start(DEVICE, "Ann", None)
    await recorder.ingest(DEVICE, batch(0))
    await recorder.stop(DEVICE)
    await recorder.ingest(DEVICE, batch(5))  # the esp's last buffer, after the stop
    await recorder.done(DEVICE)

    [complete] = rig.broadcaster.named("data_complete")
    assert complete["session_id"] == session.id and complete["samples"] == 10
    record = await rig.storage.tests.require(session.id)
    assert record.state == SessionState.COMPLETE.value and record.sample_count == 10
    assert await rig.storage.tests.samples(session.id) == batch(0) + batch(5)
    assert rig.files.find(record.csv_file) is not None


async def test_stop_then_silence_past_the_grace_saves(rig: Rig) -> None:
    rig.connect_esp(DEVICE)
    recorder = rig.plates.recorder
    session = await recorder.start(DEVICE, None, None)
    await recorder.stop(DEVICE)
    await settle(lambda: rig.timer.sleeping == 1)
    rig.timer.advance(FLUSH_GRACE_S / 2)
    await recorder.ingest(DEVICE, batch(0))  # still flushing: the sample belongs to the test
    await settle(lambda: rig.timer.sleeping == 1)
    rig.timer.advance(FLUSH_GRACE_S / 2)  # grace since the stop, not since the last sample
    await settle(lambda: rig.timer.sleeping == 1)
    assert rig.broadcaster.named("data_complete") == []
    assert rig.plates.views.status(DEVICE)["state"] == "flushing"

    rig.timer.advance(FLUSH_GRACE_S / 2)
    [complete] = await rig.broadcaster.wait("data_complete")
    assert complete["session_id"] == session.id and complete["samples"] == 5
    assert await stored_state(rig, session.id) == SessionState.COMPLETE.value


async def test_stop_without_an_esp_saves_at_once(rig: Rig) -> None:
    recorder = rig.plates.recorder
    session = await recorder.start(DEVICE, None, None)
    await recorder.ingest(DEVICE, batch(0))
    await recorder.stop(DEVICE)
    assert rig.timer.sleeping == 0
    [complete] = rig.broadcaster.named("data_complete")
    assert complete["session_id"] == session.id and complete["samples"] == 5
    assert rig.plates.views.status(DEVICE)["state"] == "idle"


async def test_done_and_silence_at_once_save_the_test_once(rig: Rig) -> None:
    rig.connect_esp(DEVICE)
    recorder = rig.plates.recorder
    session = await recorder.start(DEVICE, None, None)
    await recorder.ingest(DEVICE, batch(0))
    await recorder.stop(DEVICE)
    await settle(lambda: rig.timer.sleeping == 1)
    rig.timer.advance(FLUSH_GRACE_S)  # the silence timer wakes …
    await recorder.done(DEVICE)  # … while the esp's done arrives
    [complete] = await rig.broadcaster.wait("data_complete")
    # The loser of the race sees the test already detached from the plate and returns.
    await recorder.close()
    assert rig.broadcaster.named("data_complete") == [complete]
    assert complete["session_id"] == session.id
    assert len(list(rig.files.directory.glob("*.csv"))) == 1


async def test_a_failed_stop_write_leaves_the_test_running_and_a_retry_stops_it(
    rig: Rig,
) -> None:
    recorder = rig.plates.recorder
    session = await recorder.start(DEVICE, None, None)
    rig.storage.failing.add("update")
    with pytest.raises(StorageError):
        await recorder.stop(DEVICE)
    assert rig.plates.views.status(DEVICE)["state"] == "running"
    assert await stored_state(rig, session.id) == SessionState.RUNNING.value
    await recorder.ingest(DEVICE, batch(0))  # the test goes on taking samples

    rig.storage.failing.clear()
    await recorder.stop(DEVICE)
    [complete] = rig.broadcaster.named("data_complete")
    assert complete["session_id"] == session.id and complete["samples"] == 5


async def test_a_final_save_the_database_refuses_is_retried_until_stored(rig: Rig) -> None:
    recorder = rig.plates.recorder
    session = await recorder.start(DEVICE, None, None)
    await recorder.ingest(DEVICE, batch(0))
    rig.storage.failing.add("complete")
    await recorder.stop(DEVICE)  # stopped: the save's failure is not the stop's

    assert rig.plates.views.status(DEVICE)["state"] == "idle"  # free for the next test
    assert rig.broadcaster.named("data_complete") == []
    assert await stored_state(rig, session.id) == SessionState.FLUSHING.value
    await settle(lambda: rig.timer.sleeping == 1)
    rig.timer.advance(FIRST_SAVE_RETRY_S)  # still refused: the next pause is longer
    await settle(lambda: rig.timer.sleeping == 1)
    assert rig.broadcaster.named("data_complete") == []

    rig.storage.failing.clear()
    rig.timer.advance(2 * FIRST_SAVE_RETRY_S)
    [complete] = await rig.broadcaster.wait("data_complete")
    assert complete["session_id"] == session.id and complete["samples"] == 5
    assert await stored_state(rig, session.id) == SessionState.COMPLETE.value
    assert await rig.storage.tests.samples(session.id) == batch(0)


async def test_a_batch_the_database_refuses_is_not_in_the_saved_test(rig: Rig) -> None:
    recorder = rig.plates.recorder
    session = await recorder.start(DEVICE, None, None)
    await recorder.ingest(DEVICE, batch(0))
    rig.storage.failing.add("append_samples")
    with pytest.raises(StorageError):
        await recorder.ingest(DEVICE, batch(5))  # the esp is told: not stored
    assert rig.plates.views.status(DEVICE)["sample_count"] == 5
    rig.storage.failing.clear()
    await recorder.ingest(DEVICE, batch(10))
    await recorder.stop(DEVICE)

    [complete] = rig.broadcaster.named("data_complete")
    assert complete["samples"] == 10
    assert await rig.storage.tests.samples(session.id) == batch(0) + batch(10)
    record = await rig.storage.tests.require(session.id)
    path = rig.files.find(record.csv_file)
    assert path is not None and len(path.read_text().splitlines()) == 1 + 10  # header + kept


async def test_a_failed_start_write_leaves_the_plate_idle_and_a_retry_starts(rig: Rig) -> None:
    recorder = rig.plates.recorder
    rig.storage.failing.add("create")
    with pytest.raises(StorageError):
        await recorder.start(DEVICE, None, None)
    assert rig.plates.views.status(DEVICE)["state"] == "idle"
    assert rig.broadcaster.named("message") == []  # no esp was told to start

    rig.storage.failing.clear()
    session = await recorder.start(DEVICE, None, None)
    assert rig.plates.views.status(DEVICE)["session_id"] == session.id


async def test_two_starts_at_once_start_one_test(rig: Rig) -> None:
    recorder = rig.plates.recorder
    results = await asyncio.gather(
        recorder.start(DEVICE, None, None),
        recorder.start(DEVICE, None, None),
        return_exceptions=True,
    )
    assert sum(isinstance(r, SessionRunning) for r in results) == 1


async def test_stop_without_a_running_test_is_refused(rig: Rig) -> None:
    with pytest.raises(NoSessionRunning):
        await rig.plates.recorder.stop(DEVICE)


def devices_listed(rig: Rig) -> list[str]:
    return [d["device_id"] for d in rig.plates.views.status(DEVICE)["devices"]]


async def test_a_plate_quiet_for_the_idle_time_is_forgotten_at_the_next_batch(rig: Rig) -> None:
    recorder = rig.plates.recorder
    for n in range(3):
        await recorder.ingest(f"quiet-{n}", batch(0))
    assert devices_listed(rig) == ["quiet-0", "quiet-1", "quiet-2"]
    rig.timer.advance(PLATE_IDLE_S / 2)
    await recorder.ingest("quiet-0", batch(5))  # heard again: its idle time starts over
    rig.timer.advance(PLATE_IDLE_S / 2)
    await recorder.ingest("other", batch(0))
    assert devices_listed(rig) == ["quiet-0", "other"]


async def test_a_plate_with_a_test_is_never_forgotten(rig: Rig) -> None:
    recorder = rig.plates.recorder
    session = await recorder.start(DEVICE, None, None)
    await recorder.ingest(DEVICE, batch(0))
    rig.timer.advance(10 * PLATE_IDLE_S)
    await recorder.ingest("other", batch(0))
    assert rig.plates.views.status(DEVICE)["session_id"] == session.id
    assert DEVICE in devices_listed(rig)


async def test_a_forgotten_plate_keeps_its_calibration_but_not_its_samples(rig: Rig) -> None:
    recorder = rig.plates.recorder
    calibration = Calibration(l=ChannelCalibration(offset=1.0, scale=2.0))
    await rig.plates.calibration.set(DEVICE, calibration)
    await recorder.ingest(DEVICE, batch(0))
    rig.timer.advance(PLATE_IDLE_S)
    recorder.forget_quiet()
    assert rig.plates.calibration.current(DEVICE) == calibration
    assert rig.plates.views.status(DEVICE)["devices"][0]["device_id"] == DEVICE
    with pytest.raises(NoReading):
        rig.plates.views.latest(DEVICE)
