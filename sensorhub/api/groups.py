"""The groups (with their sizes) and a group's squad view: latest values side by side with
z-scores, as JSON or CSV (issue 12)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from fastapi.responses import Response

from sensorhub import wire
from sensorhub.api._deps import ServicesDep
from sensorhub.api._errors import TOKEN_REQUIRED, error_responses
from sensorhub.api.athletes import METHOD_PATTERN, normal_method
from sensorhub.athletes import squad_columns, squad_csv
from sensorhub.loadcell.trends import BestRule

router = APIRouter(
    prefix="/api/groups", tags=["athletes"], responses=error_responses(*TOKEN_REQUIRED, 422, 503)
)

GroupPath = Annotated[str, Path(pattern=wire.GROUP_PATTERN)]
MethodQuery = Annotated[str, Query(pattern=METHOD_PATTERN, description="e.g. sd:5, or cmj")]
RuleQuery = Annotated[BestRule, Query(description="a session's value")]


async def _rows(
    services: ServicesDep, group: str, method: str, rule: BestRule
) -> list[dict[str, Any]]:
    return await services.athletes.squad(group, normal_method(method), rule)


@router.get("")
async def list_groups(services: ServicesDep) -> dict[str, Any]:
    """Every group an athlete is in, by name, with its number of athletes (the Squad page's
    choice); a group exists while one athlete has it."""
    sizes = await services.athletes.groups()
    return {"status": "success", "data": [{"name": n, "athletes": c} for n, c in sizes]}


@router.get("/{group}/squad")
async def squad(
    services: ServicesDep,
    group: GroupPath,
    method: MethodQuery = "sd:5",
    rule: RuleQuery = "best_trial",
) -> dict[str, Any]:
    """Each member's latest session value (peak force, relative peak force, RFD 0–200 ms,
    asymmetry; with a jump type as `method`, that type's headline numbers) and its z-score
    within the group; an empty list for a group with no members."""
    rows = await _rows(services, group, method, rule)
    units = dict(squad_columns(normal_method(method)))
    return {"status": "success", "data": {"group": group, "units": units, "athletes": rows}}


@router.get("/{group}/squad.csv", response_class=Response)
async def squad_csv_file(
    services: ServicesDep,
    group: GroupPath,
    method: MethodQuery = "sd:5",
    rule: RuleQuery = "best_trial",
) -> Response:
    """The squad view as CSV (each metric and its z-score)."""
    text = squad_csv(await _rows(services, group, method, rule), normal_method(method))
    headers = {"Content-Disposition": f'attachment; filename="squad_{group}.csv"'}
    return Response(text, media_type="text/csv", headers=headers)
