"""Words and formats shown for enums and dates (through Qt's translator, English for now)."""

from __future__ import annotations

from datetime import date, datetime

from PySide6.QtCore import QCoreApplication

from hescb_desktop.domain.enums import ActionStatus, MeetingStatus, Part, Purpose, Rag


def rag_label(rag: Rag | None) -> str:
    tr = QCoreApplication.translate
    if rag is Rag.RED:
        return tr("Rag", "Red")
    if rag is Rag.AMBER:
        return tr("Rag", "Amber")
    if rag is Rag.GREEN:
        return tr("Rag", "Green")
    return tr("Rag", "Not rated")


def status_label(status: ActionStatus) -> str:
    tr = QCoreApplication.translate
    labels = {
        ActionStatus.OPEN: tr("ActionStatus", "Open"),
        ActionStatus.IN_PROGRESS: tr("ActionStatus", "In progress"),
        ActionStatus.COMPLETE: tr("ActionStatus", "Complete (proposed)"),
        ActionStatus.CLOSED: tr("ActionStatus", "Closed"),
        ActionStatus.DEFERRED: tr("ActionStatus", "Deferred"),
    }
    return labels[status]


def meeting_status_label(status: MeetingStatus) -> str:
    tr = QCoreApplication.translate
    labels = {
        MeetingStatus.PLANNED: tr("MeetingStatus", "Planned"),
        MeetingStatus.AGENDA_PUBLISHED: tr("MeetingStatus", "Agenda published"),
        MeetingStatus.HELD: tr("MeetingStatus", "Held"),
        MeetingStatus.MINUTES_DRAFTED: tr("MeetingStatus", "Minutes drafted"),
        MeetingStatus.MINUTES_APPROVED: tr("MeetingStatus", "Minutes approved"),
    }
    return labels[status]


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
    tr = QCoreApplication.translate
    labels = {
        Purpose.DECISION: tr("Purpose", "Decision"),
        Purpose.DISCUSSION: tr("Purpose", "Discussion"),
        Purpose.NOTING: tr("Purpose", "Noting"),
    }
    return labels[purpose]


def part_label(part: Part) -> str:
    tr = QCoreApplication.translate
    return tr("Part", "Part I") if part is Part.PART_I else tr("Part", "Part II")


def counted(n: int, one: str, many: str) -> str:
    """`one` or `many` (both already translated, with %n for the number) as `n` requires."""
    return (one if n == 1 else many).replace("%n", str(n))
