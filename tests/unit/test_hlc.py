from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from hescb_desktop.sync.hlc import (
    COUNTER_MAX,
    MAX_DRIFT_MS,
    HybridLogicalClock,
    format_hlc,
    pack,
    unpack,
)


class FakeWall:
    """A wall clock the test moves by hand (the clock under test is real)."""

    def __init__(self, ms: int) -> None:
        self.ms = ms

    def __call__(self) -> int:
        return self.ms


def test_pack_round_trip_and_order() -> None:
    assert unpack(pack(1_700_000_000_000, 7)) == (1_700_000_000_000, 7)
    assert pack(5, COUNTER_MAX) < pack(6, 0)


def test_now_follows_the_wall_clock() -> None:
    wall = FakeWall(1_000)
    clock = HybridLogicalClock(wall=wall)
    assert unpack(clock.now()) == (1_000, 0)
    wall.ms = 2_000
    assert unpack(clock.now()) == (2_000, 0)


def test_monotonic_when_wall_clock_jumps_back() -> None:
    wall = FakeWall(10_000)
    clock = HybridLogicalClock(wall=wall)
    first = clock.now()
    wall.ms = 5_000  # an NTP correction or a user fixing the time
    second = clock.now()
    third = clock.now()
    assert first < second < third
    assert unpack(third) == (10_000, 2)


def test_counter_overflow_borrows_a_millisecond() -> None:
    clock = HybridLogicalClock(last=pack(100, COUNTER_MAX), wall=FakeWall(50))
    assert unpack(clock.now()) == (101, 0)


def test_restart_continues_after_persisted_value() -> None:
    persisted = pack(9_999_999, 3)
    clock = HybridLogicalClock(last=persisted, wall=FakeWall(1_000))
    assert clock.now() > persisted


def test_observe_moves_past_a_remote_stamp() -> None:
    wall = FakeWall(1_000)
    clock = HybridLogicalClock(wall=wall)
    remote = pack(1_500, 4)
    result = clock.observe(remote)
    assert result.hlc > remote
    assert not result.clamped
    assert clock.now() > result.hlc


def test_observe_clamps_a_clock_far_in_the_future() -> None:
    wall = FakeWall(1_000)
    clock = HybridLogicalClock(wall=wall)
    result = clock.observe(pack(1_000 + MAX_DRIFT_MS + 60_000, 0))
    assert result.clamped
    assert clock.clamped_count == 1
    assert unpack(result.hlc)[0] <= 1_000 + MAX_DRIFT_MS


def test_format_is_readable() -> None:
    assert format_hlc(pack(0, 3)) == "1970-01-01T00:00:00.000Z#3"


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["now", "observe"]),
            st.integers(min_value=0, max_value=10**12),
            st.integers(min_value=0, max_value=10**12),
        ),
        max_size=60,
    )
)
def test_strictly_increasing_under_any_wall_and_remote(steps: list[tuple[str, int, int]]) -> None:
    wall = FakeWall(0)
    clock = HybridLogicalClock(wall=wall)
    previous = -1
    for op, wall_ms, remote_ms in steps:
        wall.ms = wall_ms
        value = clock.now() if op == "now" else clock.observe(pack(remote_ms, 0)).hlc
        assert value > previous
        previous = value
