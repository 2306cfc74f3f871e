"""The re-dating rule for records stamped beyond the share's time (sync.clockguard.redate).

Every PC applies it to the same segment and the same file time, so it must be a function of
those alone; it must keep the order of the author's changes (two changes of one field, one
commit's fields together) and put every re-dated stamp within the bound of the share's time.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hescb_desktop.services.context import open_context
from hescb_desktop.sync.clockguard import (
    MTIME_TRUST_MS,
    IncomingCheck,
    how_far,
    redate,
    share_time,
)
from hescb_desktop.sync.hlc import MAX_AHEAD_MS, ceiling, pack, unpack
from hescb_desktop.sync.segments import (
    Record,
    SegmentError,
    dated_by_author,
    encode,
    read_segment,
    segment_header,
)

SHARE_MS = 1_795_000_000_000  # the time the share gave the segment (2026-11-18)
YEAR_MS = 365 * 24 * 3600 * 1000


def _records(stamps: list[int], prevs: list[int | None] | None = None) -> list[Record]:
    prevs = prevs or [None] * len(stamps)
    return [
        Record("dev-a", seq, seq, hlc, "people", f"row{seq % 3}", "role", f'"v{seq}"', prev, "u")
        for seq, (hlc, prev) in enumerate(zip(stamps, prevs, strict=True), start=1)
    ]


# ahead of the share's time by: a little (kept), or beyond the bound (re-dated), up to 73 years
offsets = st.one_of(
    st.integers(min_value=-(10**8), max_value=MAX_AHEAD_MS),
    st.integers(min_value=MAX_AHEAD_MS + 1, max_value=73 * YEAR_MS),
)


@given(st.lists(st.tuples(offsets, st.integers(0, 5)), min_size=1, max_size=200))
def test_redating_keeps_the_order_stays_within_the_bound_and_is_deterministic(
    stamps: list[tuple[int, int]],
) -> None:
    records = _records([pack(SHARE_MS + ahead, counter) for ahead, counter in stamps])
    result = redate(records, SHARE_MS)
    again = redate(list(records), SHARE_MS)
    assert result == again  # a function of the segment and its time only
    out = result.records if result is not None else records
    limit = ceiling(SHARE_MS)
    if all(r.hlc <= limit for r in records):
        assert result is None  # nothing far ahead: the segment is stored as written
    for old, new in zip(records, out, strict=True):
        assert (old.seq, old.row, old.value) == (new.seq, new.row, new.value)
        assert unpack(new.hlc)[0] <= SHARE_MS + MAX_AHEAD_MS + 1
        if old.hlc <= limit:
            assert new.hlc == old.hlc  # within the bound: untouched
    for a, b in zip(records, out, strict=True):
        for c, d in zip(records, out, strict=True):
            if a.hlc < c.hlc:
                assert b.hlc < d.hlc  # order kept: a later change of a field still wins
            if a.hlc == c.hlc:
                assert b.hlc == d.hlc  # one commit's fields keep one stamp
    if result is not None:
        assert set(result.stamped) == {
            o.seq for o, n in zip(records, out, strict=True) if o.hlc != n.hlc
        }
        assert all(
            result.stamped[n.seq] == o.hlc for o, n in zip(records, out, strict=True) if o != n
        )


def test_a_segment_of_20000_changes_far_ahead_keeps_them_apart_and_in_order() -> None:
    """More distinct stamps than a millisecond's counter holds: the order is still kept."""
    far = pack(SHARE_MS + 73 * YEAR_MS, 0)
    records = _records([far + 3 * i for i in range(70_000)])
    result = redate(records, SHARE_MS)
    assert result is not None
    new = [r.hlc for r in result.records]
    assert new == sorted(set(new))
    assert new[0] == pack(SHARE_MS, 0)
    assert unpack(new[-1])[0] <= SHARE_MS + 2


def test_an_edit_made_on_top_of_a_value_still_sorts_after_it() -> None:
    """The far-ahead PC edited a value another PC stamped a few minutes after the segment's
    time (that PC's clock a little ahead, within the bound): the edit still wins over it; and an
    edit of its own earlier change in the segment keeps following it."""
    seen = pack(SHARE_MS + 4 * 60_000, 0)
    first = pack(SHARE_MS + 73 * YEAR_MS, 0)
    second = first + 7
    records = _records([first, second], [seen, first])
    result = redate(records, SHARE_MS)
    assert result is not None
    one, two = result.records
    assert seen < one.hlc < two.hlc <= ceiling(SHARE_MS)
    assert two.prev_hlc == one.hlc  # the chain is re-dated with it
    assert one.prev_hlc == seen


def test_an_edit_of_a_value_stamped_far_ahead_before_the_bound_keeps_winning() -> None:
    """A board poisoned before this rule: a value stamped 2099 held by every PC. A correct PC's
    edit of it took 2099 + 1 (capture); re-dating it would make it lose to the value it replaced,
    so it is left as it is (and its PC is not told its clock is wrong)."""
    poisoned = pack(SHARE_MS + 73 * YEAR_MS, 0)
    records = _records([pack(SHARE_MS - 5, 0), poisoned + 1], [None, poisoned])
    assert redate(records, SHARE_MS) is None


