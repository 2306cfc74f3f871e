"""A meeting's deadlines in clear days and working days, counted one way everywhere (issue 18,
point 2). Pure functions on London dates: no database, no clock.

The rules (DOMAIN.md, "Before the meeting"):

- *Clear days* exclude both ends: the day a pack is despatched (or a notice published) and the
  day of the meeting. Despatch on Wed 6 May for a meeting on Tue 12 May leaves 5 clear calendar
  days (7, 8, 9, 10, 11 May) but only 3 clear working days (7, 8, 11 May).
- *Working days* are Monday to Friday less the bank holidays of England and Wales (the
  `holidays` package, `GB` subdivision `ENG`; substitute days included, e.g. Mon 28 Dec 2026
  for Boxing Day on a Saturday).
- A body counts its despatch clear days as working days (the default: many authorities do) or
  as calendar days (the Local Government Act 1972, s.100B, read literally); `DeadlineRule`.
- Every deadline falls on a working day: the secretariat despatches, and officers send papers,
  on days the office works. When the count lands on a weekend or a bank holiday the deadline is
  the working day before (earlier only adds clear days). So `clear_days_before` is the LATEST
  WORKING DAY that still leaves the clear days.
- Final papers are due a number of working days before despatch, drafts a number of working
  days before the final deadline (`working_days_before`: the day itself not counted).
- A key decision is published in the forward plan at least 28 clear calendar days before the
  meeting that takes it (the 2012 Executive Arrangements regulations, reg. 9).

What builds on this (the forward plan, readiness, reminders) should call `meeting_deadlines`
with the body's rule (services.deadlines.rule_for) and never count days itself.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from holidays import country_holidays

from hescb_desktop.domain.errors import ValidationError
from hescb_desktop.domain.timezones import LONDON

KEY_DECISION_CLEAR_DAYS = 28  # calendar days, by regulation: not a setting
DEFAULT_DESPATCH_CLEAR_DAYS = 5  # Local Government Act 1972, s.100B(3): five clear days
# Final papers 3 working days before despatch: the clerk's time to check, paginate and print the
# pack and have the chair agree the agenda. Drafts 10 working days (two working weeks) before
# the final deadline: the lead officer's review and each partner's finance and legal clearance.
# With 5 clear working days to despatch that puts drafts about four weeks and final papers about
# two weeks before the meeting, the usual timetable of a council committee.
DEFAULT_FINAL_WORKING_DAYS = 3
DEFAULT_DRAFT_WORKING_DAYS = 10

# what a rule may say (a larger number is almost certainly a typing slip)
LIMITS = {
    "despatch_clear_days": (1, 60),
    "final_working_days": (0, 60),
    "draft_working_days": (0, 120),
}

# The deadlines of a meeting, in the order they fall due on the default rule: a stable order
# (the command line's JSON lists them so), whatever a body's rule makes of the dates.
NAMES = ("key_decision_notice", "drafts", "final_papers", "despatch")
LABELS = {
    "key_decision_notice": "Key decision notice (forward plan)",
    "drafts": "Draft reports to the lead officer",
    "final_papers": "Final reports to the secretariat",
    "despatch": "Pack despatched (agenda published)",
}


def london_day(when: datetime) -> date:
    """The London date of an aware moment (a meeting's start_utc): the day deadlines count
    from. 23:30 UTC on Mon 30 Mar 2026 is Tue 31 Mar in London (summer time)."""
    if when.tzinfo is None:
        raise ValueError("london_day: give an aware datetime")
    return when.astimezone(LONDON).date()


@functools.cache
def bank_holidays(year: int) -> frozenset[date]:
    """The bank holidays of England and Wales in `year` (substitute days included), computed
    once per year."""
    return frozenset(country_holidays("GB", subdiv="ENG", years=year).keys())


def is_working_day(d: date) -> bool:
    """Monday to Friday and not a bank holiday of England and Wales."""
    return d.weekday() < 5 and d not in bank_holidays(d.year)


def working_days_before(d: date, n: int) -> date:
    """The n-th working day before `d` (`d` itself not counted): 2 working days before Wed 6
    May 2026 is Fri 1 May (Tue 5 is the first; Mon 4 is a bank holiday). n=0 is `d` itself."""
    if n < 0:
        raise ValueError("working_days_before: n must not be negative")
    day = d
    while n:
        day -= timedelta(days=1)
        if is_working_day(day):
            n -= 1
    return day


def clear_days_between(start: date, end: date, *, working: bool = True) -> int:
    """The clear days between `start` and `end`, both excluded (0 if they are next to each
    other or in the wrong order): working days only when `working`."""
    days = (end - start).days - 1
    if days <= 0:
        return 0
    if not working:
        return days
    return sum(1 for k in range(1, days + 1) if is_working_day(start + timedelta(days=k)))


def clear_days_before(meeting: date, n: int, working: bool = True) -> date:
    """The latest working day from which `n` clear days (working days when `working`,
    else calendar days) run before `meeting`, the day itself and the meeting's excluded.

    Working: count back n working days from the meeting (the n-th is the earliest clear day),
    then the working day before that. Calendar: the meeting less n + 1 days, or the working
    day before it when that is a weekend or a bank holiday."""
    if n < 0:
        raise ValueError("clear_days_before: n must not be negative")
    if working:
        return working_days_before(working_days_before(meeting, n), 1)
    latest = meeting - timedelta(days=n + 1)
    return latest if is_working_day(latest) else working_days_before(latest, 1)


@dataclass(frozen=True)
class DeadlineRule:
    """How one body counts its deadlines. No rule set for a body: these defaults."""

    body: str
    despatch_clear_days: int = DEFAULT_DESPATCH_CLEAR_DAYS
    clear_days_are_working_days: bool = True
    final_working_days: int = DEFAULT_FINAL_WORKING_DAYS
    draft_working_days: int = DEFAULT_DRAFT_WORKING_DAYS

    def __post_init__(self) -> None:
        for name, (low, high) in LIMITS.items():
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                words = name.replace("_", " ")
                raise ValidationError(f"deadline rule: {words} must be {low} to {high}")

    @property
    def is_default(self) -> bool:
        return self == DeadlineRule(self.body)

    @property
    def text(self) -> str:
        """ "5 clear working days; final papers 3 working days before despatch; drafts 10
        working days before that" """
        kind = "working" if self.clear_days_are_working_days else "calendar"
        return (
            f"{self.despatch_clear_days} clear {kind} days; final papers "
            f"{self.final_working_days} working days before despatch; drafts "
            f"{self.draft_working_days} working days before that"
        )


@dataclass(frozen=True)
class Deadlines:
    """A meeting's deadlines: each a London date, each a working day."""

    meeting: date
    despatch: date
    final_papers: date
    drafts: date
    key_decision_notice: date

    def items(self) -> list[tuple[str, date]]:
        """(name, date) in the stable order of NAMES."""
        return [(name, getattr(self, name)) for name in NAMES]


def meeting_deadlines(meeting: date, rule: DeadlineRule) -> Deadlines:
    """The deadlines of a meeting held on `meeting` (its London date) under `rule`."""
    despatch = clear_days_before(
        meeting, rule.despatch_clear_days, working=rule.clear_days_are_working_days
    )
    final = working_days_before(despatch, rule.final_working_days)
    drafts = working_days_before(final, rule.draft_working_days)
    notice = clear_days_before(meeting, KEY_DECISION_CLEAR_DAYS, working=False)
    return Deadlines(meeting, despatch, final, drafts, notice)


def days_left(deadline: date, today: date) -> int:
    """Calendar days from `today` to `deadline`: 0 on the day, negative once it is missed."""
    return (deadline - today).days
