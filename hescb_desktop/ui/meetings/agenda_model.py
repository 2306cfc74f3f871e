"""The agenda as a table (number, start time, item, purpose, Part, minutes, presenter, paper,
objective), reordered by drag and drop: a drop asks the page to move the item through the
services, which reloads the rows."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from PySide6.QtCore import QByteArray, QMimeData, QModelIndex, QObject, Qt

from hescb_desktop.domain.dto import AgendaItemDTO
from hescb_desktop.ui.widgets.labels import part_label, purpose_label
from hescb_desktop.ui.widgets.row_model import Index, RowTableModel

MIME = "application/x-hescb-agenda-item"
(
    COL_NO,
    COL_START,
    COL_TITLE,
    COL_PURPOSE,
    COL_PART,
    COL_MINUTES,
    COL_PRESENTER,
    COL_PAPER,
    COL_OBJECTIVE,
) = range(9)


@dataclass(frozen=True)
class AgendaRow:
    number: int
    start: datetime
    item: AgendaItemDTO
    presenter: str
    paper: str
    objective: str
    review: bool  # the "Review of actions" item (lists the open actions)


class AgendaModel(RowTableModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.move: Callable[[str, int], None] | None = None  # (item id, new 1-based position)

    def headers(self) -> list[str]:
        return [
            self.tr("No."),
            self.tr("Start"),
            self.tr("Item"),
            self.tr("Purpose"),
            self.tr("Part"),
            self.tr("Mins"),
            self.tr("Presenter"),
            self.tr("Paper"),
            self.tr("Objective"),
        ]

    def cell(self, row: AgendaRow, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            return [
                str(row.number),
                f"{row.start:%H:%M}",
                row.item.title,
                purpose_label(row.item.purpose),
                part_label(row.item.part),
                str(row.item.minutes_allocated),
                row.presenter,
                row.paper,
                row.objective,
            ][column]
        if role == Qt.ItemDataRole.ToolTipRole and column == COL_TITLE and row.review:
            return self.tr("Lists every open action (carried forward)")
        return None

    # ---------------------------------------------------------------- drag and drop
    def flags(self, index: Index) -> Qt.ItemFlag:
        base = super().flags(index)
        if index.isValid():
            return base | Qt.ItemFlag.ItemIsDragEnabled
        return base | Qt.ItemFlag.ItemIsDropEnabled

    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def mimeTypes(self) -> list[str]:
        return [MIME]

    def mimeData(self, indexes: Sequence[QModelIndex]) -> QMimeData:
        data = QMimeData()
        rows = sorted({i.row() for i in indexes if i.isValid()})
        if rows:
            data.setData(MIME, QByteArray(self.row_at(rows[0]).item.id.encode()))
        return data

    def canDropMimeData(
        self, data: QMimeData, action: Qt.DropAction, row: int, column: int, parent: Index
    ) -> bool:
        return data.hasFormat(MIME) and action == Qt.DropAction.MoveAction

    def dropMimeData(
        self, data: QMimeData, action: Qt.DropAction, row: int, column: int, parent: Index
    ) -> bool:
        if not self.canDropMimeData(data, action, row, column, parent) or self.move is None:
            return False
        item_id = bytes(data.data(MIME).data()).decode()
        target = row if row >= 0 else (parent.row() if parent.isValid() else self.rowCount())
        source = next((n for n, r in enumerate(self._rows) if r.item.id == item_id), None)
        if source is None:
            return False
        if source < target:
            target -= 1  # the item leaves its old place first
        if target == source:
            return False
        self.move(item_id, target + 1)
        return False  # the page reloads the rows; Qt must not remove the dragged row itself
