"""The screen's fast path (a field at a time over the batch) decides exactly as its record by
record rules: a record is kept or refused the same whatever batch it arrives in (issue 13)."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from hescb_desktop.sync.screen import _record_problem, screen
from hescb_desktop.sync.segments import Record

ROW = "01a236e7-4a27-7e5d-8708-9e993a451a1f"
GOOD = [
    Record("d", 1, 1, 5, "people", ROW, "name", '"Sam"', None, "u"),
    Record("d", 2, 1, 5, "people", ROW, "created_at", '"2026-01-01T10:00:00Z"', None, "u"),
    Record("d", 3, 1, 5, "people", ROW, "deleted", "false", 4, "u"),
    Record("d", 4, 1, 5, "objectives", ROW, "start_date", '"2026-01-05"', None, "u"),
    Record("d", 5, 1, 5, "objectives", ROW, "position", "3.5", None, "u"),
    Record("d", 6, 1, 5, "attachments", ROW, "size", "120", None, "u"),
    Record("d", 7, 1, 5, "resources", ROW, "kind", '"hovercraft"', None, "u"),  # newer value
    Record("d", 8, 1, 5, "people", ROW, "pronouns", '["a", "list"]', None, "u"),  # newer column
    Record("d", 9, 1, 5, "newer_table", ROW, "anything", "{}", None, "u"),  # newer table
]
SPOILS: list[tuple[str, Any]] = [
    ("hlc", "soon"),
    ("hlc", -1),
    ("hlc", 2**64),
    ("tx", 1.5),
    ("prev_hlc", -3),
    ("prev_hlc", "x"),
    ("table", "sync_peers"),
    ("table", "sqlite_master"),
    ("table", "Bad Name"),
    ("col", "id"),
    ("row", 7),
    ("row", "not an id!"),
    ("value", "{oops"),
    ("value", "null"),
    ("value", '"2026-13-45"'),
    ("value", '"2026-01-01T10:00:00"'),
    ("value", "true"),
    ("value", str(2**63)),
    ("table", ["people"]),
    ("col", 5),
    ("row", None),
    ("value", 5),
    ("value", ("x",)),
    ("user", None),
    ("user", "u" * 1001),
]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(0, len(GOOD) - 1),
            st.one_of(st.none(), st.integers(0, len(SPOILS) - 1)),
        ),
        min_size=1,
        max_size=12,
    )
)
def test_the_batch_decides_as_each_record_would(picks: list[tuple[int, int | None]]) -> None:
    records = []
    for i, spoil in picks:
        rec = GOOD[i]
        if spoil is not None:
            field, value = SPOILS[spoil]
            rec = rec._replace(**{field: value})
        records.append(rec)
    kept, refused = screen(records)
    expected = [r for r in records if _record_problem(r) is None]
    assert kept == expected
    assert sum(refused.values()) == len(records) - len(expected)


def test_good_records_all_pass_and_each_spoil_is_refused() -> None:
    assert screen(GOOD) == (GOOD, {})
    value_targets = {  # a value is wrong only for some columns: the one it is tried on
        "{oops": GOOD[0],
        5: GOOD[0],  # not text at all
        ("x",): GOOD[0],
        "null": GOOD[0],  # a person's name is required
        '"2026-13-45"': GOOD[3],  # a date
        '"2026-01-01T10:00:00"': GOOD[1],  # a time without its zone
        "true": GOOD[5],  # yes/no for a number
        str(2**63): GOOD[5],  # beyond SQLite's integers
    }
    for field, value in SPOILS:
        targets = [value_targets[value]] if field == "value" else GOOD
        for rec in targets:
            kept, refused = screen([rec._replace(**{field: value})])
            assert (kept, sum(refused.values())) == ([], 1), (field, value, rec)
