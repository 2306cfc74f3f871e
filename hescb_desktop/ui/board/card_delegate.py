"""Paints an objective as a card that reads across a meeting room.

The lead partner's colour runs down the left edge and labels the lead; the overall RAG is a
pill with its word in it (never colour alone); then the senior responsible officer, the next
milestone and its date (red when past), open and overdue action counts, and the marking when
the objective is OFFICIAL-SENSITIVE. `scale` enlarges everything for a projector.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from hescb_desktop.domain.board import BoardCard
from hescb_desktop.domain.enums import Rag
from hescb_desktop.ui.widgets.labels import counted, format_date, rag_label
from hescb_desktop.ui.widgets.palette import OVERDUE_TEXT, partner_colour, rag_colour
from hescb_desktop.ui.widgets.row_model import ROW_ROLE

MARGIN = 5
STRIPE = 7
PAD = 10
TEXT = QColor("#1d2430")
MUTED = QColor("#4a5362")
SENSITIVE = QColor("#8a1c1c")


class CardDelegate(QStyledItemDelegate):
    def __init__(self, parent: QWidget | None = None, today: date | None = None) -> None:
        super().__init__(parent)
        self.scale = 1.0
        self.today = today or date.today()

    def _font(self, base: QFont, factor: float = 1.0, bold: bool = False) -> QFont:
        font = QFont(base)
        size = base.pointSizeF() if base.pointSizeF() > 0 else 10.0
        font.setPointSizeF(size * self.scale * factor)
        font.setBold(bold)
        return font

    def _line(self, base: QFont) -> int:
        return QFontMetrics(self._font(base)).height() + 3

    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        title = QFontMetrics(self._font(option.font, 1.1, True)).height()
        height = 2 * title + 4 * self._line(option.font) + 2 * PAD + MARGIN + 4
        return QSize(160, height)  # a list view paints each card across its whole width

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        card: BoardCard = index.data(ROW_ROLE)
        rect = QRectF(option.rect.adjusted(MARGIN, MARGIN, -MARGIN, 0))
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        lead = partner_colour(card.lead_code, card.lead_colour)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        self._frame(painter, rect, lead, selected, card.is_workstream)
        inner = rect.adjusted(STRIPE + PAD, PAD, -PAD, -PAD).toRect()
        y = self._title(painter, inner, card, option.font)
        y = self._chips(painter, inner, y, card, lead, option.font)
        y = self._text(painter, inner, y, self._sro(card), MUTED, option.font)
        y = self._milestone(painter, inner, y, card, option.font)
        self._footer(painter, inner, y, card, option.font)
        painter.restore()

    def _frame(
        self, p: QPainter, rect: QRectF, lead: QColor, selected: bool, workstream: bool
    ) -> None:
        path = QPainterPath()
        path.addRoundedRect(rect, 6, 6)
        p.setPen(QPen(QColor("#1f4e9c") if selected else QColor("#c9cfd8"), 2.5 if selected else 1))
        p.fillPath(path, QColor("#f3f6fa" if workstream else "#ffffff"))
        p.drawPath(path)
        p.setClipPath(path)
        p.fillRect(QRectF(rect.left(), rect.top(), STRIPE, rect.height()), lead)
        p.setClipping(False)

    def _title(self, p: QPainter, rect: QRect, card: BoardCard, base: QFont) -> int:
        font = self._font(base, 1.1, True)
        p.setFont(font)
        p.setPen(TEXT)
        height = 2 * QFontMetrics(font).height()
        box = QRect(rect.left(), rect.top(), rect.width(), height)
        flags = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap
        p.save()
        p.setClipRect(box)  # a long title loses its third line, never covers the rest
        p.drawText(box, int(flags), card.title)
        p.restore()
        return box.bottom() + 4

    def _chips(
        self, p: QPainter, rect: QRect, y: int, card: BoardCard, lead: QColor, base: QFont
    ) -> int:
        font = self._font(base, 0.9, True)
        fm = QFontMetrics(font)
        h = fm.height() + 2
        p.setFont(font)
        pill = self._rag_pill(p, rect, y, h, card, fm)
        x = rect.left()
        if card.lead_code:
            x = self._chip(p, x, y, h, card.lead_code, lead, QColor("#ffffff"), fm) + 4
        for code in card.partner_codes:
            if x + fm.horizontalAdvance(code) + 10 > pill - 4:
                break
            colour = partner_colour(code)
            x = self._chip(p, x, y, h, code, QColor("#ffffff"), colour, fm, outline=colour) + 4
        return y + h + 3

    def _chip(
        self,
        p: QPainter,
        x: int,
        y: int,
        h: int,
        text: str,
        fill: QColor,
        ink: QColor,
        fm: QFontMetrics,
        outline: QColor | None = None,
    ) -> int:
        w = fm.horizontalAdvance(text) + 10
        box = QRectF(x, y, w, h)
        p.setPen(QPen(outline, 1.2) if outline else Qt.PenStyle.NoPen)
        p.setBrush(fill)
        p.drawRoundedRect(box, 4, 4)
        p.setPen(ink)
        p.drawText(box, int(Qt.AlignmentFlag.AlignCenter), text)
        return x + w

    def _rag_pill(
        self, p: QPainter, rect: QRect, y: int, h: int, card: BoardCard, fm: QFontMetrics
    ) -> int:
        text = rag_label(card.rag).upper() + (" *" if card.overridden else "")
        w = fm.horizontalAdvance(text) + 14
        box = QRectF(rect.right() - w, y, w, h)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(rag_colour(card.rag))
        p.drawRoundedRect(box, h / 2, h / 2)
        p.setPen(QColor("#1d2430") if card.rag is Rag.AMBER else QColor("#ffffff"))
        p.drawText(box, int(Qt.AlignmentFlag.AlignCenter), text)
        return int(box.left())

    def _text(
        self, p: QPainter, rect: QRect, y: int, text: str, colour: QColor, base: QFont
    ) -> int:
        font = self._font(base)
        p.setFont(font)
        p.setPen(colour)
        line = QRect(rect.left(), y, rect.width(), self._line(base))
        shown = QFontMetrics(font).elidedText(text, Qt.TextElideMode.ElideRight, line.width())
        p.drawText(line, int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), shown)
        return line.bottom() + 1

    def _sro(self, card: BoardCard) -> str:
        sro = self.tr("SRO: %1").replace("%1", card.sro) if card.sro else self.tr("No SRO")
        if not card.is_workstream:
            return sro
        parent = card.workstream_of or self.tr("Workstream")
        return f"↳ {parent} · {sro}"  # a workstream names its objective first

    def _milestone(self, p: QPainter, rect: QRect, y: int, card: BoardCard, base: QFont) -> int:
        if not card.next_milestone:
            return self._text(p, rect, y, self.tr("No milestone due"), MUTED, base)
        when = card.next_milestone_date
        late = when is not None and when < self.today
        text = self.tr("Next: %1").replace("%1", card.next_milestone)
        if when is not None:
            text = f"{format_date(when)} · {text}"
        return self._text(p, rect, y, text, QColor(OVERDUE_TEXT) if late else TEXT, base)

    def _footer(self, p: QPainter, rect: QRect, y: int, card: BoardCard, base: QFont) -> None:
        counts = counted(card.open_actions, self.tr("%n open action"), self.tr("%n open actions"))
        if card.overdue_actions:
            counts += " · " + self.tr("%1 overdue").replace("%1", str(card.overdue_actions))
        colour = QColor(OVERDUE_TEXT) if card.overdue_actions else MUTED
        if not card.sensitive:
            self._text(p, rect, y, counts, colour, base)
            return
        font = self._font(base, 0.85, True)
        fm = QFontMetrics(font)
        tag = card.marking.value
        w = fm.horizontalAdvance(tag) + 8
        left = QRect(rect.left(), y, rect.width() - w - 6, self._line(base))
        self._text(p, left, y, counts, colour, base)
        p.setFont(font)
        box = QRectF(rect.right() - w, y + 1, w, fm.height() + 2)
        p.setPen(QPen(SENSITIVE, 1.2))
        p.setBrush(QColor("#fdecea"))
        p.drawRect(box)
        p.setPen(SENSITIVE)
        p.drawText(box, int(Qt.AlignmentFlag.AlignCenter), tag)