def test_a_record_following_one_re_dated_in_an_earlier_segment() -> None:
    """Its prev_hlc is the author's own stamp of a change re-dated when an earlier segment was
    merged: every PC merged that segment first and finds the same re-dated stamp."""
    earlier_own = pack(SHARE_MS + 73 * YEAR_MS, 0)
    earlier_stored = pack(SHARE_MS - 60_000, 4)
    records = _records([earlier_own + 10], [earlier_own])
    result = redate(records, SHARE_MS, lambda rec, prev: earlier_stored)
    assert result is not None
    assert result.records[0].prev_hlc == earlier_stored
    assert earlier_stored < result.records[0].hlc <= ceiling(SHARE_MS)


def test_the_share_time_of_a_crafted_file_is_bounded(tmp_path: Path) -> None:
    path = tmp_path / "000000000001-000000000001.jsonl"
    path.write_bytes(b"x")
    os.utime(path, ns=(0, (SHARE_MS + 73 * YEAR_MS) * 1_000_000))
    assert share_time(path, SHARE_MS) == SHARE_MS + MTIME_TRUST_MS
    os.utime(path, ns=(0, SHARE_MS * 1_000_000))
    assert share_time(path, SHARE_MS - 60_000) == SHARE_MS  # a reader a minute slow: as is


def test_how_far_reads_as_people_say_it() -> None:
    assert how_far(73 * YEAR_MS + 5_000_000) == "73 years"
    assert how_far(3 * 3600 * 1000) == "3 hours"
    assert how_far(12 * 60_000) == "12 minutes"
    assert how_far(36 * 3600 * 1000) == "2 days"


# ---------------------------------------------------------------- a healing copy's own dates
def _copy(tmp_path: Path, share_ms: int) -> Path:
    path = tmp_path / "000000000001-000000000002.h1.jsonl"
    path.write_bytes(b"x")
    os.utime(path, ns=(0, share_ms * 1_000_000))
    return path


def test_a_healing_copy_is_dated_as_its_original_was(tmp_path: Path) -> None:
    """The copy is a later file: the stamps its author stored when the original was re-dated
    are taken (earlier than the records' own, within the copy's time), and the author's own
    stamps are kept for the History view."""
    engine = open_context(tmp_path / "pc").engine
    check = IncomingCheck(engine, wall=lambda: SHARE_MS + 60_000)
    own = pack(SHARE_MS + 73 * YEAR_MS, 0)
    records = _records([own, own + 1], [None, own])
    original = pack(SHARE_MS - 60_000, 0)  # what the original's file time gave them
    dated = {1: (original, None), 2: (original + 1, original)}
    out = check.segment(_copy(tmp_path, SHARE_MS), records, dated)
    assert [(r.hlc, r.prev_hlc) for r in out] == [(original, None), (original + 1, original)]
    assert check.stamped == {("dev-a", 1): (own, original), ("dev-a", 2): (own + 1, original + 1)}
    assert check.ahead["dev-a"] >= 73 * YEAR_MS - 1


def test_a_copy_cannot_date_its_records_beyond_its_own_time(tmp_path: Path) -> None:
    """A crafted (or buggy) copy naming a stamp far ahead, or later than the record's own, is
    not taken: its records are re-dated by the copy's time, as any segment's would be."""
    engine = open_context(tmp_path / "pc").engine
    check = IncomingCheck(engine, wall=lambda: SHARE_MS + 60_000)
    own = pack(SHARE_MS + 73 * YEAR_MS, 0)
    records = _records([own, pack(SHARE_MS - 5, 0)])
    dated = {1: (own - 1, None), 2: (pack(SHARE_MS, 0), None)}  # far ahead; later than own
    out = check.segment(_copy(tmp_path, SHARE_MS), records, dated)
    assert out[0].hlc <= ceiling(SHARE_MS) and out[0].hlc != own - 1
    assert out[1].hlc == pack(SHARE_MS - 5, 0)


def test_a_copy_whose_dates_are_malformed_is_refused(tmp_path: Path) -> None:
    records = _records([pack(SHARE_MS, 0)])
    for dated in ("soon", [[1, "x", None]], [[1, 2]], [[1, -2, None]], [[True, 2, None]]):
        header = {**segment_header("dev-a", 1, 1, "s"), "heals": "1-1", "dated": dated}
        path = tmp_path / "000000000001-000000000001.h1.jsonl"
        path.write_bytes(encode(header, records))
        with pytest.raises(SegmentError, match="its header's dates"):
            read_segment(path, "dev-a")
    header = {**segment_header("dev-a", 1, 1, "s"), "dated": [[1, 5, None]]}
    path.write_bytes(encode(header, records))
    assert dated_by_author(read_segment(path, "dev-a").header) == {1: (5, None)}
