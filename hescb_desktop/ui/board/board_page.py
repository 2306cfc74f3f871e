"""The planning board (preview): objectives in stage columns, coloured by lead partner and RAG.

Moving cards, swimlanes, objective detail, the roadmap and the opportunities register arrive
with issue 6.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListView,
    QVBoxLayout,
    QWidget,
)

from hescb_desktop.services import crud
from hescb_desktop.services.entities import OBJECTIVES, ORGANISATIONS
from hescb_desktop.ui.board.card_delegate import CardDelegate
from hescb_desktop.ui.board.card_model import BoardCard, CardListModel, board_cards
from hescb_desktop.ui.sync.history_dialog import install_history
from hescb_desktop.ui.widgets.page import Page
from hescb_desktop.ui.widgets.page_header import ComingNotice
from hescb_desktop.ui.workspace import Workspace


class StageColumn(QFrame):
    """One stage: its name and count above a list of cards."""

    def __init__(self, stage: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.stage = stage
        self.setObjectName("boardColumn")
        self.title = QLabel(stage)
        self.title.setObjectName("boardColumnTitle")
        self.model = CardListModel(self)
        self.view = QListView()
        self.view.setObjectName("boardColumnList")
        self.view.setModel(self.model)
        self.view.setItemDelegate(CardDelegate(self.view))
        self.view.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setFrameShape(QFrame.Shape.NoFrame)
        self.view.setUniformItemSizes(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 10, 8, 8)
        layout.setSpacing(6)
        layout.addWidget(self.title)
        layout.addWidget(self.view, 1)

    def set_cards(self, cards: list[BoardCard]) -> None:
        self.model.set_rows(cards)
        self.title.setText(f"{self.stage}  ({len(cards)})")


class BoardPage(Page):
    tables = ("objectives", "organisations")

    def __init__(self, workspace: Workspace) -> None:
        super().__init__(
            workspace,
            self.tr("Planning board"),
            self.tr("The joint programme: every objective by stage, lead partner and RAG."),
        )
        self.columns: dict[str, StageColumn] = {}
        self._setup_ui()
        self.refresh()

    def _setup_ui(self) -> None:
        self.content.addWidget(
            ComingNotice(
                self.tr(
                    "A read-only view for now. Moving cards between stages, swimlanes, objective "
                    "detail with RAG history, milestones and risks, the roadmap and the "
                    "collaboration opportunities register arrive with issue 6."
                )
            )
        )
        self.columns_layout = QHBoxLayout()
        self.columns_layout.setSpacing(12)
        self.content.addLayout(self.columns_layout, 1)

    def refresh(self) -> None:
        ctx = self.workspace.ctx
        orgs = {o.id: o for o in crud.list_all(ctx.uow(write=False), ORGANISATIONS)}
        grouped = board_cards(crud.list_all(ctx.uow(write=False), OBJECTIVES), orgs)
        for stage, cards in grouped.items():
            self._column(stage).set_cards(cards)

    def _column(self, stage: str) -> StageColumn:
        if stage not in self.columns:
            self.columns[stage] = StageColumn(stage)
            install_history(self.columns[stage].view, self.workspace, "objectives")
            self.columns_layout.addWidget(self.columns[stage], 1)
        return self.columns[stage]
