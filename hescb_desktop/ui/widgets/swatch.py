"""Small round colour dots used as item decorations (partner colours, RAG ratings)."""

from __future__ import annotations

from functools import lru_cache

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap


@lru_cache(maxsize=64)
def _dot(rgb: str, size: int) -> QIcon:
    pixmap = QPixmap(size * 2, size * 2)  # drawn at 2x, crisp on high-DPI screens
    pixmap.setDevicePixelRatio(2.0)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(rgb))
    painter.drawEllipse(1, 1, size - 2, size - 2)
    painter.end()
    return QIcon(pixmap)


def colour_dot(colour: QColor, size: int = 12) -> QIcon:
    """A filled circle of `colour` (cached: models ask for these on every repaint)."""
    return _dot(colour.name(), size)
