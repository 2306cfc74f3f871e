"""One objective in full: details, RAG (per dimension, override with reason, path to green,
history as a timeline), milestones, dependencies, risks and links.

Detail and RAG edits go through the workspace's undo stack (Edit > Undo reverts them); refused
input shows inline and changes nothing.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QSize, Qt, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from hescb_desktop.domain.dto import ObjectiveDTO
from hescb_desktop.domain.enums import Benefit, Marking, Rag, RagDimension
from hescb_desktop.domain.errors import DomainError
from hescb_desktop.domain.permissions import Kind, Operation
from hescb_desktop.domain.rules import worst_rag
from hescb_desktop.services import crud, planning
from hescb_desktop.services.entities import OBJECTIVES, PEOPLE
from hescb_desktop.services.objectives import DIMENSIONS
from hescb_desktop.services.results import Changes
from hescb_desktop.ui.board import commands
from hescb_desktop.ui.board.commands import ErrorFn, RagState
from hescb_desktop.ui.board.objective_tabs import (
    DependenciesTab,
    DetailTab,
    HistoryTable,
    LinksTab,
    MilestonesTab,
    RisksTab,
    date_edit,
    date_of,
)
from hescb_desktop.ui.board.rag_timeline import RagTimeline
from hescb_desktop.ui.widgets.labels import enum_label, rag_label
from hescb_desktop.ui.widgets.marking_banner import MarkingBanner
from hescb_desktop.ui.widgets.palette import OVERDUE_TEXT
from hescb_desktop.ui.widgets.permission import read_only
from hescb_desktop.ui.widgets.screen_fit import fitted_size
from hescb_desktop.ui.widgets.unsaved import GuardedDialog, input_widgets
from hescb_desktop.ui.workspace import Workspace

# the tables the dialog shows: it reloads when one changes (an edit here, an undo, a sync)
FOLLOWED = ("objectives", "milestones", "objective_dependencies", "risks", "rag_assessments")

RAGS: tuple[Rag | None, ...] = (None, Rag.GREEN, Rag.AMBER, Rag.RED)


def rag_combo(value: Rag | None) -> QComboBox:
    combo = QComboBox()
    for rag in RAGS:
        combo.addItem(rag_label(rag), rag.value if rag else "")
    combo.setCurrentIndex(RAGS.index(value))
    return combo


def rag_of(combo: QComboBox) -> Rag | None:
    value = combo.currentData()
    return Rag(value) if value else None


class ObjectiveDialog(GuardedDialog):
    def __init__(
        self,
        workspace: Workspace,
        objective_id: str,
        on_error: ErrorFn,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.on_error = on_error  # outlives the dialog: an undo may run after it closed
        self.objective_id = objective_id
        self.setWindowTitle(self.tr("Objective"))
        self.resize(fitted_size(QSize(980, 700), self))  # a laptop shows its buttons
        self.people = workspace.ctx.read(crud.list_all, PEOPLE)
        self.detail = workspace.ctx.read(planning.objective_detail, objective_id)
        self._setup_ui()
        self._show()
        self.read_only_why = workspace.why_not(Operation.EDIT, Kind.PLAN)
        read_only(self, self.read_only_why)
        if self.read_only_why:
            self.read_only_note.setText(self.tr("Read only. %1").replace("%1", self.read_only_why))
            self.read_only_note.show()
        self.watch_for_unsaved([*self._detail_inputs(), *self._rag_inputs()])
        workspace.data_changed.connect(self._on_data_changed)
        self._following = True
        self.finished.connect(self._stop_following)

    @classmethod
    def ask(
        cls, workspace: Workspace, objective_id: str, on_error: ErrorFn, parent: QWidget | None
    ) -> None:
        cls(workspace, objective_id, on_error, parent).exec()

    # ------------------------------------------------------------ building
    def _setup_ui(self) -> None:
        o = self.detail.objective
        self.heading = QLabel()
        self.heading.setObjectName("dialogHeading")
        self.heading.setTextFormat(Qt.TextFormat.PlainText)
        self.heading.setWordWrap(True)
        font = self.heading.font()
        font.setPointSizeF(max(font.pointSizeF(), 10) * 1.3)
        font.setBold(True)
        self.heading.setFont(font)
        self.tabs = QTabWidget()
        self.tabs.addTab(self._details_tab(o), self.tr("Details"))
        self.tabs.addTab(self._rag_tab(o), self.tr("RAG"))
        others = sorted(
            (
                (x.id, x.title)
                for x in self.workspace.ctx.read(crud.list_all, OBJECTIVES)
                if x.id != o.id
            ),
            key=lambda pair: pair[1].casefold(),
        )
        self.lists: list[DetailTab] = [
            MilestonesTab(self.workspace, self.people),
            DependenciesTab(self.workspace, self.people, others),
            RisksTab(self.workspace, self.people),
            LinksTab(self.workspace, self.people),
        ]
        for tab, name in zip(
            self.lists,
            (self.tr("Milestones"), self.tr("Dependencies"), self.tr("Risks"), self.tr("Links")),
            strict=True,
        ):
            tab.on_error = self.on_error
            self.tabs.addTab(tab, name)
        self.buttons = close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        self.banner = MarkingBanner(o.marking)
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addWidget(self.heading)
        self.read_only_note = QLabel()  # says why nothing here can be changed, when it cannot
        self.read_only_note.setTextFormat(Qt.TextFormat.PlainText)
        self.read_only_note.setWordWrap(True)
        self.read_only_note.hide()
        layout.addWidget(self.read_only_note)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(close)

    def _details_tab(self, o: ObjectiveDTO) -> QWidget:
        page = self.details_page = QWidget()
        self.title = QLineEdit(o.title)
        self.description = QPlainTextEdit(o.description)
        self.theme = QComboBox()
        self.theme.setEditable(True)
        themes = sorted(
            {x.theme for x in self.workspace.ctx.read(crud.list_all, OBJECTIVES) if x.theme}
        )
        self.theme.addItems(themes)
        self.theme.setCurrentText(o.theme)
        chosen = {b.strip() for b in o.benefits.split(",")}
        self.benefits = {b: QCheckBox(enum_label(b)) for b in Benefit}
        benefits = QHBoxLayout()
        for b, box in self.benefits.items():
            box.setChecked(b.value in chosen)
            benefits.addWidget(box)
        self.lead = QComboBox()
        self.lead.addItem("—", None)
        partners = QHBoxLayout()
        self.partners: dict[str, QCheckBox] = {}
        codes = {c.strip() for c in o.partner_codes.split(",")}
        for org in self.workspace.organisations():
            self.lead.addItem(f"{org.code} – {org.name}", org.id)
            self.partners[org.code] = QCheckBox(org.code)
            self.partners[org.code].setChecked(org.code in codes)
            partners.addWidget(self.partners[org.code])
        self.lead.setCurrentIndex(max(0, self.lead.findData(o.lead_organisation_id)))
        self.sro = QComboBox()
        self.sro.addItem("—", None)
        for p in self.people:
            self.sro.addItem(p.name, p.id)
        self.sro.setCurrentIndex(max(0, self.sro.findData(o.sro_id)))
        self.start, self.target = date_edit(o.start_date), date_edit(o.target_date)
        self.marking = QComboBox()
        for m in Marking:
            self.marking.addItem(m.value, m.value)
        self.marking.setCurrentIndex(list(Marking).index(o.marking))
        save = QPushButton(self.tr("Save details"))
        save.clicked.connect(self._on_save_details_clicked)
        self.details_message = self._message()
        form = QFormLayout(page)
        form.addRow(self.tr("Title"), self.title)
        form.addRow(self.tr("Description"), self.description)
        form.addRow(self.tr("Theme"), self.theme)
        form.addRow(self.tr("Benefits"), benefits)
        form.addRow(self.tr("Lead organisation"), self.lead)
        form.addRow(self.tr("Partners"), partners)
        form.addRow(self.tr("Senior responsible officer"), self.sro)
        form.addRow(self.tr("Start date"), self.start)
        form.addRow(self.tr("Target date"), self.target)
        form.addRow(self.tr("Marking"), self.marking)
        form.addRow(save)
        form.addRow(self.details_message)
        return page

    def _rag_tab(self, o: ObjectiveDTO) -> QWidget:
        page = self.rag_page = QWidget()
        self.dims = {d: rag_combo(getattr(o, f"rag_{d.value}")) for d in DIMENSIONS}
        self.worst = QLabel()
        for combo in self.dims.values():
            combo.currentIndexChanged.connect(self._on_dimension_changed)
        self.override = QCheckBox(self.tr("Override the overall"))
        self.override.setChecked(bool(o.rag_override_reason))
        self.override_rag = rag_combo(o.rag_overall if o.rag_override_reason else None)
        self.override_reason = QLineEdit(o.rag_override_reason)
        self.override_reason.setPlaceholderText(self.tr("Why the overall differs (required)"))
        self.change_reason = QLineEdit()
        self.change_reason.setPlaceholderText(self.tr("What changed (kept in the history)"))
        self.path = QPlainTextEdit(o.path_to_green)
        self.path.setMaximumHeight(70)
        save = QPushButton(self.tr("Save RAG"))
        save.clicked.connect(self._on_save_rag_clicked)
        self.rag_message = self._message()
        self.timeline = RagTimeline()
        self.history = HistoryTable()
        form = QFormLayout()
        row = QHBoxLayout()
        for d, combo in self.dims.items():
            row.addWidget(QLabel(enum_label(d)))
            row.addWidget(combo)
        form.addRow(row)
        form.addRow(self.tr("Overall from the dimensions"), self.worst)
        over = QHBoxLayout()
        over.addWidget(self.override)
        over.addWidget(self.override_rag)
        over.addWidget(self.override_reason, 1)
        form.addRow(over)
        form.addRow(self.tr("Reason for the change"), self.change_reason)
        form.addRow(self.tr("Path to green"), self.path)
        form.addRow(save)
        form.addRow(self.rag_message)
        layout = QVBoxLayout(page)
        layout.addLayout(form)
        layout.addWidget(QLabel(self.tr("History")))
        layout.addWidget(self.timeline)
        layout.addWidget(self.history, 1)
        self._on_dimension_changed()
        return page

    def _message(self) -> QLabel:
        label = QLabel()
        label.setWordWrap(True)
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.setStyleSheet(f"color: {OVERDUE_TEXT};")
        return label

    # ------------------------------------------------------------ showing
    def _show(self) -> None:
        o = self.detail.objective
        marking = f"  [{o.marking.value}]" if o.marking is Marking.OFFICIAL_SENSITIVE else ""
        overall = rag_label(o.rag_overall)
        self.banner.set_marking(o.marking)
        self.heading.setText(f"{o.title}   ·   {o.stage}   ·   {overall}{marking}")
        for tab in self.lists:
            tab.show_detail(self.detail)
        self.history.show_detail(self.detail)
        self.timeline.set_history(self.detail.rag_history, self.workspace.today())

    def _reload(self) -> None:
        self.detail = self.workspace.ctx.read(planning.objective_detail, self.objective_id)
        self._show()

    @Slot(object)
    def _on_data_changed(self, changes: Changes) -> None:
        """The lists' commands announce their changes, as do undo and redo (Edit menu)."""
        if not changes.touches(*FOLLOWED):
            return
        try:
            self._reload()
        except DomainError as exc:  # the objective was deleted meanwhile
            self.on_error(str(exc))
            self._stop_following()

    @Slot()
    def _stop_following(self) -> None:
        if self._following:
            self._following = False
            self.workspace.data_changed.disconnect(self._on_data_changed)

    @Slot()
    def _on_dimension_changed(self) -> None:
        self.worst.setText(rag_label(worst_rag(rag_of(c) for c in self.dims.values())))

    # ------------------------------------------------------------ unsaved changes
    def _detail_inputs(self) -> list[QWidget]:
        return input_widgets(self.details_page)

    def _rag_inputs(self) -> list[QWidget]:
        return input_widgets(self.rag_page)

    def _changed(self, inputs: list[QWidget]) -> bool:
        return any(w in inputs for w in self.snapshot.changed())

    def unsaved_subject(self) -> str:
        return self.tr("the objective “%1”").replace("%1", self.detail.objective.title)

    def has_unsaved_changes(self) -> bool:
        """Details or RAG changed, or a milestone or risk typed but not added or saved."""
        return super().has_unsaved_changes() or any(tab.pending() for tab in self.lists)

    def save_unsaved_changes(self) -> bool:
        """Saves what changed (details, RAG) and adds or saves what was typed on the milestone
        and risk tabs; a refusal shows on its tab, which is brought up."""
        for page, inputs, save in (
            (self.details_page, self._detail_inputs(), self._save_details),
            (self.rag_page, self._rag_inputs(), self._save_rag),
        ):
            if self._changed(inputs) and not save():
                self.tabs.setCurrentWidget(page)
                return False
        for tab in self.lists:
            if tab.pending() and not tab.keep_pending():
                self.tabs.setCurrentWidget(tab)
                return False
        return True

    # ------------------------------------------------------------ saving
    def _detail_values(self) -> dict[str, Any]:
        return {
            "title": self.title.text(),
            "description": self.description.toPlainText(),
            "theme": self.theme.currentText().strip(),
            "benefits": ",".join(b.value for b, box in self.benefits.items() if box.isChecked()),
            "lead_organisation_id": self.lead.currentData(),
            "partner_codes": ",".join(c for c, box in self.partners.items() if box.isChecked()),
            "sro_id": self.sro.currentData(),
            "start_date": date_of(self.start),
            "target_date": date_of(self.target),
            "marking": Marking(self.marking.currentData()),
        }

    @Slot()
    def _on_save_details_clicked(self) -> None:
        self._save_details()

    def _save_details(self) -> bool:
        o = self.detail.objective
        new = {k: v for k, v in self._detail_values().items() if getattr(o, k) != v}
        if not new:
            self.details_message.setText(self.tr("Nothing changed."))
            self.snapshot.take(self._detail_inputs())
            return True
        label = self.tr("Edit objective '%1'").replace("%1", o.title)
        if not self._apply(commands.edit_objective(o.id, new), label, self.details_message):
            return False
        self.snapshot.take(self._detail_inputs())
        return True

    def _rag_state(self, o: ObjectiveDTO) -> RagState:
        dims = {d: getattr(o, f"rag_{d.value}") for d in DIMENSIONS}
        override = o.rag_overall if o.rag_override_reason else None
        return dims, override, o.rag_override_reason, o.path_to_green

    @Slot()
    def _on_save_rag_clicked(self) -> None:
        self._save_rag()

    def _save_rag(self) -> bool:
        o = self.detail.objective
        dims: dict[RagDimension, Rag | None] = {d: rag_of(c) for d, c in self.dims.items()}
        overriding = self.override.isChecked()
        override = rag_of(self.override_rag) if overriding else None
        if overriding and override is None:
            self.rag_message.setText(self.tr("Choose the overridden overall RAG."))
            return False
        reason = self.override_reason.text() if overriding else self.change_reason.text()
        new: RagState = (dims, override, reason, self.path.toPlainText())
        label = self.tr("Change the RAG of '%1'").replace("%1", o.title)
        if not self._apply(commands.set_rag(o.id, new), label, self.rag_message):
            return False
        self.change_reason.clear()
        self.snapshot.take(self._rag_inputs())
        return True

    def _apply(self, edit: commands.Edit, label: str, message: QLabel) -> bool:
        """One operation (ui.operations), waited for: the dialog closes only once saved."""
        outcome = self.workspace.runner.write_and_wait(edit, label=label, parent=self)
        if not outcome.ok:
            message.setText(outcome.refusal)
            return False
        message.setText("\n".join(outcome.value or ()) or self.tr("Saved."))
        self._reload()
        return True
