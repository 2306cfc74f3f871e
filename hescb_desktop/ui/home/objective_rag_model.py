"""The board's objectives with their overall RAG and lead organisation."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt

from hescb_desktop.services.home import RagRow
from hescb_desktop.ui.widgets.labels import rag_label
from hescb_desktop.ui.widgets.palette import partner_colour, rag_colour
from hescb_desktop.ui.widgets.row_model import SORT_ROLE, RowTableModel
from hescb_desktop.ui.widgets.swatch import colour_dot

COL_TITLE, COL_STAGE, COL_LEAD, COL_RAG = range(4)


class ObjectiveRagModel(RowTableModel):
    def headers(self) -> list[str]:
        return [self.tr("Objective"), self.tr("Stage"), self.tr("Lead"), self.tr("RAG")]

    def cell(self, row: RagRow, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(row, column)
        if role == Qt.ItemDataRole.DecorationRole:
            if column == COL_RAG:
                return colour_dot(rag_colour(row.rag))
            if column == COL_LEAD and row.lead_code:
                return colour_dot(partner_colour(row.lead_code))
            return None
        if role == Qt.ItemDataRole.ToolTipRole and column == COL_TITLE:
            return row.title
        if role == SORT_ROLE:
            severity = row.rag.severity if row.rag is not None else -1
            return severity if column == COL_RAG else self._text(row, column)
        return None

    def _text(self, row: RagRow, column: int) -> str:
        if column == COL_TITLE:
            return row.title
        if column == COL_STAGE:
            return row.stage
        if column == COL_LEAD:
            return row.lead_code
        return rag_label(row.rag)
