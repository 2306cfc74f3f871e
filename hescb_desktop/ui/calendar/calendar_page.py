"""The shared calendar: day, work week, week, month and agenda views, find-a-time and search.

This is the page's shell: its toolbar and views, moving between days and views, and loading
what they show. Creating, editing, moving and deleting events are `editing.EventEditing`'s;
.ics import/export and printing a week or a month are `calendar_files.CalendarFiles`'.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import IO

from PySide6.QtCore import QDate, Qt, Slot
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QLabel,
    QListWidgetItem,
    QSplitter,
    QStackedWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from hescb_desktop.domain.calendar import Clash, EventDraft, Occurrence
from hescb_desktop.domain.permissions import Kind
from hescb_desktop.domain.recurrence import LONDON
from hescb_desktop.services import calendar as cal
from hescb_desktop.ui.calendar import modes
from hescb_desktop.ui.calendar.calendar_files import CalendarFiles
from hescb_desktop.ui.calendar.choices import people_and_rooms
from hescb_desktop.ui.calendar.editing import EventEditing
from hescb_desktop.ui.calendar.event_dialog import DialogChoices, EventDialog
from hescb_desktop.ui.calendar.find_time import FindTimeView, monday_of, week_window
from hescb_desktop.ui.calendar.lists import AgendaList, CalendarList, SearchResults
from hescb_desktop.ui.calendar.modes import (
    AGENDA,
    DAY,
    FIND,
    MONTH,
    RESULTS,
    STACK,
    WEEK,
    WORK_WEEK,
)
from hescb_desktop.ui.calendar.toolbar import CalendarToolbar
from hescb_desktop.ui.calendar.views import MonthGrid, TimeGrid
from hescb_desktop.ui.widgets.labels import counted
from hescb_desktop.ui.widgets.page import Page, shown
from hescb_desktop.ui.widgets.pdf_view import PdfPreviewDialog
from hescb_desktop.ui.widgets.permission import gate
from hescb_desktop.ui.workspace import Workspace

_KEY_DAYS = {Qt.Key.Key_Left: -1, Qt.Key.Key_Right: 1, Qt.Key.Key_Up: -7, Qt.Key.Key_Down: 7}
_KEY_MODES = {
    Qt.Key.Key_D: DAY,
    Qt.Key.Key_X: WORK_WEEK,
    Qt.Key.Key_W: WEEK,
    Qt.Key.Key_M: MONTH,
    Qt.Key.Key_A: AGENDA,
}


class CalendarPage(Page):
    shows = shown(Kind.CALENDAR_ITEM, Kind.DIRECTORY)

    def __init__(self, workspace: Workspace) -> None:
        super().__init__(
            workspace,
            self.tr("Calendar"),
            self.tr("Diaries of the executive suite, board meetings, rooms and shared assets."),
        )
        self.anchor = workspace.today()
        self.mode = WORK_WEEK
        self.hidden: set[str] = set()
        self.occurrences: list[Occurrence] = []
        self.viewer = cal.Viewer()
        self.now: Callable[[], datetime] = lambda: datetime.now(UTC)
        self.editing = EventEditing(self)
        self.files = CalendarFiles(self)
        self._setup_ui()
        self.refresh()

    # ------------------------------------------------------------------ building
    def _setup_ui(self) -> None:
        self._setup_toolbar()
        self._setup_body()
        self.today_button.clicked.connect(self.go_today)
        self.prev_button.clicked.connect(self.go_previous)
        self.next_button.clicked.connect(self.go_next)
        self.picker.dateChanged.connect(self._on_picker_date_changed)
        self.view_buttons.idClicked.connect(self.set_mode)
        self.search_box.returnPressed.connect(self._on_search_return_pressed)
        self.new_button.clicked.connect(self.editing.new_at_anchor)
        self.import_action.triggered.connect(self.files.import_ics)
        self.export_action.triggered.connect(self.files.export_ics)
        self.print_week_action.triggered.connect(lambda: self.print_calendar(month=False))
        self.print_month_action.triggered.connect(lambda: self.print_calendar(month=True))
        self.calendar_list.itemChanged.connect(self._on_calendar_item_changed)
        self.grid.create_requested.connect(self.editing.create_at)
        self.grid.edit_requested.connect(self.editing.edit)
        self.grid.move_requested.connect(self.editing.move_to)
        self.month.edit_requested.connect(self.editing.edit)
        self.month.day_activated.connect(self._on_month_day_activated)
        self.agenda.itemDoubleClicked.connect(self._on_agenda_item_double_clicked)
        self.results.itemDoubleClicked.connect(self._on_result_double_clicked)
        self.finder.changed.connect(self._refresh_find)
        self.finder.slot_chosen.connect(self._on_find_slot_chosen)

    def _setup_toolbar(self) -> None:
        bar = self.bar = CalendarToolbar(self)
        # its widgets by their names on the page (Ctrl+N and Ctrl+F look them up there)
        self.toolbar = bar.row
        self.today_button = bar.today_button
        self.prev_button = bar.prev_button
        self.next_button = bar.next_button
        self.period = bar.period
        self.picker = bar.picker
        self.view_buttons = bar.view_buttons
        self.search_box = bar.search_box
        self.new_button = bar.new_button
        self.more_button = bar.more_button
        self.import_action = bar.import_action
        self.export_action = bar.export_action
        self.print_week_action = bar.print_week_action
        self.print_month_action = bar.print_month_action
        self.content.addWidget(self.toolbar)

    def _setup_body(self) -> None:
        side_panel = QWidget()
        side = QVBoxLayout(side_panel)
        side.setContentsMargins(0, 0, 0, 0)
        side.addWidget(QLabel(self.tr("Calendars")))
        self.calendar_list = CalendarList()
        side.addWidget(self.calendar_list, 1)
        self.status = QLabel()
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setWordWrap(True)
        self.status.setMaximumWidth(210)
        side.addWidget(self.status)
        self.stack = QStackedWidget()
        self.grid = TimeGrid(lambda: self.now())
        self.grid.allows = self.may_change
        self.month = MonthGrid(lambda: self.now())
        self.agenda = AgendaList()
        self.finder = FindTimeView()
        self.results = SearchResults()
        for widget in (self.grid, self.month, self.agenda, self.finder, self.results):
            self.stack.addWidget(widget)
        # the calendars beside the views, the line between them movable
        body = QSplitter(Qt.Orientation.Horizontal)
        body.setChildrenCollapsible(False)
        body.addWidget(side_panel)
        body.addWidget(self.stack)
        body.setStretchFactor(0, 0)
        body.setStretchFactor(1, 1)
        body.setSizes([165, 900])  # the calendars list as wide as its names
        self.content.addWidget(body, 1)

    # ------------------------------------------------------------------ navigation
    def days(self) -> list[date]:
        return modes.days_shown(self.mode, self.anchor)

    def visible_range(self) -> tuple[date, date]:
        return modes.visible_range(self.mode, self.anchor)

    @Slot(int)
    def set_mode(self, mode: int) -> None:
        self.mode = mode
        self.refresh()

    def step(self, direction: int) -> None:
        self.anchor = modes.stepped(self.mode, self.anchor, direction)
        self.refresh()

    @Slot()
    def go_previous(self) -> None:
        self.step(-1)

    @Slot()
    def go_next(self) -> None:
        self.step(1)

    @Slot()
    def go_today(self) -> None:
        self.anchor = self.workspace.today()
        self.refresh()

    def go_to(self, day: date, mode: int | None = None) -> None:
        self.anchor = day
        if mode is not None:
            self.mode = mode
        self.refresh()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = Qt.Key(event.key())
        selected = self.grid.selected
        if key in (Qt.Key.Key_PageUp, Qt.Key.Key_PageDown):
            self.step(-1 if key == Qt.Key.Key_PageUp else 1)
        elif key in _KEY_DAYS:
            days = _KEY_DAYS[key]
            if self.mode == DAY and abs(days) == 7:
                days //= 7
            self.go_to(self.anchor + timedelta(days=days))
        elif key == Qt.Key.Key_T:
            self.go_today()
        elif key in _KEY_MODES:
            self.set_mode(_KEY_MODES[key])
        elif key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and selected is not None:
            self.editing.delete(selected)
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and selected is not None:
            self.editing.edit(selected)
        elif key == Qt.Key.Key_N:
            self.editing.new_at_anchor()
        else:
            super().keyPressEvent(event)

    # ------------------------------------------------------------------ loading
    def refresh(self) -> None:
        read = self.workspace.ctx.read
        why = self.why_not_create()
        gate(self.new_button, why)
        gate(self.import_action, why)
        self.viewer = cal.Viewer(read(cal.person_named, self.workspace.me))
        self.calendar_list.set_names(self._calendar_names(), self.hidden)
        first, last = self.visible_range()
        if self.mode != RESULTS:
            self.stack.setCurrentIndex(STACK[self.mode])
            button = self.view_buttons.button(self.mode)
            if button is not None:
                button.setChecked(True)
        self.picker.blockSignals(True)
        self.picker.setDate(QDate(self.anchor.year, self.anchor.month, self.anchor.day))
        self.picker.blockSignals(False)
        self.period.setText(modes.period_text(self.mode, self.anchor, first, last))
        if self.mode == FIND:
            self.finder.set_choices(*people_and_rooms(self.workspace.ctx))
            self._refresh_find()
            return
        if self.mode == RESULTS:
            return
        self.occurrences = read(
            cal.occurrences,
            *cal.window_of_days(first, last),
            viewer=self.viewer,
            calendars=self.visible_calendars(),
        )
        if self.mode in (DAY, WORK_WEEK, WEEK):
            self.grid.set_data(self.days(), self.occurrences)
        elif self.mode == MONTH:
            self.month.set_data(self.anchor, self.occurrences)
        else:
            self.agenda.set_rows(self.occurrences, first, last)
        self.status.setText(self._shown_text(len(self.occurrences)))

    def _shown_text(self, n: int) -> str:
        return counted(n, self.tr("%n event shown"), self.tr("%n events shown"))

    def _calendar_names(self) -> list[str]:
        return self.workspace.ctx.read(cal.calendars)

    def visible_calendars(self) -> list[str]:
        """The calendars ticked in the list beside the views."""
        return [c for c in self._calendar_names() if c not in self.hidden]

    @Slot()
    def _refresh_find(self) -> None:
        people, rooms = self.finder.chosen()
        monday = monday_of(self.anchor)
        rows = self.workspace.ctx.read(
            cal.free_busy,
            people,
            rooms,
            *week_window(monday),
            viewer=self.viewer,
        )
        slot = (
            cal.first_free_slot(rows, monday, 5, self.finder.minutes.value(), not_before=self.now())
            if rows
            else None
        )
        self.finder.show_result(monday, rows, slot)

    # ------------------------------------------------------------------ editing (editing.py)
    def _choices(self) -> DialogChoices:
        return self.editing.choices()

    def _check(self, ignore: tuple[str, ...] = ()) -> Callable[[EventDraft], list[Clash]]:
        return self.editing.check(ignore)

    def new_event_dialog(self, start: datetime, end: datetime, all_day: bool) -> EventDialog:
        return self.editing.new_event_dialog(start, end, all_day)

    def why_not_create(self) -> str:
        return self.editing.why_not_create()

    def may_change(self, occ: Occurrence | None) -> bool:
        return self.editing.may_change(occ)

    def edit(self, occ: Occurrence) -> None:
        self.editing.edit(occ)

    def delete(self, occ: Occurrence) -> None:
        self.editing.delete(occ)

    # ------------------------------------------------------------------ files (calendar_files.py)
    @property
    def print_preview(self) -> PdfPreviewDialog | None:
        return self.files.print_preview

    def import_file(self, path: Path) -> None:
        self.files.import_file(path)

    def print_page(self) -> bool:  # Ctrl+P: the month in month view, else the week
        self.print_calendar(month=self.mode == MONTH)
        return True

    def print_calendar(self, *, month: bool) -> PdfPreviewDialog | None:
        return self.files.print_calendar(month=month)

    def write_pdf(self, path: Path | IO[bytes], *, month: bool) -> int:
        return self.files.write_pdf(path, month=month)

    # ------------------------------------------------------------------ slots
    @Slot(QDate)
    def _on_picker_date_changed(self, value: QDate) -> None:
        self.go_to(date(value.year(), value.month(), value.day()))

    @Slot(QListWidgetItem)
    def _on_calendar_item_changed(self, item: QListWidgetItem) -> None:
        if item.checkState() == Qt.CheckState.Checked:
            self.hidden.discard(item.text())
        else:
            self.hidden.add(item.text())
        self.refresh()

    @Slot(object)
    def _on_month_day_activated(self, day: date) -> None:
        self.go_to(day, DAY)

    @Slot(QTreeWidgetItem, int)
    def _on_agenda_item_double_clicked(self, item: QTreeWidgetItem, _column: int) -> None:
        occ = self.agenda.occurrence_at(item)
        if occ is not None:
            self.edit(occ)

    @Slot()
    def _on_search_return_pressed(self) -> None:
        rows = self.workspace.ctx.read(cal.search, self.search_box.text(), viewer=self.viewer)
        self.results.set_rows(rows)
        self.mode = RESULTS
        self.stack.setCurrentIndex(STACK[RESULTS])
        checked = self.view_buttons.checkedButton()
        if checked is not None:
            self.view_buttons.setExclusive(False)
            checked.setChecked(False)
            self.view_buttons.setExclusive(True)
        self.period.setText(
            counted(len(rows), self.tr("Search: %n event"), self.tr("Search: %n events"))
        )
        self.status.setText(self._shown_text(len(rows)))  # the same count, not the last view's

    @Slot(QTreeWidgetItem, int)
    def _on_result_double_clicked(self, item: QTreeWidgetItem, _column: int) -> None:
        dto = self.results.event_at(item)
        if dto is not None:
            self.go_to(dto.start_utc.astimezone(LONDON).date(), WEEK)

    @Slot(object, object)
    def _on_find_slot_chosen(self, start: datetime, end: datetime) -> None:
        people, rooms = self.finder.chosen()
        self.editing.create_in(
            self.editing.new_event_dialog(
                start, end, attendee_ids=tuple(people), resource_ids=tuple(rooms)
            )
        )
