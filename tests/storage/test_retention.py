"""Retention on a simulated clock: raw signal batches and readings before the cut-off become
exact per-minute aggregates, windows before it go, nothing goes without a setting, and
scheduled backups keep N."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import numpy as np
import pytest

from sensorhub.backup import scheduled_name
from sensorhub.biometrics.readings import ProcessedReading
from sensorhub.config import Settings
from sensorhub.physio import ACC, BVP, TEMPERATURE, SignalBatch, WindowFeatures, samples
from sensorhub.storage import ReadingQuery, Storage, WindowQuery, WindowRecord
from sensorhub.upkeep import Upkeep

MINUTE = 60.0
T0 = 1_800_000_000.0  # a minute boundary (divisible by 60)
DEVICE = "wrist-retained"


def batch(seq: int, seconds: float) -> SignalBatch:
    rng = np.random.default_rng(seq)
    return SignalBatch(
        DEVICE,
        seq,
        1000.0 * seq * seconds,
        {
            BVP: samples(64, rng.normal(0, 50, int(64 * seconds))),
            TEMPERATURE: samples(4, 33 + rng.normal(0, 0.1, int(4 * seconds))),
            ACC: samples(32, rng.normal(0, 0.1, (int(32 * seconds), 3))),
        },
    )


def arrival(minute: int, batch_seconds: float, part: int = 0) -> float:
    """When a batch whose samples all fall in ``minute`` (part ``part`` of it) arrives: its
    last sample at arrival, its first 1/64 s after the part's start."""
    return T0 + minute * MINUTE + (part + 1) * batch_seconds - 1 / 64


def expected(batches: list[SignalBatch]) -> dict[str, tuple[float, float, float, int]]:
    values = {
        "bvp": np.concatenate([b.channels[BVP].values for b in batches]),
        "temperature": np.concatenate([b.channels[TEMPERATURE].values for b in batches]),
    }
    for i, axis in enumerate(("acc_x", "acc_y", "acc_z")):
        values[axis] = np.concatenate([b.channels[ACC].values[:, i] for b in batches])
    return {k: (float(v.mean()), float(v.min()), float(v.max()), v.size) for k, v in values.items()}


@pytest.fixture
async def storage(tmp_path: Path) -> AsyncIterator[Storage]:
    opened = Storage(f"sqlite:///{tmp_path / 'sensorhub.db'}")
    await opened.open()
    yield opened
    await opened.close()


async def stored_minutes(storage: Storage) -> dict[tuple[float, str], tuple[float, ...]]:
    records = await storage.retention.minutes(DEVICE, None, None, 10_000)
    return {(r.minute, r.channel): (r.mean, r.min, r.max, r.count) for r in records}


def assert_aggregates(found: tuple[float, ...], truth: tuple[float, float, float, int]) -> None:
    # A float64 sum of n values divided by n: a few ulps of the largest magnitude per value.
    n = truth[3]
    assert found[3] == n
    assert found[0] == pytest.approx(truth[0], abs=n * 4 * np.finfo(float).eps * 200)
    assert found[1:3] == truth[1:3]  # min and max are values, exactly


async def test_batches_before_the_cut_off_become_exact_minute_aggregates(
    storage: Storage,
) -> None:
    batches = [batch(seq, MINUTE) for seq in range(5)]
    for minute, one in enumerate(batches):
        assert await storage.signals.add_batch(one, arrival(minute, MINUTE))
    thinned = await storage.retention.thin(before=T0 + 3 * MINUTE)
    assert thinned == 3 * 3  # three batches, three channel rows each
    minutes = await stored_minutes(storage)
    assert {minute for minute, _ in minutes} == {T0, T0 + MINUTE, T0 + 2 * MINUTE}
    for minute in range(3):
        for channel, truth in expected([batches[minute]]).items():
            assert_aggregates(minutes[(T0 + minute * MINUTE, channel)], truth)
    assert await storage.retention.oldest_raw(DEVICE) == arrival(3, MINUTE)  # the rest is raw


async def test_a_minute_thinned_in_two_goes_is_merged(storage: Storage) -> None:
    halves = [batch(seq, MINUTE / 2) for seq in range(2)]
    for part, half in enumerate(halves):
        assert await storage.signals.add_batch(half, arrival(0, MINUTE / 2, part))
    await storage.retention.thin(before=arrival(0, MINUTE / 2, 0) + 0.5)  # the first half
    await storage.retention.thin(before=T0 + MINUTE)  # then the second
    minutes = await stored_minutes(storage)
    for channel, truth in expected(halves).items():
        assert_aggregates(minutes[(T0, channel)], truth)


