"""The RAG history of one objective as a timeline: a band per dimension, coloured by the rating
it had from each assessment until the next, from the first assessment to today."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QWidget

from hescb_desktop.domain.dto import RagAssessmentDTO
from hescb_desktop.domain.enums import Rag, RagDimension
from hescb_desktop.ui.widgets.labels import enum_label
from hescb_desktop.ui.widgets.palette import rag_colour

ROWS = (
    RagDimension.OVERALL,
    RagDimension.TIME,
    RagDimension.COST,
    RagDimension.SCOPE,
    RagDimension.RESOURCES,
)
LABEL_W = 80
ROW_H = 18


class RagTimeline(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bands: dict[RagDimension, list[tuple[date, Rag]]] = {}
        self.start = self.end = date.today()
        self.setMinimumHeight(ROW_H * len(ROWS) + 22)

    def sizeHint(self) -> QSize:
        return QSize(600, ROW_H * len(ROWS) + 22)

    def set_history(self, history: Sequence[RagAssessmentDTO], today: date) -> None:
        self.bands = {d: [] for d in ROWS}
        for h in sorted(history, key=lambda h: (h.assessed_on, h.created_at or 0, h.id)):
            self.bands.setdefault(h.dimension, []).append((h.assessed_on, h.rating))
        days = [h.assessed_on for h in history]
        self.start = min(days, default=today)
        self.end = max(today, max(days, default=today))
        self.update()

    def _x(self, day: date, width: float) -> float:
        span = max((self.end - self.start).days, 1)
        return LABEL_W + (width - LABEL_W - 8) * (day - self.start).days / span

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        width = float(self.width())
        for row, dim in enumerate(ROWS):
            y = row * ROW_H
            p.setPen(QColor("#1d2430"))
            p.drawText(
                QRectF(0, y, LABEL_W - 6, ROW_H),
                int(Qt.AlignmentFlag.AlignVCenter),
                enum_label(dim),
            )
            band = self.bands.get(dim, [])
            for n, (day, rating) in enumerate(band):
                until = band[n + 1][0] if n + 1 < len(band) else self.end
                x0, x1 = self._x(day, width), self._x(until, width)
                p.fillRect(QRectF(x0, y + 3, max(x1 - x0, 3), ROW_H - 6), rag_colour(rating))
        p.setPen(QPen(QColor("#56606e")))
        base = len(ROWS) * ROW_H + 2
        p.drawText(
            QRectF(LABEL_W, base, 200, 18),
            int(Qt.AlignmentFlag.AlignLeft),
            f"{self.start:%d %b %Y}",
        )
        p.drawText(
            QRectF(width - 208, base, 200, 18),
            int(Qt.AlignmentFlag.AlignRight),
            f"{self.end:%d %b %Y}",
        )
        p.end()
