"""The objective dialog's lists: milestones, dependencies, risks, links and the RAG history.

Each tab shows rows from an `ObjectiveDetail`. Adding, changing and removing rows are operations
(ui.operations) through the planning services, each with its Edit-menu label; refused input is
shown inline and changes nothing. The dialog reloads when the data changes, so an undo or redo
from the Edit menu shows too.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import Any

from PySide6.QtCore import QDate, Qt, Slot
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

from hescb_desktop.domain.dto import MilestoneDTO, PersonDTO, RiskDTO
from hescb_desktop.services.planning import ObjectiveDetail
from hescb_desktop.ui.board import commands
from hescb_desktop.ui.widgets.labels import enum_label, format_date, rag_label, status_label
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
        self.on_error: Callable[[str], None] | None = None

    def show_detail(self, detail: ObjectiveDetail) -> None:
        raise NotImplementedError

    def pending(self) -> bool:
        """Something typed into the tab's form but not added or saved yet (issue 14: nothing
        typed is lost when the dialog closes)."""
        return False

    def keep_pending(self) -> bool:
        """Add or save what `pending` found; False (with the reason shown) when refused."""
        return True

    def _push(self, text: str, edit: commands.Edit) -> bool:
        """One operation, waited for (what was typed is cleared only once it is saved); a
        refusal is shown here."""
        outcome = self.workspace.runner.write_and_wait(edit, label=text, parent=self)
        if not outcome.ok:
            self._say(outcome.refusal, error=True)
            return False
        warnings = outcome.value or ()
        self._say("\n".join(warnings), error=bool(warnings))
        return True

    def _add(self, text: str, table: str, values: Mapping[str, Any]) -> bool:
        return self._push(text, commands.save_detail(table, values))

    def _remove(self, text: str, table: str, row_id: str) -> bool:
        return self._push(text, commands.remove_detail(table, row_id))

    def _on_error(self, text: str) -> None:
        """An undo or redo refused later (say the objective was deleted on another PC): to the
        dialog's `on_error`, which outlives the dialog, if it set one."""
        if self.on_error is not None:
            self.on_error(text)
        else:
            self._say(text, error=True)

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
        self._milestones: dict[str, MilestoneDTO] = {}

    def show_detail(self, detail: ObjectiveDetail) -> None:
        self.objective_id = detail.objective.id
        target = detail.objective.target_date
        self.table.setRowCount(0)
        self._milestones = {m.id: m for m in detail.milestones}
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

    def pending(self) -> bool:
        return bool(self.title.text().strip())

    def keep_pending(self) -> bool:
        return self._add_milestone()

    def _on_add_clicked(self) -> None:
        self._add_milestone()

    def _add_milestone(self) -> bool:
        values = {
            "objective_id": self.objective_id,
            "title": self.title.text(),
            "due_date": date_of(self.due),
            "owner_id": self.owner.currentData(),
        }
        if self._add(self.tr("Add milestone"), "milestones", values):
            self.title.clear()
            return True
        return False

    def _on_done_clicked(self) -> None:
        row_id = selected_id(self.table)
        if not row_id:
            self._say(self.tr("Choose a milestone first."), error=True)
            return

        m = self._milestones[row_id]
        text = self.tr("Mark milestone not done") if m.done else self.tr("Mark milestone done")
        self._push(text, commands.save_detail("milestones", {"done": not m.done}, row_id))

    def _on_remove_clicked(self) -> None:
        row_id = selected_id(self.table)
        if row_id:
            self._remove(self.tr("Remove milestone"), "milestones", row_id)


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
        if not other:
            return
        self._push(self.tr("Add dependency"), commands.add_dependency(self.objective_id, other))

    def _on_remove_clicked(self) -> None:
        row_id = selected_id(self.depends)
        if row_id:
            self._remove(self.tr("Remove dependency"), "objective_dependencies", row_id)


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
        save = QPushButton(self.tr("Save changes to selected risk"))
        save.clicked.connect(self._on_save_clicked)
        remove = QPushButton(self.tr("Remove selected risk"))
        remove.clicked.connect(self._on_remove_clicked)
        self.table.itemSelectionChanged.connect(self._on_selection_changed)
        self._risks: dict[str, RiskDTO] = {}
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
        buttons.addWidget(save)
        buttons.addWidget(remove)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addWidget(self.message)

    def show_detail(self, detail: ObjectiveDetail) -> None:
        self.objective_id = detail.objective.id
        self._risks = {r.id: r for r in detail.risks}
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

    def _form_values(self) -> dict[str, Any]:
        return {
            "description": self.description.text(),
            "likelihood": self.likelihood.value(),
            "impact": self.impact.value(),
            "owner_id": self.owner.currentData(),
            "mitigation": self.mitigation.text(),
        }

    @Slot()
    def _on_selection_changed(self) -> None:
        """The chosen risk's values go into the form, to change and save."""
        r = self._risks.get(selected_id(self.table))
        if r is None:
            return
        self.description.setText(r.description)
        self.likelihood.setValue(r.likelihood)
        self.impact.setValue(r.impact)
        self.owner.setCurrentIndex(max(0, self.owner.findData(r.owner_id)) if r.owner_id else 0)
        self.mitigation.setText(r.mitigation)

    def pending(self) -> bool:
        """A new risk's words typed, or the chosen risk's form changed and not saved."""
        r = self._risks.get(selected_id(self.table))
        if r is None:
            return bool(self.description.text().strip() or self.mitigation.text().strip())
        return any(getattr(r, k) != v for k, v in self._form_values().items())

    def keep_pending(self) -> bool:
        if self._risks.get(selected_id(self.table)) is None:
            return self._add_risk()
        return self._save_risk()

    def _on_add_clicked(self) -> None:
        self._add_risk()

    def _add_risk(self) -> bool:
        values = {"objective_id": self.objective_id, **self._form_values()}
        if self._add(self.tr("Add risk"), "risks", values):
            self.description.clear()
            self.mitigation.clear()
            return True
        return False

    def _on_save_clicked(self) -> None:
        self._save_risk()

    def _save_risk(self) -> bool:
        r = self._risks.get(selected_id(self.table))
        if r is None:
            self._say(self.tr("Choose a risk first."), error=True)
            return False
        new = {k: v for k, v in self._form_values().items() if getattr(r, k) != v}
        if not new:
            self._say(self.tr("Nothing changed."), error=False)
            return True
        return self._push(self.tr("Edit risk"), commands.save_detail("risks", new, r.id))

    def _on_remove_clicked(self) -> None:
        row_id = selected_id(self.table)
        if row_id:
            self._remove(self.tr("Remove risk"), "risks", row_id)


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
            self.setItem(row, 1, cell(enum_label(h.dimension)))
            self.setItem(row, 2, rag)
            self.setItem(row, 3, cell(h.reason))
            self.setItem(row, 4, cell(h.created_by or ""))
