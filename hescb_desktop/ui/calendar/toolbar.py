"""The calendar page's toolbar: Today, back and on, the period shown, the date picker, the
views, search, New event… and More (the .ics files and printing), in groups that wrap."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QDateEdit,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QToolButton,
    QWidget,
)

from hescb_desktop.ui.calendar.modes import AGENDA, DAY, FIND, MONTH, WEEK, WORK_WEEK
from hescb_desktop.ui.widgets.flow_layout import flow_row, group
from hescb_desktop.ui.widgets.icons import icon


class CalendarToolbar:
    """The toolbar's widgets; `row` holds them. Texts are translated in the page's context."""

    def __init__(self, page: QWidget) -> None:
        tr = page.tr
        self.today_button = QPushButton(tr("Today"))
        self.prev_button = QToolButton()
        self.prev_button.setIcon(icon("chevron-left"))
        self.prev_button.setToolTip(tr("Previous (Page Up)"))
        self.next_button = QToolButton()
        self.next_button.setIcon(icon("chevron-right"))
        self.next_button.setToolTip(tr("Next (Page Down)"))
        self.period = _period_label()
        self.picker = QDateEdit()
        self.picker.setCalendarPopup(True)
        self.picker.setDisplayFormat("dd MMM yyyy")
        self.picker.calendarWidget().setFirstDayOfWeek(Qt.DayOfWeek.Monday)
        self.view_buttons = QButtonGroup(page)
        views = []
        for mode, label in (
            (DAY, tr("Day")),
            (WORK_WEEK, tr("Work week")),
            (WEEK, tr("Week")),
            (MONTH, tr("Month")),
            (AGENDA, tr("Agenda")),
            (FIND, tr("Find a time")),
        ):
            button = QToolButton()
            button.setText(label)
            button.setCheckable(True)
            self.view_buttons.addButton(button, mode)
            views.append(button)
        self.search_box = QLineEdit()
        self.search_box.setPlaceholderText(tr("Search events…"))
        self.search_box.setClearButtonEnabled(True)
        self.search_box.setMinimumWidth(170)
        self.search_box.setMaximumWidth(240)
        self.new_button = QPushButton(tr("New event…"))
        self.more_button = QToolButton()
        self.more_button.setText(tr("More"))
        self.more_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.more_button)
        self.import_action = menu.addAction(tr("Import .ics…"))
        self.export_action = menu.addAction(tr("Export .ics…"))
        menu.addSeparator()
        self.print_week_action = menu.addAction(tr("Print week…"))
        self.print_month_action = menu.addAction(tr("Print month…"))
        self.more_button.setMenu(menu)
        # three groups that wrap onto a second (third) row on a narrow window
        self.row, _ = flow_row(
            group(self.today_button, self.prev_button, self.next_button, self.period),
            None,
            group(self.picker, *views, spacing=2),
            group(self.search_box, self.new_button, self.more_button),
        )


def _period_label() -> QLabel:
    """The period shown (or the search's count), a little larger and bold."""
    period = QLabel()
    period.setObjectName("calendarPeriod")
    period.setTextFormat(Qt.TextFormat.PlainText)
    font = period.font()
    font.setPointSizeF(font.pointSizeF() + 2)
    font.setBold(True)
    period.setFont(font)
    return period
