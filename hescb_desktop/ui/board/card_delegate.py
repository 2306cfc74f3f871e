"""Paints an objective as a card: the lead partner's colour down the left, title, RAG and lead."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from hescb_desktop.ui.board.card_model import BoardCard
from hescb_desktop.ui.widgets.labels import format_date, rag_label
from hescb_desktop.ui.widgets.palette import partner_colour, rag_colour
from hescb_desktop.ui.widgets.row_model import ROW_ROLE

CARD_HEIGHT = 96
FOOTER = 22
MARGIN = 5
STRIPE = 5


class CardDelegate(QStyledItemDelegate):
    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        return QSize(option.rect.width(), CARD_HEIGHT)

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        card: BoardCard = index.data(ROW_ROLE)
        rect = QRectF(option.rect.adjusted(MARGIN, MARGIN, -MARGIN, 0))
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        self._paint_frame(painter, rect, partner_colour(card.lead_code), selected)
        text_rect = rect.adjusted(STRIPE + 10, 8, -10, -8).toRect()
        self._paint_title(painter, text_rect, card, option.font)
        self._paint_footer(painter, text_rect, card, option.font)
        painter.restore()

    def _paint_frame(self, p: QPainter, rect: QRectF, lead: QColor, selected: bool) -> None:
        path = QPainterPath()
        path.addRoundedRect(rect, 6, 6)
        p.setPen(QPen(QColor("#1f4e9c") if selected else QColor("#d5dae1"), 1.5 if selected else 1))
        p.fillPath(path, QColor("#ffffff"))
        p.drawPath(path)
        p.setClipPath(path)
        p.fillRect(QRectF(rect.left(), rect.top(), STRIPE, rect.height()), lead)
        p.setClipping(False)

    def _paint_title(self, p: QPainter, rect: QRect, card: BoardCard, base: QFont) -> None:
        font = QFont(base)
        font.setBold(True)
        p.setFont(font)
        p.setPen(QColor("#1d2430"))
        title_rect = QRect(rect.left(), rect.top(), rect.width(), rect.height() - FOOTER)
        flags = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap
        p.save()
        p.setClipRect(title_rect)  # a long title loses its last line, never covers the footer
        p.drawText(title_rect, int(flags), card.title)
        p.restore()

    def _paint_footer(self, p: QPainter, rect: QRect, card: BoardCard, base: QFont) -> None:
        p.setFont(base)
        y = rect.bottom() - 14
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(rag_colour(card.rag))
        p.drawEllipse(QRectF(rect.left(), y + 2, 10, 10))
        p.setPen(QColor("#56606e"))
        parts = [rag_label(card.rag)]
        if card.lead_code:
            parts.append(card.lead_code)
        if card.target:
            parts.append(format_date(card.target))
        if card.sensitive:
            parts.append("OFFICIAL-SENSITIVE")
        footer = QRect(rect.left() + 16, y, rect.width() - 16, 16)
        text = QFontMetrics(base).elidedText(
            " · ".join(parts), Qt.TextElideMode.ElideRight, footer.width()
        )
        p.drawText(
            footer,
            int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
            text,
        )
