"""Athletes: create, list (by group, by name), read, change, delete (issue 12).

Deleting an athlete with tests is a 409 unless ``?with_tests=true`` asks for the tests to go
too. Ids follow the rules of ``RowId`` (422 out of range, 404 when no athlete has one).
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
)
from pydantic_core import PydanticCustomError

from sensorhub import wire
from sensorhub.api._deps import ServicesDep
from sensorhub.api._errors import JSON_BODY, TOKEN_REQUIRED, error_responses
from sensorhub.api._params import WHOLE, RowId
from sensorhub.api.biometrics import MAX_EPOCH_S
from sensorhub.api.tests import record_view
from sensorhub.athletes import Period, ReliabilityStudy, TestKind
from sensorhub.contracts import FiniteNumber, iso_time
from sensorhub.errors import UnsupportedMediaType, ValidationError
from sensorhub.loadcell import TrendMetric
from sensorhub.loadcell.trends import BestRule
from sensorhub.storage import AthleteQuery, AthleteRecord

router = APIRouter(
    prefix="/api/athletes", tags=["athletes"], responses=error_responses(*TOKEN_REQUIRED, 422, 503)
)
_ONE_ATHLETE = error_responses(404)

MAX_GROUPS = 20
# As typed (not trimmed, so the document's length bound is the one enforced); not blank.
Name = Annotated[
    str, StringConstraints(max_length=wire.MAX_ATHLETE_CHARS, pattern=wire.NOT_BLANK_TEXT_PATTERN)
]

Group = Annotated[str, StringConstraints(pattern=wire.GROUP_PATTERN)]
ShortText = Annotated[str, StringConstraints(max_length=100, pattern=wire.TEXT_PATTERN)]


class SetupIn(BaseModel):
    """How the bar and the athlete were set, to reproduce at the next test."""

    model_config = ConfigDict(extra="forbid")

    bar_height_cm: Annotated[FiniteNumber, Field(gt=0, le=300)] | None = None
    knee_angle_deg: Annotated[FiniteNumber, Field(ge=0, le=180)] | None = None
    hip_angle_deg: Annotated[FiniteNumber, Field(ge=0, le=180)] | None = None
    grip: ShortText | None = Field(None, description="e.g. overhand, hook, mixed")
    straps: bool | None = Field(None, strict=True)


class _AthleteFields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    birth_year: Annotated[int, Field(strict=True, ge=1900, le=2100), WHOLE] | None = None
    sex: Literal["female", "male", "other"] | None = None
    sport: ShortText | None = None
    groups: list[Group] | None = Field(None, max_length=MAX_GROUPS)
    body_mass_kg: Annotated[FiniteNumber, Field(gt=0, le=500)] | None = None
    setup: SetupIn | None = None
    notes: str | None = Field(None, max_length=wire.MAX_NOTES_CHARS, pattern=wire.TEXT_PATTERN)


class AthleteIn(_AthleteFields):
    name: Name


class AthletePatch(_AthleteFields):
    """Fields to change (at least one); leave one out to keep it, `null` clears it."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"minProperties": 1})

    name: Name = Field(None, description="cannot be cleared")  # type: ignore[assignment]


def athlete_view(record: AthleteRecord) -> dict[str, Any]:
    return {
        "id": record.id,
        "name": record.name,
        "birth_year": record.birth_year,
        "sex": record.sex,
        "sport": record.sport,
        "groups": list(record.groups),
        "body_mass_kg": record.body_mass_kg,
        "setup": record.setup,
        "notes": record.notes,
        "test_count": record.test_count,
        "created_at": iso_time(record.created_at),
        "updated_at": iso_time(record.updated_at),
    }


def _columns(
    body: _AthleteFields, *, exclude_unset: bool
) -> tuple[dict[str, Any], list[str] | None]:
    """Column values and the groups (None: keep them) of a body."""
    values = body.model_dump(exclude_unset=exclude_unset, exclude_none=False)
    groups = values.pop("groups", None)
    if "setup" in values and values["setup"] is not None:
        values["setup"] = {k: v for k, v in values["setup"].items() if v is not None}
    return values, groups


@router.post("", status_code=201, responses=error_responses(*JSON_BODY))
async def create_athlete(services: ServicesDep, body: AthleteIn) -> dict[str, Any]:
    """A new athlete; 201 with the stored record (its `id`)."""
    values, groups = _columns(body, exclude_unset=False)
    record = await services.athletes.create(values, groups or [])
    return {"status": "success", "data": athlete_view(record)}


