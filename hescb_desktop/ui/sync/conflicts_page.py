"""The sync page, in four tabs: Conflicts, Security, People and PCs, Retention.

Conflicts: values that lost a concurrent edit on another PC, to keep or bring back. Nothing is
lost silently: when two PCs changed the same field before seeing each other's change, the newer
value is kept and the other is listed here; an edit to a record another PC deleted is listed
with "Restore record". Below, what sync changed by itself (renumbered references).
Security (security_tab.py): what this PC refused to trust, and changes the rules refused.
People and PCs (people_tab.py): who is who, roles, enrolled PCs, join requests (issue 15).
Retention (retention_tab.py): how long each kind of record is kept, what is due for disposal,
disposing of it, and the disposal certificates (issue 16, point 5).
"""

from __future__ import annotations

from PySide6.QtCore import QItemSelection, Slot
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QListWidget,
    QMessageBox,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from hescb_desktop.domain.permissions import Kind, Operation
from hescb_desktop.services import sync as sync_service
from hescb_desktop.services.context import ServiceContext
from hescb_desktop.services.operations import as_job
from hescb_desktop.services.results import SYNC_STATE
from hescb_desktop.ui.sync.conflict_compare import ConflictCompare
from hescb_desktop.ui.sync.conflict_table_model import (
    COL_KEPT,
    COL_KEPT_BY,
    COL_OTHER,
    COL_OTHER_BY,
    COL_RECORD,
    ConflictTableModel,
    ConflictView,
    conflict_views,
)
from hescb_desktop.ui.sync.history_dialog import HistoryDialog
from hescb_desktop.ui.sync.people_tab import PeopleTab
from hescb_desktop.ui.sync.retention_tab import RetentionTab
from hescb_desktop.ui.sync.security_tab import SecurityTab
from hescb_desktop.ui.widgets.card import Card
from hescb_desktop.ui.widgets.empty_state import EmptyState
from hescb_desktop.ui.widgets.labels import counted
from hescb_desktop.ui.widgets.page import Page
from hescb_desktop.ui.widgets.row_model import ROW_ROLE
from hescb_desktop.ui.widgets.tables import make_table
from hescb_desktop.ui.workspace import Workspace


