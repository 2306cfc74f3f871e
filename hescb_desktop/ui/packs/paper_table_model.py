"""Board papers as a table: reference, title, meeting, purpose, part and marking."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from hescb_desktop.domain.dto import MeetingDTO, PaperDTO
from hescb_desktop.domain.enums import Marking, Part, Purpose
from hescb_desktop.domain.timezones import LONDON
from hescb_desktop.ui.widgets.labels import format_date, part_label, purpose_label
from hescb_desktop.ui.widgets.row_model import SORT_ROLE, RowTableModel

COL_REFERENCE, COL_TITLE, COL_MEETING, COL_PURPOSE, COL_PART, COL_MARKING = range(6)
SENSITIVE_TEXT = "#8a1c7c"


@dataclass(frozen=True)
class PaperRow:
    id: str
    reference: str
    ref_key: tuple[int, int]
    title: str
    meeting_date: date | None
    purpose: Purpose
    part: Part
    marking: Marking
    created_by: str | None = None  # its proposer (who may change it: domain/permissions.py)


def paper_rows(papers: Iterable[PaperDTO], meetings: Mapping[str, MeetingDTO]) -> list[PaperRow]:
    """Newest reference first, each with the date of the meeting it goes to."""
    rows = []
    for p in papers:
        meeting = meetings.get(p.meeting_id or "")
        day = meeting.start_utc.astimezone(LONDON).date() if meeting else None
        rows.append(
            PaperRow(
                p.id,
                p.reference,
                (p.ref_year, p.ref_number),
                p.title,
                day,
                p.purpose,
                p.part,
                p.marking,
                p.created_by,
            )
        )
    return sorted(rows, key=lambda r: r.ref_key, reverse=True)


class PaperTableModel(RowTableModel):
    def headers(self) -> list[str]:
        return [
            self.tr("Reference"),
            self.tr("Title"),
            self.tr("Meeting"),
            self.tr("Purpose"),
            self.tr("Part"),
            self.tr("Marking"),
        ]

    def cell(self, row: PaperRow, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(row, column)
        if role == Qt.ItemDataRole.ForegroundRole and column == COL_MARKING:
            return QColor(SENSITIVE_TEXT) if row.marking is Marking.OFFICIAL_SENSITIVE else None
        if role == Qt.ItemDataRole.ToolTipRole and column == COL_TITLE:
            return row.title
        if role == SORT_ROLE:
            if column == COL_REFERENCE:
                return f"{row.ref_key[0]:04d}{row.ref_key[1]:06d}"
            return self._text(row, column)
        return None

    def _text(self, row: PaperRow, column: int) -> str:
        if column == COL_REFERENCE:
            return row.reference
        if column == COL_TITLE:
            return row.title
        if column == COL_MEETING:
            return format_date(row.meeting_date)
        if column == COL_PURPOSE:
            return purpose_label(row.purpose)
        if column == COL_PART:
            return part_label(row.part)
        return row.marking.value
