"""The shared calendar: day, work week, week, month and agenda views, find-a-time, search,
creating by dialog or by dragging, moving and resizing by drag, undo/redo, .ics import/export
and printing a week or a month as a paper diary (built off the GUI thread, previewed here, then
printed or saved as PDF)."""

from __future__ import annotations

import functools
import io
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import IO, Any

from PySide6.QtCore import QDate, Qt, Slot
from PySide6.QtGui import QAction, QKeyEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QDateEdit,
    QFileDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QMessageBox,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QToolButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from hescb_desktop.domain.calendar import (
    Clash,
    EventDraft,
    Occurrence,
    Scope,
    own_calendar,
    week_start,
)
from hescb_desktop.domain.dto import EventDTO
from hescb_desktop.domain.permissions import Kind, Operation
from hescb_desktop.domain.recurrence import LONDON, describe
from hescb_desktop.services import calendar as cal
from hescb_desktop.services import crud
from hescb_desktop.services.context import ServiceContext
from hescb_desktop.services.entities import ORGANISATIONS, PEOPLE, RESOURCES
from hescb_desktop.services.results import Result
from hescb_desktop.ui.calendar.event_dialog import Choice, DialogChoices, EventDialog
from hescb_desktop.ui.calendar.find_time import FindTimeView, monday_of, week_window
from hescb_desktop.ui.calendar.views import MonthGrid, TimeGrid
from hescb_desktop.ui.operations import WriteFn
from hescb_desktop.ui.widgets.busy_dialog import BusyDialog
from hescb_desktop.ui.widgets.flow_layout import flow_row, group
from hescb_desktop.ui.widgets.icons import icon
from hescb_desktop.ui.widgets.labels import counted
from hescb_desktop.ui.widgets.page import Page, shown
from hescb_desktop.ui.widgets.pdf_view import PdfPreviewDialog, build_and_preview
from hescb_desktop.ui.widgets.permission import gate
from hescb_desktop.ui.widgets.tables import full_text_tips
from hescb_desktop.ui.widgets.worker import ProgressFn
from hescb_desktop.ui.workspace import Workspace