@router.get("")
async def list_athletes(
    services: ServicesDep,
    group: Annotated[str | None, Query(pattern=wire.GROUP_PATTERN)] = None,
    search: Annotated[
        str | None, Query(max_length=wire.MAX_ATHLETE_CHARS, pattern=wire.TEXT_PATTERN)
    ] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 500,
) -> dict[str, Any]:
    """Athletes by name; `group` keeps its members, `search` names containing it (any case)."""
    records = await services.athletes.find(AthleteQuery(group, search, limit))
    return {"status": "success", "data": [athlete_view(r) for r in records]}


@router.get("/{athlete_id}", responses=_ONE_ATHLETE)
async def get_athlete(services: ServicesDep, athlete_id: RowId) -> dict[str, Any]:
    record = await services.athletes.require(athlete_id)
    return {"status": "success", "data": athlete_view(record)}


@router.patch("/{athlete_id}", responses=error_responses(404, *JSON_BODY))
async def patch_athlete(
    services: ServicesDep, athlete_id: RowId, patch: AthletePatch
) -> dict[str, Any]:
    """Change fields; `groups` replaces the list. A new name also shows on their tests."""
    if not patch.model_fields_set:
        raise ValidationError("body: give at least one field to change")
    values, groups = _columns(patch, exclude_unset=True)
    if "groups" in patch.model_fields_set and groups is None:
        groups = []
    record = await services.athletes.update(athlete_id, values, groups)
    return {"status": "success", "data": athlete_view(record)}


@router.delete("/{athlete_id}", responses=error_responses(404, 409))
async def delete_athlete(
    services: ServicesDep,
    athlete_id: RowId,
    with_tests: Annotated[
        bool, Query(description="also delete the athlete's tests; without it, 409 if any")
    ] = False,
) -> dict[str, Any]:
    """Delete the athlete; one with tests only with `with_tests=true` (the tests go too)."""
    deleted = await services.athletes.delete(athlete_id, with_tests=with_tests)
    message = f"athlete {athlete_id} deleted with {deleted} test(s)"
    return {"status": "success", "message": message, "deleted_tests": deleted}


def _iso_date(value: Any) -> Any:
    # Only YYYY-MM-DD: pydantic would also read "0" (or a JSON 0) as a Unix time, 1970-01-01.
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise ValueError("must be a date as YYYY-MM-DD")
    return value


IsoDate = Annotated[date, BeforeValidator(_iso_date)]


class StudyQuery:
    """A reliability study named by its days and group; a missing day leaves the period open
    on that side (as a report's period), and a group alone studies all its days."""

    def __init__(
        self,
        study_from: Annotated[
            IsoDate | None, Query(description="reliability study: first day of a stable period")
        ] = None,
        study_to: Annotated[
            IsoDate | None, Query(description="reliability study: its last day")
        ] = None,
        study_group: Annotated[
            str | None,
            Query(pattern=wire.GROUP_PATTERN, description="whose sessions; default the athlete's"),
        ] = None,
    ) -> None:
        self.study = None
        if (study_from, study_to, study_group) != (None, None, None):
            self.study = ReliabilityStudy(Period(study_from, study_to), study_group)


#: ``sd:5``, ``fixed:50``, ``bw_pct:2.5`` or ``manual``: the onset method and its parameter.
#: ``@baseline`` after it: analysed against the resting baseline (a series load cell). A jump
#: test type (``cmj``, ...) instead: that type's jump tests.
METHOD_PATTERN = (
    r"^((sd|fixed|bw_pct):\d{1,4}(\.\d{1,3})?|manual)(@baseline)?$"
    r"|^(cmj|squat_jump|drop_jump|rebound|drop_landing)$"
)


@router.get("/{athlete_id}/trend", responses=_ONE_ATHLETE)
async def get_trend(
    services: ServicesDep,
    athlete_id: RowId,
    study: Annotated[StudyQuery, Depends()],
    metric: Annotated[
        TrendMetric,
        Query(description="a summary metric of the method's tests, e.g. peak_force_n"),
    ],
    method: Annotated[
        str,
        Query(
            pattern=METHOD_PATTERN,
            description="onset method:parameter (e.g. sd:5, fixed:50), or a jump type (cmj)",
        ),
    ] = "sd:5",
    rule: Annotated[
        BestRule, Query(description="a session's value: its best trial, or the mean of two")
    ] = "best_trial",
    group: Annotated[str | None, Query(pattern=wire.GROUP_PATTERN)] = None,
    swc: Annotated[
        float | None,
        Query(
            gt=0,
            le=1e9,
            allow_inf_nan=False,
            description="smallest worthwhile change set by the coach, in the metric's unit",
        ),
    ] = None,
) -> dict[str, Any]:
    """Each session's value and its change from the previous one with a 90 % interval, the
    chances of a change beyond ±SWC and a flag (improved / declined / increased / decreased /
    trivial / within_noise / unknown); the typical error with where it came from (a
    reliability study, the metric's default CV, or unknown) and the SWC with its source. Tests
    analysed with another method, excluded, without a value or in the study are under
    `left_out` with the reason."""
    trend = await services.athletes.trend(
        athlete_id, metric, normal_method(method), rule, group, judged_with=(study.study, swc)
    )
    return {"status": "success", "data": trend}


