"""Find a time: free/busy of chosen people and rooms over a working week, and the first slot
when all of them are free."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta

from PySide6.QtCore import QPointF, QRectF, Qt, Signal, Slot
from PySide6.QtGui import QColor, QFont, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from hescb_desktop.domain.calendar import FreeBusyRow
from hescb_desktop.domain.recurrence import LONDON
from hescb_desktop.ui.calendar.event_dialog import Choice

DAY_START, DAY_END = 8, 18
NAME_WIDTH = 170


class FreeBusyChart(QWidget):
    """One row per person or room, five working days of 08:00-18:00 across."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.monday = date.today()
        self.rows: list[FreeBusyRow] = []
        self.slot: datetime | None = None
        self.slot_minutes = 60
        self.setMinimumHeight(200)

    def set_data(
        self, monday: date, rows: Sequence[FreeBusyRow], slot: datetime | None, minutes: int
    ) -> None:
        self.monday, self.rows, self.slot, self.slot_minutes = monday, list(rows), slot, minutes
        self.update()

    def _x(self, when: datetime) -> float:
        local = when.astimezone(LONDON)
        day = (local.date() - self.monday).days
        hours = local.hour + local.minute / 60
        hours = min(max(hours, DAY_START), DAY_END)
        width = (self.width() - NAME_WIDTH - 4) / 5
        return NAME_WIDTH + day * width + (hours - DAY_START) / (DAY_END - DAY_START) * width

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.fillRect(self.rect(), QColor("white"))
        width = (self.width() - NAME_WIDTH - 4) / 5
        row_h = 30
        small = QFont(self.font())
        small.setPointSizeF(max(self.font().pointSizeF() - 1, 7))
        p.setFont(small)
        for d in range(5):
            day = self.monday + timedelta(days=d)
            x = NAME_WIDTH + d * width
            p.setPen(QColor("#1f2933"))
            p.drawText(QRectF(x, 0, width, 20), Qt.AlignmentFlag.AlignCenter, f"{day:%a %d %b}")
            p.setPen(QPen(QColor("#dfe3e8")))
            p.drawLine(QPointF(x, 20), QPointF(x, 24 + row_h * max(len(self.rows), 1)))
            for h in range(DAY_START, DAY_END, 2):
                hx = x + (h - DAY_START) / (DAY_END - DAY_START) * width
                p.setPen(QColor("#9aa3ad"))
                p.drawText(QRectF(hx, 20, 30, 14), Qt.AlignmentFlag.AlignLeft, f"{h}")
        if not self.rows:
            p.setPen(QColor("#6b7785"))
            p.drawText(
                QRectF(0, 40, self.width(), 40),
                Qt.AlignmentFlag.AlignCenter,
                self.tr("Tick people and rooms to see when they are free."),
            )
        for i, row in enumerate(self.rows):
            y = 36 + i * row_h
            p.setPen(QColor("#1f2933"))
            p.drawText(
                QRectF(4, y, NAME_WIDTH - 8, row_h - 6), Qt.AlignmentFlag.AlignVCenter, row.name
            )
            p.fillRect(QRectF(NAME_WIDTH, y, width * 5, row_h - 6), QColor("#e8f5e9"))
            for block in row.blocks:
                a, b = self._x(block.start), self._x(block.end)
                if b > a:
                    p.fillRect(QRectF(a, y, b - a, row_h - 6), QColor("#1f4e9c"))
        if self.slot is not None:
            a = self._x(self.slot)
            b = self._x(self.slot + timedelta(minutes=self.slot_minutes))
            p.setPen(QPen(QColor("#f2a900"), 2))
            p.drawRect(QRectF(a, 30, max(b - a, 3), row_h * max(len(self.rows), 1)))
        p.end()


class FindTimeView(QWidget):
    """Choose people and rooms; the chart shows their week; "first free slot" suggests a time."""

    changed = Signal()
    slot_chosen = Signal(object, object)  # start, end: the page opens a new-event dialog

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.people = QListWidget()
        self.rooms = QListWidget()
        self.minutes = QSpinBox()
        self.minutes.setRange(15, 600)
        self.minutes.setSingleStep(15)
        self.minutes.setValue(60)
        self.minutes.setSuffix(self.tr(" minutes"))
        self.result = QLabel()
        self.result.setTextFormat(Qt.TextFormat.PlainText)
        self.book = QPushButton(self.tr("Book this slot…"))
        self.book.setEnabled(False)
        self.chart = FreeBusyChart()
        self.slot: datetime | None = None
        left = QVBoxLayout()
        for title, widget in (
            (self.tr("People"), self.people),
            (self.tr("Rooms and assets"), self.rooms),
        ):
            box = QGroupBox(title)
            QVBoxLayout(box).addWidget(widget)
            left.addWidget(box)
        right = QVBoxLayout()
        bar = QHBoxLayout()
        bar.addWidget(QLabel(self.tr("Meeting length")))
        bar.addWidget(self.minutes)
        bar.addWidget(self.result, 1)
        bar.addWidget(self.book)
        right.addLayout(bar)
        right.addWidget(self.chart, 1)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(left, 1)
        layout.addLayout(right, 3)
        self.people.itemChanged.connect(self._on_item_changed)
        self.rooms.itemChanged.connect(self._on_item_changed)
        self.minutes.valueChanged.connect(self._on_item_changed)
        self.book.clicked.connect(self._on_book_clicked)

    def set_choices(self, people: Sequence[Choice], rooms: Sequence[Choice]) -> None:
        for widget, items in ((self.people, people), (self.rooms, rooms)):
            ticked = set(self._ticked(widget))
            widget.blockSignals(True)
            widget.clear()
            for item in items:
                entry = QListWidgetItem(item.label, widget)
                entry.setData(Qt.ItemDataRole.UserRole, item.id)
                entry.setFlags(entry.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                entry.setCheckState(
                    Qt.CheckState.Checked if item.id in ticked else Qt.CheckState.Unchecked
                )
            widget.blockSignals(False)

    @staticmethod
    def _ticked(widget: QListWidget) -> list[str]:
        return [
            widget.item(i).data(Qt.ItemDataRole.UserRole)
            for i in range(widget.count())
            if widget.item(i).checkState() == Qt.CheckState.Checked
        ]

    def chosen(self) -> tuple[list[str], list[str]]:
        return self._ticked(self.people), self._ticked(self.rooms)

    def show_result(self, monday: date, rows: Sequence[FreeBusyRow], slot: datetime | None) -> None:
        self.slot = slot
        minutes = self.minutes.value()
        if not rows:
            self.result.setText("")
        elif slot is None:
            self.result.setText(self.tr("No common free slot this week (09:00–17:00)."))
        else:
            end = slot + timedelta(minutes=minutes)
            self.result.setText(
                self.tr("First free slot: %1").replace("%1", f"{slot:%a %d %b %H:%M}–{end:%H:%M}")
            )
        self.book.setEnabled(slot is not None)
        self.chart.set_data(monday, rows, slot, minutes)

    @Slot()
    def _on_item_changed(self) -> None:
        self.changed.emit()

    @Slot()
    def _on_book_clicked(self) -> None:
        if self.slot is not None:
            self.slot_chosen.emit(self.slot, self.slot + timedelta(minutes=self.minutes.value()))


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def week_window(monday: date) -> tuple[datetime, datetime]:
    return (
        datetime.combine(monday, time(0), LONDON),
        datetime.combine(monday + timedelta(days=7), time(0), LONDON),
    )
