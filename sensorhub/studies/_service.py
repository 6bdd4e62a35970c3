"""Study sessions on wearables: start, stop, phases and labels go through here to storage,
then to dashboards as ``study`` (after the commit, as readings: docs/broadcast.md)."""

from __future__ import annotations

import asyncio
import tempfile
import time
from dataclasses import asdict, replace
from typing import IO

from sensorhub import wire
from sensorhub.contracts import iso_time
from sensorhub.errors import StudyNotFound, StudyRunning, StudyStopped
from sensorhub.physio.study import LABEL, PHASE, Mark, StudySession
from sensorhub.presence import VIEWERS
from sensorhub.storage import Storage, WindowQuery, WindowRecord
from sensorhub.studies._archive import bids_zip, edf_bytes
from sensorhub.studies._export import SessionData, require_format, session_zip
from sensorhub.studies._hrv import SpanHrv, session_hrv
from sensorhub.types import Broadcaster, Clock, JSONDict

# The most windows one session export holds: a day at the default 5 s step.
MAX_SESSION_WINDOWS = 17_280
# An export's zip is kept in memory up to this size, then written to a temporary file: a
# short session is answered from memory, a day-long one does not hold its zip in RAM.
EXPORT_IN_MEMORY_BYTES = 1 << 20


class Studies:
    def __init__(
        self, storage: Storage, broadcaster: Broadcaster, clock: Clock = time.time
    ) -> None:
        self._storage = storage
        self._broadcaster = broadcaster
        self._clock = clock

    async def start(self, device_id: str, participant: str, notes: str | None) -> StudySession:
        session = StudySession(device_id, participant, self._clock(), notes=notes)
        session_id = await self._storage.studies.create(session)
        if session_id is None:
            raise StudyRunning(f"a study session is recording {device_id!r}; stop it first")
        started = replace(session, id=session_id)
        await self._announce("started", started)
        return started

    async def stop(self, session_id: int) -> StudySession:
        """Idempotent: stopping a stopped session answers it as it is (a retried stop after a
        lost reply must not fail)."""
        stopped = await self._storage.studies.stop(session_id, self._clock())
        session, _ = await self.require(session_id)  # 404 if it never existed
        if stopped:
            await self._announce("stopped", session)
        return session

    async def mark(self, session_id: int, kind: str, name: str, value: str | None,
                   at: float | None = None) -> Mark:  # fmt: skip
        """A phase beginning now, or a label (``at``: the moment it describes, default now)."""
        mark = Mark(session_id, kind, name, value, self._clock() if at is None else at)
        mark_id = await self._storage.studies.add_mark(mark)
        if mark_id is None:
            session, _ = await self.require(session_id)
            raise StudyStopped(f"study session {session.id} has stopped: no more {kind}s")
        stored = replace(mark, id=mark_id)
        session, _ = await self.require(session_id)
        await self._announce(PHASE if kind == PHASE else LABEL, session, stored)
        return stored

    async def require(self, session_id: int) -> tuple[StudySession, list[Mark]]:
        found = await self._storage.studies.get(session_id)
        if found is None:
            raise StudyNotFound(f"no study session with id {session_id}")
        return found

    async def export(self, session_id: int, file_format: str) -> IO[bytes]:
        """The session's zip in a temporary file, at its start: in memory up to
        ``EXPORT_IN_MEMORY_BYTES``, on disk past it. The caller closes it."""
        require_format(file_format)
        data = await self._data(session_id)
        out = tempfile.SpooledTemporaryFile(max_size=EXPORT_IN_MEMORY_BYTES)  # noqa: SIM115 - handed to the caller
        try:
            await asyncio.to_thread(session_zip, data, file_format, out)
        except BaseException:
            out.close()
            raise
        out.seek(0)
        return out

    async def bids(self, session_id: int) -> bytes:
        """The session as a BIDS dataset (physio recordings and events), zipped."""
        return await asyncio.to_thread(bids_zip, await self._data(session_id))

    async def edf(self, session_id: int) -> bytes:
        """The session as EDF+ with the phases and labels as annotations."""
        return await asyncio.to_thread(edf_bytes, await self._data(session_id))

    async def hrv(self, session_id: int) -> list[SpanHrv]:
        """5-minute HRV per phase and per block (computed from the raw signals, off the loop)."""
        data = await self._data(session_id)
        return await asyncio.to_thread(
            session_hrv, data.session, data.marks, data.batches, data.now
        )

    async def windows(self, session_id: int) -> tuple[StudySession, list[Mark], list[WindowRecord]]:
        """A session, its marks and its windows (oldest first): what a model is trained on."""
        data = await self._data(session_id, with_batches=False)
        return data.session, data.marks, data.windows

    async def _data(self, session_id: int, with_batches: bool = True) -> SessionData:
        session, marks = await self.require(session_id)
        now = self._clock()
        until = session.stopped_at or now
        batches = (
            [
                stored
                async for page in self._storage.signals.batch_pages(
                    session.device_id, session.started_at, until
                )
                for stored in page
            ]
            if with_batches
            else []
        )
        query = WindowQuery(session.device_id, session.started_at, until, MAX_SESSION_WINDOWS)
        windows = list(reversed(await self._storage.signals.list_windows(query)))
        return SessionData(session, marks, batches, windows, now)

    async def _announce(self, event: str, session: StudySession, mark: Mark | None = None) -> None:
        payload: JSONDict = {"event": event, "session": session_payload(session)}
        if mark is not None:
            payload["mark"] = mark_payload(mark)
        await self._broadcaster.emit(wire.STUDY, payload, room=VIEWERS)


def session_payload(session: StudySession) -> JSONDict:
    return asdict(session)


def mark_payload(mark: Mark) -> JSONDict:
    """A phase or label as the HTTP reply and the ``study`` event both give it."""
    return {"id": mark.id, "kind": mark.kind, "name": mark.name, "value": mark.value,
            "at": iso_time(mark.at)}  # fmt: skip
