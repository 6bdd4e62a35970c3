"""Force-plate test samples on a simulated clock (SQLite and PostgreSQL): with
``retain_plate_samples_days`` set, a finished test started before the cut-off loses its sample
batches and CSV file and keeps its analysis and trial; a running or flushing test and a newer
one are never touched, an excluded one follows the same rule, nothing goes without the
setting, and ``db migrate-to`` copies a thinned test as thinned."""

from __future__ import annotations

import asyncio
from pathlib import Path

from sensorhub.config import Settings
from sensorhub.loadcell.session import Sample
from sensorhub.storage import Storage, TestFiles, migrate_to
from sensorhub.upkeep import DAY_S, Upkeep
from tests._postgres import postgres_database

T0 = 1_800_000_000.0
KEEP_DAYS = 7.0
CALIBRATION = {"l": {"offset": 0.0, "scale": 1.0}, "r": {"offset": 0.0, "scale": 1.0}}
ANALYSIS = {"summary": {"peak_force_n": 2000.0, "flags": ["countermovement"]}, "result": {}}


def curve(n: int) -> list[Sample]:
    return [(t, 400 + t % 7, 410 - t % 5) for t in range(n)]


async def finished_test(
    storage: Storage, files: TestFiles, started_at: float, athlete_id: int | None = None
) -> int:
    """A test recorded, saved (CSV + analysis) and finished at ``started_at``."""
    test_id = await storage.tests.create("plate-r", started_at, CALIBRATION, None, None, athlete_id)
    samples = curve(120)
    for seq, start in enumerate(range(0, len(samples), 50)):
        await storage.tests.append_samples(test_id, seq, samples[start : start + 50])
    name = files.write(started_at, samples)
    await storage.tests.complete(
        test_id, sample_count=len(samples), csv_file=name, analysis=ANALYSIS, state="complete"
    )
    return test_id


def retained(tmp_path: Path, days: float = KEEP_DAYS) -> Settings:
    return Settings(data_dir=tmp_path, retain_plate_samples_days=days)


async def test_an_old_finished_test_keeps_its_analysis_and_loses_samples_and_csv(
    storage: Storage, tmp_path: Path
) -> None:
    settings = retained(tmp_path)
    files = TestFiles(settings.test_data_dir)
    old = await finished_test(storage, files, T0)
    file = (await storage.tests.require(old)).csv_file
    now = T0 + (KEEP_DAYS + 1) * DAY_S
    await Upkeep(settings, storage, clock=lambda: now).run_once()
    record = await storage.tests.require(old)
    assert record.samples_thinned_at == now
    assert await storage.tests.samples(old) == []
    assert files.find(file) is None
    assert record.csv_file is None
    assert record.analysis == ANALYSIS
    assert (record.sample_count, record.state) == (120, "complete")


async def test_newer_running_and_flushing_tests_are_never_touched(
    storage: Storage, tmp_path: Path
) -> None:
    settings = retained(tmp_path)
    files = TestFiles(settings.test_data_dir)
    now = T0 + 30 * DAY_S
    newer = await finished_test(storage, files, now - KEEP_DAYS * DAY_S + 60)
    running = await storage.tests.create("plate-run", T0, CALIBRATION, None, None)
    await storage.tests.append_samples(running, 0, curve(50))
    flushing = await storage.tests.create("plate-flush", T0, CALIBRATION, None, None)
    await storage.tests.append_samples(flushing, 0, curve(50))
    await storage.tests.update(flushing, state="flushing")
    await Upkeep(settings, storage, clock=lambda: now).run_once()
    for test_id, count in ((newer, 120), (running, 50), (flushing, 50)):
        assert (await storage.tests.require(test_id)).samples_thinned_at is None
        assert len(await storage.tests.samples(test_id)) == count
    assert files.find((await storage.tests.require(newer)).csv_file) is not None


