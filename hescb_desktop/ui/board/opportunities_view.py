"""The collaboration opportunities register: who raised each, when, the assessment and the
outcome (an objective on the board, or declined with a reason)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QDate, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from hescb_desktop.domain.enums import OpportunityOutcome
from hescb_desktop.domain.permissions import Kind, Operation
from hescb_desktop.services import crud, opportunities
from hescb_desktop.services.entities import PEOPLE
from hescb_desktop.services.operations import Uow
from hescb_desktop.services.opportunities import OpportunityRow
from hescb_desktop.services.results import Result
from hescb_desktop.ui.widgets.labels import enum_label, format_date
from hescb_desktop.ui.widgets.palette import OVERDUE_TEXT
from hescb_desktop.ui.widgets.permission import gate
from hescb_desktop.ui.widgets.row_model import SORT_ROLE, RowTableModel
from hescb_desktop.ui.widgets.unsaved import GuardedDialog
from hescb_desktop.ui.workspace import Workspace

COL_RAISED, COL_TITLE, COL_BY, COL_ASSESSMENT, COL_OUTCOME = range(5)


def outcome_text(row: OpportunityRow) -> str:
    o = row.opportunity
    if o.outcome is OpportunityOutcome.ADOPTED:
        return f"Became objective: {row.objective_title}"
    if o.outcome is OpportunityOutcome.DECLINED:
        return f"Declined: {o.outcome_reason}"
    return enum_label(OpportunityOutcome.UNDER_REVIEW)


class OpportunityTableModel(RowTableModel):
    def headers(self) -> list[str]:
        return [
            self.tr("Raised"),
            self.tr("Opportunity"),
            self.tr("Raised by"),
            self.tr("Assessment"),
            self.tr("Outcome"),
        ]

    def cell(self, row: OpportunityRow, column: int, role: int) -> Any:
        o = row.opportunity
        if role == Qt.ItemDataRole.DisplayRole:
            return (
                format_date(o.raised_on),
                o.title,
                row.raised_by,
                o.assessment,
                outcome_text(row),
            )[column]
        if role == SORT_ROLE:
            return o.raised_on.isoformat() if column == COL_RAISED else None
        return None


class RaiseDialog(GuardedDialog):
    """A new opportunity: title, description, who raised it and when, a first assessment."""

    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Raise a collaboration opportunity"))
        self.title = QLineEdit()
        self.description = QPlainTextEdit()
        self.by = QComboBox()
        self.by.addItem("—", None)
        for p in workspace.ctx.read(crud.list_all, PEOPLE):
            self.by.addItem(p.name, p.id)
        self.on = QDateEdit(QDate.currentDate())
        self.on.setCalendarPopup(True)
        self.on.setDisplayFormat("dd MMM yyyy")
        self.assessment = QPlainTextEdit()
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow(self.tr("Title"), self.title)
        form.addRow(self.tr("Description"), self.description)
        form.addRow(self.tr("Raised by"), self.by)
        form.addRow(self.tr("Raised on"), self.on)
        form.addRow(self.tr("Assessment"), self.assessment)
        form.addRow(buttons)
        self.watch_for_unsaved()

    def unsaved_subject(self) -> str:
        return self.tr("the new opportunity")

    def values(self) -> dict[str, Any]:
        q = self.on.date()
        return {
            "title": self.title.text(),
            "description": self.description.toPlainText(),
            "raised_by_id": self.by.currentData(),
            "raised_on": f"{q.year():04d}-{q.month():02d}-{q.day():02d}",
            "assessment": self.assessment.toPlainText(),
        }

    @classmethod
    def ask(cls, workspace: Workspace, parent: QWidget | None) -> dict[str, Any] | None:
        dialog = cls(workspace, parent)
        return dialog.values() if dialog.exec() == QDialog.DialogCode.Accepted else None


def ask_text(parent: QWidget, title: str, label: str, text: str = "") -> str | None:
    value, ok = QInputDialog.getMultiLineText(parent, title, label, text)
    return value if ok else None


class OpportunitiesView(QWidget):
    objective_opened = Signal(str)

    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.model = OpportunityTableModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setWordWrap(True)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        self.table.doubleClicked.connect(self._on_table_double_clicked)
        self.message = QLabel()
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.setStyleSheet(f"color: {OVERDUE_TEXT};")
        buttons = QHBoxLayout()
        self.edit_buttons: list[QPushButton] = []
        for text, slot in (
            (self.tr("Raise…"), self._on_raise_clicked),
            (self.tr("Assess…"), self._on_assess_clicked),
            (self.tr("Make it an objective"), self._on_adopt_clicked),
            (self.tr("Decline…"), self._on_decline_clicked),
        ):
            button = QPushButton(text)
            button.clicked.connect(slot)
            buttons.addWidget(button)
            self.edit_buttons.append(button)
        buttons.addStretch(1)
        intro = QLabel(
            self.tr(
                "Police and fire must keep collaboration opportunities under review (Policing and "
                "Crime Act 2017, s.2). This register is the evidence: every opportunity considered "
                "and what became of it."
            )
        )
        intro.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(buttons)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.message)
        self.gate_buttons()

    def gate_buttons(self) -> None:
        why = self.workspace.why_not(Operation.EDIT, Kind.PLAN)  # the register is the board's
        for button in self.edit_buttons:
            gate(button, why)

    def refresh(self) -> None:
        self.gate_buttons()
        self.model.set_rows(self.workspace.ctx.read(opportunities.register))
        self.table.resizeColumnsToContents()
        for col in (COL_TITLE, COL_ASSESSMENT):
            self.table.setColumnWidth(col, min(self.table.columnWidth(col), 320))

    def _current(self) -> OpportunityRow | None:
        index = self.table.currentIndex()
        if not index.isValid():
            self.message.setText(self.tr("Choose an opportunity first."))
            return None
        return self.model.row_at(index.row())  # type: ignore[no-any-return]

    def _run(self, label: str, fn: Callable[[Uow], Result[Any]]) -> None:
        """One operation (ui.operations): the board and this register refresh from its change
        set; a refusal is shown under the register."""

        def done(_value: object) -> None:
            self.message.clear()  # the register refreshes with the board, from the change set

        self.workspace.runner.write(
            fn, label=label, parent=self, on_done=done, on_refused=self.message.setText
        )

    @Slot()
    def _on_raise_clicked(self) -> None:
        values = RaiseDialog.ask(self.workspace, self)
        if values is not None:
            self._run(
                self.tr("Raise opportunity '%1'").replace("%1", str(values.get("title", ""))),
                lambda uow: opportunities.raise_opportunity(uow, values),
            )

    @Slot()
    def _on_assess_clicked(self) -> None:
        row = self._current()
        if row is None:
            return
        text = ask_text(
            self, self.tr("Assessment"), row.opportunity.title, row.opportunity.assessment
        )
        if text is not None:
            opportunity_id = row.opportunity.id
            self._run(
                self.tr("Assess '%1'").replace("%1", row.opportunity.title),
                lambda uow: opportunities.assess(uow, opportunity_id, text),
            )

    @Slot()
    def _on_adopt_clicked(self) -> None:
        row = self._current()
        if row is not None:
            opportunity_id = row.opportunity.id
            self._run(
                self.tr("Adopt '%1'").replace("%1", row.opportunity.title),
                lambda uow: opportunities.adopt(uow, opportunity_id),
            )

    @Slot()
    def _on_decline_clicked(self) -> None:
        row = self._current()
        if row is None:
            return
        reason = ask_text(self, self.tr("Decline"), self.tr("Why is it declined?"))
        if reason is not None:
            opportunity_id = row.opportunity.id
            self._run(
                self.tr("Decline '%1'").replace("%1", row.opportunity.title),
                lambda uow: opportunities.decline(uow, opportunity_id, reason),
            )

    @Slot()
    def _on_table_double_clicked(self) -> None:
        row = self._current()
        if row is not None and row.opportunity.objective_id:
            self.objective_opened.emit(row.opportunity.objective_id)
