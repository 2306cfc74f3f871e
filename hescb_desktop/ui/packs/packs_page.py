"""Board packs: choose a meeting, see which papers are in, missing or late, build the pack off
the GUI thread (progress, cancel), preview it here, print it, save it and publish it; issue a
pack with restricted items as numbered copies and keep their register (copies_dialog.py,
copies_register.py); and the papers themselves: write one, attach a PDF as the paper or an
appendix, preview one.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import QCoreApplication, Qt, QThreadPool, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSplitter,
    QWidget,
)

from hescb_desktop.domain.dto import MeetingDTO
from hescb_desktop.domain.enums import Marking, Part
from hescb_desktop.domain.errors import DomainError
from hescb_desktop.domain.permissions import Kind, Operation
from hescb_desktop.services import boardpacks, copies, crud, papers
from hescb_desktop.services.action_log import action_counts
from hescb_desktop.services.entities import MEETINGS, OBJECTIVES, PAPERS
from hescb_desktop.services.operations import Uow
from hescb_desktop.services.restrict import why_not_restrict
from hescb_desktop.services.results import Result
from hescb_desktop.ui.packs.copies_dialog import IssueCopiesDialog, Issued
from hescb_desktop.ui.packs.copies_register import CopiesRegisterDialog
from hescb_desktop.ui.packs.pack_item_model import COL_STATE as ITEM_STATE
from hescb_desktop.ui.packs.pack_item_model import COL_TITLE as ITEM_TITLE
from hescb_desktop.ui.packs.pack_item_model import PackItemModel
from hescb_desktop.ui.packs.pack_options_dialog import PackOptionsDialog
from hescb_desktop.ui.packs.paper_dialog import PaperDialog
from hescb_desktop.ui.packs.paper_table_model import COL_TITLE, PaperTableModel, paper_rows
from hescb_desktop.ui.sync.history_dialog import install_history
from hescb_desktop.ui.widgets.card import Card
from hescb_desktop.ui.widgets.empty_state import EmptyState
from hescb_desktop.ui.widgets.flow_layout import flow_row, group
from hescb_desktop.ui.widgets.labels import counted
from hescb_desktop.ui.widgets.minutes_print import preview_minutes
from hescb_desktop.ui.widgets.page import Page, shown
from hescb_desktop.ui.widgets.pdf_view import PdfPreview, PdfPreviewDialog, print_pdf, save_pdf
from hescb_desktop.ui.widgets.permission import gate, sentence
from hescb_desktop.ui.widgets.row_model import ROW_ROLE
from hescb_desktop.ui.widgets.tables import make_table
from hescb_desktop.ui.widgets.worker import ProgressFn, Task, throttled
from hescb_desktop.ui.workspace import Workspace

LONDON = ZoneInfo("Europe/London")


def warn(parent: QWidget, title: str, text: str) -> None:
    """A warning whose text is shown as typed (never read as rich text)."""
    box = QMessageBox(QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Ok, parent)
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.exec()


def meeting_label(m: MeetingDTO) -> str:
    return f"{m.start_utc.astimezone(LONDON):%d %b %Y} · {m.body} · {m.title}"


class PacksPage(Page):
    shows = shown(Kind.PAPER, Kind.MEETING, Kind.AGENDA_ITEM, Kind.PACK, Kind.PACK_COPY)

    def __init__(self, workspace: Workspace) -> None:
        super().__init__(
            workspace,
            self.tr("Board packs"),
            self.tr("Build, check, print and publish each meeting's pack; write the papers."),
        )
        self.model = PaperTableModel(self)
        self.items = PackItemModel(self)
        self.status: boardpacks.PackStatus | None = None
        self.pack_pdf = b""
        self.task: Task | None = None
        self._cancel = threading.Event()
        self._has_actions = self._has_objectives = False  # known at refresh
        self._setup_ui()
        self.refresh()
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.shutdown)

    @Slot()
    def shutdown(self) -> None:
        """Quitting: a build still running is cancelled and waited for (before the database
        closes under it)."""
        self._cancel.set()
        if self.task is not None:
            QThreadPool.globalInstance().waitForDone(15000)

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
        self.build_button = QPushButton(self.tr("Build and preview"))
        self.cancel_button = QPushButton(self.tr("Cancel"))
        self.print_button = QPushButton(self.tr("Print…"))
        self.save_button = QPushButton(self.tr("Save PDF…"))
        self.publish_button = QPushButton(self.tr("Publish"))
        self.supplement_button = QPushButton(self.tr("Issue supplement"))
        self.options_button = QPushButton(self.tr("Settings…"))
        self.options_button.setToolTip(self.tr("The pack's marking and distribution list"))
        self.options_button.clicked.connect(self.edit_options)
        self.minutes_button = QPushButton(self.tr("Minutes…"))
        self.minutes_button.setToolTip(self.tr("Preview and print this meeting's minutes"))
        self.minutes_button.clicked.connect(self.show_minutes)
        self.actions_button = QPushButton(self.tr("Action log…"))
        self.actions_button.setToolTip(self.tr("Preview and print the open action log"))
        self.actions_button.clicked.connect(self.show_action_log)
        self.highlight_button = QPushButton(self.tr("Highlight report…"))
        self.highlight_button.setToolTip(
            self.tr("Preview and print the programme highlight report")
        )
        self.highlight_button.clicked.connect(self.show_highlight)
        self.copies_button = QPushButton(self.tr("Issue numbered copies…"))
        self.copies_button.setToolTip(
            self.tr("A numbered copy for each person, named in the footer of restricted pages")
        )
        self.copies_button.clicked.connect(self.issue_copies)
        self.register_button = QPushButton(self.tr("Copies register…"))
        self.register_button.setToolTip(
            self.tr("Who holds which numbered copy; mark copies returned or destroyed")
        )
        self.register_button.clicked.connect(self.show_copies_register)
        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        self.progress_label = QLabel()
        self.progress_label.setTextFormat(Qt.TextFormat.PlainText)
        self.build_button.clicked.connect(self.build)
        self.cancel_button.clicked.connect(self.cancel)
        self.print_button.clicked.connect(self.print_pack)
        self.save_button.clicked.connect(self.save_pack)
        self.publish_button.clicked.connect(self.publish)
        self.supplement_button.clicked.connect(self.issue_supplement)
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

        self.preview = PdfPreview()
        self.preview.setMinimumWidth(240)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(self.pack_card)
        splitter.addWidget(self.preview)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([600, 400])  # shares, kept as the page widens

        self.card = Card(self.tr("Papers"))
        table = make_table(self.model, stretch=COL_TITLE)
        install_history(table, self.workspace, "papers", double_click=False)
        table.doubleClicked.connect(lambda _index: self.edit_paper())
        self.paper_table = table
        self.view = EmptyState(table)
        self.view.set_message(self.tr("No papers yet."))
        self.new_paper_button = QPushButton(self.tr("New paper…"))
        self.edit_paper_button = QPushButton(self.tr("Edit…"))
        self.attach_button = QPushButton(self.tr("Attach appendix PDF…"))
        self.attach_paper_button = QPushButton(self.tr("Attach PDF as the paper…"))
        self.preview_paper_button = QPushButton(self.tr("Preview paper…"))
        self.restrict_paper_button = QPushButton(self.tr("Restrict…"))
        self.restrict_paper_button.setToolTip(
            self.tr("Make the paper readable only by the people you choose")
        )
        self.restrict_paper_button.clicked.connect(self.restrict_paper)
        self.new_paper_button.clicked.connect(self.new_paper)
        self.view.set_action(self.tr("New paper…"), self.new_paper)
        table.selectionModel().selectionChanged.connect(self._on_paper_selection_changed)
        self.model.modelReset.connect(self._on_paper_selection_changed)
        self.edit_paper_button.clicked.connect(self.edit_paper)
        self.attach_button.clicked.connect(lambda: self.attach(role="appendix"))
        self.attach_paper_button.clicked.connect(lambda: self.attach(role="paper"))
        self.preview_paper_button.clicked.connect(self.preview_paper)
        paper_buttons, _ = flow_row(
            group(self.new_paper_button, self.edit_paper_button),
            group(self.attach_paper_button, self.attach_button),
            group(self.preview_paper_button, self.restrict_paper_button),
        )
        self.card.body.addWidget(paper_buttons)
        self.card.body.addWidget(self.view, 1)
        # the pack above the papers, the line between them movable (a short screen)
        rows = QSplitter(Qt.Orientation.Vertical)
        rows.setChildrenCollapsible(False)
        rows.addWidget(splitter)
        rows.addWidget(self.card)
        rows.setStretchFactor(0, 3)
        rows.setStretchFactor(1, 2)
        rows.setSizes([600, 400])
        self.content.addWidget(rows, 1)
        self._set_building(False)
        self._on_paper_selection_changed()

    @Slot()
    def _on_paper_selection_changed(self) -> None:
        """Buttons that act on a paper wait for one to be chosen (issue 14)."""
        chosen = self.paper_table.selectionModel().hasSelection()
        self.preview_paper_button.setEnabled(chosen)
        index = self.paper_table.currentIndex()
        row = self.paper_table.model().data(index, ROW_ROLE) if index.isValid() else None
        ws = self.workspace
        # a paper is its proposer's to change (or the secretariat's); anyone may propose one
        why = ws.why_not(Operation.EDIT, Kind.PAPER, row.created_by if row else None)
        for b in (self.edit_paper_button, self.attach_paper_button, self.attach_button):
            gate(b, why if chosen else "", enabled=chosen)
        mine = ws.identity.person_id or None
        gate(self.new_paper_button, ws.why_not(Operation.CREATE, Kind.PAPER, mine))
        owners = {row.created_by} if row is not None and row.created_by else set()
        restrict = why_not_restrict(ws.identity, "paper", owners)
        gate(self.restrict_paper_button, sentence(restrict) if restrict else "", enabled=chosen)

    # ------------------------------------------------------------------ data
    def refresh(self) -> None:
        ctx = self.workspace.ctx
        meetings = sorted(ctx.read(crud.list_all, MEETINGS), key=lambda m: (m.start_utc, m.id))
        self.meetings = meetings
        self._has_actions = ctx.read(action_counts, date.today()).open > 0
        self._has_objectives = bool(ctx.read(crud.list_all, OBJECTIVES))
        rows = paper_rows(ctx.read(crud.list_all, PAPERS), {m.id: m for m in meetings})
        self.model.set_rows(rows)
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
        self._clear_preview()
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
            self._set_building(False)
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
        self._set_building(False)

    # ------------------------------------------------------------------ building
    def _set_building(self, building: bool) -> None:
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

    def _clear_preview(self) -> None:
        self.pack_pdf = b""
        self.preview.clear()

    @Slot()
    def build(self) -> None:
        """Build the pack on a pool thread; the preview shows it when done."""
        if self.meeting_id is None or self.task is not None:
            return
        ctx, meeting_id, part = self.workspace.ctx, self.meeting_id, self.part
        self._cancel = threading.Event()
        cancelled = self._cancel.is_set

        def work(progress: ProgressFn) -> bytes:
            from hescb_desktop.reports.pack import build_pack_pdf

            progress(1, "Reading the meeting and its papers")
            content = ctx.read(boardpacks.pack_content, meeting_id, part)
            every_page = throttled(progress)  # not a signal per page: the window would stall
            return build_pack_pdf(
                content,
                author=ctx.user,
                progress=lambda done, text: every_page(int(done * 100), text),
                cancel=cancelled,
            )

        self._clear_preview()
        self.progress.setValue(0)
        self.progress_label.setText(self.tr("Building…"))
        self.task = Task(work)
        self.task.signals.progressed.connect(self._on_progress)
        self.task.signals.succeeded.connect(self._on_built)
        self.task.signals.failed.connect(self._on_failed)
        self._set_building(True)
        self.task.start()

    @Slot()
    def cancel(self) -> None:
        self._cancel.set()
        self.progress_label.setText(self.tr("Cancelling…"))

    @Slot(int, str)
    def _on_progress(self, percent: int, message: str) -> None:
        self.progress.setValue(percent)
        self.progress_label.setText(message)

    @Slot(object)
    def _on_built(self, data: object) -> None:
        self.task = None
        assert isinstance(data, bytes)
        self.pack_pdf = data
        self.preview.load(data)
        self.progress_label.setText(
            self.tr("Built: %1 pages").replace("%1", str(self.preview.page_count))
        )
        self._set_building(False)

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        self.task = None
        self._set_building(False)
        if self._cancel.is_set():
            self.progress_label.setText(self.tr("Cancelled: nothing was built."))
            return
        self.progress_label.setText(self.tr("Not built."))
        warn(self, self.tr("Board pack"), message)

    # ------------------------------------------------------------------ print, save, publish
    def _pack_name(self) -> str:
        if self.status is None:
            return "pack.pdf"
        day = self.status.meeting.start_utc.astimezone(LONDON)
        part = "-part2" if self.part is Part.PART_II else ""
        return f"{self.status.meeting.body}-{day:%Y-%m-%d}-pack{part}.pdf"

    @Slot()
    def print_pack(self) -> None:
        if self.pack_pdf:
            print_pdf(self.preview.pdf, self._pack_name(), self, self.pack_pdf)

    @Slot()
    def save_pack(self) -> None:
        if self.pack_pdf:
            save_pdf(self.pack_pdf, self._pack_name(), self)

    @Slot()
    def publish(self) -> None:
        if self.meeting_id is None:
            return
        answer = QMessageBox.question(
            self,
            self.tr("Publish the pack"),
            self.tr(
                "Publish this pack as final? It loses its DRAFT watermark, and papers added "
                "after this go in numbered supplements."
            ),
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        meeting_id, part = self.meeting_id or "", self.part
        self._run(
            self.tr("Publish the pack"), lambda uow: boardpacks.publish_pack(uow, meeting_id, part)
        )

    @Slot()
    def issue_supplement(self) -> None:
        if self.meeting_id is None:
            return
        meeting_id, part = self.meeting_id, self.part
        self._run(
            self.tr("Issue a supplement"),
            lambda uow: boardpacks.publish_supplement(uow, meeting_id, part),
        )

    def _run(self, label: str, fn: Callable[[Uow], Result[Any]], *, wait: bool = False) -> bool:
        """One operation (ui.operations); refused: said in a message box. `wait`: the caller
        needs the answer (True: done)."""

        def done(_value: object = None) -> None:
            self._clear_preview()
            self.refresh()

        def refused(message: str) -> None:
            warn(self, self.tr("Board packs"), message)

        if wait:
            outcome = self.workspace.runner.write_and_wait(fn, label=label, parent=self)
            if outcome.ok:
                done()
            elif outcome.refusal:
                refused(outcome.refusal)
            return outcome.ok
        self.workspace.runner.write(fn, label=label, parent=self, on_done=done, on_refused=refused)
        return True

    @Slot()
    def edit_options(self) -> None:
        if self.status is None or self.meeting_id is None:
            return
        distribution = self.status.pack.distribution if self.status.pack else ""
        dialog = PackOptionsDialog(self.status.allowed, distribution, self)
        if not dialog.exec():
            return
        meeting_id, part = self.meeting_id, self.part
        marking, text = dialog.chosen_marking(), dialog.distribution.toPlainText()
        self._run(
            self.tr("Change the pack's marking and distribution"),
            lambda uow: boardpacks.set_pack_options(
                uow, meeting_id, part, marking=marking, distribution=text
            ),
        )

    @Slot()
    def issue_copies(self) -> Issued | None:
        if self.status is None or self.meeting_id is None:
            return None
        what = f"{meeting_label(self.status.meeting)} · {self.part_combo.currentText()}"
        issued = IssueCopiesDialog.ask(self.workspace, self.meeting_id, self.part, what, self)
        if issued is None:
            return None
        folder = issued.files[0].parent if issued.files else ""
        QMessageBox.information(
            self,
            self.tr("Numbered copies"),
            self.tr("%1 copies issued and written to %2.")
            .replace("%1", str(len(issued.copies)))
            .replace("%2", str(folder)),
        )
        return issued

    @Slot()
    def show_copies_register(self) -> None:
        self.copies_register = CopiesRegisterDialog(self.workspace, self.meeting_id, self)
        self.copies_register.open()

    @Slot()
    def show_minutes(self) -> None:
        if self.meeting_id is not None:
            self.minutes_preview = preview_minutes(self.workspace, self.meeting_id, self, self.part)

    @Slot()
    def show_action_log(self) -> None:

        from hescb_desktop.reports.action_log import build_action_log_pdf

        ctx = self.workspace.ctx
        rows = ctx.read(boardpacks.open_actions)
        title = f"Action log: open actions at {date.today():%d %B %Y}"
        data = build_action_log_pdf(rows, board="HESCB", title=title, author=ctx.user)
        self.document_preview = PdfPreviewDialog(data, title, "HESCB-action-log.pdf", self)
        self.document_preview.open()

    @Slot()
    def show_highlight(self) -> None:
        from hescb_desktop.reports.highlight import build_highlight_pdf, highlight_title
        from hescb_desktop.services.highlight import highlight_content

        ctx = self.workspace.ctx
        content = ctx.read(highlight_content)
        data = build_highlight_pdf(content, author=ctx.user)
        title = highlight_title(content)
        self.document_preview = PdfPreviewDialog(data, title, "HESCB-highlight.pdf", self)
        self.document_preview.open()

    # ------------------------------------------------------------------ papers
    def _selected_paper_id(self) -> str | None:
        index = self.paper_table.currentIndex()
        if not index.isValid():
            return None
        row = self.paper_table.model().data(index, ROW_ROLE)
        return row.id if row is not None else None

    @Slot()
    def restrict_paper(self) -> None:
        """A paper restricted to its readers (a Part II report: the meeting's members and the
        secretariat by default)."""
        paper_id = self._selected_paper_id()
        if paper_id is None:
            return
        from hescb_desktop.domain.permissions import Role
        from hescb_desktop.services import meetings as meeting_service
        from hescb_desktop.ui.widgets.restrict_dialog import restrict_record

        paper = self.workspace.ctx.read(crud.get, PAPERS, paper_id)
        members: set[str] = set()
        if paper.meeting_id and paper.part is Part.PART_II:
            members = self.workspace.ctx.read(meeting_service.body_members, paper.meeting_id)
        restrict_record(
            self.workspace,
            paper_id,
            self,
            default_people=sorted(members),
            default_roles=(Role.SECRETARIAT,),
        )

    def _meeting_choices(self) -> list[tuple[str, MeetingDTO]]:
        return [(meeting_label(m), m) for m in self.meetings]

    @Slot()
    def new_paper(self) -> None:
        dialog = PaperDialog(self._meeting_choices(), None, self, meeting_id=self.meeting_id)
        self._save_paper(dialog, None)

    @Slot()
    def edit_paper(self) -> None:
        paper_id = self._selected_paper_id()
        if paper_id is None:
            return
        paper = self.workspace.ctx.read(crud.get, PAPERS, paper_id)
        dialog = PaperDialog(self._meeting_choices(), paper, self)
        self._save_paper(dialog, paper_id)

    def _save_paper(self, dialog: PaperDialog, paper_id: str | None) -> None:
        """OK saves (an operation, waited for); refused, the dialog opens again as typed."""
        while dialog.exec():
            values = dialog.values()
            title = str(values.get("title", ""))
            if paper_id is None:
                label = self.tr("New paper '%1'").replace("%1", title)
            else:
                label = self.tr("Edit paper '%1'").replace("%1", title)
            outcome = self.workspace.runner.write_and_wait(
                _paper_saved(paper_id, values), label=label, parent=self
            )
            if outcome.ok:
                self.refresh()
                return
            dialog.show_error(outcome.refusal)

    def attach(self, *, role: str, path: Path | None = None) -> bool:
        """Attach a PDF to the selected paper (asks for the file unless given)."""
        paper_id = self._selected_paper_id()
        if paper_id is None:
            warn(self, self.tr("Attach PDF"), self.tr("Choose a paper first."))
            return False
        if path is None:
            name, _ = QFileDialog.getOpenFileName(
                self, self.tr("Attach PDF"), "", self.tr("PDF (*.pdf);;All files (*)")
            )
            if not name:
                return False
            path = Path(name)
        try:
            data = path.read_bytes()
        except OSError as exc:
            warn(self, self.tr("Attach PDF"), f"{path.name}: {exc.strerror or exc}")
            return False
        return self._run(
            self.tr("Attach %1").replace("%1", path.name),
            lambda uow: papers.attach_file(uow, paper_id, path.name, data, role=role),
            wait=True,
        )

    @Slot()
    def preview_paper(self) -> None:
        paper_id = self._selected_paper_id()
        if paper_id is None:
            return
        from hescb_desktop.reports.paper import build_paper_pdf, paper_label

        ctx = self.workspace.ctx
        try:
            content = ctx.read(boardpacks.paper_content, paper_id)
        except DomainError as exc:
            warn(self, self.tr("Paper"), str(exc))
            return
        data = build_paper_pdf(content, board="HESCB", author=ctx.user)
        name = content.reference.replace(" ", "-").replace("/", "-") or "paper"
        self.paper_preview = PdfPreviewDialog(data, paper_label(content), f"{name}.pdf", self)
        self.paper_preview.open()


def _paper_saved(paper_id: str | None, values: dict[str, Any]) -> Callable[[Uow], Result[Any]]:
    """A new paper (no id) or an edit of one, as one operation."""
    if paper_id is None:
        return lambda uow: papers.create_paper(uow, values)
    return lambda uow: papers.update_paper(uow, paper_id, values)