async def test_an_excluded_athletes_test_follows_the_same_rule(
    storage: Storage, tmp_path: Path
) -> None:
    settings = retained(tmp_path)
    files = TestFiles(settings.test_data_dir)
    athlete = await storage.athletes.create({"name": "Ada"}, ["squad"], T0)
    excluded = await finished_test(storage, files, T0, athlete)
    assert await storage.athletes.set_exclusion(excluded, "hands slipped")
    now = T0 + (KEEP_DAYS + 1) * DAY_S
    await Upkeep(settings, storage, clock=lambda: now).run_once()
    record = await storage.tests.require(excluded)
    assert record.samples_thinned_at == now
    assert (record.athlete_id, record.excluded_reason) == (athlete, "hands slipped")
    assert [trial.id for trial in await storage.athletes.trials([athlete])] == [excluded]


async def test_a_jump_tests_reps_and_a_persons_inclusion_are_kept(
    storage: Storage, tmp_path: Path
) -> None:
    """Trends and the squad read a jump test's rep rows and whether a person counted it (its
    trial's ``''``): thinning removes samples only."""
    settings = retained(tmp_path)
    files = TestFiles(settings.test_data_dir)
    athlete = await storage.athletes.create({"name": "Ada"}, ["squad"], T0)
    jump = await finished_test(storage, files, T0, athlete)
    reps = [{"index": i, "metrics": {"jump_height_impulse_m": 0.3 + i / 100}, "checks": []}
            for i in range(2)]  # fmt: skip
    await storage.tests.save_analysis(jump, {**ANALYSIS, "result": {"reps": reps}})
    assert await storage.athletes.set_exclusion(jump, None)  # a person counts it
    before = (await storage.tests.require(jump)).reps
    now = T0 + (KEEP_DAYS + 1) * DAY_S
    await Upkeep(settings, storage, clock=lambda: now).run_once()
    (trial,) = await storage.athletes.trials([athlete])
    assert trial.samples_thinned_at == now
    assert [rep.metrics for rep in trial.reps] == [rep["metrics"] for rep in reps]
    assert trial.reps == before
    assert (trial.included, trial.excluded_reason) == (True, None)


async def test_nothing_is_thinned_without_the_setting(storage: Storage, tmp_path: Path) -> None:
    settings = retained(tmp_path, days=0)
    files = TestFiles(settings.test_data_dir)
    old = await finished_test(storage, files, T0)
    await Upkeep(settings, storage, clock=lambda: T0 + 3650 * DAY_S).run_once()
    record = await storage.tests.require(old)
    assert record.samples_thinned_at is None
    assert len(await storage.tests.samples(old)) == 120
    assert files.find(record.csv_file) is not None


async def test_more_tests_than_one_chunk_are_all_thinned_once(
    storage: Storage, tmp_path: Path
) -> None:
    settings = retained(tmp_path)
    files = TestFiles(settings.test_data_dir)
    ids = [await finished_test(storage, files, T0 + i) for i in range(45)]
    first = T0 + (KEEP_DAYS + 1) * DAY_S
    assert await storage.plate_retention.thin(first - KEEP_DAYS * DAY_S, first, files) == 45
    assert await storage.plate_retention.thin(first - KEEP_DAYS * DAY_S, first + 1, files) == 0
    for test_id in ids:
        assert (await storage.tests.require(test_id)).samples_thinned_at == first
    assert list(files.directory.iterdir()) == []


async def test_a_thinned_test_is_copied_as_thinned_by_migrate_to(tmp_path: Path) -> None:
    settings = retained(tmp_path)
    files = TestFiles(settings.test_data_dir)
    source_url = f"sqlite:///{tmp_path / 'source.db'}"
    source = Storage(source_url)
    await source.open()
    try:
        kept = await finished_test(source, files, T0 + 2 * DAY_S)
        old = await finished_test(source, files, T0)
        now = T0 + (KEEP_DAYS + 1) * DAY_S
        await Upkeep(settings, source, clock=lambda: now).run_once()
    finally:
        await source.close()
    for target_url in postgres_database():
        checks = await asyncio.to_thread(migrate_to, source_url, target_url)
        assert all(check.matches for check in checks)
        target = Storage(target_url)
        await target.open()
        try:
            assert (await target.tests.require(old)).samples_thinned_at == now
            assert await target.tests.samples(old) == []
            assert (await target.tests.require(kept)).samples_thinned_at is None
            assert len(await target.tests.samples(kept)) == 120
        finally:
            await target.close()
