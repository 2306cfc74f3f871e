"""The agenda items of a pack and whether each one's paper is in, missing, late or withheld."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QColor

from hescb_desktop.services.boardpacks import (
    IN,
    LATE,
    MISSING,
    NO_PAPER,
    OTHER_PART,
    SUPPLEMENT,
    WITHHELD,
    ItemStatus,
)
from hescb_desktop.ui.widgets.row_model import SORT_ROLE, RowTableModel

COL_ITEM, COL_TITLE, COL_PAPER, COL_STATE, COL_MARKING = range(5)
STATE_COLOUR = {MISSING: "#b3261e", LATE: "#9a5b00", WITHHELD: "#8a1c7c"}


def state_label(state: str) -> str:
    tr = QCoreApplication.translate
    return {
        IN: tr("PackItemModel", "In the pack"),
        MISSING: tr("PackItemModel", "Missing: paper not written or attached"),
        LATE: tr("PackItemModel", "Late: for a supplement"),
        WITHHELD: tr("PackItemModel", "Marked above this pack: in the Part II pack"),
        NO_PAPER: tr("PackItemModel", "No paper (a heading in the pack)"),
        OTHER_PART: tr("PackItemModel", "Part II pack"),
        SUPPLEMENT: tr("PackItemModel", "Issued in a supplement"),
        "minutes": tr("PackItemModel", "Previous minutes (printed by the app)"),
        "actions": tr("PackItemModel", "Open action log (printed by the app)"),
        "highlight": tr("PackItemModel", "Highlight report (printed by the app)"),
    }.get(state, state)


class PackItemModel(RowTableModel):
    def headers(self) -> list[str]:
        return [
            self.tr("Item"),
            self.tr("Title"),
            self.tr("Paper"),
            self.tr("State"),
            self.tr("Marking"),
        ]

    def cell(self, row: ItemStatus, column: int, role: int) -> Any:
        if role in (Qt.ItemDataRole.DisplayRole, SORT_ROLE):
            return self._text(row, column)
        if role == Qt.ItemDataRole.ForegroundRole and column == COL_STATE:
            colour = STATE_COLOUR.get(row.state)
            return QColor(colour) if colour else None
        if role == Qt.ItemDataRole.ToolTipRole and column in (COL_TITLE, COL_STATE):
            return row.title if column == COL_TITLE else (row.note or None)
        return None

    def _text(self, row: ItemStatus, column: int) -> str:
        if column == COL_ITEM:
            return row.number
        if column == COL_TITLE:
            return row.title
        if column == COL_PAPER:
            return row.paper_ref
        if column == COL_STATE:
            return state_label(row.state)
        return row.marking.value if row.marking else ""
