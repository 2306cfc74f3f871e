"""The calendar's lists: the calendars beside the views (each ticked to show), the agenda (four
weeks, a heading a day) and the search results."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QTreeWidget, QTreeWidgetItem

from hescb_desktop.domain.calendar import Occurrence
from hescb_desktop.domain.dto import EventDTO
from hescb_desktop.domain.recurrence import LONDON, describe
from hescb_desktop.ui.widgets.tables import full_text_tips


def _list_look(tree: QTreeWidget, widths: Sequence[int]) -> None:
    for column, width in enumerate(widths):
        tree.setColumnWidth(column, width)
    full_text_tips(tree)  # a cut title or place shows whole on hover
    tree.header().setMinimumSectionSize(60)


class CalendarList(QListWidget):
    """The calendars, each ticked unless hidden; setting them emits no itemChanged."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("calendarList")
        self.setMaximumWidth(210)

    def set_names(self, names: Sequence[str], hidden: set[str]) -> None:
        self.blockSignals(True)
        self.clear()
        for name in names:
            item = QListWidgetItem(name, self)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked if name in hidden else Qt.CheckState.Checked)
        self.blockSignals(False)


class AgendaList(QTreeWidget):
    """The occurrences day by day; an item holds an index into `rows`."""

    def __init__(self) -> None:
        super().__init__()
        self.setHeaderLabels(
            [self.tr("When"), self.tr("Title"), self.tr("Where"), self.tr("Calendar")]
        )
        _list_look(self, (190, 360, 220))
        self.rows: list[Occurrence] = []

    def set_rows(self, occurrences: Sequence[Occurrence], first: date, last: date) -> None:
        """Each occurrence under each of its days from `first` to `last`."""
        self.clear()
        self.rows = []  # a tuple in item data would come back a list
        by_day: dict[date, QTreeWidgetItem] = {}
        for occ in occurrences:
            for day in occ.days():
                if not first <= day <= last:
                    continue
                parent = by_day.get(day)
                if parent is None:
                    parent = by_day[day] = self._day_heading(day)
                when = self.tr("All day") if occ.all_day else f"{occ.start:%H:%M}–{occ.end:%H:%M}"
                child = QTreeWidgetItem(parent, [when, occ.summary, occ.location, occ.calendar])
                child.setData(0, Qt.ItemDataRole.UserRole, len(self.rows))
                self.rows.append(occ)
        self.expandAll()
        if not occurrences:
            QTreeWidgetItem(self, [self.tr("Nothing in the next four weeks.")])

    def _day_heading(self, day: date) -> QTreeWidgetItem:
        heading = QTreeWidgetItem(self, [f"{day:%A} {day.day} {day:%B %Y}"])
        font = heading.font(0)
        font.setBold(True)
        heading.setFont(0, font)
        heading.setFirstColumnSpanned(True)
        return heading

    def occurrence_at(self, item: QTreeWidgetItem) -> Occurrence | None:
        index = item.data(0, Qt.ItemDataRole.UserRole)
        if isinstance(index, int) and 0 <= index < len(self.rows):
            return self.rows[index]
        return None


class SearchResults(QTreeWidget):
    """The events a search found, each with when it starts and how it repeats."""

    def __init__(self) -> None:
        super().__init__()
        self.setHeaderLabels(
            [
                self.tr("Starts"),
                self.tr("Title"),
                self.tr("Where"),
                self.tr("Calendar"),
                self.tr("Repeats"),
            ]
        )
        _list_look(self, (160, 300, 240, 150))
        self.setRootIsDecorated(False)

    def set_rows(self, rows: Sequence[EventDTO]) -> None:
        self.clear()
        for dto in rows:
            start = dto.start_utc.astimezone(LONDON)
            when = f"{start:%a %d %b %Y}" + ("" if dto.all_day else f" {start:%H:%M}")
            item = QTreeWidgetItem(
                self, [when, dto.summary, dto.location, dto.calendar, describe(dto.rrule)]
            )
            item.setData(0, Qt.ItemDataRole.UserRole, dto)
        if not rows:
            QTreeWidgetItem(self, ["", self.tr("No events match.")])

    @staticmethod
    def event_at(item: QTreeWidgetItem) -> EventDTO | None:
        dto = item.data(0, Qt.ItemDataRole.UserRole)
        return dto if isinstance(dto, EventDTO) else None
