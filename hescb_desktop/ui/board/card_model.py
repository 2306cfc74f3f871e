"""The cards of one board cell (a stage column, in one swimlane) as a list model.

A thin adapter over `BoardCard` rows. Dragging a card carries its id; dropping it works out the
neighbours the user dropped it between and emits `card_dropped`: the page hands the move to the
board service (through the undo stack) and the board refreshes from the result. The model never
moves rows itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QByteArray,
    QMimeData,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)

from hescb_desktop.domain.board import BoardCard
from hescb_desktop.ui.widgets.labels import format_date, rag_label
from hescb_desktop.ui.widgets.row_model import ROW_ROLE

Index = QModelIndex | QPersistentModelIndex
CARD_MIME = "application/x-hescb-objective-id"


class CardListModel(QAbstractListModel):
    """Signal `card_dropped(card_id, stage, after_id, before_id)`: neighbours may be None."""

    card_dropped = Signal(str, str, object, object)

    def __init__(self, stage: str = "", parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.stage = stage
        self._cards: list[BoardCard] = []

    def set_rows(self, cards: Iterable[BoardCard]) -> None:
        self.beginResetModel()
        self._cards = list(cards)
        self.endResetModel()

    def cards(self) -> list[BoardCard]:
        return list(self._cards)

    # ------------------------------------------------------------ Qt overrides
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._cards)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._cards):
            return None
        card = self._cards[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return card.title
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(card)
        if role == ROW_ROLE:
            return card
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        base = Qt.ItemFlag.ItemIsDropEnabled
        if not index.isValid():
            return base
        return (
            base
            | Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | (Qt.ItemFlag.ItemIsDragEnabled)
        )

    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def mimeTypes(self) -> list[str]:
        return [CARD_MIME]

    def mimeData(self, indexes: Sequence[QModelIndex]) -> QMimeData:
        mime = QMimeData()
        rows = [i.row() for i in indexes if i.isValid()]
        if rows:
            mime.setData(CARD_MIME, QByteArray(self._cards[rows[0]].id.encode()))
        return mime

    def canDropMimeData(
        self, data: QMimeData, action: Qt.DropAction, row: int, column: int, parent: Index
    ) -> bool:
        return data.hasFormat(CARD_MIME) and action == Qt.DropAction.MoveAction

    def dropMimeData(
        self, data: QMimeData, action: Qt.DropAction, row: int, column: int, parent: Index
    ) -> bool:
        if not self.canDropMimeData(data, action, row, column, parent):
            return False
        card_id = bytes(data.data(CARD_MIME).data()).decode()
        if row < 0:  # dropped on a card: before it; on empty space: at the end
            row = parent.row() if parent.isValid() else len(self._cards)
        after, before = self.neighbours(card_id, row)
        if card_id in (after, before):
            return False
        self.card_dropped.emit(card_id, self.stage, after, before)
        return True

    def neighbours(self, card_id: str, row: int) -> tuple[str | None, str | None]:
        """The cards just above and below drop row `row` once the moving card is taken out."""
        ids = [c.id for c in self._cards]
        if card_id in ids:
            if ids.index(card_id) < row:
                row -= 1
            ids.remove(card_id)
        row = max(0, min(row, len(ids)))
        after = ids[row - 1] if row > 0 else None
        before = ids[row] if row < len(ids) else None
        return after, before

    def _tooltip(self, card: BoardCard) -> str:
        lines = [card.title, self.tr("Overall RAG: %1").replace("%1", rag_label(card.rag))]
        if card.lead_code:
            lines.append(self.tr("Lead: %1").replace("%1", card.lead_name or card.lead_code))
        if card.partner_codes:
            lines.append(self.tr("Partners: %1").replace("%1", ", ".join(card.partner_codes)))
        if card.sro:
            lines.append(self.tr("SRO: %1").replace("%1", card.sro))
        if card.target_date:
            lines.append(self.tr("Target: %1").replace("%1", format_date(card.target_date)))
        if card.path_to_green:
            lines.append(self.tr("Path to green: %1").replace("%1", card.path_to_green))
        if card.opportunity:
            lines.append(self.tr("From opportunity: %1").replace("%1", card.opportunity))
        return "\n".join(lines)
