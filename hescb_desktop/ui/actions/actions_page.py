"""The action log (preview): every action with owner, due date and status, filterable.

Raising, updating and closing actions, and the full DOMAIN.md columns, arrive with issue 4.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QLineEdit, QPushButton

from hescb_desktop.services import crud
from hescb_desktop.services.entities import ACTIONS, ORGANISATIONS, PEOPLE
from hescb_desktop.ui.actions.action_filter import ActionFilterProxy
from hescb_desktop.ui.actions.action_table_model import (
    COL_DESCRIPTION,
    COL_REFERENCE,
    ActionTableModel,
    action_log_rows,
)
from hescb_desktop.ui.sync.history_dialog import install_history
from hescb_desktop.ui.widgets.card import Card
from hescb_desktop.ui.widgets.due import OVERDUE, urgency
from hescb_desktop.ui.widgets.empty_state import EmptyState
from hescb_desktop.ui.widgets.page import Page
from hescb_desktop.ui.widgets.page_header import ComingNotice
from hescb_desktop.ui.widgets.tables import make_table
from hescb_desktop.ui.workspace import Workspace


class ActionsPage(Page):
    tables = ("actions", "people", "organisations")

    def __init__(self, workspace: Workspace) -> None:
        super().__init__(
            workspace,
            self.tr("Actions"),
            self.tr("The board's action log: who owes what, by when."),
        )
        self.model = ActionTableModel(self)
        self.proxy = ActionFilterProxy(self)
        self.proxy.setSourceModel(self.model)
        self._setup_ui()
        self.refresh()

    def _setup_ui(self) -> None:
        self.content.addWidget(
            ComingNotice(
                self.tr(
                    "Read-only for now. Raising actions from the minutes, updates with their "
                    "history, revised due dates and closure by the board arrive with issue 4."
                )
            )
        )
        self.search = QLineEdit()
        self.search.setPlaceholderText(self.tr("Filter by reference, text, owner or status…"))
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._on_search_text_changed)
        self.open_only = QCheckBox(self.tr("Open actions only"))
        self.open_only.toggled.connect(self._on_open_only_toggled)
        self.count_label = QLabel()
        self.count_label.setObjectName("cardNote")
        bar = QHBoxLayout()
        bar.addWidget(self.search, 1)
        bar.addWidget(self.open_only)
        bar.addStretch(0)
        card = Card(self.tr("Action log"))
        card.body.addLayout(bar)
        self.table = make_table(self.proxy, stretch=COL_DESCRIPTION, sortable=True)
        self.table.sortByColumn(COL_REFERENCE, Qt.SortOrder.DescendingOrder)
        self.history_action = install_history(
            self.table, self.workspace, "actions", double_click=True
        )
        self.history_button = QPushButton(self.history_action.text())
        self.history_button.setToolTip(self.history_action.toolTip())
        self.history_button.setEnabled(False)
        self.history_button.clicked.connect(self.history_action.trigger)
        self.table.selectionModel().selectionChanged.connect(self._on_selection_changed)
        self.proxy.modelReset.connect(self._on_selection_changed)
        self.proxy.layoutChanged.connect(self._on_selection_changed)
        bar.addWidget(self.history_button)
        self.view = EmptyState(self.table)
        self.view.set_message(self.tr("No actions match."))
        card.body.addWidget(self.view, 1)
        self.card = card
        self.content.addWidget(card, 1)
        self.open_only.setChecked(True)

    def refresh(self) -> None:
        ctx = self.workspace.ctx
        people = {p.id: p for p in crud.list_all(ctx.uow(write=False), PEOPLE)}
        orgs = {o.id: o for o in crud.list_all(ctx.uow(write=False), ORGANISATIONS)}
        actions = crud.list_all(ctx.uow(write=False), ACTIONS)
        self.model.today = self.workspace.today()
        self.model.set_rows(action_log_rows(actions, people, orgs))
        self._update_count()

    def _update_count(self) -> None:
        rows = self.model.rows()
        today = self.workspace.today()
        open_rows = [r for r in rows if r.open]
        overdue = sum(1 for r in open_rows if urgency(r.due, today) == OVERDUE)
        self.card.set_note(
            self.tr("%1 actions · %2 open · %3 overdue")
            .replace("%1", str(len(rows)))
            .replace("%2", str(len(open_rows)))
            .replace("%3", str(overdue))
        )

    @Slot()
    def _on_selection_changed(self) -> None:
        self.history_button.setEnabled(self.table.selectionModel().hasSelection())

    @Slot(str)
    def _on_search_text_changed(self, text: str) -> None:
        self.proxy.setFilterFixedString(text)

    @Slot(bool)
    def _on_open_only_toggled(self, checked: bool) -> None:
        self.proxy.set_open_only(checked)
