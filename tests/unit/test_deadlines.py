"""A meeting's deadlines in clear days and working days (domain.deadlines, issue 18 point 2).

Every expected date below was counted by hand from the rules, not taken from the code: the
comment beside each case shows the count. Bank holidays of England and Wales used here:
2026: Fri 3 Apr, Mon 6 Apr (Easter), Mon 4 May (Early May), Mon 25 May (Spring), Mon 31 Aug
(Summer), Fri 25 Dec, Mon 28 Dec (Boxing Day, Sat 26, substituted); 2027: Fri 1 Jan, Fri 26
Mar (Good Friday), Mon 29 Mar (Easter Monday). Default rule: despatch 5 clear working days
before the meeting, final papers 3 working days before despatch, drafts 10 working days before
the final deadline; the key decision notice 28 clear calendar days before the meeting. A
deadline that lands on a weekend or bank holiday is the working day before.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import holidays
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hescb_desktop.domain.deadlines import (
    NAMES,
    DeadlineRule,
    Deadlines,
    clear_days_before,
    clear_days_between,
    days_left,
    is_working_day,
    london_day,
    meeting_deadlines,
    working_days_before,
)
from hescb_desktop.domain.errors import ValidationError

D = date


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (D(2026, 5, 4), False),  # Mon: Early May bank holiday
        (D(2026, 5, 5), True),  # Tue after it
        (D(2026, 5, 25), False),  # Mon: Spring bank holiday
        (D(2026, 8, 31), False),  # Mon: Summer bank holiday
        (D(2026, 12, 24), True),  # Thu: Christmas Eve is a working day
        (D(2026, 12, 25), False),  # Fri: Christmas Day
        (D(2026, 12, 26), False),  # Sat: Boxing Day (a Saturday anyway)
        (D(2026, 12, 28), False),  # Mon: the substitute for Boxing Day
        (D(2026, 12, 29), True),  # Tue
        (D(2027, 1, 1), False),  # Fri: New Year's Day
        (D(2027, 3, 26), False),  # Good Friday
        (D(2027, 3, 29), False),  # Easter Monday
        (D(2027, 3, 30), True),  # Tue after Easter
        (D(2026, 6, 13), False),  # a Saturday
        (D(2026, 6, 14), False),  # a Sunday
    ],
)
def test_working_days_skip_weekends_and_bank_holidays(day: date, working: bool) -> None:
    assert is_working_day(day) is working


@pytest.mark.parametrize(
    ("day", "n", "expected"),
    [
        # Tue 5 May (1); Mon 4 May bank holiday; Fri 1 May (2)
        (D(2026, 5, 6), 2, D(2026, 5, 1)),
        # Mon 28 Dec substitute, Sun 27, Sat 26, Fri 25 Christmas; Thu 24 Dec (1)
        (D(2026, 12, 29), 1, D(2026, 12, 24)),
        # Mon 29 Easter Monday, Fri 26 Good Friday; Thu 25 (1), Wed 24 (2)
        (D(2027, 3, 30), 2, D(2027, 3, 24)),
        # Fri 1 Jan 2027 New Year; Thu 31 Dec (1), Wed 30 (2), Tue 29 (3); Mon 28 substitute
        (D(2027, 1, 4), 3, D(2026, 12, 29)),
        (D(2026, 6, 15), 0, D(2026, 6, 15)),  # none to count: the day itself
    ],
)
def test_working_days_before(day: date, n: int, expected: date) -> None:
    assert working_days_before(day, n) == expected


def test_clear_days_exclude_both_ends() -> None:
    # Wed 6 May -> Tue 12 May 2026: 7, 8, 9, 10, 11 May between; working: Thu 7, Fri 8, Mon 11
    assert clear_days_between(D(2026, 5, 6), D(2026, 5, 12), working=False) == 5
    assert clear_days_between(D(2026, 5, 6), D(2026, 5, 12), working=True) == 3
    assert clear_days_between(D(2026, 5, 11), D(2026, 5, 12)) == 0  # next to each other
    assert clear_days_between(D(2026, 5, 12), D(2026, 5, 6)) == 0  # the wrong way round


@pytest.mark.parametrize(
    ("meeting", "n", "working", "despatch"),
    [
        # Tue 12 May 2026: Mon 11 (1), Fri 8 (2), Thu 7 (3), Wed 6 (4), Tue 5 (5); Mon 4 May
        # bank holiday: despatch Fri 1 May
        (D(2026, 5, 12), 5, True, D(2026, 5, 1)),
        # Thu 28 May 2026: Wed 27 (1), Tue 26 (2), Mon 25 Spring bank holiday, Fri 22 (3),
        # Thu 21 (4), Wed 20 (5): despatch Tue 19 May
        (D(2026, 5, 28), 5, True, D(2026, 5, 19)),
        # the same meeting in calendar days: 28 - 6 = Fri 22 May (clear 23, 24, 25, 26, 27)
        (D(2026, 5, 28), 5, False, D(2026, 5, 22)),
        # Thu 3 Sep 2026: Wed 2 (1), Tue 1 (2), Mon 31 Aug bank holiday, Fri 28 (3), Thu 27 (4),
        # Wed 26 (5): despatch Tue 25 Aug
        (D(2026, 9, 3), 5, True, D(2026, 8, 25)),
        # Tue 5 Jan 2027: Mon 4 (1), Fri 1 Jan holiday, Thu 31 (2), Wed 30 (3), Tue 29 (4),
        # Mon 28 substitute, Sun 27, Sat 26, Fri 25 Christmas, Thu 24 (5): despatch Wed 23 Dec
        (D(2027, 1, 5), 5, True, D(2026, 12, 23)),
        # the same in calendar days: 5 Jan - 6 = Wed 30 Dec (clear 31, 1, 2, 3, 4)
        (D(2027, 1, 5), 5, False, D(2026, 12, 30)),
        # Thu 7 Jan 2027 in calendar days: 7 - 6 = Fri 1 Jan, a bank holiday: Thu 31 Dec
        (D(2027, 1, 7), 5, False, D(2026, 12, 31)),
        # Thu 1 Apr 2027: Wed 31 (1), Tue 30 (2), Mon 29 Easter Monday, Fri 26 Good Friday,
        # Thu 25 (3), Wed 24 (4), Tue 23 (5): despatch Mon 22 Mar
        (D(2027, 4, 1), 5, True, D(2027, 3, 22)),
        # the same in calendar days: 1 Apr - 6 = Fri 26 Mar, Good Friday: Thu 25 Mar
        (D(2027, 4, 1), 5, False, D(2027, 3, 25)),
        # a Monday meeting, Mon 15 Jun 2026: Fri 12 (1), Thu 11 (2), Wed 10 (3), Tue 9 (4),
        # Mon 8 (5): despatch Fri 5 Jun; in calendar days 15 - 6 = Tue 9 Jun
        (D(2026, 6, 15), 5, True, D(2026, 6, 5)),
        (D(2026, 6, 15), 5, False, D(2026, 6, 9)),
        # Fri 13 Mar 2026 in calendar days: 13 - 6 = Sat 7 Mar: Fri 6 Mar; in working days
        # Thu 12 (1), Wed 11 (2), Tue 10 (3), Mon 9 (4), Fri 6 (5): Thu 5 Mar
        (D(2026, 3, 13), 5, False, D(2026, 3, 6)),
        (D(2026, 3, 13), 5, True, D(2026, 3, 5)),
        # Tue 31 Mar 2026, two days after the clocks go forward (Sun 29 Mar): days are dates,
        # not 24-hour spans: Mon 30 (1), Fri 27 (2), Thu 26 (3), Wed 25 (4), Tue 24 (5): Mon 23
        (D(2026, 3, 31), 5, True, D(2026, 3, 23)),
    ],
)
def test_the_latest_despatch_that_leaves_the_clear_days(
    meeting: date, n: int, working: bool, despatch: date
) -> None:
    assert clear_days_before(meeting, n, working) == despatch
    assert clear_days_between(despatch, meeting, working=working) >= n


@pytest.mark.parametrize(
    ("meeting", "expected"),
    [
        # Tue 12 May 2026: despatch Fri 1 May (above); final 3 before: Thu 30 Apr, Wed 29,
        # Tue 28; drafts 10 before Tue 28 Apr: Mon 27, Fri 24, Thu 23, Wed 22, Tue 21, Mon 20,
        # Fri 17, Thu 16, Wed 15, Tue 14 Apr; notice: 12 May - 29 = Mon 13 Apr
        (D(2026, 5, 12), (D(2026, 5, 1), D(2026, 4, 28), D(2026, 4, 14), D(2026, 4, 13))),
        # Thu 3 Sep 2026: despatch Tue 25 Aug; final Mon 24, Fri 21, Thu 20 Aug; drafts Wed 19,
        # Tue 18, Mon 17, Fri 14, Thu 13, Wed 12, Tue 11, Mon 10, Fri 7, Thu 6 Aug; notice
        # 3 Sep - 29 = Wed 5 Aug
        (D(2026, 9, 3), (D(2026, 8, 25), D(2026, 8, 20), D(2026, 8, 6), D(2026, 8, 5))),
        # Tue 5 Jan 2027: despatch Wed 23 Dec; final Tue 22, Mon 21, Fri 18 Dec; drafts Thu 17,
        # Wed 16, Tue 15, Mon 14, Fri 11, Thu 10, Wed 9, Tue 8, Mon 7, Fri 4 Dec; notice
        # 5 Jan - 29 = Mon 7 Dec 2026
        (D(2027, 1, 5), (D(2026, 12, 23), D(2026, 12, 18), D(2026, 12, 4), D(2026, 12, 7))),
        # Thu 1 Apr 2027: despatch Mon 22 Mar; final Fri 19, Thu 18, Wed 17 Mar; drafts Tue 16,
        # Mon 15, Fri 12, Thu 11, Wed 10, Tue 9, Mon 8, Fri 5, Thu 4, Wed 3 Mar; notice
        # 1 Apr - 29 = Wed 3 Mar
        (D(2027, 4, 1), (D(2027, 3, 22), D(2027, 3, 17), D(2027, 3, 3), D(2027, 3, 3))),
        # Mon 15 Jun 2026: despatch Fri 5 Jun; final Thu 4, Wed 3, Tue 2 Jun; drafts Mon 1 Jun,
        # Fri 29, Thu 28, Wed 27, Tue 26 May, (Mon 25 holiday), Fri 22, Thu 21, Wed 20, Tue 19,
        # Mon 18 May; notice 15 Jun - 29 = Sun 17 May: Fri 15 May
        (D(2026, 6, 15), (D(2026, 6, 5), D(2026, 6, 2), D(2026, 5, 18), D(2026, 5, 15))),
        # Tue 27 Oct 2026, two days after the clocks go back (Sun 25 Oct): despatch Mon 26 (1),
        # Fri 23 (2), Thu 22 (3), Wed 21 (4), Tue 20 (5): Mon 19 Oct; final Fri 16, Thu 15,
        # Wed 14 Oct; drafts Tue 13, Mon 12, Fri 9, Thu 8, Wed 7, Tue 6, Mon 5, Fri 2, Thu 1 Oct,
        # Wed 30 Sep; notice 27 Oct - 29 = Mon 28 Sep
        (D(2026, 10, 27), (D(2026, 10, 19), D(2026, 10, 14), D(2026, 9, 30), D(2026, 9, 28))),
    ],
)
def test_a_meetings_deadlines_by_the_default_rule(
    meeting: date, expected: tuple[date, date, date, date]
) -> None:
    got = meeting_deadlines(meeting, DeadlineRule("HESCB"))
    assert (got.despatch, got.final_papers, got.drafts, got.key_decision_notice) == expected
    assert got.meeting == meeting


def test_a_body_that_counts_calendar_days_and_its_own_working_days() -> None:
    rule = DeadlineRule(
        "JESG", despatch_clear_days=5, clear_days_are_working_days=False, final_working_days=2,
        draft_working_days=5,
    )  # fmt: skip
    got = meeting_deadlines(D(2026, 6, 15), rule)
    # Mon 15 Jun 2026 in calendar days: 15 - 6 = Tue 9 Jun; final 2 before: Mon 8, Fri 5 Jun;
    # drafts 5 before Fri 5 Jun: Thu 4, Wed 3, Tue 2, Mon 1 Jun, Fri 29 May
    assert (got.despatch, got.final_papers, got.drafts) == (
        D(2026, 6, 9),
        D(2026, 6, 5),
        D(2026, 5, 29),
    )
    assert got.key_decision_notice == D(2026, 5, 15)  # 28 clear calendar days whatever the rule
    assert not rule.is_default and DeadlineRule("JESG").is_default
    assert rule.text == (
        "5 clear calendar days; final papers 2 working days before despatch; drafts 5 working "
        "days before that"
    )


def test_the_deadlines_come_in_one_stable_order() -> None:
    got = meeting_deadlines(D(2026, 5, 12), DeadlineRule("HESCB"))
    assert [name for name, _ in got.items()] == list(NAMES) == [
        "key_decision_notice", "drafts", "final_papers", "despatch",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("when", "day"),
    [
        # 10:00 London on Tue 31 Mar 2026 (BST since Sun 29 Mar) is 09:00 UTC
        (datetime(2026, 3, 31, 9, 0, tzinfo=UTC), D(2026, 3, 31)),
        # 00:30 London on Tue 31 Mar 2026 is 23:30 UTC on the Monday: the London date counts
        (datetime(2026, 3, 30, 23, 30, tzinfo=UTC), D(2026, 3, 31)),
        # 23:30 UTC on Sat 28 Mar 2026, before the change: 23:30 GMT, still Saturday
        (datetime(2026, 3, 28, 23, 30, tzinfo=UTC), D(2026, 3, 28)),
        # 10:00 London on Tue 27 Oct 2026 (GMT since Sun 25 Oct) is 10:00 UTC
        (datetime(2026, 10, 27, 10, 0, tzinfo=UTC), D(2026, 10, 27)),
    ],
)
def test_a_meeting_counts_from_its_london_date(when: datetime, day: date) -> None:
    assert london_day(when) == day


def test_days_left_are_negative_once_missed() -> None:
    assert days_left(D(2026, 5, 1), D(2026, 4, 28)) == 3
    assert days_left(D(2026, 5, 1), D(2026, 5, 1)) == 0  # due today: not missed
    assert days_left(D(2026, 5, 1), D(2026, 5, 4)) == -3


@pytest.mark.parametrize(
    "values",
    [
        {"despatch_clear_days": 0},
        {"despatch_clear_days": 61},
        {"final_working_days": -1},
        {"draft_working_days": 121},
        {"final_working_days": True},
    ],
)
def test_a_rule_out_of_bounds_is_refused_in_words(values: dict[str, int]) -> None:
    with pytest.raises(ValidationError, match="deadline rule: "):
        DeadlineRule("HESCB", **values)


# ------------------------------------------------------------------ properties
ENGLAND_AND_WALES = holidays.country_holidays("GB", subdiv="ENG")  # fills in years as asked


def _works(day: date) -> bool:
    """A working day, decided here from the holidays package, independently of the code."""
    return day.weekday() < 5 and day not in ENGLAND_AND_WALES


def _clear(start: date, end: date, working: bool) -> int:
    """Counted here one day at a time, independently of clear_days_between."""
    n, day = 0, start + timedelta(days=1)
    while day < end:
        if not working or _works(day):
            n += 1
        day += timedelta(days=1)
    return n


meetings = st.dates(min_value=D(1995, 1, 1), max_value=D(2095, 12, 31))


@settings(deadline=None)  # the first call of a year computes its bank holidays
@given(meeting=meetings, n=st.integers(0, 40), working=st.booleans())
def test_despatch_leaves_the_clear_days_and_is_the_latest_working_day_that_does(
    meeting: date, n: int, working: bool
) -> None:
    despatch = clear_days_before(meeting, n, working)
    assert despatch < meeting
    assert _works(despatch)
    assert _clear(despatch, meeting, working) >= n
    later = despatch + timedelta(days=1)
    while later < meeting:
        # any later day: a day the office does not work, or too few clear days
        assert not _works(later) or _clear(later, meeting, working) < n
        later += timedelta(days=1)


@settings(deadline=None)
@given(day=meetings, n=st.integers(1, 60))
def test_n_working_days_before_is_a_working_day_with_n_working_days_from_it(
    day: date, n: int
) -> None:
    found = working_days_before(day, n)
    assert _works(found)
    # from `found` (counted) up to `day` (not counted): exactly n working days
    assert _clear(found - timedelta(days=1), day, True) == n


@settings(deadline=None)
@given(meeting=meetings)
def test_on_the_default_rule_each_deadline_follows_the_one_before(meeting: date) -> None:
    got: Deadlines = meeting_deadlines(meeting, DeadlineRule("HESCB"))
    assert got.drafts < got.final_papers < got.despatch < meeting
    assert got.key_decision_notice <= meeting - timedelta(days=29)
    assert all(_works(d) for _, d in got.items())