async def test_nothing_is_thinned_without_the_setting(storage: Storage, tmp_path: Path) -> None:
    assert await storage.signals.add_batch(batch(0, MINUTE), arrival(0, MINUTE))
    far_later = T0 + 365 * 86_400.0
    await Upkeep(Settings(data_dir=tmp_path), storage, clock=lambda: far_later).run_once()
    assert await storage.retention.oldest_raw(DEVICE) == arrival(0, MINUTE)
    assert await stored_minutes(storage) == {}

    kept_7_days = Settings(data_dir=tmp_path, retain_raw_signals_days=7)
    await Upkeep(kept_7_days, storage, clock=lambda: far_later).run_once()
    assert await storage.retention.oldest_raw(DEVICE) is None
    assert len(await stored_minutes(storage)) == 5  # bvp, temperature, three axes


async def test_scheduled_backups_come_at_their_interval_and_keep_the_newest(
    storage: Storage, tmp_path: Path
) -> None:
    settings = Settings(data_dir=tmp_path, db=storage.url, backup_every_h=24, backup_keep=2)
    now = [T0]
    upkeep = Upkeep(settings, storage, clock=lambda: now[0])
    made = []
    for hours in (0, 1, 24, 48, 49, 72):
        now[0] = T0 + hours * 3600
        await upkeep.run_once()
        made.append(sorted(path.name for path in (tmp_path / "backups").glob("*.tar.gz")))
    assert [len(names) for names in made] == [1, 1, 2, 2, 2, 2]
    # Made at 0, 24, 48 and 72 h (1 and 49 h are too soon); the newest two are kept.
    assert made[-1] == [scheduled_name(T0 + 48 * 3600), scheduled_name(T0 + 72 * 3600)]


def reading(received_at: float, bvp: float, temperature: float) -> ProcessedReading:
    return ProcessedReading(
        DEVICE, received_at, None, bvp, temperature, 0.1, 0.2, 0.3, 0.4, 0.25, "Calm", "demo"
    )


def window(at: float) -> WindowRecord:
    return WindowRecord(DEVICE, 0.0, 30_000.0, at, WindowFeatures("poor", "no_pulse"))


async def test_readings_and_windows_go_only_with_their_own_settings(
    storage: Storage, tmp_path: Path
) -> None:
    rng = np.random.default_rng(27)
    bvp, temperature = rng.normal(0, 50, 180), 33 + rng.normal(0, 0.1, 180)
    # Three minutes of one reading a second; minute 2 stays (the cut-off is T0 + 2 min).
    await storage.readings.add(
        [reading(T0 + i, float(bvp[i]), float(temperature[i])) for i in range(180)]
    )
    await storage.signals.add_windows([window(T0 + 30 * i) for i in range(6)])
    now = T0 + 2 * MINUTE + 7 * 86_400.0
    signals_only = Settings(data_dir=tmp_path, retain_raw_signals_days=7)
    await Upkeep(signals_only, storage, clock=lambda: now).run_once()
    assert len(await storage.readings.find(ReadingQuery(limit=1000))) == 180
    assert len(await storage.signals.list_windows(WindowQuery(limit=1000))) == 6

    both = Settings(data_dir=tmp_path, retain_readings_days=7, retain_windows_days=7)
    await Upkeep(both, storage, clock=lambda: now).run_once()
    kept = await storage.readings.find(ReadingQuery(limit=1000))
    assert sorted(r.received_at for r in kept) == [T0 + i for i in range(120, 180)]
    windows_kept = await storage.signals.list_windows(WindowQuery(limit=1000))
    assert sorted(w.at for w in windows_kept) == [T0 + 120, T0 + 150]
    minutes = await stored_minutes(storage)
    assert {minute for minute, _ in minutes} == {T0, T0 + MINUTE}
    for minute in range(2):
        part = slice(60 * minute, 60 * (minute + 1))
        for channel, values in (("reading_bvp", bvp[part]), ("reading_temp", temperature[part])):
            truth = (float(values.mean()), float(values.min()), float(values.max()), 60)
            assert_aggregates(minutes[(T0 + minute * MINUTE, channel)], truth)
        assert minutes[(T0 + minute * MINUTE, "reading_stress")][:3] == (0.25, 0.25, 0.25)
