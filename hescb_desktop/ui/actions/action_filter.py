"""Filter the action log by text (any column) and, optionally, to open actions only."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, QSortFilterProxyModel, Qt

from hescb_desktop.ui.actions.action_table_model import ActionLogRow
from hescb_desktop.ui.widgets.row_model import ROW_ROLE, SORT_ROLE


class ActionFilterProxy(QSortFilterProxyModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.open_only = False
        self.setFilterKeyColumn(-1)
        self.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setSortRole(SORT_ROLE)

    def set_open_only(self, open_only: bool) -> None:
        self.beginFilterChange()
        self.open_only = open_only
        self.endFilterChange()

    def filterAcceptsRow(
        self, source_row: int, source_parent: QModelIndex | QPersistentModelIndex
    ) -> bool:
        if self.open_only:
            row: ActionLogRow = (
                self.sourceModel().index(source_row, 0, source_parent).data(ROW_ROLE)
            )
            if not row.open:
                return False
        return super().filterAcceptsRow(source_row, source_parent)
