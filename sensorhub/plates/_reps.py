"""Jump reps announced while a jump test records: the headline numbers the moment a rep lands.

A running jump test is analysed again at most every ``CHECK_INTERVAL_S`` as batches arrive (off
the event loop; a recording of a minute takes tens of milliseconds), and each rep that has
landed is sent once as ``jump_rep`` with its take-off numbers (height, velocity, times, RSI):
those are final at touch-down. Landing numbers (peak landing force, stabilisation) need the
landing to finish and come with the saved test, whose stored analysis is the record.
"""

from __future__ import annotations

import asyncio
from typing import Any

from sensorhub import wire
from sensorhub.loadcell.recorded import JUMP_HEADLINES, RecordedAs, jump_record
from sensorhub.loadcell.session import TestSession
from sensorhub.presence import VIEWERS
from sensorhub.tasks import BackgroundTasks
from sensorhub.types import Broadcaster

#: Checking every 0.2 s shows a rep within ~0.3 s of touch-down (plus the batch and analysis).
CHECK_INTERVAL_S = 0.2
#: Types whose reps are single jumps (rebound sets and drop landings are shown when saved).
LIVE_TYPES = ("cmj", "squat_jump", "drop_jump")
#: Not final at touch-down: shown with the saved test instead.
LANDING_METRICS = frozenset({"peak_landing_force_n", "time_to_stabilisation_s"})


class RepAnnouncer:
    """Sends ``jump_rep`` for every landed rep of a running jump test, once."""

    def __init__(self, broadcaster: Broadcaster, tasks: BackgroundTasks) -> None:
        self._broadcaster = broadcaster
        self._tasks = tasks
        self._announced: dict[int, int] = {}  # test id -> reps sent
        self._busy: set[int] = set()
        self._last_check: dict[int, float] = {}

    def observe(self, session: TestSession, now: float) -> None:
        """A batch arrived for ``session``: analyse again if it is time and none is running."""
        if session.test_type not in LIVE_TYPES or session.id in self._busy:
            return
        if now - self._last_check.get(session.id, -CHECK_INTERVAL_S) < CHECK_INTERVAL_S:
            return
        self._last_check[session.id] = now
        self._busy.add(session.id)
        self._tasks.spawn(self._check(session), f"reps-{session.id}")

    def forget(self, session_id: int) -> None:
        """The test is saved: its reps are in the stored analysis from now on."""
        for state in (self._announced, self._last_check):
            state.pop(session_id, None)

    async def _check(self, session: TestSession) -> None:
        try:
            kind = RecordedAs(test_type=session.test_type, drop_height_m=session.drop_height_m)
            record = await asyncio.to_thread(
                jump_record, session.samples, session.calibration, kind
            )
            reps = (record.get("result") or {}).get("reps", [])
            landed = [rep for rep in reps if "landing" in rep["events"]]
            for rep in landed[self._announced.get(session.id, 0) :]:
                await self._broadcaster.emit(wire.JUMP_REP, _payload(session, rep), room=VIEWERS)
                self._announced[session.id] = rep["index"] + 1
        finally:
            self._busy.discard(session.id)


def _payload(session: TestSession, rep: dict[str, Any]) -> dict[str, Any]:
    headlines = JUMP_HEADLINES[session.test_type]
    return {
        "device_id": session.device_id,
        "session_id": session.id,
        "test_type": session.test_type,
        "rep": rep["index"],
        "landed_s": rep["events"]["landing"],
        "metrics": {
            name: rep["metrics"].get(name) for name in headlines if name not in LANDING_METRICS
        },
        "flags": [check["code"] for check in rep["checks"]],
    }
