"""The calendar's painted views: the day/week time grid (drag to create, move and resize) and the
month grid. Both show occurrences given to them; the page does the loading and the saving."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from PySide6.QtCore import QEvent, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetrics,
    QHelpEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
)
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from hescb_desktop.domain.calendar import Occurrence, Placed, all_day_rows, layout_days, month_grid
from hescb_desktop.domain.recurrence import LONDON
from hescb_desktop.ui.widgets.palette import partner_colour

SNAP = 15  # minutes
GUTTER = 54
HEADER = 36
ALL_DAY_ROW = 20
GRID_LINE = QColor("#dfe3e8")
HALF_LINE = QColor("#eef1f4")
WEEKEND = QColor("#f6f7f9")
TODAY = QColor("#fff8e1")
NOW_LINE = QColor("#d32f2f")
TEXT = QColor("#1f2933")
MUTED = QColor("#6b7785")


def occurrence_colour(occ: Occurrence) -> QColor:
    if occ.masked:
        return QColor("#9aa3ad")
    return partner_colour(occ.organisation_code, occ.colour)


def occurrence_tip(occ: Occurrence) -> str:
    """An event's whole title, time, place and calendar: the tooltip of its (often cut) box."""
    when = "All day" if occ.all_day else f"{occ.start:%H:%M}–{occ.end:%H:%M}"
    lines = [occ.summary, when, occ.location, occ.calendar]
    return "\n".join(line for line in lines if line)


def show_tip(widget: QWidget, event: QEvent, text: str) -> bool:
    """Show `text` (plain) as the tooltip at a help event; hide any tooltip when empty."""
    assert isinstance(event, QHelpEvent)
    if text:
        QToolTip.showText(event.globalPos(), text, widget)
    else:
        QToolTip.hideText()
        event.ignore()
    return True


def _snap(minutes: float) -> int:
    return int(round(minutes / SNAP) * SNAP)


@dataclass
class _Drag:
    """A drag in progress: creating (no occurrence), moving or resizing one."""

    mode: str  # "create", "move" or "resize"
    origin: QPointF
    start: datetime
    end: datetime
    occ: Occurrence | None = None
    day: date | None = None
    anchor: int = 0