class ConflictsPage(Page):
    # the conflicts themselves, every table whose records they name, and conflict_resolutions
    # (a synced table: a conflict settled on another PC closes here when its resolution merges)
    # and the board's trust (the Security and People and PCs tabs); the retention schedule and
    # the records it makes due (the Retention tab)
    shows = frozenset({*Kind, SYNC_STATE})  # every record: a conflict may name any
    CONFLICTS_TAB, SECURITY_TAB, PEOPLE_TAB, RETENTION_TAB = range(4)

    def __init__(self, workspace: Workspace) -> None:
        super().__init__(
            workspace,
            self.tr("Sync"),
            self.tr(
                "What this PC shares with the others: conflicts between their changes, what it "
                "refused to trust, who may change what, and how long records are kept."
            ),
        )
        self.model = ConflictTableModel(self)
        self.notices = QListWidget()
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.security = SecurityTab(workspace)
        self.people = PeopleTab(workspace)
        self.retention = RetentionTab(workspace)
        self._setup_ui()
        self.refresh()

    def show_tab(self, index: int) -> None:
        self.tabs.setCurrentIndex(index)

    # ------------------------------------------------------------------ building
    def _setup_ui(self) -> None:
        conflicts = QWidget()
        tab = QVBoxLayout(conflicts)
        tab.setContentsMargins(0, 10, 0, 0)
        tab.setSpacing(14)
        self.tabs.addTab(conflicts, self.tr("&Conflicts"))
        self.tabs.addTab(self.security, self.tr("&Security"))
        self.tabs.addTab(self.people, self.tr("People and &PCs"))
        self.tabs.addTab(self.retention, self.tr("&Retention"))
        self.content.addWidget(self.tabs, 1)
        self.card = Card(self.tr("Open conflicts"))
        self.table = make_table(self.model, stretch=COL_KEPT, sortable=True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(COL_RECORD, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(COL_RECORD, 340)
        header.setSectionResizeMode(COL_OTHER, QHeaderView.ResizeMode.Stretch)
        for column in (COL_KEPT_BY, COL_OTHER_BY):  # shown in full in the comparison below
            self.table.setColumnHidden(column, True)
        self.table.doubleClicked.connect(self._on_history_clicked)
        self.table.selectionModel().selectionChanged.connect(self._on_selection_changed)
        self.view = EmptyState(self.table)
        self.view.set_message(
            self.tr("No conflicts. Every PC agrees with this one on everything it has synced.")
        )
        self.compare = ConflictCompare()
        self.keep_button = self.compare.kept.button
        self.other_button = self.compare.other.button
        self.keep_button.clicked.connect(self._on_keep_clicked)
        self.other_button.clicked.connect(self._on_other_clicked)
        self.history_button = QPushButton(self.tr("&History of this record…"))
        self.history_button.setToolTip(self.tr("Who changed this record, when, and from which PC"))
        self.history_button.clicked.connect(self._on_history_clicked)
        under = QHBoxLayout()
        under.addWidget(self.history_button)
        under.addStretch(1)
        self.card.body.addWidget(self.view, 1)
        self.card.body.addWidget(self.compare)
        self.card.body.addLayout(under)
        tab.addWidget(self.card, 3)
        self.notices_card = Card(self.tr("Changed by sync"))
        self.notices.setObjectName("noticeList")
        self.notices.setWordWrap(True)
        self.notices_card.body.addWidget(self.notices, 1)
        tab.addWidget(self.notices_card, 1)

    # ------------------------------------------------------------------ data
    def refresh(self) -> None:
        ctx = self.workspace.ctx
        self.model.set_rows(conflict_views(ctx))
        count = self.model.rowCount()
        self.card.set_note(counted(count, self.tr("%n open"), self.tr("%n open")))
        self.notices.clear()
        self.notices.addItems(sync_service.notices(ctx))
        self.notices_card.setVisible(self.notices.count() > 0)
        self.notices_card.set_note(
            counted(self.notices.count(), self.tr("%n notice"), self.tr("%n notices"))
        )
        if count:
            self.table.selectRow(0)
        self._show_selected()
        self.tabs.setTabText(
            self.CONFLICTS_TAB, self.tr("&Conflicts (%1)").replace("%1", str(count))
            if count else self.tr("&Conflicts")
        )  # fmt: skip
        self.security.refresh()
        refused = self.security.count
        self.tabs.setTabText(
            self.SECURITY_TAB, self.tr("&Security (%1)").replace("%1", str(refused))
            if refused else self.tr("&Security")
        )  # fmt: skip
        self.people.refresh()
        self.retention.refresh()

    def selected(self) -> ConflictView | None:
        rows = self.table.selectionModel().selectedRows()
        view = rows[0].data(ROW_ROLE) if rows else None
        return view if isinstance(view, ConflictView) else None

    def _show_selected(self) -> None:
        chosen = self.selected()
        self.compare.set_conflict(chosen)
        # settling a conflict is the secretariat's (domain/permissions.py): say so on the buttons
        why = self.workspace.why_not(Operation.CREATE, Kind.CONFLICT_RESOLUTION)
        for button in (self.keep_button, self.other_button):
            button.setEnabled(not why)
            if why:
                button.setToolTip(why)
        self.compare.setVisible(self.model.rowCount() > 0)
        self.history_button.setVisible(self.model.rowCount() > 0)
        self.history_button.setEnabled(chosen is not None)

    def resolve(self, view: ConflictView, *, use_other: bool) -> None:
        """Keep what won, or bring back the other value (an operation); every page showing it
        reloads."""
        conflict_id = view.id

        def settle(ctx: ServiceContext) -> list[str]:
            return sync_service.resolve_conflict(ctx, conflict_id, use_other=use_other)

        def refused(message: str) -> None:  # not found, not valid, not allowed
            QMessageBox.warning(self, self.tr("Conflict not resolved"), message)
            self.refresh()

        self.workspace.runner.job(
            as_job(settle),  # its change set: the resolution, and the record brought back
            label=self.tr("Settle a conflict"),
            undoable=False,
            parent=self,
            on_refused=refused,
        )

    # ------------------------------------------------------------------ slots
    @Slot(QItemSelection, QItemSelection)
    def _on_selection_changed(self, _selected: QItemSelection, _old: QItemSelection) -> None:
        self._show_selected()

    @Slot()
    def _on_keep_clicked(self) -> None:
        view = self.selected()
        if view is not None:
            self.resolve(view, use_other=False)

    @Slot()
    def _on_other_clicked(self) -> None:
        view = self.selected()
        if view is not None:
            self.resolve(view, use_other=True)

    @Slot()
    def _on_history_clicked(self) -> None:
        view = self.selected()
        if view is not None:
            HistoryDialog.ask(self.window(), self.workspace, view.row.table, view.row.row_id)
