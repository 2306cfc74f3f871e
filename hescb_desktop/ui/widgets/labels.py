"""Words and formats shown for enums and dates: the domain's words (domain/labels.py) through
Qt's translator, with the enum's name as the context (English for now)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from PySide6.QtCore import QCoreApplication

from hescb_desktop.domain import labels
from hescb_desktop.domain.enums import ActionStatus, MeetingStatus, Part, Purpose, Rag


def enum_label(value: StrEnum) -> str:
    """Any enum value's words (domain/labels.py), translated."""
    return QCoreApplication.translate(type(value).__name__, labels.label(value))


def rag_label(rag: Rag | None) -> str:
    return QCoreApplication.translate("Rag", labels.rag_label(rag))


def status_label(status: ActionStatus) -> str:
    return enum_label(status)


def meeting_status_label(status: MeetingStatus) -> str:
    return enum_label(status)


def format_date(day: date | None) -> str:
    """12 Mar 2026; empty when there is no date."""
    return f"{day:%d %b %Y}" if day is not None else ""


def format_time_range(start: datetime, end: datetime, all_day: bool) -> str:
    if all_day:
        return QCoreApplication.translate("Time", "All day")
    return f"{start:%H:%M}–{end:%H:%M}"


def format_meeting_date(when: datetime) -> str:
    """Tue 14 Apr 2026, 10:00 (the caller gives Europe/London wall-clock time)."""
    return f"{when:%a %d %b %Y, %H:%M}"


def purpose_label(purpose: Purpose) -> str:
    return enum_label(purpose)


def part_label(part: Part) -> str:
    return enum_label(part)


def counted(n: int, one: str, many: str) -> str:
    """`one` or `many` (both already translated, with %n for the number) as `n` requires."""
    return (one if n == 1 else many).replace("%n", str(n))
