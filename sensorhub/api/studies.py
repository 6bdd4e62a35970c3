"""Study session routes: start and stop recording a wearable, mark phases and labels, export."""

from __future__ import annotations

import io
import math
import re
from collections.abc import Iterator
from typing import IO, Annotated, Literal, Self

from fastapi import APIRouter, Query, Response
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field, StrictInt, StringConstraints, model_validator
from pydantic_core import PydanticCustomError

from sensorhub import wire
from sensorhub.api._deps import ServicesDep
from sensorhub.api._errors import JSON_BODY, TOKEN_REQUIRED, error_responses
from sensorhub.api._params import RowId
from sensorhub.api.biometrics import MAX_EPOCH_S
from sensorhub.contracts import DeviceId, FiniteNumber, iso_time
from sensorhub.errors import ValidationError
from sensorhub.physio.e4 import E4FormatError, parse_e4
from sensorhub.physio.study import LABEL, PHASE, Mark, StudySession, phase_spans
from sensorhub.studies import import_recording, imported_device_id, mark_payload, session_payload

router = APIRouter(
    prefix="/api/wearable/sessions", tags=["wearable studies"],
    responses=error_responses(*TOKEN_REQUIRED, 404, 409, 422, 503),
)  # fmt: skip
# A pseudonym such as "P07": letters, digits and . _ - only, so no real name fits by accident.
Pseudonym = Annotated[
    str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._-]+$")
]
Name = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=wire.TEXT_PATTERN)]