def normal_method(method: str) -> str:
    """``sd:5.0`` and ``sd:5`` are one method: the key the analyses are compared by."""
    method, at, reference = method.partition("@")
    name, _, value = method.partition(":")
    return (f"{name}:{float(value):g}" if value else name) + at + reference


# The body is the file itself (no multipart): its size is bounded by the body limit (413).
_CSV_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": "the file as exported (UTF-8 text); layouts: docs/athletes.md#import",
        "content": {"text/csv": {"schema": {"type": "string"}}},
    }
}


def _within_api_times(moment: datetime) -> datetime:
    # The range every time the API takes has (``MAX_EPOCH_S``), checked before anything is
    # stored: the recording's end must be a time too (9999-12-31 plus its length is not).
    if not 0 <= moment.timestamp() <= MAX_EPOCH_S:
        raise PydanticCustomError("time_range", "must be between 1970 and 5138 (UTC)")
    return moment


RecordedAt = Annotated[AwareDatetime, AfterValidator(_within_api_times)]


@router.post(
    "/{athlete_id}/imports",
    status_code=201,
    responses=error_responses(404, 413, 415, 422),
    openapi_extra=_CSV_BODY,
)
async def import_recording(
    services: ServicesDep,
    request: Request,
    athlete_id: RowId,
    filename: Annotated[
        str, Query(min_length=1, max_length=200, pattern=wire.TEXT_PATTERN)
    ] = "upload.csv",
    recorded_at: Annotated[
        RecordedAt | None,
        Query(description="when it was recorded, 1970 to 5138 (UTC); default: now"),
    ] = None,
    notes: Annotated[
        str | None, Query(max_length=wire.MAX_NOTES_CHARS, pattern=wire.TEXT_PATTERN)
    ] = None,
    test_type: Annotated[
        wire.TestTypeName, Query(description="what the recording is of (docs/jumps.md)")
    ] = "imtp",
    drop_height_m: Annotated[
        float | None,
        Query(gt=0, le=wire.MAX_DROP_HEIGHT_M, description="box height: drop jump or landing"),
    ] = None,
) -> dict[str, Any]:
    """A recording from another tool (Chronojump force sensor, Hawkin, PASCO, generic, ours)
    becomes a complete test of the athlete, analysed like our own as `test_type` (an IMTP, or
    a jump on a plate); `source` names its layout, the analysis its sample rate and flags."""
    text = _text(await request.body(), request.headers.get("content-type", ""))
    at = None if recorded_at is None else recorded_at.timestamp()
    kind = TestKind(test_type, drop_height_m)
    record = await services.athletes.import_recording(athlete_id, text, filename, at, notes, kind)
    return {"status": "success", "data": record_view(record)}


def _text(body: bytes, content_type: str) -> str:
    # Only text/csv: a page on another site cannot send it without a CORS preflight (as it
    # could text/plain), and the route is origin-restricted too.
    kind = content_type.split(";")[0].strip().lower()
    if kind != "text/csv":
        raise UnsupportedMediaType(f"content-type: send the file as text/csv, not {kind!r}")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValidationError(f"body: the file is not UTF-8 text ({exc.reason})") from exc


_PDF: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/pdf": {}}, "description": "a one-page PDF"}
}


@router.get("/{athlete_id}/report.pdf", response_class=Response, responses={**_ONE_ATHLETE, **_PDF})
async def athlete_report(
    services: ServicesDep,
    athlete_id: RowId,
    study: Annotated[StudyQuery, Depends()],
    from_: Annotated[
        IsoDate | None, Query(alias="from", description="first day, YYYY-MM-DD")
    ] = None,
    to: Annotated[IsoDate | None, Query(description="last day, YYYY-MM-DD")] = None,
    method: Annotated[str, Query(pattern=METHOD_PATTERN)] = "sd:5",
) -> Response:
    """The athlete's one-page PDF over the days `from`…`to` (both included; `to` before `from`
    is an empty period), changes judged with the reliability study given (`study_from`,
    `study_to`, `study_group`) or each metric's default: per metric the sessions, the typical
    error and where it came from, the SWC, each change with its 90 % interval and flag, and the
    tests left out."""
    period = Period(from_, to)
    pdf = await services.athletes.athlete_report(
        athlete_id, normal_method(method), period, study.study
    )
    return _pdf_response(pdf, f"athlete_{athlete_id}.pdf")


def _pdf_response(pdf: bytes, name: str) -> Response:
    headers = {"Content-Disposition": f'inline; filename="{name}"'}
    return Response(pdf, media_type="application/pdf", headers=headers)
