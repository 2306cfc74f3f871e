from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from hescb_desktop.sync.hlc import (
    COUNTER_MAX,
    MAX_AHEAD_MS,
    HybridLogicalClock,
    ceiling,
    format_hlc,
    pack,
    unpack,
)

HOUR_MS = 3600 * 1000


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
    result = clock.observe(pack(1_000 + MAX_AHEAD_MS + 60_000, 0))
    assert result.clamped
    assert clock.clamped_count == 1
    assert unpack(result.hlc)[0] <= 1_000 + MAX_AHEAD_MS


def test_the_bound_is_minutes_not_a_day() -> None:
    """A peer an hour ahead is clamped (the bound was a day: a clock 23 hours ahead dragged
    everyone's), one 5 minutes ahead (what Kerberos lets a domain PC be) is followed."""
    assert 5 * 60_000 < MAX_AHEAD_MS <= HOUR_MS
    wall = FakeWall(10**12)
    clock = HybridLogicalClock(wall=wall)
    assert clock.observe(pack(wall.ms + HOUR_MS, 0)).clamped
    assert not clock.observe(pack(wall.ms + 5 * 60_000, 0)).clamped


def test_witness_follows_a_stamp_only_within_the_bound() -> None:
    wall = FakeWall(10**12)
    clock = HybridLogicalClock(wall=wall)
    near = pack(wall.ms + 60_000, 3)
    assert clock.witness(near) == near  # an edit on top of a value a minute ahead: followed
    assert clock.witness(pack(wall.ms + 73 * 365 * 24 * HOUR_MS, 0)) == near  # 2099: not
    assert clock.now() <= ceiling(wall.ms)


def test_an_offset_makes_the_clock_follow_the_share() -> None:
    wall = FakeWall(10**12 + 73 * 365 * 24 * HOUR_MS)
    clock = HybridLogicalClock(wall=wall, offset_ms=-73 * 365 * 24 * HOUR_MS)
    assert unpack(clock.now())[0] == 10**12
    assert clock.raw_wall() == wall.ms
    clock.reset(pack(5, 0))
    assert clock.last == pack(5, 0)
    assert clock.behind_by() == 0
    clock.now()
    wall.ms -= 3 * HOUR_MS  # the wall clock goes back: told by behind_by
    clock.now()
    assert clock.behind_by() == 3 * HOUR_MS


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["now", "observe", "witness"]),
            st.integers(min_value=0, max_value=10**6),  # how far the wall clock moves on
            st.integers(min_value=-(10**7), max_value=10**14),  # a stamp, from the wall clock
        ),
        max_size=60,
    )
)
def test_the_clock_never_moves_beyond_its_wall_clock_plus_the_bound(
    steps: list[tuple[str, int, int]],
) -> None:
    """Whatever peers and edits throw at it, a clock whose wall clock does not go back never
    hands out (nor keeps as its `last`) a stamp beyond that wall clock + the bound."""
    wall = FakeWall(10**12)
    clock = HybridLogicalClock(wall=wall)
    for op, step, ahead in steps:
        wall.ms += step
        stamp = pack(wall.ms + ahead, 0)
        if op == "now":
            value = clock.now()
        elif op == "observe":
            value = clock.observe(stamp).hlc
        else:
            value = clock.witness(stamp)
        assert value <= ceiling(wall.ms)
        assert clock.last <= ceiling(wall.ms)


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
