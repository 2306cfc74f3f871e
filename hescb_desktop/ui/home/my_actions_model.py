"""My open actions: reference, description, due date and status; overdue red, due soon amber."""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import QObject, Qt

from hescb_desktop.services.home import ActionRow
from hescb_desktop.ui.widgets.due import OVERDUE, SOON, urgency_background, urgency_text_colour
from hescb_desktop.ui.widgets.labels import counted, format_date, status_label
from hescb_desktop.ui.widgets.row_model import SORT_ROLE, RowTableModel

COL_REFERENCE, COL_DESCRIPTION, COL_DUE, COL_STATUS = range(4)


class MyActionsModel(RowTableModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.today = date.today()

    def set_today(self, today: date) -> None:
        self.today = today
        if self._rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._rows) - 1, COL_STATUS))

    def headers(self) -> list[str]:
        return [self.tr("Reference"), self.tr("Action"), self.tr("Due"), self.tr("Status")]

    def cell(self, row: ActionRow, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(row, column)
        if role == Qt.ItemDataRole.ForegroundRole:
            return urgency_text_colour(self._urgency(row))
        if role == Qt.ItemDataRole.BackgroundRole:
            return urgency_background(self._urgency(row))
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(row, column)
        if role == SORT_ROLE:
            return row.due.isoformat() if column == COL_DUE and row.due else self._text(row, column)
        return None

    def _urgency(self, row: ActionRow) -> str:
        """Overdue or due soon only while the action is live: one proposed complete or deferred
        is never painted late (as on the Actions page)."""
        if row.overdue(self.today):
            return OVERDUE
        return SOON if row.due_soon(self.today) else ""

    def _text(self, row: ActionRow, column: int) -> str:
        if column == COL_REFERENCE:
            return row.reference
        if column == COL_DESCRIPTION:
            return row.description.splitlines()[0] if row.description else ""
        if column == COL_DUE:
            return format_date(row.due)
        return status_label(row.status)

    def _tooltip(self, row: ActionRow, column: int) -> str | None:
        if column == COL_DESCRIPTION:
            return row.description
        if column != COL_DUE or row.due is None:
            return None
        days = (row.due - self.today).days
        if days < 0:
            return counted(-days, self.tr("Overdue by %n day"), self.tr("Overdue by %n days"))
        if days == 0:
            return self.tr("Due today")
        return counted(days, self.tr("Due in %n day"), self.tr("Due in %n days"))
