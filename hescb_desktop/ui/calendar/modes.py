"""The calendar's views and the days each one shows: the range it covers, a step back or on,
and the period named above it."""

from __future__ import annotations

from datetime import date, timedelta

from hescb_desktop.domain.calendar import week_start
from hescb_desktop.ui.calendar.find_time import monday_of

DAY, WORK_WEEK, WEEK, MONTH, AGENDA, FIND, RESULTS = range(7)
AGENDA_DAYS = 28
STACK = {DAY: 0, WORK_WEEK: 0, WEEK: 0, MONTH: 1, AGENDA: 2, FIND: 3, RESULTS: 4}  # page shown


def days_shown(mode: int, anchor: date) -> list[date]:
    """The days of the time grid: the anchor's day, or its (work) week."""
    if mode == DAY:
        return [anchor]
    monday = week_start(anchor)
    count = 5 if mode == WORK_WEEK else 7
    return [monday + timedelta(days=n) for n in range(count)]


def visible_range(mode: int, anchor: date) -> tuple[date, date]:
    if mode in (DAY, WORK_WEEK, WEEK):
        days = days_shown(mode, anchor)
        return days[0], days[-1]
    if mode == MONTH:
        first = week_start(anchor.replace(day=1))
        return first, first + timedelta(days=41)
    if mode == FIND:
        monday = monday_of(anchor)
        return monday, monday + timedelta(days=6)
    return anchor, anchor + timedelta(days=AGENDA_DAYS - 1)


def stepped(mode: int, anchor: date, direction: int) -> date:
    """The anchor one view back (-1) or on (1): a day, a month, four weeks or a week."""
    if mode == DAY:
        return anchor + timedelta(days=direction)
    if mode == MONTH:
        month = anchor.month - 1 + direction
        year = anchor.year + month // 12
        return date(year, month % 12 + 1, 1)
    if mode == AGENDA:
        return anchor + timedelta(days=direction * AGENDA_DAYS)
    return anchor + timedelta(days=7 * direction)


def period_text(mode: int, anchor: date, first: date, last: date) -> str:
    if mode == DAY:
        return f"{first:%A} {first.day} {first:%B %Y}"
    if mode == MONTH:
        return f"{anchor:%B %Y}"
    week = f"Week {first.isocalendar()[1]} · " if mode in (WORK_WEEK, WEEK, FIND) else ""
    if first.month == last.month:
        return f"{week}{first.day}–{last.day} {last:%B %Y}"
    return f"{week}{first.day} {first:%b} – {last.day} {last:%b %Y}"
