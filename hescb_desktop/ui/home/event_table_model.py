"""Events of one day as a table: time, what, where, whose (coloured by organisation)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt

from hescb_desktop.services.home import EventRow
from hescb_desktop.ui.widgets.labels import format_time_range
from hescb_desktop.ui.widgets.palette import partner_colour
from hescb_desktop.ui.widgets.row_model import SORT_ROLE, RowTableModel
from hescb_desktop.ui.widgets.swatch import colour_dot

COL_TIME, COL_SUMMARY, COL_LOCATION, COL_ORGANISATION = range(4)


class EventTableModel(RowTableModel):
    def headers(self) -> list[str]:
        return [self.tr("Time"), self.tr("Event"), self.tr("Where"), self.tr("Organisation")]

    def cell(self, row: EventRow, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(row, column)
        if role == Qt.ItemDataRole.DecorationRole and column == COL_SUMMARY:
            return colour_dot(partner_colour(row.organisation_code))
        if role == Qt.ItemDataRole.ToolTipRole and column == COL_SUMMARY:
            return "\n".join(filter(None, (row.summary, row.location)))
        if role == SORT_ROLE:
            return row.start.isoformat() if column == COL_TIME else self._text(row, column)
        return None

    def _text(self, row: EventRow, column: int) -> str:
        if column == COL_TIME:
            return format_time_range(row.start, row.end, row.all_day)
        if column == COL_SUMMARY:
            return row.summary
        if column == COL_LOCATION:
            return row.location
        return row.organisation_code