class TimeGrid(QWidget):
    """Days side by side, hours down; all-day events in a band at the top."""

    create_requested = Signal(object, object, bool)  # start, end (aware London), all day
    edit_requested = Signal(object)  # Occurrence
    move_requested = Signal(object, object, object)  # Occurrence, new start, new end
    selection_changed = Signal(object)  # Occurrence | None

    def __init__(self, now: Callable[[], datetime], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.now = now
        self.days: list[date] = [date.today()]
        self.occurrences: list[Occurrence] = []
        self.placed: dict[date, list[Placed]] = {}
        self.banner: list[list[Occurrence]] = []
        self.first_hour, self.last_hour = 7, 20
        self.selected: Occurrence | None = None
        self._drag: _Drag | None = None
        # whether the person may change this occurrence (None: add one); set by the page from
        # the rules (domain/permissions.py): what they may not change does not start a drag
        self.allows: Callable[[Occurrence | None], bool] = lambda _occ: True
        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumHeight(420)

    # ------------------------------------------------------------------ data
    def set_data(self, days: Sequence[date], occurrences: Sequence[Occurrence]) -> None:
        self.days = list(days)
        self.occurrences = list(occurrences)
        self.placed = layout_days(self.occurrences, self.days)
        self.banner = all_day_rows(self.occurrences, self.days)
        first, last = 7, 20
        for items in self.placed.values():
            for p in items:
                first = min(first, int(p.top // 60))
                last = max(last, math.ceil(p.bottom / 60))
        self.first_hour, self.last_hour = first, min(last, 24)
        if self.selected is not None:
            self.selected = next((o for o in self.occurrences if o.key == self.selected.key), None)
        self.update()

    # ------------------------------------------------------------------ geometry
    @property
    def band_height(self) -> float:
        return max(len(self.banner), 1) * ALL_DAY_ROW + 6

    @property
    def grid_top(self) -> float:
        return HEADER + self.band_height

    @property
    def hour_height(self) -> float:
        return max(
            (self.height() - self.grid_top - 2) / max(self.last_hour - self.first_hour, 1), 18.0
        )

    @property
    def column_width(self) -> float:
        return (self.width() - GUTTER - 1) / max(len(self.days), 1)

    def column_x(self, index: int) -> float:
        return GUTTER + index * self.column_width

    def y_of(self, minutes: float) -> float:
        return self.grid_top + (minutes / 60 - self.first_hour) * self.hour_height

    def minutes_at(self, y: float) -> float:
        return ((y - self.grid_top) / self.hour_height + self.first_hour) * 60

    def day_at(self, x: float) -> date | None:
        if x < GUTTER:
            return None
        index = int((x - GUTTER) // self.column_width)
        return self.days[index] if 0 <= index < len(self.days) else None

    def rect_of(self, placed: Placed) -> QRectF:
        col = self.days.index(placed.day)
        width = self.column_width / placed.lanes
        x = self.column_x(col) + placed.lane * width
        top, bottom = self.y_of(placed.top), self.y_of(placed.bottom)
        return QRectF(x + 1, top + 1, width - 3, max(bottom - top - 2, 12))

    def banner_rect(self, row: int, occ: Occurrence) -> QRectF:
        first = max(occ.first_day, self.days[0])
        last = min(occ.last_day, self.days[-1])
        a, b = self.days.index(first), self.days.index(last)
        return QRectF(
            self.column_x(a) + 2,
            HEADER + 3 + row * ALL_DAY_ROW,
            (b - a + 1) * self.column_width - 4,
            ALL_DAY_ROW - 3,
        )

    def point_of(self, occ: Occurrence) -> QPointF:
        """The centre of an occurrence's box on screen (tests drag from here)."""
        for items in self.placed.values():
            for p in items:
                if p.occurrence.key == occ.key:
                    return self.rect_of(p).center()
        for row, band in enumerate(self.banner):
            for o in band:
                if o.key == occ.key:
                    return self.banner_rect(row, o).center()
        raise KeyError(occ.key)

    def point_at(self, day: date, hour: int, minute: int = 0) -> QPointF:
        col = self.days.index(day)
        return QPointF(
            self.column_x(col) + self.column_width / 2, self.y_of(hour * 60 + minute) + 1
        )

    def hit(self, pos: QPointF) -> tuple[Occurrence | None, bool]:
        """The occurrence under `pos` and whether the point is on its resize edge."""
        for items in self.placed.values():
            for p in reversed(items):
                rect = self.rect_of(p)
                if rect.contains(pos):
                    return p.occurrence, pos.y() > rect.bottom() - 6
        for row, band in enumerate(self.banner):
            for o in band:
                if self.banner_rect(row, o).contains(pos):
                    return o, False
        return None, False

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            return show_tip(self, event, self.tip_at(QPointF(event.pos())))
        return super().event(event)

    def tip_at(self, pos: QPointF) -> str:
        """The whole title, time and place of the event box under `pos` ("" if none)."""
        occ, _edge = self.hit(pos)
        return occurrence_tip(occ) if occ is not None else ""

    def _at(self, day: date, minutes: int) -> datetime:
        minutes = max(0, min(minutes, 24 * 60))
        return datetime.combine(day, time(0), LONDON) + timedelta(minutes=minutes)

    # ------------------------------------------------------------------ mouse
    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            return
        pos = event.position()
        occ, edge = self.hit(pos)
        self.selected = occ
        self.selection_changed.emit(occ)
        day = self.day_at(pos.x())
        if occ is not None and not occ.all_day and not occ.read_only and self.allows(occ):
            mode = "resize" if edge else "move"
            self._drag = _Drag(mode, pos, occ.start, occ.end, occ=occ)
        elif occ is None and day is not None and pos.y() > self.grid_top and self.allows(None):
            minute = _snap(self.minutes_at(pos.y()) - SNAP / 2)
            start = self._at(day, minute)
            self._drag = _Drag(
                "create", pos, start, self._at(day, minute + SNAP), day=day, anchor=minute
            )
        else:
            self._drag = None
        self.update()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        pos = event.position()
        drag = self._drag
        if drag is None:
            occ, edge = self.hit(pos)
            shape = (
                Qt.CursorShape.SizeVerCursor
                if edge and occ and not occ.read_only and self.allows(occ)
                else Qt.CursorShape.ArrowCursor
            )
            self.setCursor(shape)
            return
        if drag.occ is None:
            assert drag.day is not None
            here = _snap(self.minutes_at(pos.y()))
            lo, hi = min(drag.anchor, here), max(drag.anchor, here)
            drag.start, drag.end = self._at(drag.day, lo), self._at(drag.day, max(hi, lo + SNAP))
        else:
            occ = drag.occ
            delta_min = _snap((pos.y() - drag.origin.y()) / self.hour_height * 60)
            if drag.mode == "resize":
                end = occ.end + timedelta(minutes=delta_min)
                drag.end = max(end, occ.start + timedelta(minutes=SNAP))
            else:
                origin_day = self.day_at(drag.origin.x()) or occ.first_day
                new_day = self.day_at(pos.x()) or origin_day
                shift = timedelta(days=(new_day - origin_day).days, minutes=delta_min)
                drag.start = _wall_shift(occ.start, shift)
                drag.end = drag.start + (occ.end - occ.start)
        self.update()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        drag, self._drag = self._drag, None
        if drag is None or event.button() != Qt.MouseButton.LeftButton:
            return
        moved = (event.position() - drag.origin).manhattanLength() > 4
        if drag.occ is None:
            if moved:
                self.create_requested.emit(drag.start, drag.end, False)
        elif moved and (drag.start, drag.end) != (drag.occ.start, drag.occ.end):
            self.move_requested.emit(drag.occ, drag.start, drag.end)
        self.update()

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        pos = event.position()
        self._drag = None
        occ, _ = self.hit(pos)
        if occ is not None:
            self.edit_requested.emit(occ)
            return
        day = self.day_at(pos.x())
        if day is None:
            return
        if pos.y() < self.grid_top:
            start = datetime.combine(day, time(0), LONDON)
            self.create_requested.emit(start, start + timedelta(days=1), True)
        else:
            minute = _snap(self.minutes_at(pos.y()) - SNAP / 2)
            start = self._at(day, minute)
            self.create_requested.emit(start, start + timedelta(hours=1), False)

    # ------------------------------------------------------------------ painting
    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.fillRect(self.rect(), QColor("white"))
        today = self.now().astimezone(LONDON).date()
        width = self.column_width
        bottom = self.y_of(self.last_hour * 60)
        for i, day in enumerate(self.days):
            x = self.column_x(i)
            if day == today:
                p.fillRect(QRectF(x, 0, width, bottom), TODAY)
            elif day.weekday() >= 5:
                p.fillRect(QRectF(x, 0, width, bottom), WEEKEND)
        self._paint_header(p, today)
        p.setPen(QPen(GRID_LINE))
        p.drawLine(QPointF(GUTTER, self.grid_top), QPointF(self.width(), self.grid_top))
        small = QFont(self.font())
        small.setPointSizeF(max(self.font().pointSizeF() - 1, 7))
        p.setFont(small)
        for hour in range(self.first_hour, self.last_hour + 1):
            y = self.y_of(hour * 60)
            p.setPen(QPen(GRID_LINE))
            p.drawLine(QPointF(GUTTER - 4, y), QPointF(self.width(), y))
            if hour < self.last_hour:
                p.setPen(QPen(HALF_LINE, 1, Qt.PenStyle.DotLine))
                half = self.y_of(hour * 60 + 30)
                p.drawLine(QPointF(GUTTER, half), QPointF(self.width(), half))
                p.setPen(MUTED)
                p.drawText(
                    QRectF(0, y - 2, GUTTER - 8, 16), Qt.AlignmentFlag.AlignRight, f"{hour:02d}:00"
                )
        p.setPen(QPen(GRID_LINE))
        for i in range(len(self.days) + 1):
            x = self.column_x(i)
            p.drawLine(QPointF(x, 0), QPointF(x, bottom))
        for row, band in enumerate(self.banner):
            for occ in band:
                self._paint_box(p, self.banner_rect(row, occ), occ, occ.summary, small)
        for items in self.placed.values():
            for placed in items:
                occ = placed.occurrence
                if self._drag is not None and self._drag.occ is occ:
                    continue
                text = f"{occ.start:%H:%M} {occ.summary}"
                if occ.location and placed.bottom - placed.top >= 60:
                    text += f"\n{occ.location}"
                self._paint_box(p, self.rect_of(placed), occ, text, small)
        self._paint_drag(p, small)
        self._paint_now(p, today)
        p.end()

    def _paint_header(self, p: QPainter, today: date) -> None:
        bold = QFont(self.font())
        bold.setBold(True)
        for i, day in enumerate(self.days):
            rect = QRectF(self.column_x(i), 0, self.column_width, HEADER)
            p.setFont(bold if day == today else self.font())
            p.setPen(NOW_LINE if day == today else TEXT)
            label = (
                f"{day:%a} {day.day}" if self.column_width < 140 else f"{day:%A} {day.day} {day:%b}"
            )
            p.drawText(rect, Qt.AlignmentFlag.AlignCenter, label)
        p.setFont(self.font())
        p.setPen(MUTED)
        p.drawText(
            QRectF(0, HEADER, GUTTER - 6, ALL_DAY_ROW),
            Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
            self.tr("all day"),
        )

    def _paint_box(
        self, p: QPainter, rect: QRectF, occ: Occurrence, text: str, font: QFont
    ) -> None:
        colour = occurrence_colour(occ)
        fill = QColor(colour)
        fill.setAlpha(46 if not occ.masked else 70)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QBrush(QColor("white")))
        p.drawRoundedRect(rect, 3, 3)
        p.setBrush(QBrush(fill))
        if occ.masked:
            p.setBrush(QBrush(fill, Qt.BrushStyle.BDiagPattern))
        p.drawRoundedRect(rect, 3, 3)
        p.setBrush(QBrush(colour))
        p.drawRect(QRectF(rect.left(), rect.top(), 3, rect.height()))
        if self.selected is not None and self.selected.key == occ.key:
            p.setPen(QPen(colour.darker(130), 2))
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.drawRoundedRect(rect.adjusted(1, 1, -1, -1), 3, 3)
        p.setFont(font)
        p.setPen(TEXT)
        inner = rect.adjusted(6, 1, -2, -1)
        metrics = QFontMetrics(font)
        lines = []
        for line in text.split("\n"):
            lines.append(metrics.elidedText(line, Qt.TextElideMode.ElideRight, int(inner.width())))
        p.drawText(
            inner,
            int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap),
            "\n".join(lines),
        )

    def _paint_drag(self, p: QPainter, font: QFont) -> None:
        drag = self._drag
        if drag is None:
            return
        start, end = drag.start, drag.end
        day = start.astimezone(LONDON).date()
        if day not in self.days:
            return
        midnight = datetime.combine(day, time(0), LONDON)
        top = (start - midnight).total_seconds() / 60
        bottom = (end - midnight).total_seconds() / 60
        col = self.days.index(day)
        rect = QRectF(
            self.column_x(col) + 2,
            self.y_of(top),
            self.column_width - 4,
            self.y_of(bottom) - self.y_of(top),
        )
        colour = QColor("#1f4e9c") if drag.occ is None else occurrence_colour(drag.occ)
        fill = QColor(colour)
        fill.setAlpha(90)
        p.setPen(QPen(colour, 1, Qt.PenStyle.DashLine))
        p.setBrush(fill)
        p.drawRoundedRect(rect, 3, 3)
        p.setPen(TEXT)
        p.setFont(font)
        p.drawText(
            rect.adjusted(6, 2, -2, -2),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop,
            f"{start:%H:%M}–{end:%H:%M}",
        )

    def _paint_now(self, p: QPainter, today: date) -> None:
        if today not in self.days:
            return
        now = self.now().astimezone(LONDON)
        minutes = now.hour * 60 + now.minute
        if not self.first_hour * 60 <= minutes <= self.last_hour * 60:
            return
        col = self.days.index(today)
        y = self.y_of(minutes)
        p.setPen(QPen(NOW_LINE, 2))
        p.drawLine(
            QPointF(self.column_x(col), y), QPointF(self.column_x(col) + self.column_width, y)
        )
        p.setBrush(NOW_LINE)
        p.drawEllipse(QPointF(self.column_x(col), y), 4, 4)


def _wall_shift(start: datetime, shift: timedelta) -> datetime:
    """Move by whole days and minutes of wall-clock time (a drag across a clock change)."""
    local = start.astimezone(LONDON).replace(tzinfo=None) + shift
    return local.replace(tzinfo=LONDON)


class MonthGrid(QWidget):
    """Six weeks of a month, Monday first; each day lists its events as coloured lines."""

    day_activated = Signal(object)  # date (double-click on the day)
    edit_requested = Signal(object)  # Occurrence
    day_selected = Signal(object)

    def __init__(self, now: Callable[[], datetime], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.now = now
        self.anchor = date.today()
        self.days = month_grid(self.anchor)
        self.by_day: dict[date, list[Occurrence]] = {}
        self.selected_day = self.anchor
        self._lines: list[tuple[QRectF, Occurrence]] = []
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMinimumHeight(420)

    def set_data(self, anchor: date, occurrences: Sequence[Occurrence]) -> None:
        self.anchor = anchor
        self.selected_day = anchor
        self.days = month_grid(anchor)
        self.by_day = {d: [] for d in self.days}
        for occ in occurrences:
            for day in occ.days():
                if day in self.by_day:
                    self.by_day[day].append(occ)
        for items in self.by_day.values():
            items.sort(key=lambda o: (not o.all_day, o.start, o.summary))
        self.update()

    def cell(self, index: int) -> QRectF:
        width = (self.width() - 1) / 7
        height = (self.height() - HEADER / 1.5 - 1) / 6
        return QRectF((index % 7) * width, HEADER / 1.5 + (index // 7) * height, width, height)

    def day_at(self, pos: QPointF) -> date | None:
        for i, day in enumerate(self.days):
            if self.cell(i).contains(pos):
                return day
        return None

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            return show_tip(self, event, self.tip_at(QPointF(event.pos())))
        return super().event(event)

    def tip_at(self, pos: QPointF) -> str:
        """An event line's whole text; on a day's "+N more", every event of that day."""
        for rect, occ in self._lines:
            if rect.contains(pos):
                return occurrence_tip(occ)
        day = self.day_at(pos)
        if day is None:
            return ""
        items = self.by_day.get(day, [])
        cell = self.cell(self.days.index(day))
        if sum(1 for rect, _occ in self._lines if cell.contains(rect.center())) >= len(items):
            return ""
        return "\n".join(
            occ.summary if occ.all_day else f"{occ.start:%H:%M} {occ.summary}" for occ in items
        )

    def mousePressEvent(self, event: QMouseEvent) -> None:
        day = self.day_at(event.position())
        if day is not None:
            self.selected_day = day
            self.day_selected.emit(day)
            self.update()

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        for rect, occ in self._lines:
            if rect.contains(event.position()):
                self.edit_requested.emit(occ)
                return
        day = self.day_at(event.position())
        if day is not None:
            self.day_activated.emit(day)

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.fillRect(self.rect(), QColor("white"))
        today = self.now().astimezone(LONDON).date()
        small = QFont(self.font())
        small.setPointSizeF(max(self.font().pointSizeF() - 1, 7))
        metrics = QFontMetrics(small)
        line_h = metrics.height() + 2
        width = (self.width() - 1) / 7
        p.setPen(MUTED)
        for i, name in enumerate(
            ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
        ):
            p.drawText(
                QRectF(i * width, 0, width, HEADER / 1.5),
                Qt.AlignmentFlag.AlignCenter,
                name if width > 90 else name[:3],
            )
        self._lines = []
        for i, day in enumerate(self.days):
            rect = self.cell(i)
            other_month = day.month != self.anchor.month
            if day == today:
                p.fillRect(rect, TODAY)
            elif other_month or day.weekday() >= 5:
                p.fillRect(rect, WEEKEND)
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.setPen(QPen(GRID_LINE))
            p.drawRect(rect)
            if day == self.selected_day:
                p.setPen(QPen(QColor("#1f4e9c"), 2))
                p.drawRect(rect.adjusted(1, 1, -1, -1))
            p.setFont(small)
            p.setPen(NOW_LINE if day == today else (MUTED if other_month else TEXT))
            p.drawText(
                rect.adjusted(4, 2, -4, 0),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop,
                str(day.day),
            )
            y = rect.top() + line_h + 2
            items = self.by_day.get(day, [])
            room = int((rect.bottom() - y) // line_h)
            shown = items if len(items) <= room else items[: max(room - 1, 0)]
            for occ in shown:
                line = QRectF(rect.left() + 3, y, rect.width() - 6, line_h - 1)
                colour = occurrence_colour(occ)
                if occ.all_day:
                    fill = QColor(colour)
                    fill.setAlpha(60)
                    p.fillRect(line, fill)
                    text = occ.summary
                else:
                    p.setBrush(colour)
                    p.setPen(Qt.PenStyle.NoPen)
                    p.drawEllipse(QPointF(line.left() + 4, line.center().y()), 3, 3)
                    text = f"{occ.start:%H:%M} {occ.summary}"
                p.setPen(TEXT)
                p.drawText(
                    line.adjusted(10, 0, 0, 0),
                    Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                    metrics.elidedText(text, Qt.TextElideMode.ElideRight, int(line.width() - 12)),
                )
                self._lines.append((line, occ))
                y += line_h
            if len(shown) < len(items):
                p.setPen(MUTED)
                p.drawText(
                    QRectF(rect.left() + 6, y, rect.width() - 8, line_h),
                    Qt.AlignmentFlag.AlignLeft,
                    self.tr("+%1 more").replace("%1", str(len(items) - len(shown))),
                )
        p.end()
