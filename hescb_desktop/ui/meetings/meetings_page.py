"""Meetings: the board's and its sub-boards' meetings, newest first; plan the next one (from the
standard agenda) and open one to build its agenda, record attendance and declarations, and write
its minutes with actions raised in place; print a meeting's minutes (preview, print, save)."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Slot
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QStackedWidget, QVBoxLayout, QWidget

from hescb_desktop.domain.enums import Part
from hescb_desktop.domain.errors import DomainError
from hescb_desktop.domain.permissions import Kind, Operation
from hescb_desktop.services import crud, meetings
from hescb_desktop.services.entities import MEETINGS, PEOPLE, RESOURCES
from hescb_desktop.ui.meetings.meeting_dialog import MeetingDialog
from hescb_desktop.ui.meetings.meeting_editor import MeetingEditor
from hescb_desktop.ui.meetings.meeting_table_model import (
    COL_TITLE,
    LONDON,
    MeetingRow,
    MeetingTableModel,
    meeting_rows,
)
from hescb_desktop.ui.sync.history_dialog import install_history
from hescb_desktop.ui.widgets.card import Card
from hescb_desktop.ui.widgets.empty_state import EmptyState
from hescb_desktop.ui.widgets.labels import counted, format_meeting_date
from hescb_desktop.ui.widgets.minutes_print import preview_agenda, preview_minutes
from hescb_desktop.ui.widgets.page import Page, shown
from hescb_desktop.ui.widgets.pdf_view import PdfPreviewDialog
from hescb_desktop.ui.widgets.permission import gate
from hescb_desktop.ui.widgets.row_model import ROW_ROLE
from hescb_desktop.ui.widgets.tables import make_table
from hescb_desktop.ui.widgets.unsaved import settle_unsaved
from hescb_desktop.ui.workspace import Workspace


class MeetingsPage(Page):
    shows = shown(Kind.MEETING, Kind.AGENDA_ITEM, Kind.MINUTE, Kind.ACTION, Kind.DIRECTORY)

    def __init__(self, workspace: Workspace) -> None:
        super().__init__(
            workspace,
            self.tr("Meetings"),
            self.tr("The board and its sub-groups: when they meet, where, and how far along."),
        )
        self.model = MeetingTableModel(self)
        self.minutes_preview: PdfPreviewDialog | None = None
        self.agenda_preview: PdfPreviewDialog | None = None
        self._setup_ui()
        self.refresh()

    def _setup_ui(self) -> None:
        self.stack = QStackedWidget()
        list_widget = QWidget()
        col = QVBoxLayout(list_widget)
        col.setContentsMargins(0, 0, 0, 0)
        self.card = Card(self.tr("All meetings"))
        self.new_button = QPushButton(self.tr("Plan a meeting…"))
        self.new_button.clicked.connect(self._on_new_clicked)
        self.open_button = QPushButton(self.tr("Open"))
        self.open_button.clicked.connect(self._on_open_clicked)
        self.print_button = QPushButton(self.tr("Print minutes…"))
        self.print_button.setToolTip(self.tr("Preview, print or save the chosen meeting's minutes"))
        self.print_button.clicked.connect(self._on_print_clicked)
        bar = QHBoxLayout()
        bar.addStretch(1)
        bar.addWidget(self.print_button)
        bar.addWidget(self.new_button)
        bar.addWidget(self.open_button)
        self.card.body.addLayout(bar)
        self.table = make_table(self.model, stretch=COL_TITLE, sortable=False)
        self.table.activated.connect(self._on_open_clicked)
        self.table.selectionModel().selectionChanged.connect(self._on_selection_changed)
        self.model.modelReset.connect(self._on_selection_changed)
        self.print_button.setEnabled(False)
        self.open_button.setEnabled(False)  # both wait for a meeting to be chosen
        install_history(self.table, self.workspace, "meetings", double_click=False)
        self.view = EmptyState(self.table)
        self.view.set_message(self.tr("No meetings yet: plan the first one."))
        self.view.set_action(self.tr("Plan a meeting…"), self._on_new_clicked)
        self.card.body.addWidget(self.view, 1)
        col.addWidget(self.card)
        self.editor = MeetingEditor(self.workspace)
        self.editor.back_requested.connect(self._on_editor_back_requested)
        self.editor.details_requested.connect(self.edit_details)
        self.editor.print_requested.connect(self.print_minutes)
        self.editor.agenda_print_requested.connect(self.print_agenda)
        self.stack.addWidget(list_widget)
        self.stack.addWidget(self.editor)
        self.content.addWidget(self.stack, 1)

    def refresh(self) -> None:
        ctx = self.workspace.ctx
        gate(self.new_button, self.workspace.why_not(Operation.CREATE, Kind.MEETING))
        venues = {r.id: r for r in ctx.read(crud.list_all, RESOURCES)}
        rows = meeting_rows(ctx.read(crud.list_all, MEETINGS), venues)
        self.model.set_rows(rows)
        self.card.set_note(self._next_meeting_note(rows))
        if self.stack.currentWidget() is self.editor:
            # every change shows in the open meeting, once: the editor's own (operations end
            # after the widget's signal that asked for them), another page's, a sync's
            self._reload_editor()

    @Slot()
    def _reload_editor(self) -> None:
        if self.stack.currentWidget() is not self.editor or self.editor.meeting is None:
            return
        try:
            self.editor.reload()
        except DomainError:  # the meeting was deleted (on another PC)
            self.show_list()
            return
        if not self.editor.minutes.summary.document().isModified():  # never lose typing
            self.editor.minutes.reload()

    def _next_meeting_note(self, rows: list[MeetingRow]) -> str:
        now = datetime.now(LONDON)
        upcoming = [r for r in rows if r.start >= now]
        if not upcoming:
            return counted(len(rows), self.tr("%n meeting"), self.tr("%n meetings"))
        nxt = min(upcoming, key=lambda r: r.start)
        return (
            self.tr("Next: %1 — %2")
            .replace("%1", nxt.title)
            .replace("%2", format_meeting_date(nxt.start))
        )

    def print_page(self) -> bool:  # Ctrl+P: the open meeting's minutes, or the chosen one's
        if self.stack.currentWidget() is self.editor:
            self.editor.print_button.click()
            return True
        return super().print_page()

    # ---------------------------------------------------------------- navigation
    def may_leave(self) -> bool:
        if self.editor.meeting is None:
            return True
        return settle_unsaved(self.editor, self)

    @Slot()
    def _on_editor_back_requested(self) -> None:
        if self.may_leave():
            self.show_list()

    def open_meeting(self, meeting_id: str) -> None:
        if not self.may_leave():
            return
        self.editor.open_meeting(meeting_id)
        self.stack.setCurrentWidget(self.editor)

    @Slot()
    def show_list(self) -> None:
        self.stack.setCurrentIndex(0)

    def meeting_dialog(self, meeting_id: str | None = None) -> MeetingDialog:
        read = self.workspace.ctx.read
        return MeetingDialog(
            self.workspace,
            read(crud.list_all, PEOPLE),
            read(crud.list_all, RESOURCES),
            read(meetings.bodies),
            meeting=read(meetings.get_meeting, meeting_id) if meeting_id else None,
            history=read(meetings.list_meetings),
            parent=self,
        )

    @Slot()
    def _on_new_clicked(self) -> None:
        dialog = self.meeting_dialog()
        if dialog.exec() and dialog.result_meeting is not None:
            self.open_meeting(dialog.result_meeting.id)

    @Slot(str)
    def edit_details(self, meeting_id: str) -> None:
        if self.meeting_dialog(meeting_id).exec():
            self.editor.reload()

    def print_minutes(self, meeting_id: str, part: Part = Part.PART_I) -> None:
        """The meeting's minutes built off the GUI thread, previewed with Print… and Save…"""
        self.minutes_preview = preview_minutes(self.workspace, meeting_id, self, part)

    @Slot(str)
    def print_agenda(self, meeting_id: str) -> None:
        """The agenda alone (start times, presenters, papers), without building the pack."""
        self.agenda_preview = preview_agenda(self.workspace, meeting_id, self)

    @Slot()
    def _on_print_clicked(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if rows:
            self.print_minutes(rows[0].data(ROW_ROLE).id)

    @Slot()
    def _on_selection_changed(self) -> None:
        chosen = self.table.selectionModel().hasSelection()
        self.print_button.setEnabled(chosen)
        self.open_button.setEnabled(chosen)

    @Slot()
    def _on_open_clicked(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if rows:
            self.open_meeting(rows[0].data(ROW_ROLE).id)
