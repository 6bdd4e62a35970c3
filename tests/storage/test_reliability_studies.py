"""Stored reliability studies on SQLite and PostgreSQL: written, found by whom they judge,
deleted alone or with their athlete (issue 21)."""

from __future__ import annotations

from datetime import date

from sensorhub.storage import CreateReliabilityStudy, Storage

FIRST, LAST = date(2026, 1, 5), date(2026, 1, 19)


async def _athlete(storage: Storage, name: str, groups: tuple[str, ...] = ()) -> int:
    return await storage.athletes.create({"name": name}, groups, now=1.0)


def _study(name: str, athlete_id: int | None, group: str | None) -> CreateReliabilityStudy:
    swc = (("peak_force_n", 40.5),) if athlete_id else ()
    return CreateReliabilityStudy(name, athlete_id, group, FIRST, LAST, swc, now=2.0)


async def test_a_study_is_stored_as_given(storage: Storage) -> None:
    ann = await _athlete(storage, "Ann")
    study_id = await storage.athletes.create_study(_study("Pre-season", ann, None))

    found = await storage.athletes.study(study_id)

    assert found is not None
    stored = (found.name, found.athlete_id, found.group, found.first_day, found.last_day)
    assert stored == ("Pre-season", ann, None, FIRST, LAST)
    assert (found.swc, found.created_at) == ({"peak_force_n": 40.5}, 2.0)


async def test_studies_are_found_by_athlete_or_group_newest_first(storage: Storage) -> None:
    ann = await _athlete(storage, "Ann", ("u18",))
    bob = await _athlete(storage, "Bob", ("seniors",))
    anns = await storage.athletes.create_study(_study("Ann's", ann, None))
    u18 = await storage.athletes.create_study(_study("U18", None, "u18"))
    seniors = await storage.athletes.create_study(_study("Seniors", None, "seniors"))
    bobs = await storage.athletes.create_study(_study("Bob's", bob, None))

    judging_ann = await storage.athletes.studies(ann, ["u18"])
    of_seniors = await storage.athletes.studies(None, ["seniors"])
    every = await storage.athletes.studies()

    assert [s.id for s in judging_ann] == [u18, anns]
    assert [s.id for s in of_seniors] == [seniors]
    assert [s.id for s in every] == [bobs, seniors, u18, anns]


async def test_deleting_a_study_says_whether_there_was_one(storage: Storage) -> None:
    study_id = await storage.athletes.create_study(_study("U18", None, "u18"))

    assert await storage.athletes.delete_study(study_id) is True
    assert await storage.athletes.delete_study(study_id) is False
    assert await storage.athletes.study(study_id) is None


async def test_an_athletes_own_studies_go_with_the_athlete(storage: Storage) -> None:
    ann = await _athlete(storage, "Ann", ("u18",))
    await storage.athletes.create_study(_study("Ann's", ann, None))
    group_study = await storage.athletes.create_study(_study("U18", None, "u18"))

    outcome = await storage.athletes.delete(ann)

    assert outcome.deleted
    assert [s.id for s in await storage.athletes.studies()] == [group_study]
