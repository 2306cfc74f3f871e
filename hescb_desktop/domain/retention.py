"""The retention schedule (issue 16, point 5): how long each kind of record is kept.

The secretariat sets, per kind of record, a period in whole years after the date the record's
clock starts from, or "permanent". A record is *due for disposal* on the anniversary that ends
its period. Defaults follow common practice for a joint board's records (the issue's examples):
approved minutes and the board's papers kept permanently, closed actions six years after they
were closed, calendar items two years after they ended. Nothing here knows about SQL or Qt.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from dateutil.relativedelta import relativedelta

from hescb_desktop.domain.errors import ValidationError

MAX_YEARS = 100


@dataclass(frozen=True)
class RecordClass:
    """A kind of record the schedule speaks of."""

    key: str  # what the command line and the rules table call it ("closed-actions")
    label: str  # what the window calls it ("Closed actions")
    table: str
    covers: str  # which records, in words
    runs_from: str  # the date its period runs from, in words
    default_years: int | None  # None: kept permanently


CLASSES: tuple[RecordClass, ...] = (
    RecordClass(
        "approved-minutes",
        "Approved minutes",
        "minutes",
        "minutes the board approved, with their resolutions",
        "the date they were approved",
        None,
    ),
    RecordClass(
        "papers",
        "Board papers",
        "papers",
        "papers and reports, with their attached files",
        "the date of the meeting they went to (or were written, if none)",
        None,
    ),
    RecordClass(
        "closed-actions",
        "Closed actions",
        "actions",
        "actions the board closed, with their updates",
        "the date they were completed (or last changed)",
        6,
    ),
    RecordClass(
        "calendar-items",
        "Calendar items",
        "events",
        "diary entries (a repeating one once its last occurrence is over)",
        "the date they ended",
        2,
    ),
)
BY_KEY = {c.key: c for c in CLASSES}


def record_class(key: str) -> RecordClass:
    found = BY_KEY.get(key.strip().lower())
    if found is None:
        raise ValidationError(
            f"no kind of record called {key!r}: one of {', '.join(c.key for c in CLASSES)}"
        )
    return found


def parse_period(text: str) -> int | None:
    """ "permanent" -> None; "6", "6 years", "1 year" -> 6, 1 (whole years, 1 to 100)."""
    value = " ".join(text.strip().lower().split())
    if value in ("permanent", "permanently", "forever", "for ever"):
        return None
    found = re.fullmatch(r"(\d{1,3})(?: ?(?:years?|yrs?|y))?", value)
    if found is None:
        raise ValidationError(
            f"a retention period is a number of years (e.g. 6) or 'permanent', not {text!r}"
        )
    years = int(found.group(1))
    if not 1 <= years <= MAX_YEARS:
        raise ValidationError(f"a retention period is 1 to {MAX_YEARS} years, not {years}")
    return years


def period_text(years: int | None) -> str:
    if years is None:
        return "permanent"
    return f"{years} year{'s' if years != 1 else ''}"


def due_on(runs_from: date, years: int | None) -> date | None:
    """The day a record whose period runs from `runs_from` is due for disposal (None: never)."""
    if years is None:
        return None
    when: date = runs_from + relativedelta(years=years)
    return when


def is_due(runs_from: date, years: int | None, today: date) -> bool:
    when = due_on(runs_from, years)
    return when is not None and when <= today


def count_text(kinds: str, n: int) -> str:
    """ "1 closed action", "2 closed actions": `kinds` is a plural phrase ("closed actions",
    "approved minutes", "calendar items"), as a certificate counts them."""
    noun = kinds[:-1] if n == 1 and kinds.endswith("s") else kinds
    return f"{n} {noun}"


def counts_text(counts: dict[str, int]) -> str:
    """A certificate's counts in words: "2 closed actions, 1 calendar item"."""
    return ", ".join(count_text(k, n) for k, n in sorted(counts.items()))
