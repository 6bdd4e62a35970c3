"""Window stress models by version: train over study sessions, list, read the report,
activate one for live windows (no restart), re-score a past session apart."""

from __future__ import annotations

import asyncio
import csv
import importlib.util
import io
from typing import Annotated, Any

from fastapi import APIRouter, Path
from fastapi.responses import FileResponse, JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from sensorhub.api._deps import ServicesDep
from sensorhub.api._errors import JSON_BODY, TOKEN_REQUIRED, error_responses
from sensorhub.api._params import RowId
from sensorhub.errors import ConflictError, NotFoundError, StudyNotFound, ValidationError
from sensorhub.learning import (
    PHASE_TARGET,
    RESCORE_COLUMNS,
    TARGET_PATTERN,
    RegisteredModel,
    SessionWindows,
    Target,
    rescore,
    train_and_register,
)
from sensorhub.services import Services

router = APIRouter(
    prefix="/api/models", tags=["models"],
    responses=error_responses(*TOKEN_REQUIRED, 404, 409, 422, 503),
)  # fmt: skip
Version = Annotated[int, Path(ge=1, le=2**31 - 1)]
ModelName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9._-]{1,32}$")]


class TrainIn(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)
    sessions: list[int] = Field(min_length=1, max_length=1000, description="study session ids")
    target: str = Field(
        PHASE_TARGET, pattern=TARGET_PATTERN,
        description="'phase' (stress vs the rest) or label:NAME>=X",
    )  # fmt: skip
    relative_to_baseline: bool = Field(
        False, description="features minus the participant's baseline-phase mean"
    )
    name: ModelName = "stress"


def model_payload(model: RegisteredModel, active: bool) -> dict[str, Any]:
    m = model.meta
    e = m["evaluation"]
    return {
        "version": model.version, "name": model.name, "purpose": m["purpose"],
        "demo": model.demo, "active": active, "created_at": m["created_at"],
        "target": m["target"], "features": m["features"],
        "relative_to_baseline": model.relative_to_baseline, "sessions": m["sessions"],
        "participants": m["participants"], "windows": m["windows"],
        "evaluation": {key: e[key] for key in (
            "participants", "too_few_participants", "min_participants", "pooled",
            "per_participant", "not_held_out")},
    }  # fmt: skip


def _active_name(services: Services) -> str | None:
    model = services.hub.signals.model
    return None if model is None else model.name


@router.get("", response_model=None)
async def list_models(services: ServicesDep) -> JSONResponse:
    """Every registered window model, newest first; `active`: the one scoring live windows."""
    active = _active_name(services)
    data = [model_payload(m, m.name == active) for m in services.models.models()]
    return JSONResponse({"status": "success", "data": data, "active": active})


@router.post("/train", response_model=None, responses=error_responses(*JSON_BODY))
async def train_model(body: TrainIn, services: ServicesDep) -> JSONResponse:
    """Train a window model on the sessions' windows, evaluate it leave-one-participant-out,
    register it with its report (needs the `[train]` extra on the server)."""
    target = Target.parse(body.target)
    if importlib.util.find_spec("sklearn") is None:
        raise ValidationError("training needs the [train] extra (scikit-learn) on the server")
    try:
        sessions = [SessionWindows(*await services.hub.studies.windows(i))
                    for i in dict.fromkeys(body.sessions)]  # fmt: skip
    except StudyNotFound as exc:  # a body naming what is not there: 422, as any bad field
        raise ValidationError(f"sessions: {exc.message}") from exc
    model = await asyncio.to_thread(
        train_and_register, services.models, sessions, target, body.relative_to_baseline, body.name
    )
    return JSONResponse({"status": "success", "data": model_payload(model, False)})


@router.get("/{version}/report", response_class=FileResponse)
async def model_report(version: Version, services: ServicesDep) -> FileResponse:
    """The training report: evaluation figures and plots (HTML)."""
    return FileResponse(services.models.report_path(version), media_type="text/html")


@router.post("/{version}/activate", response_model=None)
async def activate_model(version: Version, services: ServicesDep) -> JSONResponse:
    """Score live windows with this model from the next window on, without a restart."""
    model = services.models.get(version)
    if model.relative_to_baseline:
        raise ConflictError(
            f"model {model.name} takes features relative to a baseline, which live windows do "
            "not have: use it to re-score sessions (POST /api/models/{version}/sessions/{id}/score)"
        )
    services.models.activate(version)
    services.hub.signals.model = model
    return JSONResponse({"status": "success", "data": model_payload(model, True)})


@router.post("/{version}/sessions/{session_id}/score", response_model=None)
async def rescore_session(
    version: Version, session_id: RowId, services: ServicesDep
) -> JSONResponse:
    """Score a past session's windows with this model; stored beside the model, apart from
    the predictions made live (GET …/sessions/{id}.csv)."""
    model = services.models.get(version)
    session = SessionWindows(*await services.hub.studies.windows(session_id))
    rows = await asyncio.to_thread(rescore, model, session)
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(RESCORE_COLUMNS)
    writer.writerows(rows)
    services.models.scores_path(version, session_id).write_text(text.getvalue())
    stressed = sum(1 for r in rows if r[6] == "Stressed")
    data = {"model": model.name, "session_id": session_id, "windows": len(rows),
            "stressed": stressed}  # fmt: skip
    return JSONResponse({"status": "success", "data": data})


@router.get("/{version}/sessions/{session_id}.csv", response_class=Response)
async def rescored_session(version: Version, session_id: RowId, services: ServicesDep) -> Response:
    path = services.models.scores_path(version, session_id, create=False)
    if not path.is_file():
        raise NotFoundError(f"session {session_id} has not been re-scored by model v{version}")
    return Response(path.read_text(), media_type="text/csv")
