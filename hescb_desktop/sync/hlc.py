"""A hybrid logical clock: wall-clock milliseconds plus a counter, packed into one integer.

`now()` never goes backwards, even when the PC's clock does (NTP corrections, a user fixing the
time); `observe()` folds in a peer's timestamp so every later local change sorts after it. A peer
timestamp far in the future is clamped (and counted) so one PC with a wrong clock cannot drag
everyone's clocks with it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

COUNTER_BITS = 16
COUNTER_MAX = (1 << COUNTER_BITS) - 1
MAX_DRIFT_MS = 24 * 3600 * 1000  # a peer more than a day ahead is clamped


def pack(wall_ms: int, counter: int) -> int:
    return (wall_ms << COUNTER_BITS) | counter


def unpack(hlc: int) -> tuple[int, int]:
    return hlc >> COUNTER_BITS, hlc & COUNTER_MAX


def to_datetime(hlc: int) -> datetime:
    return datetime.fromtimestamp(unpack(hlc)[0] / 1000, UTC)


def format_hlc(hlc: int) -> str:
    counter = unpack(hlc)[1]
    return f"{to_datetime(hlc):%Y-%m-%dT%H:%M:%S.%f}"[:-3] + f"Z#{counter}"


def wall_ms() -> int:
    return time.time_ns() // 1_000_000


@dataclass
class ObserveResult:
    hlc: int
    clamped: bool


class HybridLogicalClock:
    """Thread-safe HLC; `last` restores the highest value this PC ever handed out."""

    def __init__(
        self, last: int = 0, wall: Callable[[], int] = wall_ms, max_drift_ms: int = MAX_DRIFT_MS
    ) -> None:
        self._wall = wall
        self._max_drift = max_drift_ms
        self._last = last
        self._lock = threading.Lock()
        self.clamped_count = 0

    @property
    def last(self) -> int:
        return self._last

    def now(self) -> int:
        with self._lock:
            self._last = self._advance(self._last, self._wall())
            return self._last

    def observe(self, remote: int) -> ObserveResult:
        """Merge a peer's timestamp; returns the new local value (greater than both)."""
        with self._lock:
            physical = self._wall()
            clamped = unpack(remote)[0] > physical + self._max_drift
            if clamped:
                self.clamped_count += 1
                remote = pack(physical + self._max_drift, 0)
            self._last = self._advance(max(self._last, remote), physical)
            return ObserveResult(self._last, clamped)

    @staticmethod
    def _advance(last: int, physical_ms: int) -> int:
        last_wall, counter = unpack(last)
        if physical_ms > last_wall:
            return pack(physical_ms, 0)
        if counter < COUNTER_MAX:
            return pack(last_wall, counter + 1)
        return pack(last_wall + 1, 0)  # counter exhausted: borrow a millisecond
