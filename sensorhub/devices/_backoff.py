"""Exponential backoff for reconnecting to a port or a server."""

from __future__ import annotations

# A replugged board is back within a second; a long absence costs one attempt per 10 s.
INITIAL_DELAY_S = 0.5
MAX_DELAY_S = 10.0


class Backoff:
    """Delays that double from ``initial`` up to ``cap``; ``reset`` after a success."""

    def __init__(self, initial: float = INITIAL_DELAY_S, cap: float = MAX_DELAY_S) -> None:
        if not 0 < initial <= cap:
            raise ValueError("backoff needs 0 < initial <= cap")
        self.initial = initial
        self.cap = cap
        self._next = initial

    def next_delay(self) -> float:
        delay = self._next
        self._next = min(delay * 2, self.cap)
        return delay

    def reset(self) -> None:
        self._next = self.initial
