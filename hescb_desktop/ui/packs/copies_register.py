"""The copies register in the app (issue 16, point 3): every numbered copy of the meeting's
packs (or of all meetings), who holds it and whether it came back or was destroyed. Marking a
copy returned or destroyed is the secretariat's (the buttons are gated, their tooltips saying
why); anyone may read the register, print it, or make a copy's PDF again."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSize, Qt, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from hescb_desktop.domain.permissions import Kind, Operation
from hescb_desktop.domain.timezones import LONDON
from hescb_desktop.services import copies
from hescb_desktop.services.copies import CopyRow
from hescb_desktop.services.operations import Uow
from hescb_desktop.services.results import Result
from hescb_desktop.ui.widgets.busy_dialog import BusyDialog
from hescb_desktop.ui.widgets.permission import gate
from hescb_desktop.ui.widgets.row_model import ROW_ROLE, SORT_ROLE, RowTableModel
from hescb_desktop.ui.widgets.screen_fit import fitted_size
from hescb_desktop.ui.widgets.tables import make_table
from hescb_desktop.ui.widgets.worker import ProgressFn
from hescb_desktop.ui.workspace import Workspace

COL_COPY, COL_TO, COL_ISSUED, COL_RETURNED, COL_DESTROYED, COL_STATE = range(6)


def _stamp(row: CopyRow, column: int) -> Any:
    moment = {
        COL_ISSUED: row.copy.issued_at,
        COL_RETURNED: row.copy.returned_at,
        COL_DESTROYED: row.copy.destroyed_at,
    }[column]
    return moment.astimezone(LONDON) if moment is not None else None


class CopyTableModel(RowTableModel):
    def headers(self) -> list[str]:
        return [
            self.tr("Copy"),
            self.tr("Issued to"),
            self.tr("Issued"),
            self.tr("Returned"),
            self.tr("Destroyed"),
            self.tr("State"),
        ]

    def cell(self, row: CopyRow, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(row, column)
        if role == SORT_ROLE:
            if column in (COL_ISSUED, COL_RETURNED, COL_DESTROYED):
                moment = _stamp(row, column)
                return moment.isoformat() if moment is not None else ""
            return self._text(row, column)
        if role == Qt.ItemDataRole.ToolTipRole and column == COL_COPY:
            return row.label
        return None

    def _text(self, row: CopyRow, column: int) -> str:
        if column == COL_COPY:
            return f"{row.reference} ({row.copy.number} of {row.copy.of_total})"
        if column == COL_TO:
            return row.copy.issued_to
        if column == COL_STATE:
            return {
                copies.ISSUED: self.tr("Issued"),
                copies.RETURNED: self.tr("Returned"),
                copies.DESTROYED: self.tr("Destroyed"),
            }[row.state]
        moment = _stamp(row, column)
        return f"{moment.day} {moment:%b %Y %H:%M}" if moment is not None else ""


class CopiesRegisterDialog(QDialog):
    def __init__(
        self, workspace: Workspace, meeting_id: str | None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.meeting_id = meeting_id
        self.model = CopyTableModel(self)
        self.scope = QComboBox()
        self.table = make_table(self.model, stretch=COL_TO)
        self.summary = QLabel()
        self.error = QLabel()
        self.returned_button = QPushButton(self.tr("Mark returned"))
        self.destroyed_button = QPushButton(self.tr("Mark destroyed"))
        self.copy_button = QPushButton(self.tr("Save copy PDF…"))
        self.print_button = QPushButton(self.tr("Print register…"))
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.document_preview: QDialog | None = None
        self._setup_ui()
        self.refresh()

    def _setup_ui(self) -> None:
        self.setWindowTitle(self.tr("Copies register"))
        self.resize(fitted_size(QSize(860, 480), self))
        if self.meeting_id is not None:
            self.scope.addItem(self.tr("This meeting's packs"), self.meeting_id)
        self.scope.addItem(self.tr("All meetings"), None)
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.error.setObjectName("formError")
        self.error.setTextFormat(Qt.TextFormat.PlainText)
        self.error.setWordWrap(True)
        self.error.hide()
        self.copy_button.setToolTip(
            self.tr("The chosen copy's PDF made again, from the pack as it is now")
        )
        top = QHBoxLayout()
        top.addWidget(self.scope)
        top.addWidget(self.summary, 1)
        actions = QHBoxLayout()
        for button in (self.returned_button, self.destroyed_button, self.copy_button):
            actions.addWidget(button)
        actions.addStretch(1)
        actions.addWidget(self.print_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.error)
        layout.addLayout(actions)
        layout.addWidget(self.buttons)
        self.scope.currentIndexChanged.connect(self.refresh)
        self.table.selectionModel().selectionChanged.connect(self._on_selection_changed)
        self.model.modelReset.connect(self._on_selection_changed)
        self.returned_button.clicked.connect(self.mark_returned)
        self.destroyed_button.clicked.connect(self.mark_destroyed)
        self.copy_button.clicked.connect(self.save_copy)
        self.print_button.clicked.connect(self.print_register)
        self.buttons.rejected.connect(self.reject)

    # ------------------------------------------------------------------ data
    @property
    def scope_meeting(self) -> str | None:
        value = self.scope.currentData()
        return str(value) if value else None

    @Slot()
    def refresh(self) -> None:
        rows = self.workspace.ctx.read(copies.register, self.scope_meeting)
        self.model.set_rows(rows)
        held = sum(1 for r in rows if r.state == copies.ISSUED)
        self.summary.setText(
            self.tr("%1 copies issued, %2 still held")
            .replace("%1", str(len(rows)))
            .replace("%2", str(held))
        )
        self.print_button.setEnabled(bool(rows))

    def selected(self) -> CopyRow | None:
        index = self.table.currentIndex()
        if not index.isValid() or not self.table.selectionModel().hasSelection():
            return None
        row = self.table.model().data(index, ROW_ROLE)
        return row if isinstance(row, CopyRow) else None

    def select_copy(self, copy_id: str) -> None:
        for n, row in enumerate(self.model.rows()):
            if row.copy.id == copy_id:
                self.table.selectRow(n)
                return

    @Slot()
    def _on_selection_changed(self) -> None:
        row = self.selected()
        why = self.workspace.why_not(Operation.EDIT, Kind.PACK_COPY)
        gate(self.returned_button, why, enabled=row is not None and row.state == copies.ISSUED)
        gate(self.destroyed_button, why, enabled=row is not None and row.state != copies.DESTROYED)
        self.copy_button.setEnabled(row is not None)

    # ------------------------------------------------------------------ actions
    def _say(self, text: str) -> None:
        self.error.setText(text)
        self.error.setVisible(bool(text))

    @Slot()
    def mark_returned(self) -> None:
        self._mark(copies.mark_returned, self.tr("Copy %1 returned"))

    @Slot()
    def mark_destroyed(self) -> None:
        self._mark(copies.mark_destroyed, self.tr("Copy %1 destroyed"))

    def _mark(self, action: Callable[[Uow, str], Result[Any]], label: str) -> None:
        row = self.selected()
        if row is None:
            return
        copy_id = row.copy.id

        def done(_value: object) -> None:
            self._say("")
            self.refresh()
            self.select_copy(copy_id)

        self.workspace.runner.write(
            lambda uow: action(uow, copy_id),
            label=label.replace("%1", str(row.copy.number)),
            parent=self,
            on_done=done,
            on_refused=self._say,
        )

    @Slot()
    def print_register(self) -> None:
        from hescb_desktop.services import documents
        from hescb_desktop.ui.widgets.pdf_view import preview_document

        ctx, meeting_id = self.workspace.ctx, self.scope_meeting
        self.document_preview = preview_document(
            lambda: documents.copies_register(ctx, meeting_id),
            self.windowTitle(),
            self,
            busy=self.tr("Building the register…"),
        )

    @Slot()
    def save_copy(self, path: Path | None = None) -> Path | None:
        """The chosen copy's PDF made again (off the GUI thread) and saved."""
        row = self.selected()
        if row is None:
            return None
        if path is None:
            name, _ = QFileDialog.getSaveFileName(
                self, self.tr("Save copy PDF"), copies.file_name(row), self.tr("PDF (*.pdf)")
            )
            if not name:
                return None
            path = Path(name)
        ctx, copy_id = self.workspace.ctx, row.copy.id

        def work(progress: ProgressFn) -> Path:
            _name, data = ctx.read(
                copies.build_copy_pdf,
                copy_id,
                author=ctx.user,
                progress=lambda done, text: progress(int(done * 100), text),
            )
            path.write_bytes(data)
            return path

        result, error = BusyDialog.run(self.windowTitle(), row.label, work, self)
        self._say(error)
        return result if isinstance(result, Path) else None
