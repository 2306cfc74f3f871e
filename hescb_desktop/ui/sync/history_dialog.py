"""The History of one record: who changed which field when, from which PC (the change log)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication, QModelIndex, QObject, QSize, Qt, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from hescb_desktop.domain.audit import FAILED
from hescb_desktop.services import audit
from hescb_desktop.services import sync as sync_service
from hescb_desktop.ui.sync.audit_export import export_audit
from hescb_desktop.ui.sync.history_table_model import COL_VALUE, HistoryTableModel, history_entries
from hescb_desktop.ui.widgets.empty_state import EmptyState
from hescb_desktop.ui.widgets.labels import counted
from hescb_desktop.ui.widgets.row_model import ROW_ROLE
from hescb_desktop.ui.widgets.screen_fit import fitted_size
from hescb_desktop.ui.widgets.tables import make_table
from hescb_desktop.ui.workspace import Workspace


class HistoryDialog(QDialog):
    def __init__(
        self, workspace: Workspace, table: str, row_id: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.table_name, self.row_id = table, row_id
        self.model = HistoryTableModel(self)
        self.record_label = QLabel()
        self.note = QLabel()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.export_button = QPushButton(self.tr("Export audit…"))
        self.exported = QLabel()
        self._setup_ui()
        self.refresh()

    @classmethod
    def ask(cls, parent: QWidget | None, workspace: Workspace, table: str, row_id: str) -> None:
        """Show the history of one record until the user closes it."""
        dialog = cls(workspace, table, row_id, parent)
        dialog.exec()

    def _setup_ui(self) -> None:
        self.setWindowTitle(self.tr("History"))
        self.record_label.setObjectName("dialogTitle")
        self.record_label.setWordWrap(True)
        self.record_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.note.setObjectName("formNote")
        self.note.setWordWrap(True)
        self.view = make_table(self.model, stretch=COL_VALUE)
        self.empty = EmptyState(self.view)
        self.empty.set_message(self.tr("No changes recorded for this record."))
        self.buttons.rejected.connect(self.reject)
        self.export_button.setToolTip(
            self.tr("Every change on the board in a date range, for the auditors (CSV or PDF)")
        )
        self.buttons.addButton(self.export_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.export_button.clicked.connect(self._on_export_clicked)
        self.exported.setObjectName("formNote")
        self.exported.setWordWrap(True)
        self.exported.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.exported.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 18, 20, 14)
        layout.setSpacing(8)
        layout.addWidget(self.record_label)
        layout.addWidget(self.note)
        layout.addWidget(self.empty, 1)
        layout.addWidget(self.exported)
        layout.addWidget(self.buttons)
        self.resize(fitted_size(QSize(860, 520), self))  # a laptop shows its buttons

    def refresh(self) -> None:
        ctx = self.workspace.ctx
        rows = audit.record_history(ctx, self.table_name, self.row_id)
        self.record_label.setText(sync_service.describe_record(ctx, self.table_name, self.row_id))

        def describe(column: str, value: Any) -> str | None:
            return sync_service.describe_value(ctx, self.table_name, column, value)

        entries = history_entries(rows, describe, self.table_name)
        self.model.set_rows(entries)
        changes = len({(e.at, e.device) for e in entries})
        one, many = self.tr("%n change, newest first"), self.tr("%n changes, newest first")
        self.note.setText(
            counted(changes, one, many)
            + " · "
            + self.tr("times are UK time; “this PC” is the one you are using.")
        )
        failed = sum(e.verified == FAILED for e in entries)
        if failed:
            self.note.setText(
                self.note.text()
                + "\n"
                + self.tr(
                    "%1 of these changes FAILED their check: the database was changed outside "
                    "the app. Run the self-test and tell the secretariat."
                ).replace("%1", str(failed))
            )

    @Slot()
    def _on_export_clicked(self) -> None:
        written = export_audit(self.workspace.ctx, self)
        if written is not None:
            self.exported.setText(self.tr("Audit trail written to %1").replace("%1", str(written)))
            self.exported.show()


def install_history(
    view: QAbstractItemView, workspace: Workspace, table: str, *, double_click: bool = False
) -> QAction:
    """Give `view` a "History…" context-menu action for its current row (whose ROW_ROLE data
    has an `id`), opened by double-click too if asked; returns the action (for a button)."""
    action = QAction(QCoreApplication.translate("HistoryDialog", "History…"), view)
    action.setToolTip(
        QCoreApplication.translate(
            "HistoryDialog", "Who changed this record, when, and from which PC"
        )
    )
    view.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
    view.addAction(action)
    opener = HistoryOpener(view, workspace, table)
    action.triggered.connect(opener.open_current)
    if double_click:
        view.doubleClicked.connect(opener.open_index)
    return action


class HistoryOpener(QObject):
    """Opens the History dialog for a view's current row (a child of the view, freed with it)."""

    def __init__(self, view: QAbstractItemView, workspace: Workspace, table: str) -> None:
        super().__init__(view)
        self.view, self.workspace, self.table = view, workspace, table

    @Slot()
    def open_current(self) -> None:
        self.open_index(self.view.currentIndex())

    @Slot(QModelIndex)
    def open_index(self, index: QModelIndex) -> None:
        row = index.data(ROW_ROLE) if index.isValid() else None
        row_id = getattr(row, "id", None)
        if isinstance(row_id, str):
            HistoryDialog.ask(self.view.window(), self.workspace, self.table, row_id)
