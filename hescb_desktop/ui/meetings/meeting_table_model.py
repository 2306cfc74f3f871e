"""Meetings as a table: when, what, which body, where, status and marking."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from hescb_desktop.domain.dto import MeetingDTO, ResourceDTO
from hescb_desktop.domain.enums import Marking, MeetingStatus
from hescb_desktop.domain.timezones import LONDON as LONDON  # re-exported
from hescb_desktop.ui.widgets.labels import format_meeting_date, meeting_status_label
from hescb_desktop.ui.widgets.row_model import SORT_ROLE, RowTableModel

COL_WHEN, COL_TITLE, COL_BODY, COL_VENUE, COL_STATUS, COL_MARKING = range(6)
SENSITIVE_TEXT = "#8a1c7c"


@dataclass(frozen=True)
class MeetingRow:
    id: str
    start: datetime  # Europe/London
    title: str
    body: str
    venue: str
    status: MeetingStatus
    marking: Marking


def meeting_rows(
    meetings: Iterable[MeetingDTO], venues: Mapping[str, ResourceDTO]
) -> list[MeetingRow]:
    """Newest first, with the venue's name and local start time."""
    rows = [
        MeetingRow(
            m.id,
            m.start_utc.astimezone(LONDON),
            m.title,
            m.body,
            venues[m.venue_id].name if m.venue_id and m.venue_id in venues else "",
            m.status,
            m.marking,
        )
        for m in meetings
    ]
    return sorted(rows, key=lambda r: r.start, reverse=True)


class MeetingTableModel(RowTableModel):
    def headers(self) -> list[str]:
        return [
            self.tr("When"),
            self.tr("Meeting"),
            self.tr("Body"),
            self.tr("Venue"),
            self.tr("Status"),
            self.tr("Marking"),
        ]

    def cell(self, row: MeetingRow, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(row, column)
        if role == Qt.ItemDataRole.ForegroundRole and column == COL_MARKING:
            return QColor(SENSITIVE_TEXT) if row.marking is Marking.OFFICIAL_SENSITIVE else None
        if role == SORT_ROLE:
            return row.start.isoformat() if column == COL_WHEN else self._text(row, column)
        return None

    def _text(self, row: MeetingRow, column: int) -> str:
        if column == COL_WHEN:
            return format_meeting_date(row.start)
        if column == COL_TITLE:
            return row.title
        if column == COL_BODY:
            return row.body
        if column == COL_VENUE:
            return row.venue
        if column == COL_STATUS:
            return meeting_status_label(row.status)
        return row.marking.value
