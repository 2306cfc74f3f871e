"""A hybrid logical clock: wall-clock milliseconds plus a counter, packed into one integer.

`now()` never goes backwards, even when the PC's clock does (NTP corrections, a user fixing the
time); `observe()` folds in a peer's timestamp so every later local change sorts after it.

One bound, `MAX_AHEAD_MS`, applies wherever a time stamp is made: the clock never moves more
than that beyond its wall clock (a peer's stamp further ahead is clamped and counted; an edit
that must sort after a value stamped further ahead takes that value + 1 without moving the
clock, see `witness`), and a merge re-dates records stamped that far beyond the share's time
(`sync.clockguard`). So one PC with a wrong clock cannot drag everyone's clocks with it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

COUNTER_BITS = 16
COUNTER_MAX = (1 << COUNTER_BITS) - 1
# Twice the 5 minutes Kerberos allows a Windows domain PC (so no PC of a working domain is ever
# treated as wrong), yet short: a clock further ahead would win every concurrent edit for as long.
MAX_AHEAD_MS = 10 * 60 * 1000
MAX_DRIFT_MS = MAX_AHEAD_MS  # the name older code and tests use


def pack(wall_ms: int, counter: int) -> int:
    return (wall_ms << COUNTER_BITS) | counter


def unpack(hlc: int) -> tuple[int, int]:
    return hlc >> COUNTER_BITS, hlc & COUNTER_MAX


def ceiling(wall_ms: int, bound_ms: int = MAX_AHEAD_MS) -> int:
    """The highest stamp allowed when the wall clock reads `wall_ms`."""
    return pack(wall_ms + bound_ms, COUNTER_MAX)


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
    """Thread-safe HLC; `last` restores the highest value this PC ever handed out.

    `offset_ms` is added to the wall clock: a PC found to run far ahead of the share's time
    follows the share's time until its own clock is right (`sync.clockguard.learn_own_clock`).
    """

    def __init__(
        self,
        last: int = 0,
        wall: Callable[[], int] = wall_ms,
        max_drift_ms: int = MAX_AHEAD_MS,
        offset_ms: int = 0,
    ) -> None:
        self._wall = wall
        self._max_drift = max_drift_ms
        self._last = last
        self._lock = threading.Lock()
        self.offset_ms = offset_ms
        self.clamped_count = 0

    @property
    def last(self) -> int:
        return self._last

    @property
    def bound_ms(self) -> int:
        return self._max_drift

    def raw_wall(self) -> int:
        """This PC's own wall clock, without the offset."""
        return self._wall()

    def wall(self) -> int:
        """The wall clock this clock follows (with the offset)."""
        return self._wall() + self.offset_ms

    def now(self) -> int:
        with self._lock:
            self._last = self._advance(self._last, self.wall())
            return self._last

    def after(self, floor: int) -> int:
        """A stamp greater than `floor` and than every stamp handed out, with no drift bound:
        `floor` is this PC's own (a signed statement it kept, what its database recorded), so
        a statement it issues now is dated after every statement it knows, whatever its wall
        clock says."""
        with self._lock:
            self._last = self._advance(max(self._last, floor), self.wall())
            return self._last

    def observe(self, remote: int) -> ObserveResult:
        """Merge a peer's timestamp; returns the new local value (greater than both)."""
        with self._lock:
            physical = self.wall()
            clamped = unpack(remote)[0] > physical + self._max_drift
            if clamped:
                self.clamped_count += 1
                remote = pack(physical + self._max_drift, 0)
            self._last = self._advance(max(self._last, remote), physical)
            return ObserveResult(self._last, clamped)

    def witness(self, stamp: int) -> int:
        """A stamp this PC wrote that may exceed `now()` (an edit sorting after the value it
        replaces): the clock follows it only within the bound. Returns the new `last`."""
        with self._lock:
            if stamp > self._last and stamp <= ceiling(self.wall(), self._max_drift):
                self._last = stamp
            return self._last

    def reset(self, last: int) -> None:
        """Start again from `last`, lower than before: this PC's own far-ahead stamps were
        re-dated by the share's time, so its clock must not stay out there."""
        with self._lock:
            self._last = last

    def behind_by(self) -> int:
        """How many ms the wall clock is behind the highest value handed out (0 if not)."""
        return max(0, unpack(self._last)[0] - self.wall())

    @staticmethod
    def _advance(last: int, physical_ms: int) -> int:
        last_wall, counter = unpack(last)
        if physical_ms > last_wall:
            return pack(physical_ms, 0)
        if counter < COUNTER_MAX:
            return pack(last_wall, counter + 1)
        return pack(last_wall + 1, 0)  # counter exhausted: borrow a millisecond
