"""Stored force-plate tests: list, inspect, download, annotate, delete.

Ids (``test_id`` in the path, ``before_id`` in the query) are ``RowId``s: a value that
cannot be a stored id (0, negative, over 2⁶³−1, not an integer) is a 422 naming the
parameter, whether in the path or the query; an id in range that no test has is a 404.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import FileResponse, Response, StreamingResponse
from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag

from sensorhub import wire
from sensorhub.api._deps import ServicesDep
from sensorhub.api._errors import JSON_BODY, TOKEN_REQUIRED, error_responses
from sensorhub.api._params import BodyId, RowId
from sensorhub.athletes import exclusion
from sensorhub.contracts import DeviceId, FiniteNumber, iso_time
from sensorhub.errors import NotFoundError, TestNotFound, ValidationError
from sensorhub.loadcell import AnalysisParams, implausible
from sensorhub.loadcell.jumps import EventEdit
from sensorhub.plates import sample_dicts
from sensorhub.storage import TestQuery, TestRecord, csv_lines

router = APIRouter(
    prefix="/api/tests", tags=["tests"], responses=error_responses(*TOKEN_REQUIRED, 422, 503)
)
# Every route below but the list names one test: 404 when no test has that id.
_ONE_TEST = error_responses(404)
# Routes that serve the raw samples: 410 once retention removed them.
_SAMPLES = error_responses(404, 410)


class TestPatch(BaseModel):
    """Fields to change (at least one); leave one out to keep it, `null` clears it."""

    __test__ = False
    model_config = ConfigDict(extra="forbid", json_schema_extra={"minProperties": 1})

    athlete: str | None = Field(None, max_length=wire.MAX_ATHLETE_CHARS, pattern=wire.TEXT_PATTERN)
    notes: str | None = Field(None, max_length=wire.MAX_NOTES_CHARS, pattern=wire.TEXT_PATTERN)
    athlete_id: BodyId | None = Field(
        None,
        description="move the test (and its trial) to this athlete, whose name it takes; "
        "wins over `athlete` (null: the test stays with its athlete)",
    )


# Seconds from the test's first sample. Bounds go in an inner Annotated: a Field(ge=…) given
# as the default would lose to FiniteNumber's own ge (pydantic keeps the first).
Seconds = Annotated[FiniteNumber, Field(ge=0)]


class _Analysis(BaseModel):
    model_config = ConfigDict(extra="forbid")

    weigh_start_s: Seconds | None = Field(None, description="None: automatic")
    weigh_duration_s: Annotated[FiniteNumber, Field(gt=0, le=10)] = 1.0
    sd_multiplier: Annotated[FiniteNumber, Field(gt=0, le=100)] = 5.0
    threshold_n: Annotated[FiniteNumber, Field(gt=0)] = 50.0
    body_weight_pct: Annotated[FiniteNumber, Field(gt=0, le=100)] = 5.0


class AutomaticOnset(_Analysis):
    """The onset found from the data: `sd` (weight ± sd_multiplier·SD), `fixed` (+threshold_n)
    or `bw_pct` (+body_weight_pct % of body weight)."""

    onset_method: Literal["sd", "fixed", "bw_pct"] = "sd"


class ManualOnset(_Analysis):
    """The onset set by hand at `onset_time_s`."""

    onset_method: Literal["manual"]
    onset_time_s: Seconds


def _onset_kind(body: Any) -> str | None:
    method = body.get("onset_method", "sd") if isinstance(body, dict) else None
    kinds = {"sd": "automatic", "fixed": "automatic", "bw_pct": "automatic", "manual": "manual"}
    return kinds.get(str(method))


# How to analyse; times are seconds from the test's first sample. Two shapes, so the schema
# says what the code enforces: `onset_time_s` belongs to (and is required by) `manual` only.
AnalysisIn = Annotated[
    Annotated[AutomaticOnset, Tag("automatic")] | Annotated[ManualOnset, Tag("manual")],
    Discriminator(
        _onset_kind,
        custom_error_type="invalid_onset_method",
        custom_error_message="onset_method: must be 'sd', 'fixed', 'bw_pct' or 'manual'",
    ),
]


def record_view(record: TestRecord) -> dict[str, Any]:
    end = record.ended_at or record.stopped_at
    summary = record.analysis.get("summary") if record.analysis else None
    return {
        "id": record.id,
        "session_id": record.id,
        "device_id": record.device_id,
        "state": record.state,
        "started_at": iso_time(record.started_at),
        "stopped_at": iso_time(record.stopped_at) if record.stopped_at else None,
        "ended_at": iso_time(record.ended_at) if record.ended_at else None,
        "duration_s": round(end - record.started_at, 3) if end else None,
        "athlete": record.athlete,
        "athlete_id": record.athlete_id,
        # A person's reason, or "implausible: …" until a person includes the test.
        "excluded_reason": exclusion(record),
        "implausible": list(implausible(summary)),
        "source": record.source,
        "notes": record.notes,
        "sample_count": record.sample_count,
        "file": record.csv_file,
        "calibration": record.calibration,
        "summary": summary,
        "analysis_error": record.analysis.get("error") if record.analysis else None,
        # Set: retention removed the raw samples and CSV file then; the analysis stays.
        "samples_thinned_at": (
            iso_time(record.samples_thinned_at) if record.samples_thinned_at else None
        ),
    }


@router.get("")
async def list_tests(
    services: ServicesDep,
    device_id: DeviceId | None = None,
    athlete: Annotated[
        str | None, Query(max_length=wire.MAX_ATHLETE_CHARS, pattern=wire.TEXT_PATTERN)
    ] = None,
    before_id: RowId | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    athlete_id: RowId | None = None,
    search: Annotated[
        str | None,
        Query(
            max_length=wire.MAX_ATHLETE_CHARS,
            pattern=wire.TEXT_PATTERN,
            description="part of the athlete's name, any case (`ben` finds Benjamin)",
        ),
    ] = None,
) -> dict[str, Any]:
    """Tests, newest first; filter by device, athlete name (whole: `athlete`; part: `search`)
    or athlete id; page back with `before_id`."""
    query = TestQuery(device_id, athlete, before_id, limit, athlete_id, search)
    records = await services.storage.tests.find(query)
    next_before = records[-1].id if len(records) == limit else None
    return {
        "status": "success",
        "data": [record_view(r) for r in records],
        "next_before_id": next_before,
    }


@router.get(
    "/{test_id}.csv", response_model=None, response_class=StreamingResponse, responses=_SAMPLES
)
async def test_csv(services: ServicesDep, test_id: RowId) -> StreamingResponse | FileResponse:
    """The test's CSV (`t,l,r`, values as received); 410 `samples_removed` once retention
    removed it (the record's `samples_thinned_at` says when)."""
    record = await services.plates.archive.with_samples(test_id)
    if path := services.files.find(record.csv_file):
        return FileResponse(path, media_type="text/csv", filename=path.name)
    # A running test has no file yet: build it from the stored samples.
    samples = await services.plates.archive.samples(test_id)
    headers = {"Content-Disposition": f'attachment; filename="test_{test_id}.csv"'}
    lines: Iterator[str] = iter(csv_lines(samples))
    return StreamingResponse(lines, media_type="text/csv", headers=headers)


def reps_view(record: TestRecord) -> list[dict[str, Any]]:
    """A jump test's reps, each a trial: its metrics, check codes and whether it is the best
    rep (by the type's ranking number in its better direction, docs/jumps.md)."""
    summary = (record.analysis or {}).get("summary") or {}
    return [
        {
            "rep": rep.rep,
            "best": rep.rep == summary.get("best_rep"),
            "metrics": rep.metrics,
            "flags": list(rep.flags),
        }
        for rep in record.reps
    ]


@router.get("/{test_id}", responses=_ONE_TEST)
async def get_test(services: ServicesDep, test_id: RowId) -> dict[str, Any]:
    """The test's record with its reps (a jump test's trials; none for an IMTP); 422 for an
    id out of range, 404 for an id no test has."""
    record = await services.storage.tests.require(test_id)
    return {"status": "success", "data": {**record_view(record), "reps": reps_view(record)}}


@router.get(
    "/{test_id}/report.pdf",
    response_class=Response,
    responses={**_ONE_TEST, 200: {"content": {"application/pdf": {}}, "description": "a PDF"}},
)
async def test_report(services: ServicesDep, test_id: RowId) -> Response:
    """The test on one page: athlete, date, curve, metrics with units, asymmetry, flags."""
    pdf = await services.athletes.test_report(test_id)
    headers = {"Content-Disposition": f'inline; filename="test_{test_id}.pdf"'}
    return Response(pdf, media_type="application/pdf", headers=headers)


@router.get("/{test_id}/samples", responses=_SAMPLES)
async def get_samples(services: ServicesDep, test_id: RowId) -> dict[str, Any]:
    """Every stored sample of the test, in arrival order, as received; 410 `samples_removed`
    once retention removed them (the record's `samples_thinned_at` says when; its analysis
    stays), never an empty list."""
    samples = await services.plates.archive.samples(test_id)
    return {"status": "success", "data": {"test_id": test_id, "samples": sample_dicts(samples)}}


@router.get("/{test_id}/analysis", responses=_ONE_TEST)
async def get_analysis(services: ServicesDep, test_id: RowId) -> dict[str, Any]:
    """The test's current IMTP analysis: parameters, summary and the full result."""
    record = await services.storage.tests.require(test_id)
    if record.analysis is None:
        raise NotFoundError(f"test {test_id} has no analysis yet (it is {record.state})")
    return {"status": "success", "data": record.analysis}


@router.post(
    "/{test_id}/analysis",
    responses=error_responses(404, 409, *JSON_BODY),
)
async def reanalyze(services: ServicesDep, test_id: RowId, body: AnalysisIn) -> dict[str, Any]:
    """Analyse again with other parameters; the result becomes the test's analysis. 409
    `analysis_frozen` once retention removed the test's raw samples."""
    params = AnalysisParams(**body.model_dump())
    analysis = await services.plates.archive.reanalyze(test_id, params)
    return {"status": "success", "data": analysis}


class EventEditIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rep: int = Field(ge=0, le=10_000, description="0-based rep of the test")
    # EDITABLE_EVENTS of the jump analysis, spelled out for the OpenAPI document
    event: Literal["weigh_start", "onset", "take_off", "landing", "contact"] = Field(
        description="the event to move; which ones a test type has: docs/jumps.md"
    )
    time_s: FiniteNumber = Field(ge=0, description="its new time, s from the first sample")
    hop: int | None = Field(
        None, ge=0, le=10_000, description="0-based hop of a rebound test (rep 0); only there"
    )


class EventsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    edits: list[EventEditIn] = Field(max_length=1000, description="later edits of one event win")


@router.post(
    "/{test_id}/events",
    responses=error_responses(404, 409, *JSON_BODY),
)
async def move_events(services: ServicesDep, test_id: RowId, body: EventsIn) -> dict[str, Any]:
    """A jump test's events moved by hand (docs/jumps.md); the new analysis is kept. 409
    `analysis_frozen` once retention removed the test's raw samples."""
    edits = tuple(EventEdit(e.rep, e.event, e.time_s, e.hop) for e in body.edits)
    analysis = await services.plates.archive.move_events(test_id, edits)
    return {"status": "success", "data": analysis}


@router.patch("/{test_id}", responses=error_responses(404, *JSON_BODY))
async def patch_test(services: ServicesDep, test_id: RowId, patch: TestPatch) -> dict[str, Any]:
    """Change the athlete's name, the notes, or move the test to another athlete."""
    values = patch.model_dump(exclude_unset=True)
    if not values:
        raise ValidationError("body: give athlete, athlete_id and/or notes to change")
    athlete_id = values.pop("athlete_id", None)
    if athlete_id is not None:
        athlete = await services.athletes.require(athlete_id)
        values.pop("athlete", None)
        if not await services.storage.tests.move(test_id, athlete_id, athlete.name):
            raise TestNotFound(f"no test with id {test_id}")
    if values and not await services.storage.tests.update(test_id, **values):
        raise TestNotFound(f"no test with id {test_id}")
    return await get_test(services, test_id)


class ExclusionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: (
        Annotated[str, Field(min_length=1, max_length=500, pattern=wire.NOT_BLANK_TEXT_PATTERN)]
        | None
    ) = Field(description="why it counts nowhere (e.g. hands slipped); null: it counts again")


@router.put("/{test_id}/exclusion", responses=error_responses(404, 409, *JSON_BODY))
async def exclude_test(services: ServicesDep, test_id: RowId, body: ExclusionIn) -> dict[str, Any]:
    """Exclude an athlete's test with a reason: it then counts nowhere (best trial, trends,
    squad); `null` counts it again. 409 for a test of no athlete."""
    record = await services.athletes.exclude(test_id, body.reason)
    return {"status": "success", "data": record_view(record)}


@router.delete("/{test_id}", responses=error_responses(404, 409))
async def delete_test(services: ServicesDep, test_id: RowId) -> dict[str, Any]:
    """Delete the test, its samples and its CSV file."""
    await services.plates.archive.delete(test_id)
    return {"status": "success", "message": f"test {test_id} deleted"}
