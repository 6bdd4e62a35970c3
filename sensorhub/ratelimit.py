"""Token buckets keyed by who is asking (an address, a device): the one rate rule every
transport applies, so HTTP, Socket.IO and /ws limit alike."""

from __future__ import annotations

import time
from collections import OrderedDict

# Enough distinct keys for a club; the least recently seen are forgotten beyond it.
MAX_TRACKED_KEYS = 10_000


class TokenBuckets:
    """``rate`` events/s per key, bursts up to ``burst``; ``rate <= 0`` means no limit."""

    def __init__(self, rate: float, burst: int, max_keys: int = MAX_TRACKED_KEYS) -> None:
        self.rate = rate
        self.burst = float(burst)
        self._max_keys = max_keys
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    @property
    def enabled(self) -> bool:
        return self.rate > 0

    @property
    def retry_after_s(self) -> int:
        """Whole seconds until a refused key has a token again (HTTP's Retry-After)."""
        return max(1, round(1 / self.rate)) if self.enabled else 1

    def take(self, key: str) -> bool:
        """Spend one token of ``key``'s bucket; False when it is empty."""
        if not self.enabled:
            return True
        now = time.monotonic()
        tokens, last = self._buckets.pop(key, (self.burst, now))
        tokens = min(self.burst, tokens + (now - last) * self.rate)
        allowed = tokens >= 1.0
        self._buckets[key] = (tokens - 1.0 if allowed else tokens, now)
        if len(self._buckets) > self._max_keys:
            self._buckets.popitem(last=False)
        return allowed
