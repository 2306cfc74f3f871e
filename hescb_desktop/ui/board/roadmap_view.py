"""The roadmap on screen: quarters across, one row per objective (bar from start to target in
its overall RAG colour, lead colour at the left, milestones as diamonds), a today line and the
dependencies drawn as arrows from the end of one bar to the start of the next."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPen,
    QPolygonF,
    QResizeEvent,
)
from PySide6.QtWidgets import QScrollArea, QWidget

from hescb_desktop.domain.roadmap import Roadmap
from hescb_desktop.ui.widgets.palette import partner_colour, rag_colour

LABEL_W = 300
MIN_QUARTER_W = 56
ROW_H = 36
HEAD_H = 40


class RoadmapCanvas(QWidget):
    row_activated = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.roadmap: Roadmap | None = None
        self.scale = 1.0
        self.quarter_w = 130.0

    def set_roadmap(self, roadmap: Roadmap, scale: float = 1.0) -> None:
        self.roadmap, self.scale = roadmap, scale
        self.setFixedSize(self.sizeHint())
        self.update()

    def sizeHint(self) -> QSize:
        if self.roadmap is None:
            return QSize(600, 200)
        s = self.scale
        return QSize(
            int((LABEL_W + self.quarter_w * len(self.roadmap.quarters)) * s) + 20,
            int((HEAD_H + ROW_H * max(len(self.roadmap.rows), 1)) * s) + 20,
        )

    def _x(self, fraction: float) -> float:
        assert self.roadmap is not None
        s = self.scale
        return LABEL_W * s + fraction * self.quarter_w * s * len(self.roadmap.quarters)

    def today_x(self) -> float:
        return self._x(self.roadmap.fraction(self.roadmap.today)) if self.roadmap else 0.0

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        if self.roadmap is None:
            return
        row = int((event.position().y() - HEAD_H * self.scale) // (ROW_H * self.scale))
        if 0 <= row < len(self.roadmap.rows):
            self.row_activated.emit(self.roadmap.rows[row].card.id)

    def paintEvent(self, event: QPaintEvent) -> None:
        if self.roadmap is None:
            return
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.fillRect(self.rect(), QColor("#ffffff"))
        font = QFont(self.font())
        font.setPointSizeF(max(font.pointSizeF(), 9) * self.scale)
        p.setFont(font)
        self._axis(p)
        p.setFont(font)
        for n in range(len(self.roadmap.rows)):
            self._row(p, n)
        self._links(p)
        self._today(p)
        p.end()

    def _axis(self, p: QPainter) -> None:
        assert self.roadmap is not None
        s, height = self.scale, float(self.height())
        bold = QFont(p.font())
        bold.setBold(True)
        for n, q in enumerate(self.roadmap.quarters):
            x = self._x(n / len(self.roadmap.quarters))
            if n % 2:
                p.fillRect(QRectF(x, HEAD_H * s, self.quarter_w * s, height), QColor("#f4f6f9"))
            p.setPen(QColor("#c9cfd8"))
            p.drawLine(QPointF(x, 0), QPointF(x, height))
            p.setPen(QColor("#1d2430"))
            p.setFont(bold)
            label = q.label if self.quarter_w * s >= 96 else q.label.replace(" ", "\n")
            box = QRectF(x, 0, self.quarter_w * s, HEAD_H * s)
            p.drawText(box, int(Qt.AlignmentFlag.AlignCenter), label)

    def _row(self, p: QPainter, n: int) -> None:
        assert self.roadmap is not None
        s = self.scale
        row = self.roadmap.rows[n]
        top = (HEAD_H + n * ROW_H) * s
        lead = partner_colour(row.card.lead_code, row.card.lead_colour)
        p.fillRect(QRectF(4, top + 6 * s, 6 * s, (ROW_H - 12) * s), lead)
        p.setPen(QColor("#1d2430"))
        label = QRectF(16 * s, top, (LABEL_W - 24) * s, ROW_H * s)
        text = QFontMetrics(p.font()).elidedText(
            row.card.title, Qt.TextElideMode.ElideRight, int(label.width())
        )
        p.drawText(label, int(Qt.AlignmentFlag.AlignVCenter), text)
        x0 = self._x(self.roadmap.fraction(row.start))
        x1 = max(self._x(self.roadmap.fraction(row.end)), x0 + 4)
        bar = QRectF(x0, top + 9 * s, x1 - x0, (ROW_H - 18) * s)
        colour = QColor(rag_colour(row.card.rag))
        colour.setAlpha(200)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(colour)
        p.drawRoundedRect(bar, 4, 4)
        for m in row.milestones:
            assert m.due_date is not None
            self._diamond(
                p, self._x(self.roadmap.fraction(m.due_date)), top + ROW_H * s / 2, m.done
            )
        p.setPen(QColor("#e1e5eb"))
        p.drawLine(QPointF(0, top + ROW_H * s), QPointF(self.width(), top + ROW_H * s))

    def _diamond(self, p: QPainter, x: float, y: float, done: bool) -> None:
        r = 7 * self.scale
        shape = QPolygonF(
            [QPointF(x, y - r), QPointF(x + r, y), QPointF(x, y + r), QPointF(x - r, y)]
        )
        p.setPen(QPen(QColor("#1d2430"), 1.2))
        p.setBrush(QColor("#1d2430") if done else QColor("#ffffff"))
        p.drawPolygon(shape)

    def _links(self, p: QPainter) -> None:
        assert self.roadmap is not None
        s = self.scale
        p.setPen(QPen(QColor("#3d4654"), 1.4 * s))
        p.setBrush(Qt.BrushStyle.NoBrush)
        for src, dst in self.roadmap.links:
            a, b = self.roadmap.rows[src], self.roadmap.rows[dst]
            start = QPointF(
                self._x(self.roadmap.fraction(a.end)), (HEAD_H + (src + 0.5) * ROW_H) * s
            )
            end = QPointF(
                self._x(self.roadmap.fraction(b.start)), (HEAD_H + (dst + 0.5) * ROW_H) * s
            )
            path = QPainterPath(start)
            bend = max(24 * s, abs(end.x() - start.x()) / 2)
            path.cubicTo(start + QPointF(bend, 0), end - QPointF(bend, 0), end)
            p.drawPath(path)
            head = 6 * s
            p.setBrush(QColor("#3d4654"))
            p.drawPolygon(
                QPolygonF(
                    [end, end + QPointF(-head, -head / 1.6), end + QPointF(-head, head / 1.6)]
                )
            )
            p.setBrush(Qt.BrushStyle.NoBrush)

    def _today(self, p: QPainter) -> None:
        assert self.roadmap is not None
        x = self._x(self.roadmap.fraction(self.roadmap.today))
        p.setPen(QPen(QColor("#c8102e"), 2 * self.scale, Qt.PenStyle.DashLine))
        p.drawLine(QPointF(x, HEAD_H * self.scale - 4), QPointF(x, self.height()))
        p.drawText(
            QRectF(x + 4, HEAD_H * self.scale - 2, 80, 16),
            int(Qt.AlignmentFlag.AlignLeft),
            self.tr("Today"),
        )


class RoadmapView(QScrollArea):
    """The canvas fitted to the width shown (quarters never narrower than MIN_QUARTER_W), so
    the objective names, today and the whole programme are in view together."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.canvas = RoadmapCanvas()
        self.setWidget(self.canvas)
        self.setWidgetResizable(False)
        self._roadmap: Roadmap | None = None
        self._scale = 1.0

    def set_roadmap(self, roadmap: Roadmap, scale: float = 1.0) -> None:
        self._roadmap, self._scale = roadmap, scale
        self._fit()

    def _fit(self) -> None:
        if self._roadmap is None:
            return
        s = self._scale
        free = self.viewport().width() - (LABEL_W + 20) * s
        self.canvas.quarter_w = max(MIN_QUARTER_W, free / s / len(self._roadmap.quarters))
        self.canvas.set_roadmap(self._roadmap, s)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit()
