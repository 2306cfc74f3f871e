"""Board packs: choose a meeting, see which papers are in, missing or late, build the pack off
the GUI thread (progress, cancel), preview it here, print it, save it and publish it; issue a
pack with restricted items as numbered copies and keep their register (copies_dialog.py,
copies_register.py); and the papers themselves: write one, attach a PDF as the paper or an
appendix, preview one.

This is the page's shell: the meeting and part chosen, the pack's state, which buttons may be
used, and one operation through the runner (`run`). The build is `pack_build.PackBuild`'s, the
pack's other actions `pack_actions.PackActions`', the papers `papers_panel.PapersPanel`'s.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QSplitter,
)

from hescb_desktop.domain.enums import Marking, Part
from hescb_desktop.domain.permissions import Kind, Operation
from hescb_desktop.services import boardpacks, copies, crud
from hescb_desktop.services.action_log import action_counts
from hescb_desktop.services.entities import MEETINGS, OBJECTIVES, PAPERS
from hescb_desktop.services.operations import Uow
from hescb_desktop.services.results import Result
from hescb_desktop.ui.packs.copies_dialog import Issued
from hescb_desktop.ui.packs.copies_register import CopiesRegisterDialog
from hescb_desktop.ui.packs.pack_actions import PackActions
from hescb_desktop.ui.packs.pack_build import PackBuild
from hescb_desktop.ui.packs.pack_item_model import COL_STATE as ITEM_STATE
from hescb_desktop.ui.packs.pack_item_model import COL_TITLE as ITEM_TITLE
from hescb_desktop.ui.packs.pack_item_model import PackItemModel
from hescb_desktop.ui.packs.paper_table_model import paper_rows
from hescb_desktop.ui.packs.papers_panel import PapersPanel
from hescb_desktop.ui.packs.texts import meeting_label, warn
from hescb_desktop.ui.widgets.card import Card
from hescb_desktop.ui.widgets.flow_layout import flow_row, group
from hescb_desktop.ui.widgets.labels import counted
from hescb_desktop.ui.widgets.page import Page, shown
from hescb_desktop.ui.widgets.pdf_view import PdfPreview, PdfPreviewDialog
from hescb_desktop.ui.widgets.permission import gate, sentence
from hescb_desktop.ui.widgets.tables import make_table
from hescb_desktop.ui.widgets.worker import Task
from hescb_desktop.ui.workspace import Workspace


class PacksPage(Page):
    shows = shown(Kind.PAPER, Kind.MEETING, Kind.AGENDA_ITEM, Kind.PACK, Kind.PACK_COPY)

    def __init__(self, workspace: Workspace) -> None:
        super().__init__(
            workspace,
            self.tr("Board packs"),
            self.tr("Build, check, print and publish each meeting's pack; write the papers."),
        )
        self.items = PackItemModel(self)
        self.status: boardpacks.PackStatus | None = None
        self._has_actions = self._has_objectives = False  # known at refresh
        self.pack_build = PackBuild(self)
        self.pack_actions = PackActions(self)
        self.papers = PapersPanel(self)
        self._setup_ui()
        self.refresh()
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.pack_build.shutdown)

    # ------------------------------------------------------------------ layout
    def _setup_ui(self) -> None:
        self.meeting_combo = QComboBox()
        self.meeting_combo.setMinimumContentsLength(52)  # the list shows longer names whole
        self.meeting_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.part_combo = QComboBox()
        self.part_combo.addItem(self.tr("Part I pack"), Part.PART_I.value)
        self.part_combo.addItem(self.tr("Part II (restricted) pack"), Part.PART_II.value)
        self.meeting_combo.currentIndexChanged.connect(self._on_selection_changed)
        self.part_combo.currentIndexChanged.connect(self._on_selection_changed)
        choose, _ = flow_row(group(QLabel(self.tr("Meeting")), self.meeting_combo), self.part_combo)
        self.content.addWidget(choose)
        self._setup_pack_card()
        self.preview = PdfPreview()
        self.preview.setMinimumWidth(240)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(self.pack_card)
        splitter.addWidget(self.preview)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([600, 400])  # shares, kept as the page widens
        # the papers' widgets by their names on the page (Ctrl+N presses new_paper_button)
        papers = self.papers
        self.model = papers.model
        self.card = papers.card
        self.view = papers.view
        self.paper_table = papers.table
        self.new_paper_button = papers.new_button
        self.edit_paper_button = papers.edit_button
        self.attach_button = papers.attach_button
        self.attach_paper_button = papers.attach_paper_button
        self.preview_paper_button = papers.preview_button
        self.restrict_paper_button = papers.restrict_button
        # the pack above the papers, the line between them movable (a short screen)
        rows = QSplitter(Qt.Orientation.Vertical)
        rows.setChildrenCollapsible(False)
        rows.addWidget(splitter)
        rows.addWidget(self.card)
        rows.setStretchFactor(0, 3)
        rows.setStretchFactor(1, 2)
        rows.setSizes([600, 400])
        self.content.addWidget(rows, 1)
        self.set_building(False)

    def _setup_pack_card(self) -> None:
        self.pack_card = Card(self.tr("Pack"))
        self.state_label = QLabel()
        self.state_label.setTextFormat(Qt.TextFormat.PlainText)
        self.state_label.setWordWrap(True)
        self.problems_label = QLabel()
        self.problems_label.setTextFormat(Qt.TextFormat.PlainText)
        self.problems_label.setWordWrap(True)
        self.problems_label.setStyleSheet("color: #b3261e")
        self.item_table = make_table(self.items, stretch=ITEM_TITLE)
        # the title and the state share the spare width (each elided, whole in its tooltip):
        # sized to its contents, the state took it all and the title showed as "W..." at
        # 1366x768
        self.item_table.horizontalHeader().setSectionResizeMode(
            ITEM_STATE, QHeaderView.ResizeMode.Stretch
        )
        build, act = self.pack_build, self.pack_actions
        self.build_button = self._button(self.tr("Build and preview"), build.build)
        self.cancel_button = self._button(self.tr("Cancel"), build.cancel)
        self.print_button = self._button(self.tr("Print…"), build.print_pack)
        self.save_button = self._button(self.tr("Save PDF…"), build.save_pack)
        self.publish_button = self._button(self.tr("Publish"), act.publish)
        self.supplement_button = self._button(self.tr("Issue supplement"), act.issue_supplement)
        self.options_button = self._button(
            self.tr("Settings…"),
            act.edit_options,
            self.tr("The pack's marking and distribution list"),
        )
        self.minutes_button = self._button(
            self.tr("Minutes…"),
            act.show_minutes,
            self.tr("Preview and print this meeting's minutes"),
        )
        self.actions_button = self._button(
            self.tr("Action log…"),
            act.show_action_log,
            self.tr("Preview and print the open action log"),
        )
        self.highlight_button = self._button(
            self.tr("Highlight report…"),
            act.show_highlight,
            self.tr("Preview and print the programme highlight report"),
        )
        self.copies_button = self._button(
            self.tr("Issue numbered copies…"),
            act.issue_copies,
            self.tr("A numbered copy for each person, named in the footer of restricted pages"),
        )
        self.register_button = self._button(
            self.tr("Copies register…"),
            act.show_copies_register,
            self.tr("Who holds which numbered copy; mark copies returned or destroyed"),
        )
        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        self.progress_label = QLabel()
        self.progress_label.setTextFormat(Qt.TextFormat.PlainText)
        # small groups that fold onto more rows as the pack's panel narrows
        buttons, _ = flow_row(
            group(self.build_button, self.cancel_button),
            group(self.print_button, self.save_button),
            self.options_button,
            None,
            group(self.minutes_button, self.actions_button),
            self.highlight_button,
            group(self.supplement_button, self.publish_button),
            group(self.copies_button, self.register_button),
        )
        progress = QHBoxLayout()
        progress.addWidget(self.progress, 1)
        progress.addWidget(self.progress_label, 2)
        self.pack_card.body.addWidget(self.state_label)
        self.pack_card.body.addWidget(self.problems_label)
        self.pack_card.body.addWidget(self.item_table, 1)
        self.pack_card.body.addWidget(buttons)
        self.pack_card.body.addLayout(progress)

    @staticmethod
    def _button(text: str, slot: Callable[[], object], tip: str = "") -> QPushButton:
        button = QPushButton(text)
        if tip:
            button.setToolTip(tip)
        button.clicked.connect(slot)
        return button

    # ------------------------------------------------------------------ data
    def refresh(self) -> None:
        ctx = self.workspace.ctx
        meetings = sorted(ctx.read(crud.list_all, MEETINGS), key=lambda m: (m.start_utc, m.id))
        self.meetings = meetings
        self._has_actions = ctx.read(action_counts, date.today()).open > 0
        self._has_objectives = bool(ctx.read(crud.list_all, OBJECTIVES))
        rows = paper_rows(ctx.read(crud.list_all, PAPERS), {m.id: m for m in meetings})
        self.papers.model.set_rows(rows)
        sensitive = sum(1 for r in rows if r.marking is Marking.OFFICIAL_SENSITIVE)
        note = counted(len(rows), self.tr("%n paper"), self.tr("%n papers"))
        if sensitive:
            note += " · " + self.tr("%1 OFFICIAL-SENSITIVE").replace("%1", str(sensitive))
        self.card.set_note(note)
        current = self.meeting_combo.currentData()
        self.meeting_combo.blockSignals(True)
        self.meeting_combo.clear()
        for m in meetings:
            self.meeting_combo.addItem(meeting_label(m), m.id)
        index = self.meeting_combo.findData(current) if current else -1
        if index < 0:
            now = datetime.now(UTC)
            upcoming = [n for n, m in enumerate(meetings) if m.end_utc >= now]
            index = upcoming[0] if upcoming else len(meetings) - 1
        self.meeting_combo.setCurrentIndex(index)
        self.meeting_combo.blockSignals(False)
        self._load_status()

    @Slot()
    def _on_selection_changed(self) -> None:
        self.pack_build.clear_preview()
        self._load_status()

    @property
    def meeting_id(self) -> str | None:
        value = self.meeting_combo.currentData()
        return str(value) if value else None

    @property
    def part(self) -> Part:
        return Part(self.part_combo.currentData() or Part.PART_I.value)

    def select_meeting(self, meeting_id: str, part: Part = Part.PART_I) -> None:
        self.part_combo.setCurrentIndex(self.part_combo.findData(part.value))
        self.meeting_combo.setCurrentIndex(self.meeting_combo.findData(meeting_id))

    def _load_status(self) -> None:
        if self.meeting_id is None:
            self.status = None
            self.items.set_rows([])
            self.state_label.setText(self.tr("No meetings yet."))
            self.problems_label.setText("")
            self.set_building(False)
            return
        self.status = self.workspace.ctx.read(boardpacks.pack_status, self.meeting_id, self.part)
        s = self.status
        self.items.set_rows(s.items)
        counts = {
            state: sum(1 for i in s.items if i.state == state)
            for state in ("in", "missing", "late")
        }
        state = self.tr("Published") if s.published else self.tr("Draft")
        if s.pack is not None and s.pack.supplements:
            state += " · " + counted(
                s.pack.supplements, self.tr("%n supplement"), self.tr("%n supplements")
            )
        self.state_label.setText(
            f"{state} · {counted(counts['in'], self.tr('%n paper in'), self.tr('%n papers in'))}"
            f" · {counts['missing']} missing · "
            f"{counts['late']} late · marked {s.marking.value} (may hold up to {s.allowed.value})"
        )
        lines = []
        if s.problems:
            lines += [self.tr("Fix or remove these files before the pack can be built:")]
            lines += list(s.problems)
        if s.off_agenda:
            lines += [self.tr("Papers for this meeting that are not on its agenda:")]
            lines += list(s.off_agenda)
        self.problems_label.setText("\n".join(lines))
        self.pack_card.set_note(meeting_label(s.meeting))
        self.set_building(False)

    # ------------------------------------------------------------------ which buttons
    def set_building(self, building: bool) -> None:
        """Which buttons may be used now (`building`: while a build runs, only Cancel)."""
        has = self.status is not None
        ok = has and not (self.status.problems if self.status else ())
        self.build_button.setEnabled(ok and not building)
        self.cancel_button.setEnabled(building)
        gate(
            self.options_button,
            self.workspace.why_not(Operation.EDIT, Kind.PACK),
            enabled=has and not building,
        )
        self.print_button.setEnabled(bool(self.pack_pdf) and not building)
        self.save_button.setEnabled(bool(self.pack_pdf) and not building)
        published = self.status is not None and self.status.published
        publish = self.workspace.why_not(Operation.PUBLISH, Kind.PACK)
        gate(self.publish_button, publish, enabled=ok and not building and not published)
        late = bool(self.status and self.status.late)
        gate(self.supplement_button, publish, enabled=ok and not building and published and late)
        self.minutes_button.setEnabled(has and not building)  # a meeting to minute
        self.actions_button.setEnabled(self._has_actions and not building)
        self.highlight_button.setEnabled(self._has_objectives and not building)
        # numbered copies: only of a pack with restricted items (the tooltip says why not)
        why = self.workspace.why_not(Operation.CREATE, Kind.PACK_COPY)
        if not why and self.status is not None:
            why = sentence(copies.restricted_problem(self.status))
        gate(self.copies_button, why, enabled=ok and not building)
        self.register_button.setEnabled(not building)
        self.meeting_combo.setEnabled(not building)
        self.part_combo.setEnabled(not building)
        self.progress.setVisible(building)

    def run(self, label: str, fn: Callable[[Uow], Result[Any]], *, wait: bool = False) -> bool:
        """One operation (ui.operations); refused: said in a message box. `wait`: the caller
        needs the answer (True: done)."""

        def done(_value: object = None) -> None:
            self.pack_build.clear_preview()  # the page itself refreshes from the change set

        def refused(message: str) -> None:
            self.warn_user(self.tr("Board packs"), message)

        if wait:
            outcome = self.workspace.runner.write_and_wait(fn, label=label, parent=self)
            if outcome.ok:
                done()
            elif outcome.refusal:
                refused(outcome.refusal)
            return outcome.ok
        self.workspace.runner.write(fn, label=label, parent=self, on_done=done, on_refused=refused)
        return True

    def warn_user(self, title: str, text: str) -> None:
        """A warning over the page, its text as typed (packs.texts.warn)."""
        warn(self, title, text)

    # ------------------------------------------------------------------ the parts' state
    @property
    def task(self) -> Task | None:
        """The pack build running (None: none)."""
        return self.pack_build.task

    @property
    def pack_pdf(self) -> bytes:
        """The pack built and previewed (b"": none)."""
        return self.pack_build.pack_pdf

    @property
    def copies_register(self) -> CopiesRegisterDialog | None:
        return self.pack_actions.copies_register

    @property
    def minutes_preview(self) -> PdfPreviewDialog | None:
        return self.pack_actions.minutes_preview

    @property
    def document_preview(self) -> PdfPreviewDialog | None:
        return self.pack_actions.document_preview

    # ------------------------------------------------------------------ the parts' actions
    @Slot()
    def shutdown(self) -> None:
        self.pack_build.shutdown()

    def build(self) -> None:
        self.pack_build.build()

    def edit_options(self) -> None:
        self.pack_actions.edit_options()

    def issue_copies(self) -> Issued | None:
        return self.pack_actions.issue_copies()

    def show_copies_register(self) -> None:
        self.pack_actions.show_copies_register()

    def new_paper(self) -> None:
        self.papers.new_paper()

    def attach(self, *, role: str, path: Path | None = None) -> bool:
        return self.papers.attach(role=role, path=path)

    def _selected_paper_id(self) -> str | None:
        return self.papers.selected_paper_id()