DAY, WORK_WEEK, WEEK, MONTH, AGENDA, FIND, RESULTS = range(7)
AGENDA_DAYS = 28
_STACK = {DAY: 0, WORK_WEEK: 0, WEEK: 0, MONTH: 1, AGENDA: 2, FIND: 3, RESULTS: 4}


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
        self._agenda_rows: list[Occurrence] = []  # agenda items hold an index into this
        self.viewer = cal.Viewer()
        self.now: Callable[[], datetime] = lambda: datetime.now(UTC)
        self.print_preview: PdfPreviewDialog | None = None
        self._setup_ui()
        self.refresh()

    # ------------------------------------------------------------------ building
    def _setup_ui(self) -> None:
        self.today_button = QPushButton(self.tr("Today"))
        self.prev_button = QToolButton()
        self.prev_button.setIcon(icon("chevron-left"))
        self.prev_button.setToolTip(self.tr("Previous (Page Up)"))
        self.next_button = QToolButton()
        self.next_button.setIcon(icon("chevron-right"))
        self.next_button.setToolTip(self.tr("Next (Page Down)"))
        self.period = QLabel()
        self.period.setObjectName("calendarPeriod")
        self.period.setTextFormat(Qt.TextFormat.PlainText)
        font = self.period.font()
        font.setPointSizeF(font.pointSizeF() + 2)
        font.setBold(True)
        self.period.setFont(font)
        self.picker = QDateEdit()
        self.picker.setCalendarPopup(True)
        self.picker.setDisplayFormat("dd MMM yyyy")
        self.picker.calendarWidget().setFirstDayOfWeek(Qt.DayOfWeek.Monday)
        self.view_buttons = QButtonGroup(self)
        views = []
        for mode, label in (
            (DAY, self.tr("Day")),
            (WORK_WEEK, self.tr("Work week")),
            (WEEK, self.tr("Week")),
            (MONTH, self.tr("Month")),
            (AGENDA, self.tr("Agenda")),
            (FIND, self.tr("Find a time")),
        ):
            button = QToolButton()
            button.setText(label)
            button.setCheckable(True)
            self.view_buttons.addButton(button, mode)
            views.append(button)
        self.search_box = QLineEdit()
        self.search_box.setPlaceholderText(self.tr("Search events…"))
        self.search_box.setClearButtonEnabled(True)
        self.search_box.setMinimumWidth(170)
        self.search_box.setMaximumWidth(240)
        self.new_button = QPushButton(self.tr("New event…"))
        self.more_button = QToolButton()
        self.more_button.setText(self.tr("More"))
        self.more_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.more_button)
        self.import_action = menu.addAction(self.tr("Import .ics…"))
        self.export_action = menu.addAction(self.tr("Export .ics…"))
        menu.addSeparator()
        self.print_week_action = menu.addAction(self.tr("Print week…"))
        self.print_month_action = menu.addAction(self.tr("Print month…"))
        self.more_button.setMenu(menu)
        # three groups that wrap onto a second (third) row on a narrow window
        self.toolbar, _ = flow_row(
            group(self.today_button, self.prev_button, self.next_button, self.period),
            None,
            group(self.picker, *views, spacing=2),
            group(self.search_box, self.new_button, self.more_button),
        )
        self.content.addWidget(self.toolbar)

        side_panel = QWidget()
        side = QVBoxLayout(side_panel)
        side.setContentsMargins(0, 0, 0, 0)
        side.addWidget(QLabel(self.tr("Calendars")))
        self.calendar_list = QListWidget()
        self.calendar_list.setObjectName("calendarList")
        self.calendar_list.setMaximumWidth(210)
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
        self.agenda = QTreeWidget()
        self.agenda.setHeaderLabels(
            [self.tr("When"), self.tr("Title"), self.tr("Where"), self.tr("Calendar")]
        )
        self.agenda.setColumnWidth(0, 190)
        self.agenda.setColumnWidth(1, 360)
        self.agenda.setColumnWidth(2, 220)
        self.finder = FindTimeView()
        self.results = QTreeWidget()
        self.results.setHeaderLabels(
            [
                self.tr("Starts"),
                self.tr("Title"),
                self.tr("Where"),
                self.tr("Calendar"),
                self.tr("Repeats"),
            ]
        )
        self.results.setColumnWidth(0, 160)
        self.results.setColumnWidth(1, 300)
        self.results.setColumnWidth(2, 240)
        self.results.setColumnWidth(3, 150)
        self.results.setRootIsDecorated(False)
        for tree in (self.agenda, self.results):  # a cut title or place shows whole on hover
            full_text_tips(tree)
            tree.header().setMinimumSectionSize(60)
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

        self.today_button.clicked.connect(self.go_today)
        self.prev_button.clicked.connect(self.go_previous)
        self.next_button.clicked.connect(self.go_next)
        self.picker.dateChanged.connect(self._on_picker_date_changed)
        self.view_buttons.idClicked.connect(self.set_mode)
        self.search_box.returnPressed.connect(self._on_search_return_pressed)
        self.new_button.clicked.connect(self._on_new_clicked)
        self.import_action.triggered.connect(self.import_ics)
        self.export_action.triggered.connect(self.export_ics)
        self.print_week_action.triggered.connect(lambda: self.print_calendar(month=False))
        self.print_month_action.triggered.connect(lambda: self.print_calendar(month=True))
        self.calendar_list.itemChanged.connect(self._on_calendar_item_changed)
        self.grid.create_requested.connect(self.create_at)
        self.grid.edit_requested.connect(self.edit)
        self.grid.move_requested.connect(self.move_to)
        self.month.edit_requested.connect(self.edit)
        self.month.day_activated.connect(self._on_month_day_activated)
        self.agenda.itemDoubleClicked.connect(self._on_agenda_item_double_clicked)
        self.results.itemDoubleClicked.connect(self._on_result_double_clicked)
        self.finder.changed.connect(self._refresh_find)
        self.finder.slot_chosen.connect(self._on_find_slot_chosen)

    # ------------------------------------------------------------------ navigation
    def days(self) -> list[date]:
        if self.mode == DAY:
            return [self.anchor]
        monday = week_start(self.anchor)
        count = 5 if self.mode == WORK_WEEK else 7
        return [monday + timedelta(days=n) for n in range(count)]

    def visible_range(self) -> tuple[date, date]:
        if self.mode in (DAY, WORK_WEEK, WEEK):
            days = self.days()
            return days[0], days[-1]
        if self.mode == MONTH:
            first = week_start(self.anchor.replace(day=1))
            return first, first + timedelta(days=41)
        if self.mode == FIND:
            monday = monday_of(self.anchor)
            return monday, monday + timedelta(days=6)
        return self.anchor, self.anchor + timedelta(days=AGENDA_DAYS - 1)

    @Slot(int)
    def set_mode(self, mode: int) -> None:
        self.mode = mode
        self.refresh()

    def step(self, direction: int) -> None:
        if self.mode == DAY:
            self.anchor += timedelta(days=direction)
        elif self.mode == MONTH:
            month = self.anchor.month - 1 + direction
            year = self.anchor.year + month // 12
            self.anchor = date(year, month % 12 + 1, 1)
        elif self.mode == AGENDA:
            self.anchor += timedelta(days=direction * AGENDA_DAYS)
        else:
            self.anchor += timedelta(days=7 * direction)
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
        if key in (Qt.Key.Key_PageUp, Qt.Key.Key_PageDown):
            self.step(-1 if key == Qt.Key.Key_PageUp else 1)
        elif key in (Qt.Key.Key_Left, Qt.Key.Key_Right, Qt.Key.Key_Up, Qt.Key.Key_Down):
            days = {
                Qt.Key.Key_Left: -1,
                Qt.Key.Key_Right: 1,
                Qt.Key.Key_Up: -7,
                Qt.Key.Key_Down: 7,
            }[key]
            if self.mode == DAY and abs(days) == 7:
                days //= 7
            self.go_to(self.anchor + timedelta(days=days))
        elif key == Qt.Key.Key_T:
            self.go_today()
        elif key in (Qt.Key.Key_D, Qt.Key.Key_X, Qt.Key.Key_W, Qt.Key.Key_M, Qt.Key.Key_A):
            mode = {
                Qt.Key.Key_D: DAY,
                Qt.Key.Key_X: WORK_WEEK,
                Qt.Key.Key_W: WEEK,
                Qt.Key.Key_M: MONTH,
                Qt.Key.Key_A: AGENDA,
            }[Qt.Key(key)]
            self.set_mode(mode)
        elif key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and self.grid.selected is not None:
            self.delete(self.grid.selected)
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.grid.selected is not None:
            self.edit(self.grid.selected)
        elif key == Qt.Key.Key_N:
            self._on_new_clicked()
        else:
            super().keyPressEvent(event)

    # ------------------------------------------------------------------ loading
    def refresh(self) -> None:
        read = self.workspace.ctx.read
        why = self.why_not_create()
        gate(self.new_button, why)
        gate(self.import_action, why)
        self.viewer = cal.Viewer(read(cal.person_named, self.workspace.me))
        self._load_calendar_list()
        first, last = self.visible_range()
        if self.mode != RESULTS:
            self.stack.setCurrentIndex(_STACK[self.mode])
            button = self.view_buttons.button(self.mode)
            if button is not None:
                button.setChecked(True)
        self.picker.blockSignals(True)
        self.picker.setDate(QDate(self.anchor.year, self.anchor.month, self.anchor.day))
        self.picker.blockSignals(False)
        self.period.setText(self._period_text(first, last))
        if self.mode == FIND:
            self.finder.set_choices(*self._people_and_rooms())
            self._refresh_find()
            return
        if self.mode == RESULTS:
            return
        visible = [c for c in self._calendar_names() if c not in self.hidden]
        self.occurrences = read(
            cal.occurrences,
            *cal.window_of_days(first, last),
            viewer=self.viewer,
            calendars=visible,
        )
        if self.mode in (DAY, WORK_WEEK, WEEK):
            self.grid.set_data(self.days(), self.occurrences)
        elif self.mode == MONTH:
            self.month.set_data(self.anchor, self.occurrences)
        else:
            self._fill_agenda()
        self.status.setText(self._shown_text(len(self.occurrences)))

    def _shown_text(self, n: int) -> str:
        return counted(n, self.tr("%n event shown"), self.tr("%n events shown"))

    def _period_text(self, first: date, last: date) -> str:
        if self.mode == DAY:
            return f"{first:%A} {first.day} {first:%B %Y}"
        if self.mode == MONTH:
            return f"{self.anchor:%B %Y}"
        week = f"Week {first.isocalendar()[1]} · " if self.mode in (WORK_WEEK, WEEK, FIND) else ""
        if first.month == last.month:
            return f"{week}{first.day}–{last.day} {last:%B %Y}"
        return f"{week}{first.day} {first:%b} – {last.day} {last:%b %Y}"

    def _calendar_names(self) -> list[str]:
        return self.workspace.ctx.read(cal.calendars)

    def _load_calendar_list(self) -> None:
        names = self._calendar_names()
        self.calendar_list.blockSignals(True)
        self.calendar_list.clear()
        for name in names:
            item = QListWidgetItem(name, self.calendar_list)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(
                Qt.CheckState.Unchecked if name in self.hidden else Qt.CheckState.Checked
            )
        self.calendar_list.blockSignals(False)

    def _fill_agenda(self) -> None:
        self.agenda.clear()
        self._agenda_rows = []  # a tuple in item data would come back a list
        by_day: dict[date, QTreeWidgetItem] = {}
        for occ in self.occurrences:
            for day in occ.days():
                first, last = self.visible_range()
                if not first <= day <= last:
                    continue
                parent = by_day.get(day)
                if parent is None:
                    parent = QTreeWidgetItem(self.agenda, [f"{day:%A} {day.day} {day:%B %Y}"])
                    font = parent.font(0)
                    font.setBold(True)
                    parent.setFont(0, font)
                    parent.setFirstColumnSpanned(True)
                    by_day[day] = parent
                when = self.tr("All day") if occ.all_day else f"{occ.start:%H:%M}–{occ.end:%H:%M}"
                child = QTreeWidgetItem(parent, [when, occ.summary, occ.location, occ.calendar])
                child.setData(0, Qt.ItemDataRole.UserRole, len(self._agenda_rows))
                self._agenda_rows.append(occ)
        self.agenda.expandAll()
        if not self.occurrences:
            QTreeWidgetItem(self.agenda, [self.tr("Nothing in the next four weeks.")])

    def _people_and_rooms(self) -> tuple[list[Choice], list[Choice]]:
        read = self.workspace.ctx.read
        people = sorted(read(crud.list_all, PEOPLE), key=lambda p: p.name)
        rooms = sorted(read(crud.list_all, RESOURCES), key=lambda r: (r.kind.value, r.name))
        return (
            [Choice(p.id, f"{p.name} ({p.role})" if p.role else p.name) for p in people],
            [
                Choice(r.id, f"{r.name} ({'room' if r.kind.value == 'room' else 'asset'})")
                for r in rooms
            ],
        )

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

    # ------------------------------------------------------------------ editing
    def _choices(self) -> DialogChoices:
        people, rooms = self._people_and_rooms()
        orgs = sorted(self.workspace.ctx.read(crud.list_all, ORGANISATIONS), key=lambda o: o.code)
        return DialogChoices(
            self._calendar_names(),
            [Choice(o.id, f"{o.code} – {o.name}") for o in orgs],
            people,
            rooms,
        )

    def _check(self, ignore: tuple[str, ...] = ()) -> Callable[[EventDraft], list[Clash]]:
        return lambda draft: self.workspace.ctx.read(
            cal.clashes, draft, ignore_ids=ignore, viewer=self.viewer
        )

    @Slot()
    def _on_new_clicked(self) -> None:
        day = self.anchor
        start = datetime.combine(day, time(9), LONDON)
        self.create_at(start, start + timedelta(hours=1), False)

    def own_calendar(self) -> str:
        """The user's own diary (their organisation's, from Settings), not "Board meetings"."""
        return own_calendar(self.workspace.settings.organisation_code)

    def new_event_dialog(self, start: datetime, end: datetime, all_day: bool) -> EventDialog:
        draft = EventDraft(
            "",
            start,
            end,
            all_day=all_day,
            calendar=self.own_calendar(),
            owner_id=self.viewer.person_id,
        )
        return EventDialog(draft, self._choices(), self._check(), self, title=self.tr("New event"))

    def why_not_create(self) -> str:
        """Why this person may not add to the diary: their own (or their principal's)."""
        person = self.workspace.identity.person_id or None
        return self.workspace.why_not(Operation.CREATE, Kind.CALENDAR_ITEM, person)

    def may_change(self, occ: Occurrence | None) -> bool:
        """Whether this person may move or resize `occ` (None: add an event) by dragging."""
        if occ is None:
            return not self.why_not_create()
        return not self.workspace.why_not(Operation.EDIT, Kind.CALENDAR_ITEM, occ.owner_id)

    def _refuse(self, why: str) -> bool:
        if why:
            QMessageBox.information(self, self.tr("Calendar"), why)
        return bool(why)

    @Slot(object, object, bool)
    def create_at(self, start: datetime, end: datetime, all_day: bool) -> None:
        if self._refuse(self.why_not_create()):
            self.refresh()  # a drag that made a box: gone again
            return
        dialog = self.new_event_dialog(start, end, all_day)
        if not dialog.exec() or dialog.result_draft is None:
            return
        self._create(dialog.result_draft)

    @Slot(object)
    def edit(self, occ: Occurrence) -> None:
        if self._refuse_read_only(occ):
            return
        scope = self._ask_scope(occ, self.tr("Edit"))
        if scope is None:
            return
        read = self.workspace.ctx.read
        details = read(cal.event_details, occ.event_id)
        draft = replace(details.draft, start=occ.start, end=occ.end)
        if occ.recurring and scope != Scope.THIS and not draft.rrule and occ.series_id:
            draft = replace(draft, rrule=read(cal.event_details, occ.series_id).draft.rrule)
        ignore = tuple(filter(None, (occ.event_id, occ.series_id)))
        dialog = EventDialog(
            draft,
            self._choices(),
            self._check(ignore),
            self,
            title=self.tr("Edit event"),
            occurrence_only=occ.recurring and scope == Scope.THIS,
            booked_by=details.booked_by,
        )
        if occ.recurring:
            dialog.setWindowTitle(
                dialog.windowTitle() + f" – {describe(draft.rrule) or self.tr('one occurrence')}"
            )
        if not dialog.exec() or dialog.result_draft is None:
            return
        new = dialog.result_draft

        def save(draft: EventDraft) -> WriteFn[Any]:
            return lambda uow: cal.update_event(
                uow, occ.event_id, draft, recurrence_id=occ.recurrence_id, scope=scope
            )

        self._save_typed(
            self.tr("Edit “%1”").replace("%1", occ.summary),
            Typed(new, dialog.windowTitle(), ignore, save),
        )

    @Slot(object, object, object)
    def move_to(self, occ: Occurrence, start: datetime, end: datetime) -> None:
        if self._refuse_read_only(occ):
            self.refresh()
            return
        scope = self._ask_scope(occ, self.tr("Move")) if occ.recurring else Scope.ALL
        if scope is None:
            self.refresh()
            return
        self._run(
            self.tr("Move “%1”").replace("%1", occ.summary),
            lambda uow: cal.move_occurrence(uow, occ, start, end, scope=scope),
        )

    def delete(self, occ: Occurrence) -> None:
        if self._refuse_read_only(occ, Operation.DELETE):
            return
        if occ.recurring:
            scope = self._ask_scope(occ, self.tr("Delete"))
            if scope is None:
                return
        else:
            answer = QMessageBox.question(
                self, self.tr("Delete event"), self.tr("Delete “%1”?").replace("%1", occ.summary)
            )
            if answer != QMessageBox.StandardButton.Yes:
                return
            scope = Scope.ALL
        self._run(
            self.tr("Delete “%1”").replace("%1", occ.summary),
            lambda uow: cal.delete_event(
                uow, occ.event_id, recurrence_id=occ.recurrence_id, scope=scope
            ),
        )
        self.grid.selected = None

    def _create(self, new: EventDraft) -> None:
        def save(draft: EventDraft) -> WriteFn[Any]:
            return lambda uow: cal.create_event(uow, draft)

        self._save_typed(
            self.tr("New event “%1”").replace("%1", new.summary),
            Typed(new, self.tr("New event"), (), save),
        )

    def _run(
        self, text: str, fn: WriteFn[Any], on_refused: Callable[[], None] | None = None
    ) -> None:
        """One operation (ui.operations), labelled for the Edit menu's Undo. Refused: said,
        and the view put back (a drag that was refused goes back where it was)."""

        def refused(message: str) -> None:
            QMessageBox.warning(self, self.tr("Calendar"), message)
            self.refresh()
            if on_refused is not None:
                on_refused()

        self.workspace.runner.write(fn, label=text, parent=self, on_refused=refused)

    def _save_typed(self, text: str, typed: Typed) -> None:
        """An event typed in the dialog, saved; refused, the dialog comes back as it was typed
        (nothing typed is lost), to be corrected or cancelled."""

        def again() -> None:
            dialog = EventDialog(
                typed.draft, self._choices(), self._check(typed.ignore), self, title=typed.title
            )
            if dialog.exec() and dialog.result_draft is not None:
                self._save_typed(text, replace(typed, draft=dialog.result_draft))

        self._run(text, typed.save(typed.draft), on_refused=again)

    def _refuse_read_only(self, occ: Occurrence, operation: Operation = Operation.EDIT) -> bool:
        if occ.masked:
            QMessageBox.information(
                self,
                self.tr("Calendar"),
                self.tr("This time is marked busy by its owner; only they can change it."),
            )
            return True
        if occ.meeting_id is not None:
            QMessageBox.information(
                self,
                self.tr("Calendar"),
                self.tr("This is a board meeting: change it on the Meetings page."),
            )
            return True
        return self._refuse(self.workspace.why_not(operation, Kind.CALENDAR_ITEM, occ.owner_id))

    def _ask_scope(self, occ: Occurrence, verb: str) -> Scope | None:
        if not occ.recurring:
            return Scope.ALL
        box = QMessageBox(self)
        box.setWindowTitle(self.tr("Repeating event"))
        box.setText(
            self.tr("“%1” repeats. %2 which occurrences?")
            .replace("%1", occ.summary)
            .replace("%2", verb)
        )
        this = box.addButton(self.tr("This occurrence"), QMessageBox.ButtonRole.AcceptRole)
        following = box.addButton(self.tr("This and following"), QMessageBox.ButtonRole.AcceptRole)
        every = box.addButton(self.tr("All occurrences"), QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.exec()
        clicked = box.clickedButton()
        for button, scope in ((this, Scope.THIS), (following, Scope.FOLLOWING), (every, Scope.ALL)):
            if clicked is button:
                return scope
        return None

    # ------------------------------------------------------------------ files
    @Slot()
    def import_ics(self) -> None:
        if self._refuse(self.why_not_create()):
            return
        name, _ = QFileDialog.getOpenFileName(
            self, self.tr("Import calendar"), "", self.tr("iCalendar files (*.ics);;All files (*)")
        )
        if name:
            self.import_file(Path(name))

    def import_file(self, path: Path) -> None:
        from hescb_desktop.services.ical import ImportReport, import_ics

        def work(ctx: ServiceContext, progress: ProgressFn) -> Result[ImportReport]:
            report = ctx.write(import_ics, path.read_bytes(), progress=progress)
            return Result(report, report.changes)

        result, error = BusyDialog.run_job(
            self.workspace.runner,
            self.tr("Import %1").replace("%1", path.name),
            self.tr("Reading %1…").replace("%1", path.name),
            work,
            self,
        )
        if error or not isinstance(result, ImportReport):
            QMessageBox.warning(self, self.tr("Import calendar"), f"{path.name}: {error}")
            return
        text = f"{path.name}: {result.summary}."
        for note in result.notes:  # the file was not UTF-8: said here as on the command line
            text += f"\n\n{note}."
        if result.problems:
            text += "\n\n" + "\n".join(str(p) for p in result.problems[:15])
        if result.unmatched:
            text += "\n\n" + "\n".join(str(p) for p in result.unmatched[:15])
            if len(result.unmatched) > 15:
                text += "\n…"
        box = QMessageBox(QMessageBox.Icon.Information, self.tr("Import calendar"), text)
        box.setParent(self, box.windowFlags())
        box.setTextFormat(Qt.TextFormat.PlainText)  # titles and names like "Sam <sam@x>" as typed
        box.exec()
        self.refresh()

    @Slot()
    def export_ics(self) -> None:
        name, _ = QFileDialog.getSaveFileName(
            self,
            self.tr("Export calendar"),
            "hescb-calendar.ics",
            self.tr("iCalendar files (*.ics)"),
        )
        if name:
            self.export_file(Path(name))

    def export_file(self, path: Path) -> None:
        from hescb_desktop.services.ical import export_ics

        ctx = self.workspace.ctx

        def work(_progress: Callable[[int, str], None]) -> object:
            path.write_bytes(ctx.read(export_ics))
            return path

        _, error = BusyDialog.run(
            self.tr("Export calendar"), self.tr("Writing %1…").replace("%1", path.name), work, self
        )
        if error:
            QMessageBox.warning(self, self.tr("Export calendar"), error)

    def print_page(self) -> bool:  # Ctrl+P: the month in month view, else the week
        self.print_calendar(month=self.mode == MONTH)
        return True

    def print_calendar(self, *, month: bool) -> PdfPreviewDialog | None:
        """The shown week (or month) as a paper diary, built on the thread pool and previewed
        here with Print… (the print dialog) and Save PDF…"""
        if month:
            name = f"calendar-{self.anchor:%Y-%m}.pdf"
            title = self.tr("Calendar: %1").replace("%1", f"{self.anchor:%B %Y}")
        else:
            monday = week_start(self.anchor)
            name = f"calendar-week-{monday:%Y-%m-%d}.pdf"
            title = self.tr("Calendar: week of %1").replace("%1", f"{monday.day} {monday:%B %Y}")
        self.print_preview = build_and_preview(
            self._pdf_builder(month=month),
            title,
            name,
            self,
            busy=self.tr("Laying out the diary…"),
        )
        return self.print_preview

    def _pdf_builder(self, *, month: bool) -> Callable[[], bytes]:
        """What builds the PDF (safe to call off the GUI thread): the page's state is read now."""
        target = io.BytesIO()
        anchor, write = self.anchor, self._writer(month=month)

        def build() -> bytes:
            write(target, anchor)
            return target.getvalue()

        return build

    def write_pdf(self, path: Path | IO[bytes], *, month: bool) -> int:
        """Write the shown week (or month) as a PDF; returns its pages."""
        return self._writer(month=month)(path, self.anchor)

    def _writer(self, *, month: bool) -> Callable[[Path | IO[bytes], date], int]:
        from hescb_desktop.reports.calendar_print import print_month, print_week

        read = self.workspace.ctx.read
        viewer = self.viewer
        visible = [c for c in self._calendar_names() if c not in self.hidden]

        def write(target: Path | IO[bytes], anchor: date) -> int:
            if month:
                first = week_start(anchor.replace(day=1))
                occs = read(
                    cal.occurrences,
                    *cal.window_of_days(first, first + timedelta(days=41)),
                    viewer=viewer,
                    calendars=visible,
                )
                return print_month(target, anchor, occs)
            monday = week_start(anchor)
            occs = read(
                cal.occurrences,
                *cal.window_of_days(monday, monday + timedelta(days=6)),
                viewer=viewer,
                calendars=visible,
            )
            return print_week(target, monday, occs)

        return write

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
        index = item.data(0, Qt.ItemDataRole.UserRole)
        if isinstance(index, int) and 0 <= index < len(self._agenda_rows):
            self.edit(self._agenda_rows[index])

    @Slot()
    def _on_search_return_pressed(self) -> None:
        rows = self.workspace.ctx.read(cal.search, self.search_box.text(), viewer=self.viewer)
        self.results.clear()
        for dto in rows:
            start = dto.start_utc.astimezone(LONDON)
            when = f"{start:%a %d %b %Y}" + ("" if dto.all_day else f" {start:%H:%M}")
            item = QTreeWidgetItem(
                self.results, [when, dto.summary, dto.location, dto.calendar, describe(dto.rrule)]
            )
            item.setData(0, Qt.ItemDataRole.UserRole, dto)
        if not rows:
            QTreeWidgetItem(self.results, ["", self.tr("No events match.")])
        self.mode = RESULTS
        self.stack.setCurrentIndex(_STACK[RESULTS])
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
        dto = item.data(0, Qt.ItemDataRole.UserRole)
        if isinstance(dto, EventDTO):
            self.go_to(dto.start_utc.astimezone(LONDON).date(), WEEK)

    @Slot(object, object)
    def _on_find_slot_chosen(self, start: datetime, end: datetime) -> None:
        people, rooms = self.finder.chosen()
        calendar = self.own_calendar()
        draft = EventDraft(
            "",
            start,
            end,
            calendar=calendar,
            owner_id=self.viewer.person_id,
            attendee_ids=tuple(people),
            resource_ids=tuple(rooms),
        )
        dialog = EventDialog(
            draft, self._choices(), self._check(), self, title=self.tr("New event")
        )
        if dialog.exec() and dialog.result_draft is not None:
            self._create(dialog.result_draft)


@dataclass(frozen=True)
class Typed:
    """An event as typed in the event dialog, and how to save it (a new one, or an edit)."""

    draft: EventDraft
    title: str
    ignore: tuple[str, ...]  # the events the clash check leaves out (the one being edited)
    save: Callable[[EventDraft], WriteFn[Any]]


def _calendar(page: Callable[[], Page]) -> CalendarPage:
    made = page()
    assert isinstance(made, CalendarPage)
    return made


def _show_then(show: Callable[[], None], handler: Callable[[], object]) -> None:
    show()
    handler()


def add_calendar_actions(
    menu: QMenu, page: Callable[[], Page], show: Callable[[], None]
) -> list[QAction]:
    """The File menu's calendar entries (issue 5)."""
    actions = []
    for label, handler in (
        (menu.tr("Import calendar (.ics)…"), lambda: _calendar(page).import_ics()),
        (menu.tr("Export calendar (.ics)…"), lambda: _calendar(page).export_ics()),
        (menu.tr("Print calendar week…"), lambda: _calendar(page).print_calendar(month=False)),
        (menu.tr("Print calendar month…"), lambda: _calendar(page).print_calendar(month=True)),
    ):
        action = QAction(label, menu)
        action.triggered.connect(functools.partial(_show_then, show, handler))
        actions.append(action)
    return actions
