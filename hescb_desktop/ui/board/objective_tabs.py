"""The objective dialog's lists: milestones, dependencies, risks, links and the RAG history.

Each tab shows rows from an `ObjectiveDetail` and calls the planning services; refused input is
shown inline and changes nothing. After a change the dialog reloads (`changed` is emitted).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from hescb_desktop.domain.dto import PersonDTO
from hescb_desktop.domain.errors import DomainError
from hescb_desktop.services import planning
from hescb_desktop.services.planning import ObjectiveDetail
from hescb_desktop.services.results import Changes
from hescb_desktop.ui.widgets.labels import format_date, rag_label, status_label
from hescb_desktop.ui.widgets.palette import OVERDUE_TEXT, rag_colour
from hescb_desktop.ui.workspace import Workspace

NO_DATE = QDate(2000, 1, 1)


def date_edit(value: date | None) -> QDateEdit:
    """A date field where the earliest date means "no date" (shown as a dash)."""
    edit = QDateEdit()
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("dd MMM yyyy")
    edit.setMinimumDate(NO_DATE)
    edit.setSpecialValueText("—")
    edit.setDate(QDate(value.year, value.month, value.day) if value else NO_DATE)
    return edit


def date_of(edit: QDateEdit) -> date | None:
    q = edit.date()
    return None if q == NO_DATE else date(q.year(), q.month(), q.day())


def table(headers: Sequence[str]) -> QTableWidget:
    t = QTableWidget(0, len(headers))
    t.setHorizontalHeaderLabels(list(headers))
    t.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    t.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    t.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    t.verticalHeader().setVisible(False)
    t.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    t.horizontalHeader().setStretchLastSection(True)
    return t


def cell(text: str, row_id: str = "", colour: str = "") -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setData(Qt.ItemDataRole.UserRole, row_id)
    if colour:
        item.setForeground(QBrush(QColor(colour)))
    return item


def selected_id(t: QTableWidget) -> str:
    row = t.currentRow()
    item = t.item(row, 0) if row >= 0 else None
    return str(item.data(Qt.ItemDataRole.UserRole)) if item is not None else ""


def person_combo(people: Sequence[PersonDTO], current: str | None) -> QComboBox:
    combo = QComboBox()
    combo.addItem("—", None)
    for p in people:
        combo.addItem(p.name, p.id)
    combo.setCurrentIndex(max(0, combo.findData(current)) if current else 0)
    return combo


class DetailTab(QWidget):
    changed = Signal(object)  # Changes

    def __init__(self, workspace: Workspace, people: Sequence[PersonDTO]) -> None:
        super().__init__()
        self.workspace = workspace
        self.people = people
        self.names = {p.id: p.name for p in people}
        self.message = QLabel()
        self.message.setObjectName("inlineMessage")
        self.message.setWordWrap(True)
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.objective_id = ""

    def show_detail(self, detail: ObjectiveDetail) -> None:
        raise NotImplementedError

    def _run(self, fn: Callable[[], Changes | tuple[Changes, tuple[str, ...]]]) -> bool:
        try:
            out = fn()
        except DomainError as exc:
            self._say(str(exc), error=True)
            return False
        changes, warnings = out if isinstance(out, tuple) else (out, ())
        self._say("\n".join(warnings), error=bool(warnings))
        self.changed.emit(changes)
        return True

    def _say(self, text: str, *, error: bool) -> None:
        self.message.setText(text)
        self.message.setStyleSheet(f"color: {OVERDUE_TEXT};" if error else "")


class MilestonesTab(DetailTab):
    def __init__(self, workspace: Workspace, people: Sequence[PersonDTO]) -> None:
        super().__init__(workspace, people)
        self.table = table(
            [self.tr("Milestone"), self.tr("Due"), self.tr("Owner"), self.tr("Done")]
        )
        self.title = QLineEdit()
        self.title.setPlaceholderText(self.tr("New milestone"))
        self.due = date_edit(None)
        self.owner = person_combo(people, None)
        add = QPushButton(self.tr("Add milestone"))
        add.clicked.connect(self._on_add_clicked)
        done = QPushButton(self.tr("Mark done / not done"))
        done.clicked.connect(self._on_done_clicked)
        remove = QPushButton(self.tr("Remove"))
        remove.clicked.connect(self._on_remove_clicked)
        form = QHBoxLayout()
        for w in (self.title, self.due, self.owner, add):
            form.addWidget(w)
        buttons = QHBoxLayout()
        buttons.addWidget(done)
        buttons.addWidget(remove)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        layout.addLayout(form)
        layout.addWidget(self.message)
        self._done: dict[str, bool] = {}

    def show_detail(self, detail: ObjectiveDetail) -> None:
        self.objective_id = detail.objective.id
        target = detail.objective.target_date
        self.table.setRowCount(0)
        self._done = {m.id: m.done for m in detail.milestones}
        for m in detail.milestones:
            row = self.table.rowCount()
            self.table.insertRow(row)
            late = bool(m.due_date and target and m.due_date > target)
            self.table.setItem(row, 0, cell(m.title, m.id))
            self.table.setItem(
                row, 1, cell(format_date(m.due_date), colour=OVERDUE_TEXT if late else "")
            )
            self.table.setItem(row, 2, cell(self.names.get(m.owner_id or "", "")))
            self.table.setItem(row, 3, cell(format_date(m.done_on) if m.done else ""))

    def _on_add_clicked(self) -> None:
        values = {
            "objective_id": self.objective_id,
            "title": self.title.text(),
            "due_date": date_of(self.due),
            "owner_id": self.owner.currentData(),
        }

        def go() -> tuple[Changes, tuple[str, ...]]:
            saved = planning.save_milestone(self.workspace.ctx.uow(), values)
            return saved.value.changes, saved.warnings

        if self._run(go):
            self.title.clear()

    def _on_done_clicked(self) -> None:
        row_id = selected_id(self.table)
        if not row_id:
            self._say(self.tr("Choose a milestone first."), error=True)
            return

        def go() -> tuple[Changes, tuple[str, ...]]:
            saved = planning.save_milestone(
                self.workspace.ctx.uow(), {"done": not self._done[row_id]}, row_id
            )
            return saved.value.changes, ()

        self._run(go)

    def _on_remove_clicked(self) -> None:
        row_id = selected_id(self.table)
        if row_id:
            self._run(
                lambda: planning.remove(self.workspace.ctx.uow(), "milestones", row_id).changes
            )


class DependenciesTab(DetailTab):
    def __init__(
        self, workspace: Workspace, people: Sequence[PersonDTO], others: Sequence[tuple[str, str]]
    ) -> None:
        super().__init__(workspace, people)
        self.depends = table([self.tr("Depends on")])
        self.needed = QListWidget()
        self.choice = QComboBox()
        for oid, title in others:
            self.choice.addItem(title, oid)
        add = QPushButton(self.tr("Add dependency"))
        add.clicked.connect(self._on_add_clicked)
        remove = QPushButton(self.tr("Remove"))
        remove.clicked.connect(self._on_remove_clicked)
        row = QHBoxLayout()
        row.addWidget(QLabel(self.tr("Depends on:")))
        row.addWidget(self.choice, 1)
        row.addWidget(add)
        row.addWidget(remove)
        layout = QVBoxLayout(self)
        layout.addWidget(self.depends, 2)
        layout.addLayout(row)
        layout.addWidget(QLabel(self.tr("Other objectives that depend on this one:")))
        layout.addWidget(self.needed, 1)
        layout.addWidget(self.message)

    def show_detail(self, detail: ObjectiveDetail) -> None:
        self.objective_id = detail.objective.id
        self.depends.setRowCount(0)
        for dep, title in detail.depends_on:
            row = self.depends.rowCount()
            self.depends.insertRow(row)
            self.depends.setItem(row, 0, cell(title, dep.id))
        self.needed.clear()
        self.needed.addItems([title for _, title in detail.needed_by])

    def _on_add_clicked(self) -> None:
        other = self.choice.currentData()
        if other:
            self._run(
                lambda: (
                    planning.add_dependency(
                        self.workspace.ctx.uow(), self.objective_id, other
                    ).changes
                )
            )

    def _on_remove_clicked(self) -> None:
        row_id = selected_id(self.depends)
        if row_id:
            self._run(
                lambda: (
                    planning.remove(
                        self.workspace.ctx.uow(), "objective_dependencies", row_id
                    ).changes
                )
            )


class RisksTab(DetailTab):
    def __init__(self, workspace: Workspace, people: Sequence[PersonDTO]) -> None:
        super().__init__(workspace, people)
        self.table = table(
            [
                self.tr("Risk"),
                self.tr("L"),
                self.tr("I"),
                self.tr("Score"),
                self.tr("Owner"),
                self.tr("Mitigation"),
            ]
        )
        self.description = QLineEdit()
        self.mitigation = QLineEdit()
        self.likelihood, self.impact = QSpinBox(), QSpinBox()
        for spin in (self.likelihood, self.impact):
            spin.setRange(1, 5)
            spin.setValue(3)
        self.owner = person_combo(people, None)
        add = QPushButton(self.tr("Add risk"))
        add.clicked.connect(self._on_add_clicked)
        remove = QPushButton(self.tr("Remove selected risk"))
        remove.clicked.connect(self._on_remove_clicked)
        form = QFormLayout()
        form.addRow(self.tr("Description"), self.description)
        scores = QHBoxLayout()
        scores.addWidget(QLabel(self.tr("Likelihood")))
        scores.addWidget(self.likelihood)
        scores.addWidget(QLabel(self.tr("Impact")))
        scores.addWidget(self.impact)
        scores.addWidget(QLabel(self.tr("Owner")))
        scores.addWidget(self.owner, 1)
        form.addRow(scores)
        form.addRow(self.tr("Mitigation"), self.mitigation)
        buttons = QHBoxLayout()
        buttons.addWidget(add)
        buttons.addWidget(remove)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addWidget(self.message)

    def show_detail(self, detail: ObjectiveDetail) -> None:
        self.objective_id = detail.objective.id
        self.table.setRowCount(0)
        for r in sorted(detail.risks, key=lambda r: -r.likelihood * r.impact):
            row = self.table.rowCount()
            self.table.insertRow(row)
            score = r.likelihood * r.impact
            values = (
                r.description,
                str(r.likelihood),
                str(r.impact),
                str(score),
                self.names.get(r.owner_id or "", ""),
                r.mitigation,
            )
            for col, text in enumerate(values):
                self.table.setItem(
                    row,
                    col,
                    cell(
                        text,
                        r.id if col == 0 else "",
                        OVERDUE_TEXT if col == 3 and score >= 15 else "",
                    ),
                )

    def _on_add_clicked(self) -> None:
        values = {
            "objective_id": self.objective_id,
            "description": self.description.text(),
            "likelihood": self.likelihood.value(),
            "impact": self.impact.value(),
            "owner_id": self.owner.currentData(),
            "mitigation": self.mitigation.text(),
        }
        if self._run(lambda: planning.save_risk(self.workspace.ctx.uow(), values).changes):
            self.description.clear()
            self.mitigation.clear()

    def _on_remove_clicked(self) -> None:
        row_id = selected_id(self.table)
        if row_id:
            self._run(lambda: planning.remove(self.workspace.ctx.uow(), "risks", row_id).changes)


class LinksTab(DetailTab):
    """What links to the objective: actions, papers, decisions and the opportunity behind it."""

    def __init__(self, workspace: Workspace, people: Sequence[PersonDTO]) -> None:
        super().__init__(workspace, people)
        self.table = table(
            [self.tr("Kind"), self.tr("Reference"), self.tr("Status"), self.tr("What")]
        )
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)

    def show_detail(self, detail: ObjectiveDetail) -> None:
        today = self.workspace.today()
        rows: list[tuple[str, str, str, str, str]] = []
        for a in detail.actions:
            due = a.revised_due_date or a.due_date
            late = due is not None and due < today and a.status.value != "closed"
            rows.append(
                (
                    self.tr("Action"),
                    a.reference,
                    a.description,
                    status_label(a.status),
                    OVERDUE_TEXT if late else "",
                )
            )
        rows += [(self.tr("Paper"), p.reference, p.title, "", "") for p in detail.papers]
        rows += [(self.tr("Decision"), "", d.text, "", "") for d in detail.decisions]
        rows += [
            (self.tr("Opportunity"), format_date(o.raised_on), o.title, "", "")
            for o in detail.opportunities
        ]
        self.table.setRowCount(0)
        for kind, ref, what, status, colour in rows:
            row = self.table.rowCount()
            self.table.insertRow(row)
            for col, text in enumerate((kind, ref, status, what)):
                self.table.setItem(row, col, cell(text, colour=colour))


class HistoryTable(QTableWidget):
    """The RAG history, newest first: when, which dimension, the rating, why and who."""

    def __init__(self) -> None:
        super().__init__(0, 5)
        self.setHorizontalHeaderLabels(
            [
                self.tr("Date"),
                self.tr("Dimension"),
                self.tr("RAG"),
                self.tr("Reason"),
                self.tr("By"),
            ]
        )
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.verticalHeader().setVisible(False)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.horizontalHeader().setStretchLastSection(True)

    def show_detail(self, detail: ObjectiveDetail) -> None:
        self.setRowCount(0)
        for h in detail.rag_history:
            row = self.rowCount()
            self.insertRow(row)
            rag = QTableWidgetItem(rag_label(h.rating))
            rag.setBackground(QBrush(rag_colour(h.rating)))
            rag.setForeground(QBrush(QColor("#1d2430" if h.rating.value == "amber" else "#fff")))
            self.setItem(row, 0, cell(format_date(h.assessed_on)))
            self.setItem(row, 1, cell(h.dimension.value.capitalize()))
            self.setItem(row, 2, rag)
            self.setItem(row, 3, cell(h.reason))
            self.setItem(row, 4, cell(h.created_by or ""))
