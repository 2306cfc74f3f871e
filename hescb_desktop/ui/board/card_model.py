"""The objectives of one stage column, in board order, as a list model the card delegate paints."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QObject, QPersistentModelIndex, Qt

from hescb_desktop.domain.dto import ObjectiveDTO, OrganisationDTO
from hescb_desktop.domain.enums import Marking, ObjectiveKind, Rag
from hescb_desktop.ui.widgets.labels import format_date, rag_label
from hescb_desktop.ui.widgets.row_model import ROW_ROLE

Index = QModelIndex | QPersistentModelIndex
DEFAULT_STAGES = ("Proposed", "Scoping", "In delivery", "Embedding", "Closed")


@dataclass(frozen=True)
class BoardCard:
    id: str
    title: str
    stage: str
    position: float
    lead_code: str
    partner_codes: str
    rag: Rag | None
    target: date | None
    sensitive: bool


def board_cards(
    objectives: Iterable[ObjectiveDTO], organisations: Mapping[str, OrganisationDTO]
) -> dict[str, list[BoardCard]]:
    """Objectives (not workstreams) grouped by stage: the default stages first, in order."""
    columns: dict[str, list[BoardCard]] = {stage: [] for stage in DEFAULT_STAGES}
    for o in objectives:
        if o.kind is not ObjectiveKind.OBJECTIVE:
            continue
        lead = organisations.get(o.lead_organisation_id or "")
        card = BoardCard(
            o.id,
            o.title,
            o.stage,
            o.position,
            lead.code if lead else "",
            o.partner_codes,
            o.rag_overall,
            o.target_date,
            o.marking is Marking.OFFICIAL_SENSITIVE,
        )
        columns.setdefault(o.stage, []).append(card)
    for cards in columns.values():
        cards.sort(key=lambda c: (c.position, c.title))
    return columns


class CardListModel(QAbstractListModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._cards: list[BoardCard] = []

    def set_rows(self, cards: Iterable[BoardCard]) -> None:
        self.beginResetModel()
        self._cards = list(cards)
        self.endResetModel()

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

    def _tooltip(self, card: BoardCard) -> str:
        lines = [card.title, self.tr("Overall RAG: %1").replace("%1", rag_label(card.rag))]
        if card.lead_code:
            lines.append(self.tr("Lead: %1").replace("%1", card.lead_code))
        if card.target:
            lines.append(self.tr("Target: %1").replace("%1", format_date(card.target)))
        return "\n".join(lines)
