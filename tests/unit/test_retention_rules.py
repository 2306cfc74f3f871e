"""The retention schedule's words and dates (domain.retention, issue 16 point 5)."""

from __future__ import annotations

from datetime import date

import pytest

from hescb_desktop.domain.errors import ValidationError
from hescb_desktop.domain.retention import (
    CLASSES,
    due_on,
    is_due,
    parse_period,
    period_text,
    record_class,
)


@pytest.mark.parametrize(
    ("text", "years"),
    [("permanent", None), (" Permanent ", None), ("6", 6), ("6 years", 6), ("1 year", 1),
     ("100", 100), ("2y", 2), ("forever", None)],
)  # fmt: skip
def test_a_period_is_whole_years_or_permanent(text: str, years: int | None) -> None:
    assert parse_period(text) == years


@pytest.mark.parametrize("text", ["0", "101", "six", "-1", "", "6 months", "1.5", "6 years ago"])
def test_anything_else_is_refused_in_words(text: str) -> None:
    with pytest.raises(ValidationError, match="retention period"):
        parse_period(text)


def test_the_anniversary_ends_the_period_a_leap_day_on_the_28th() -> None:
    assert due_on(date(2020, 3, 1), 6) == date(2026, 3, 1)
    assert due_on(date(2024, 2, 29), 1) == date(2025, 2, 28)
    assert due_on(date(2020, 1, 1), None) is None
    assert is_due(date(2020, 3, 1), 6, date(2026, 3, 1))
    assert not is_due(date(2020, 3, 1), 6, date(2026, 2, 28))
    assert not is_due(date(1900, 1, 1), None, date(2026, 1, 1))  # permanent: never


def test_the_kinds_of_record_and_their_defaults() -> None:
    defaults = {c.key: period_text(c.default_years) for c in CLASSES}
    assert defaults == {
        "approved-minutes": "permanent",
        "papers": "permanent",
        "closed-actions": "6 years",
        "calendar-items": "2 years",
    }
    assert record_class(" Closed-Actions ").table == "actions"
    with pytest.raises(ValidationError, match="closed-actions"):
        record_class("actions")


def test_counts_read_as_people_say_them() -> None:
    from hescb_desktop.domain.retention import count_text, counts_text

    assert count_text("closed actions", 1) == "1 closed action"
    assert count_text("approved minutes", 2) == "2 approved minutes"
    assert counts_text({"closed actions": 2, "calendar items": 1}) == (
        "1 calendar item, 2 closed actions"
    )