class _In(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class StartIn(_In):
    device_id: DeviceId
    participant: Pseudonym = Field(description="a pseudonym, e.g. P07; never a real name")
    notes: str | None = Field(None, max_length=wire.MAX_NOTES_CHARS, pattern=wire.TEXT_PATTERN)


class PhaseIn(_In):
    phase: Literal["baseline", "stress", "amusement", "recovery", "custom"]
    name: Name | None = Field(None, description="a custom phase's name")


class LabelIn(_In):
    name: Name = Field(description="the question, e.g. stress (1–9)")
    value: (
        Annotated[str, StringConstraints(max_length=200, pattern=wire.TEXT_PATTERN)]
        | StrictInt
        | FiniteNumber
    ) = Field(description="the answer")
    at: float | None = Field(
        None, strict=True, ge=0, le=MAX_EPOCH_S, allow_inf_nan=False,
        description="the moment the label describes, seconds since the epoch (default: now)",
    )  # fmt: skip

    @model_validator(mode="after")
    def _on_its_scale(self) -> Self:
        scale = label_scale(self.name)
        if scale is None:
            return self
        low, high = scale
        try:
            number = float(self.value)
        except ValueError:
            number = math.nan
        if not low <= number <= high:
            message = (f"value: {self.value!r} is not a number on the scale {low:g}–{high:g} "
                       "that the label's name declares")  # fmt: skip
            raise PydanticCustomError("off_scale", message.replace("{", "{{").replace("}", "}}"))
        return self


E4File = Literal["BVP.csv", "TEMP.csv", "ACC.csv", "tags.csv"]
PhaseName = Literal["baseline", "stress", "amusement", "recovery"]


class ImportE4In(_In):
    participant: Pseudonym = Field(description="a pseudonym, e.g. P07; never a real name")
    device_id: DeviceId | None = Field(
        None, description="default e4:<participant>:<start>, so two recordings never collide"
    )
    files: dict[E4File, str] = Field(description="each E4 file's text, by its name")
    phases: list[PhaseName] = Field(
        [], max_length=64, description="the phase each tag begins, in order; other tags: labels"
    )


# A label's scale is declared in its name, e.g. "stress (1–9)" or "arousal (1-5)": then every
# answer must be a number on it ("high" is refused: it cannot be lined up with the others).
_SCALE = re.compile(r"\((-?\d+(?:\.\d+)?)\s*[-–]\s*(-?\d+(?:\.\d+)?)\)")


def label_scale(name: str) -> tuple[float, float] | None:
    found = _SCALE.search(name)
    return None if found is None else (float(found[1]), float(found[2]))


def _session_body(session: StudySession, marks: list[Mark] | None = None) -> JSONResponse:
    data = session_payload(session)
    if marks is not None:
        data["phases"] = [
            {"phase": s.name, "name": s.value, "start": iso_time(s.start),
             "end": None if s.end is None else iso_time(s.end)}
            for s in phase_spans(marks, session.stopped_at)
        ]  # fmt: skip
        data["labels"] = [
            {"name": m.name, "value": m.value, "at": iso_time(m.at)}
            for m in marks
            if m.kind == LABEL
        ]
    return JSONResponse({"status": "success", "data": data})


# Routes that read a JSON body: it may be malformed (400), too large (413) or not JSON (415).
_WITH_BODY = error_responses(*JSON_BODY)


@router.post("", response_model=None, responses=_WITH_BODY)
async def start_session(body: StartIn, services: ServicesDep) -> JSONResponse:
    """Start recording a wearable for a participant; 409 while another session records it."""
    studies = services.hub.studies
    return _session_body(await studies.start(body.device_id, body.participant, body.notes))


@router.post("/import-e4", response_model=None, responses=_WITH_BODY)
async def import_e4(body: ImportE4In, services: ServicesDep) -> JSONResponse:
    """Import an Empatica E4 export (BVP.csv, TEMP.csv, ACC.csv in 1/64 g, tags.csv) as a
    stopped study session: its samples go through the same windows as live ones."""
    try:
        recording = parse_e4({str(name): text for name, text in body.files.items()})
    except E4FormatError as exc:
        raise ValidationError(f"files.{exc}") from exc
    device_id = body.device_id or imported_device_id(body.participant, recording)
    hub = services.hub
    imported = await import_recording(
        services.storage, hub.signals, device_id, body.participant, recording, list(body.phases)
    )
    data = {**session_payload(imported.session), "batches": imported.batches,
            "phases": imported.phases, "labels": imported.labels}  # fmt: skip
    return JSONResponse({"status": "success", "data": data})


@router.get("", response_model=None)
async def list_sessions(
    services: ServicesDep,
    device_id: DeviceId | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> JSONResponse:
    """Study sessions, newest first."""
    sessions = await services.storage.studies.find(device_id, limit)
    return JSONResponse({"status": "success", "data": [session_payload(s) for s in sessions]})


@router.get("/{session_id}.zip", response_class=Response)
async def export_session(
    session_id: RowId,
    services: ServicesDep,
    format: Literal["csv", "parquet"] = "csv",  # noqa: A002 - the query parameter's name
) -> StreamingResponse:
    """Raw signals, windows, phases and labels of a session: CSV files, or Parquet files with
    the `[research]` extra; one zip."""
    zipped = await services.hub.studies.export(session_id, format)
    size = zipped.seek(0, io.SEEK_END)
    zipped.seek(0)
    name = f"session-{session_id}-{format}.zip"
    headers = {
        "Content-Disposition": f'attachment; filename="{name}"',
        "Content-Length": str(size),
    }
    return StreamingResponse(_chunks(zipped), media_type="application/zip", headers=headers)


def _chunks(file: IO[bytes], size: int = 1 << 16) -> Iterator[bytes]:
    """The file in pieces, then closed (a client gone mid-download: when the generator is
    discarded)."""
    with file:
        while chunk := file.read(size):
            yield chunk


@router.get("/{session_id}.edf", response_class=Response)
async def export_session_edf(session_id: RowId, services: ServicesDep) -> Response:
    """The session as EDF+ (BVP, skin temperature, acceleration; phases and labels as
    annotations), for EDFbrowser, MNE, pyEDFlib and the lab's other tools."""
    content = await services.hub.studies.edf(session_id)
    headers = {"Content-Disposition": f'attachment; filename="session-{session_id}.edf"'}
    return Response(content, media_type="application/octet-stream", headers=headers)


@router.get("/{session_id}/bids.zip", response_class=Response)
async def export_session_bids(session_id: RowId, services: ServicesDep) -> Response:
    """The session as a BIDS dataset: `*_physio.tsv.gz` + JSON per channel, events."""
    content = await services.hub.studies.bids(session_id)
    headers = {"Content-Disposition": f'attachment; filename="session-{session_id}-bids.zip"'}
    return Response(content, media_type="application/zip", headers=headers)


@router.get("/{session_id}/hrv", response_model=None)
async def session_hrv(session_id: RowId, services: ServicesDep) -> JSONResponse:
    """Short-term HRV (Task Force 1996) per phase and per whole 5-minute block from the start:
    SDNN, RMSSD, pNN50, LF, HF and LF/HF from the corrected NN series of the raw signals."""
    spans = await services.hub.studies.hrv(session_id)
    return JSONResponse({"status": "success", "data": [s.payload() for s in spans]})


@router.get("/{session_id}", response_model=None)
async def get_session(session_id: RowId, services: ServicesDep) -> JSONResponse:
    """A session with its phases (each until the next begins) and labels."""
    return _session_body(*await services.hub.studies.require(session_id))


@router.post("/{session_id}/stop", response_model=None)
async def stop_session(session_id: RowId, services: ServicesDep) -> JSONResponse:
    return _session_body(await services.hub.studies.stop(session_id))


@router.post("/{session_id}/phases", response_model=None, responses=_WITH_BODY)
async def mark_phase(session_id: RowId, body: PhaseIn, services: ServicesDep) -> JSONResponse:
    """The protocol's next phase begins now; it lasts until the next one or the stop."""
    mark = await services.hub.studies.mark(session_id, PHASE, body.phase, body.name)
    return JSONResponse({"status": "success", "data": mark_payload(mark)})


@router.post("/{session_id}/labels", response_model=None, responses=_WITH_BODY)
async def add_label(session_id: RowId, body: LabelIn, services: ServicesDep) -> JSONResponse:
    """A self-report label (question and answer) for a moment of the session."""
    studies = services.hub.studies
    mark = await studies.mark(session_id, LABEL, body.name, str(body.value), body.at)
    return JSONResponse({"status": "success", "data": mark_payload(mark)})
