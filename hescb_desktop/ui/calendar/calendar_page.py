"""The calendar (preview): pick a day, see its events.

Day, week and month views, editing by drag and drop, recurrence, room and asset booking and
iCalendar import and export arrive with issue 5.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, Qt, Slot
from PySide6.QtWidgets import QCalendarWidget, QHBoxLayout, QToolButton

from hescb_desktop.services.home import home_summary
from hescb_desktop.ui.home.event_table_model import COL_SUMMARY, EventTableModel
from hescb_desktop.ui.widgets.card import Card
from hescb_desktop.ui.widgets.empty_state import EmptyState
from hescb_desktop.ui.widgets.icons import icon
from hescb_desktop.ui.widgets.labels import counted
from hescb_desktop.ui.widgets.page import Page
from hescb_desktop.ui.widgets.page_header import ComingNotice
from hescb_desktop.ui.widgets.tables import make_table
from hescb_desktop.ui.workspace import Workspace


class CalendarPage(Page):
    tables = ("events", "organisations")

    def __init__(self, workspace: Workspace) -> None:
        super().__init__(
            workspace,
            self.tr("Calendar"),
            self.tr("Diaries of the executive suite, board meetings, rooms and shared assets."),
        )
        self.model = EventTableModel(self)
        self._setup_ui()
        self.refresh()

    def _setup_ui(self) -> None:
        self.content.addWidget(
            ComingNotice(
                self.tr(
                    "Pick a day to see its events. Day, week and month views, creating and moving "
                    "events, recurring events, room and drone-unit booking, and Outlook "
                    "(iCalendar) import and export arrive with issue 5."
                )
            )
        )
        self.calendar = QCalendarWidget()
        self.calendar.setFirstDayOfWeek(Qt.DayOfWeek.Monday)
        self.calendar.setGridVisible(False)
        self.calendar.setVerticalHeaderFormat(QCalendarWidget.VerticalHeaderFormat.NoVerticalHeader)
        today = self.workspace.today()
        self.calendar.setSelectedDate(QDate(today.year, today.month, today.day))
        self.calendar.selectionChanged.connect(self._on_calendar_selection_changed)
        for name, icon_name in (
            ("qt_calendar_prevmonth", "chevron-left"),
            ("qt_calendar_nextmonth", "chevron-right"),
        ):
            button = self.calendar.findChild(QToolButton, name)
            if button is not None:  # Qt's own names for the month arrows
                button.setIcon(icon(icon_name))
        picker = Card(self.tr("Date"))
        picker.body.addWidget(self.calendar)
        picker.body.addStretch(1)
        self.day_card = Card("")
        self.view = EmptyState(make_table(self.model, stretch=COL_SUMMARY))
        self.view.set_message(self.tr("No events on this day."))
        self.day_card.body.addWidget(self.view)
        row = QHBoxLayout()
        row.setSpacing(14)
        row.addWidget(picker, 2)
        row.addWidget(self.day_card, 3)
        self.content.addLayout(row, 1)

    def refresh(self) -> None:
        selected = self.calendar.selectedDate()
        day = date(selected.year(), selected.month(), selected.day())
        summary = home_summary(self.workspace.ctx.uow(write=False), day, self.workspace.me)
        self.model.set_rows(summary.events)
        self.day_card.title_label.setText(f"{day:%A %d %B %Y}")
        self.day_card.set_note(
            counted(len(summary.events), self.tr("%n event"), self.tr("%n events"))
        )

    @Slot()
    def _on_calendar_selection_changed(self) -> None:
        self.refresh()
