"""Reliability studies the coach records (issue 21): a stable period of an athlete's or a
group's sessions whose typical errors judge the athletes it covers by default. Create, list
(with each metric's TE and its 90 % interval, computed from the study's sessions now), read,
delete."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from sensorhub import wire
from sensorhub.api._deps import ServicesDep
from sensorhub.api._errors import JSON_BODY, TOKEN_REQUIRED, error_responses
from sensorhub.api._params import RowId
from sensorhub.api.athletes import METHOD_PATTERN, Group, IsoDate, normal_method
from sensorhub.athletes import StudyFields
from sensorhub.contracts import FiniteNumber
from sensorhub.loadcell import TrendMetric
from sensorhub.loadcell.trends import BestRule

router = APIRouter(
    prefix="/api/reliability-studies",
    tags=["athletes"],
    responses=error_responses(*TOKEN_REQUIRED, 422, 503),
)
_ONE_STUDY = error_responses(404)

StudyName = Annotated[str, StringConstraints(max_length=200, pattern=wire.NOT_BLANK_TEXT_PATTERN)]
SwcValue = Annotated[FiniteNumber, Field(gt=0, le=1e9)]


class StudyIn(BaseModel):
    """A stable period of two or more sessions: of one athlete (`athlete_id`) or of a group's
    athletes (`group`), exactly one of them; `swc`: the smallest worthwhile change the coach
    sets for some metrics, in each metric's unit (the others take 0.2 × the between-athlete
    SD). A study may be recorded before its sessions are: until two of an athlete are in its
    period, its TEs say there are too few."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"oneOf": [{"required": ["athlete_id"]}, {"required": ["group"]}]},
    )

    name: StudyName
    # Not nullable: give the one that applies (None only as "not given").
    athlete_id: RowId = Field(None, description="the athlete whose own sessions these are")  # type: ignore[assignment]
    group: Group = Field(None, description="the group whose athletes' sessions these are")  # type: ignore[assignment]
    first_day: IsoDate
    last_day: IsoDate = Field(description="included; before first_day: no day, as a report's")
    swc: dict[TrendMetric, SwcValue] = Field(
        default_factory=dict,
        description="an IMTP summary metric or a jump test's headline number (docs/jumps.md)",
    )

    @model_validator(mode="after")
    def _one_owner(self) -> StudyIn:
        if (self.athlete_id is None) == (self.group is None):
            raise ValueError("give exactly one of athlete_id and group")
        return self


@router.post("", status_code=201, responses=error_responses(404, *JSON_BODY))
async def create_study(services: ServicesDep, body: StudyIn) -> dict[str, Any]:
    """Record a study; 201 with it and each metric's TE from its sessions (404 for an unknown
    athlete)."""
    fields = StudyFields(
        body.name,
        body.athlete_id,
        body.group,
        body.first_day,
        body.last_day,
        {str(k): v for k, v in body.swc.items()},
    )
    return {"status": "success", "data": await services.athletes.create_study(fields)}


MethodQuery = Annotated[
    str, Query(pattern=METHOD_PATTERN, description="the analysis method the TEs are of")
]
RuleQuery = Annotated[BestRule, Query(description="a session's value")]


@router.get("", responses=error_responses(404))
async def list_studies(
    services: ServicesDep,
    athlete_id: Annotated[
        RowId | None, Query(description="the studies that judge this athlete (own and groups')")
    ] = None,
    group: Annotated[str | None, Query(pattern=wire.GROUP_PATTERN)] = None,
    method: MethodQuery = "sd:5",
    rule: RuleQuery = "best_trial",
) -> dict[str, Any]:
    """Studies, newest first (the newest of an athlete's own, else of their groups', judges
    them), each with every metric's TE and 90 % interval computed from its sessions."""
    studies = await services.athletes.studies(athlete_id, group, normal_method(method), rule)
    return {"status": "success", "data": studies}


@router.get("/{study_id}", responses=_ONE_STUDY)
async def get_study(
    services: ServicesDep,
    study_id: RowId,
    method: MethodQuery = "sd:5",
    rule: RuleQuery = "best_trial",
) -> dict[str, Any]:
    study = await services.athletes.study(study_id, normal_method(method), rule)
    return {"status": "success", "data": study}


@router.delete("/{study_id}", responses=_ONE_STUDY)
async def delete_study(services: ServicesDep, study_id: RowId) -> dict[str, Any]:
    """Forget the study; the athletes it judged fall back to another study or the defaults."""
    await services.athletes.delete_study(study_id)
    return {"status": "success", "message": f"reliability study {study_id} deleted"}
