"""One force plate's test lifecycle: idle → running → flushing → complete (or interrupted).

Pure state: no clocks, timers or I/O. The hub drives it and does the waiting and storing.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from sensorhub.errors import NoSessionRunning, SessionRunning
from sensorhub.loadcell.calibration import Calibration

# (t, l, r) exactly as the device sent them: t in ms of its own clock, l/r in its own units.
Sample = tuple[float, float, float]

# Enough live history for a 1 s tare window at up to 4 kHz.
RECENT_SAMPLES = 4000


class SessionState(StrEnum):
    IDLE = "idle"
    RUNNING = "running"
    FLUSHING = "flushing"
    COMPLETE = "complete"
    INTERRUPTED = "interrupted"


@dataclass(slots=True)
class TestSession:
    """A test in progress; ``id`` is its stored test id, also sent as ``session_id``."""

    __test__ = False  # not a pytest test class, despite the name

    id: int
    device_id: str
    started_at: float
    calibration: Calibration
    athlete: str | None = None
    notes: str | None = None
    athlete_id: int | None = None
    test_type: str = "imtp"  # or a jump test (docs/jumps.md)
    drop_height_m: float | None = None
    state: SessionState = SessionState.RUNNING
    sample_count: int = 0
    _batches: dict[int, Sequence[Sample]] = field(default_factory=dict)
    _last_seq: int = 0
    # peak_total_n's memo: the highest total so far over the batches up to this seq.
    _peak_n: float | None = None
    _peak_seq: int = 0

    @property
    def samples(self) -> list[Sample]:
        """Every kept sample, in arrival order."""
        return [sample for batch in self._batches.values() for sample in batch]

    def add(self, samples: Sequence[Sample]) -> int:
        """Append a batch; returns its sequence number (arrival order)."""
        self._last_seq += 1
        self._batches[self._last_seq] = samples
        self.sample_count += len(samples)
        return self._last_seq

    def restore(self, batches: Sequence[tuple[int, Sequence[Sample]]]) -> None:
        """Take the batches ``(seq, samples)`` already stored for this test (by a process
        that recorded it before); later batches are numbered after them."""
        for seq, samples in sorted(batches, key=lambda batch: batch[0]):  # kept in seq order
            self._batches[seq] = samples
            self.sample_count += len(samples)
            self._last_seq = max(self._last_seq, seq)
        self._peak_n, self._peak_seq = None, 0  # earlier batches came: read all again

    def withdraw(self, seq: int) -> None:
        """Forget batch ``seq``: the database refused it, and the test keeps only what is
        stored (its device was told so and may send it again)."""
        self.sample_count -= len(self._batches.pop(seq, ()))
        if seq <= self._peak_seq:  # it may have held the peak: count again from the start
            self._peak_n, self._peak_seq = None, 0

    def peak_total_n(self) -> float | None:
        """The highest total force (N, this test's calibration) of the samples kept so far;
        None before the first. Asked for by status polls, not on every batch: batches that
        came since the last ask are read then, once."""
        left, right = self.calibration.l, self.calibration.r
        # Only the batches numbered after the memo (a withdrawn number has none): a poll costs
        # the batches since the last one, not the whole test.
        for seq in range(self._peak_seq + 1, self._last_seq + 1):
            totals = [
                left.to_newtons(s[1]) + right.to_newtons(s[2]) for s in self._batches.get(seq, ())
            ]
            if self._peak_n is not None:
                totals.append(self._peak_n)
            self._peak_n = max(totals, default=None)
        self._peak_seq = self._last_seq
        return self._peak_n


@dataclass(slots=True)
class Plate:
    """The state of one device (``device_id``) as the hub sees it."""

    device_id: str
    calibration: Calibration = field(default_factory=Calibration)
    session: TestSession | None = None
    last_session_id: int | None = None
    recent: deque[Sample] = field(default_factory=lambda: deque(maxlen=RECENT_SAMPLES))

    @property
    def state(self) -> SessionState:
        return self.session.state if self.session else SessionState.IDLE

    @property
    def latest(self) -> Sample | None:
        return self.recent[-1] if self.recent else None

    def check_idle(self) -> None:
        """Raise ``SessionRunning`` unless a test may start now."""
        if self.session is not None:
            raise SessionRunning(
                f"a test ({self.session.id}) is already {self.session.state} on device "
                f"{self.device_id!r}; stop it first"
            )

    def begin(self, session: TestSession) -> None:
        self.check_idle()
        self.session = session

    def check_running(self) -> TestSession:
        """The running test, or ``NoSessionRunning``: what a stop applies to."""
        if self.session is None or self.session.state is not SessionState.RUNNING:
            raise NoSessionRunning(f"no test is running on device {self.device_id!r}")
        return self.session

    def stop(self) -> TestSession:
        """Running → flushing: later samples still belong to the test until it is finished."""
        session = self.check_running()
        session.state = SessionState.FLUSHING
        return session

    def receive(self, samples: Sequence[Sample]) -> tuple[TestSession | None, int]:
        """Record live samples; returns the test they belong to (if any) and the batch number."""
        self.recent.extend(samples)
        if self.session is None:
            return None, 0
        return self.session, self.session.add(samples)

    def finish(self, state: SessionState) -> TestSession:
        """Detach the test (complete or interrupted); the plate is idle again."""
        if self.session is None:
            raise NoSessionRunning(f"no test to finish on device {self.device_id!r}")
        session, self.session = self.session, None
        session.state = state
        self.last_session_id = session.id
        return session

    def last_second(self) -> list[Sample]:
        """Samples from the final 1000 ms of the device clock, for tare and calibration."""
        if not self.recent:
            return []
        since = self.recent[-1][0] - 1000.0
        return [s for s in self.recent if s[0] >= since]
