"""A layout that lays its widgets out in a row and wraps them onto more rows when the width runs
out, as words wrap in a paragraph: toolbars and filter rows that fold on a narrow window.

After Qt's own "Flow Layout" example (BSD), with one addition: a stretch (`addStretch()`) that
pushes what follows it to the right end of its row while the row has room, and is nothing once
the row wraps.
"""

from __future__ import annotations

from PySide6.QtCore import QMargins, QPoint, QRect, QSize, Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLayout,
    QLayoutItem,
    QSizePolicy,
    QSpacerItem,
    QStyle,
    QWidget,
)


class FlowLayout(QLayout):
    """Items left to right, wrapping to a new row; heights follow the width (height for width)."""

    def __init__(self, parent: QWidget | None = None, spacing: int = -1) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._spacing = spacing
        self.setContentsMargins(0, 0, 0, 0)

    # ------------------------------------------------------------------ items
    def addItem(self, item: QLayoutItem) -> None:
        self._items.append(item)

    def addStretch(self) -> None:
        """A gap that takes the rest of the row (what follows sits at the row's right end)."""
        self.addItem(QSpacerItem(0, 0, QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Minimum))

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    # ------------------------------------------------------------------ sizes
    def spacing(self) -> int:
        if self._spacing >= 0:
            return self._spacing
        parent = self.parentWidget()
        if parent is None:
            return 6
        return parent.style().pixelMetric(QStyle.PixelMetric.PM_LayoutHorizontalSpacing) or 6

    def expandingDirections(self) -> Qt.Orientation:
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self._lay_out(QRect(0, 0, width, 0), move=False)

    def setGeometry(self, rect: QRect) -> None:
        super().setGeometry(rect)
        self._lay_out(rect, move=True)

    def sizeHint(self) -> QSize:
        """Everything on one row."""
        width = sum(self._width(i) for i in self._visible())
        width += self.spacing() * max(0, len(self._visible()) - 1)
        height = max((i.sizeHint().height() for i in self._visible()), default=0)
        return QSize(width, height) + self._margin_size()

    def minimumSize(self) -> QSize:
        """As narrow as the widest item; as low as one row (the rows below come from the
        height for the width actually given)."""
        size = QSize()
        for item in self._visible():
            size = size.expandedTo(item.minimumSize()).expandedTo(QSize(self._width(item), 0))
        height = max((i.sizeHint().height() for i in self._visible()), default=0)
        return QSize(size.width(), max(size.height(), height)) + self._margin_size()

    def _margin_size(self) -> QSize:
        m: QMargins = self.contentsMargins()
        return QSize(m.left() + m.right(), m.top() + m.bottom())

    def _visible(self) -> list[QLayoutItem]:
        return [i for i in self._items if not i.isEmpty() or isinstance(i, QSpacerItem)]

    @staticmethod
    def _width(item: QLayoutItem) -> int:
        if isinstance(item, QSpacerItem):
            return 0
        return max(item.sizeHint().width(), item.minimumSize().width())

    # ------------------------------------------------------------------ placing
    def _lay_out(self, rect: QRect, *, move: bool) -> int:
        m = self.contentsMargins()
        area = rect.adjusted(m.left(), m.top(), -m.right(), -m.bottom())
        gap = self.spacing()
        y = area.y()
        rows = self._split(area.width())
        for row in rows:
            height = max((i.sizeHint().height() for i in row), default=0)
            if move:
                self._place_row(row, area, y, height)
            y += height + gap
        return y - gap - rect.y() + m.bottom() if rows else m.top() + m.bottom()

    def _split(self, width: int) -> list[list[QLayoutItem]]:
        """Rows, each keeping its stretches only when nothing of it wrapped past them."""
        return [row for row in self._rows_with_stretch(width) if row]

    def _rows_with_stretch(self, width: int) -> list[list[QLayoutItem]]:
        rows: list[list[QLayoutItem]] = [[]]
        used = 0
        gap = self.spacing()
        for item in self._visible():
            needed = self._width(item) + (gap if rows[-1] else 0)
            if rows[-1] and used + needed > width and not isinstance(item, QSpacerItem):
                rows.append([])
                used, needed = 0, self._width(item)
            if isinstance(item, QSpacerItem) and not rows[-1]:
                continue  # a stretch at the start of a wrapped row is nothing
            rows[-1].append(item)
            used += needed
        return rows

    def _place_row(self, row: list[QLayoutItem], area: QRect, y: int, height: int) -> None:
        gap = self.spacing()
        widgets = [i for i in row if not isinstance(i, QSpacerItem)]
        natural = sum(self._width(i) for i in widgets) + gap * max(0, len(widgets) - 1)
        spare = max(0, area.width() - natural)
        stretches = [i for i in row if isinstance(i, QSpacerItem)]
        growing = [i for i in widgets if self._grows(i)]
        # spare width goes to the stretches if any, else to widgets that can grow
        share = spare // len(stretches) if stretches else 0
        grow = spare // len(growing) if growing and not stretches else 0
        x = area.x()
        for item in row:
            if isinstance(item, QSpacerItem):
                x += share
                continue
            width = min(self._width(item) + (grow if item in growing else 0), area.width())
            width = min(width, item.maximumSize().width())
            h = (
                height
                if item.expandingDirections() & Qt.Orientation.Vertical
                else min(height, item.sizeHint().height())
            )
            top = y + (height - h) // 2
            item.setGeometry(QRect(QPoint(x, top), QSize(width, h)))
            x += width + gap

    @staticmethod
    def _grows(item: QLayoutItem) -> bool:
        """A lone widget that wants width (a search box) takes a row's spare width; a group
        of widgets does not."""
        widget = item.widget()
        if widget is None or widget.layout() is not None:
            return False
        policy = widget.sizePolicy().horizontalPolicy()
        return policy in (QSizePolicy.Policy.Expanding, QSizePolicy.Policy.MinimumExpanding)


def flow_row(*items: QWidget | None, spacing: int = -1) -> tuple[QWidget, FlowLayout]:
    """A widget holding `items` in a flow layout (None: a stretch); and the layout."""
    holder = QWidget()
    holder.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
    layout = FlowLayout(holder, spacing)
    for item in items:
        if item is None:
            layout.addStretch()
        else:
            layout.addWidget(item)
    policy = holder.sizePolicy()
    policy.setHeightForWidth(True)
    holder.setSizePolicy(policy)
    return holder, layout


def group(*items: QWidget | None, spacing: int = 6) -> QWidget:
    """Widgets that stay together on one row of a flow (None: a stretch)."""
    holder = QWidget()
    layout = QHBoxLayout(holder)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(spacing)
    for item in items:
        if item is None:
            layout.addStretch(1)
        else:
            layout.addWidget(item)
    return holder
