"""Business rules with no I/O: markings, RAG roll-up, reference numbers, the standard agenda."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from hescb_desktop.domain.enums import ActionStatus, Marking, Part, Purpose, Rag
from hescb_desktop.domain.errors import MarkingError, ValidationError

_REFUSED_MARKINGS = ("SECRET", "TOP SECRET", "TOP-SECRET", "TOPSECRET")
_UNMARKED = ("NOT PROTECTIVELY MARKED", "NPM", "UNCLASSIFIED")


def parse_marking(text: str) -> Marking:
    """Read a marking as a user or a file gives it; refuse anything above OFFICIAL-SENSITIVE."""
    norm = re.sub(r"[\s_]+", " ", text.strip().upper())
    norm = norm.replace("OFFICIAL SENSITIVE", "OFFICIAL-SENSITIVE")
    for marking in Marking:
        if norm == marking.value:
            return marking
    if norm in _REFUSED_MARKINGS:
        raise MarkingError(
            f"{norm} material must not be held in HESCB Desktop: only OFFICIAL and "
            "OFFICIAL-SENSITIVE are allowed"
        )
    if norm in _UNMARKED:
        raise MarkingError(f'"{text.strip()}" must not be used on new documents: mark it OFFICIAL')
    raise MarkingError(
        f'unknown protective marking "{text.strip()}": use OFFICIAL or OFFICIAL-SENSITIVE'
    )


def highest_marking(markings: Iterable[Marking]) -> Marking:
    """A document takes the highest marking of anything inside it (OFFICIAL when empty)."""
    return max(markings, key=lambda m: m.rank, default=Marking.OFFICIAL)


def worst_rag(ratings: Iterable[Rag | None]) -> Rag | None:
    known = [r for r in ratings if r is not None]
    return max(known, key=lambda r: r.severity, default=None)


def overall_rag(
    dimensions: Iterable[Rag | None], override: Rag | None = None, override_reason: str = ""
) -> Rag | None:
    """The overall is the worst dimension, unless overridden with a reason."""
    worst = worst_rag(dimensions)
    if override is None:
        return worst
    if worst is not None and override.severity < worst.severity and not override_reason.strip():
        raise ValidationError(
            f"an overall of {override.value} is better than the worst dimension "
            f"({worst.value}): give a reason for the override"
        )
    return override


# ------------------------------------------------------------------ reference numbers
@dataclass(frozen=True)
class ActionRef:
    """HESCB/2026/014: body, year and a number that restarts each year."""

    body: str
    year: int
    number: int

    def __str__(self) -> str:
        return f"{self.body}/{self.year}/{self.number:03d}"

    @classmethod
    def parse(cls, text: str) -> ActionRef:
        m = re.fullmatch(r"\s*([A-Za-z][A-Za-z0-9-]*)/(\d{4})/(\d{1,5})\s*", text)
        if not m:
            raise ValidationError(f'"{text}" is not an action reference like HESCB/2026/014')
        return cls(m.group(1).upper(), int(m.group(2)), int(m.group(3)))


@dataclass(frozen=True)
class SerialRef:
    """Minute 77/26 or paper 43/26: a number within a two-digit year."""

    number: int
    year: int  # full year, printed as two digits

    def __str__(self) -> str:
        return f"{self.number}/{self.year % 100:02d}"

    @classmethod
    def parse(cls, text: str, century: int = 2000) -> SerialRef:
        m = re.fullmatch(r"\s*(?:[A-Za-z]+\s+)?(\d{1,4})/(\d{2})\s*", text)
        if not m:
            raise ValidationError(f'"{text}" is not a reference like 77/26')
        return cls(int(m.group(1)), century + int(m.group(2)))


def next_number(taken: Iterable[int]) -> int:
    """The next free number after the highest taken (numbers never repeat, gaps stay gaps)."""
    return max(taken, default=0) + 1


# ------------------------------------------------------------------ the standard agenda
@dataclass(frozen=True)
class StandardItem:
    title: str
    purpose: Purpose
    part: Part
    minutes: int


STANDARD_AGENDA: tuple[StandardItem, ...] = (
    StandardItem("Welcome and introductions", Purpose.NOTING, Part.PART_I, 5),
    StandardItem("Apologies for absence", Purpose.NOTING, Part.PART_I, 2),
    StandardItem("Declarations of interest", Purpose.NOTING, Part.PART_I, 3),
    StandardItem("Minutes of the previous meeting", Purpose.DECISION, Part.PART_I, 5),
    StandardItem("Matters arising", Purpose.DISCUSSION, Part.PART_I, 5),
    StandardItem("Action log", Purpose.DISCUSSION, Part.PART_I, 10),
    StandardItem("Forward plan", Purpose.NOTING, Part.PART_I, 5),
    StandardItem("Reports for decision", Purpose.DECISION, Part.PART_I, 30),
    StandardItem("Reports to note", Purpose.NOTING, Part.PART_I, 15),
    StandardItem("Any other business", Purpose.DISCUSSION, Part.PART_I, 5),
    StandardItem("Exclusion of press and public", Purpose.DECISION, Part.PART_II, 2),
    StandardItem("Date of next meeting", Purpose.NOTING, Part.PART_I, 2),
)


# ---------------------------------------------------------------------- action urgency
# An action can only be late while someone still has to act on it: one proposed complete waits
# for the meeting to agree closure, a deferred one was put off by the board, a closed one is done.
LIVE_ACTION_STATUSES = frozenset({ActionStatus.OPEN, ActionStatus.IN_PROGRESS})
# Every action the log still carries (the next meeting reviews them): all but closed.
OPEN_ACTION_STATUSES = frozenset(set(ActionStatus) - {ActionStatus.CLOSED})
DUE_SOON_DAYS = 7


def action_overdue(status: ActionStatus, due: date | None, today: date) -> bool:
    """Past its (revised) due date and still live."""
    return due is not None and due < today and status in LIVE_ACTION_STATUSES


def action_due_soon(status: ActionStatus, due: date | None, today: date) -> bool:
    """Live and due from today to a week ahead."""
    return (
        due is not None
        and 0 <= (due - today).days <= DUE_SOON_DAYS
        and status in LIVE_ACTION_STATUSES
    )
