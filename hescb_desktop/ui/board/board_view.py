"""The board itself: stage columns (and optional swimlanes) of cards, scrolled as one sheet.

Each cell is a `CardListView` over a `CardListModel`. Re-laying the board after a filter only
resets those models (the widgets stay) unless the stages or lanes changed.
"""

from __future__ import annotations

from functools import partial

from PySide6.QtCore import QEvent, QModelIndex, QObject, QPoint, Qt, Signal, Slot
from PySide6.QtGui import QFont, QFontMetrics, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QGridLayout,
    QLabel,
    QLayout,
    QListView,
    QMenu,
    QScrollArea,
    QSizePolicy,
    QStyleOptionViewItem,
    QWidget,
)

from hescb_desktop.domain.board import BoardCard, Layout
from hescb_desktop.ui.board.card_delegate import CardDelegate
from hescb_desktop.ui.board.card_model import CardListModel
from hescb_desktop.ui.widgets.row_model import ROW_ROLE

COLUMN_WIDTH = 196  # five stages side by side on a 1366 px laptop


class CardListView(QListView):
    """One cell: as tall as its cards (the board scrolls, not the cell); drag and drop on."""

    def __init__(self, stage: str, lane: str, delegate: CardDelegate) -> None:
        super().__init__()
        self.stage, self.lane = stage, lane
        self.setObjectName("boardColumnList")
        self.card_model = CardListModel(stage, self)
        self.setModel(self.card_model)
        self.setItemDelegate(delegate)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setUniformItemSizes(True)
        self.setDragEnabled(True)
        self.setAcceptDrops(True)
        self.setDropIndicatorShown(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)
        self.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Expanding)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)

    def set_cards(self, cards: list[BoardCard]) -> None:
        self.card_model.set_rows(cards)
        self.fit()

    def fit(self) -> None:
        """At least the height of every card plus room for one more to be dropped below them
        (a cell grows to its column's height: all of it takes drops)."""
        option = QStyleOptionViewItem()
        self.initViewItemOption(option)
        card = self.itemDelegate().sizeHint(option, QModelIndex()).height()
        self.setMinimumHeight(card * (self.card_model.rowCount() + 1) + 4)


class BoardView(QScrollArea):
    """Signals: `card_dropped(card_id, stage, after_id, before_id)` (after/before may be None),
    `card_activated(card_id)` (double-click or Enter), `move_requested(card_id, stage)`."""

    card_dropped = Signal(str, str, object, object)
    card_activated = Signal(str)
    move_requested = Signal(str, str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("boardSheet")
        self.setWidgetResizable(True)
        self.delegate = CardDelegate(self)
        self.cells: dict[tuple[str, str], CardListView] = {}
        self.headers: dict[str, QLabel] = {}
        self._shape: tuple[tuple[str, ...], tuple[str, ...]] = ((), ())
        self._stages: tuple[str, ...] = ()
        self.moves_refused = ""  # why the person may not move cards ("" when they may)
        self._header_height = 0
        self._header_frames: dict[str, QFrame] = {}
        self._sheet = QWidget()
        self._grid = QGridLayout(self._sheet)
        self._grid.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)  # scroll, never squeeze
        self.setWidget(self._sheet)
        # the stage names stay in view above the cards however far down the board is scrolled
        self._header = QWidget(self)
        self._header.setObjectName("boardHeader")
        self.horizontalScrollBar().valueChanged.connect(self._place_header)

    # ------------------------------------------------------------ laying out
    def show_layout(self, layout: Layout) -> None:
        shape = (layout.stages, layout.lanes)
        if shape != self._shape:
            self._rebuild(layout)
        for (lane, stage), view in self.cells.items():
            view.set_cards(layout.cell(lane, stage))
        for stage, label in self.headers.items():
            label.setText(f"{stage}  ({layout.count(stage)})")

    def refuse_moves(self, why: str) -> None:
        """Cards are dragged and moved only by someone who may change the board; otherwise
        they open, and the move menu says why not."""
        self.moves_refused = why
        for view in self.cells.values():
            self._allow_drag(view)

    def _allow_drag(self, view: CardListView) -> None:
        view.setDragEnabled(not self.moves_refused)
        view.setAcceptDrops(not self.moves_refused)
        view.setToolTip(self.moves_refused)

    def set_scale(self, scale: float) -> None:
        self.delegate.scale = scale
        self._shape = ((), ())  # rebuild at the new size next time

    def view_for(self, stage: str, lane: str = "") -> CardListView:
        return self.cells[(lane, stage)]

    def _rebuild(self, layout: Layout) -> None:
        self._clear()
        self._shape = (layout.stages, layout.lanes)
        self._stages = layout.stages
        width = int(COLUMN_WIDTH * self.delegate.scale)
        lane_offset = 1 if layout.lanes != ("",) else 0
        for stage in layout.stages:
            label = QLabel(stage, self._header)
            label.setObjectName("boardColumnTitle")
            label.setTextFormat(Qt.TextFormat.PlainText)
            font = QFont(label.font())
            font.setPointSizeF(max(font.pointSizeF(), 10) * 1.15 * self.delegate.scale)
            font.setBold(True)
            label.setFont(font)
            label.show()
            self.headers[stage] = label
        fonts = [QFontMetrics(label.font()).height() for label in self.headers.values()]
        self._header_height = max(fonts, default=0) + 14
        self.setViewportMargins(0, self._header_height, 0, 0)
        for row, lane in enumerate(layout.lanes, start=1):
            if lane_offset:
                self._grid.addWidget(self._lane_label(lane), row, 0, Qt.AlignmentFlag.AlignTop)
            for col, stage in enumerate(layout.stages):
                cell = self._cell(stage, lane, width)
                if row == 1:  # the first lane's frames place the headers
                    self._header_frames[stage] = cell
                    cell.installEventFilter(self)
                self._grid.addWidget(cell, row, col + lane_offset)
        self._grid.setRowStretch(len(layout.lanes), 1)
        self._place_header()

    def _lane_label(self, lane: str) -> QLabel:
        label = QLabel(lane)
        label.setObjectName("boardLaneTitle")
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.setWordWrap(True)
        label.setFixedWidth(int(110 * self.delegate.scale))
        font = QFont(label.font())
        font.setBold(True)
        font.setPointSizeF(max(font.pointSizeF(), 10) * self.delegate.scale)
        label.setFont(font)
        return label

    def _cell(self, stage: str, lane: str, width: int) -> QFrame:
        frame = QFrame()
        frame.setObjectName("boardColumn")
        view = CardListView(stage, lane, self.delegate)
        view.setMinimumWidth(width)
        view.card_model.card_dropped.connect(self.card_dropped)
        view.doubleClicked.connect(self._on_view_double_clicked)
        view.activated.connect(self._on_view_double_clicked)
        view.customContextMenuRequested.connect(self._on_view_menu)
        self._allow_drag(view)
        self.cells[(lane, stage)] = view
        grid = QGridLayout(frame)
        grid.setContentsMargins(4, 4, 4, 4)
        grid.addWidget(view)
        return frame

    def _clear(self) -> None:
        while self._grid.count():
            item = self._grid.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.hide()
                widget.setParent(None)
                widget.deleteLater()
        self.cells.clear()
        for label in self.headers.values():
            label.hide()
            label.deleteLater()
        self.headers.clear()
        self._header_frames.clear()

    @Slot()
    def _place_header(self) -> None:
        """Each stage name over its column, following the horizontal scroll."""
        frame = self.frameWidth()
        self._header.setGeometry(frame, frame, self.viewport().width(), self._header_height)
        shift = -self.horizontalScrollBar().value()
        for stage, label in self.headers.items():
            cell = self._header_frames.get(stage)
            if cell is not None:
                label.setGeometry(cell.x() + shift + 6, 0, cell.width() - 6, self._header_height)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched in self._header_frames.values() and event.type() in (
            QEvent.Type.Move,
            QEvent.Type.Resize,
        ):
            self._place_header()
        return super().eventFilter(watched, event)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._place_header()

    # ------------------------------------------------------------ reacting
    @Slot(QModelIndex)
    def _on_view_double_clicked(self, index: QModelIndex) -> None:
        card: BoardCard | None = index.data(ROW_ROLE)
        if card is not None:
            self.card_activated.emit(card.id)

    @Slot(QPoint)
    def _on_view_menu(self, pos: QPoint) -> None:
        view = self.sender()
        if not isinstance(view, CardListView):
            return
        card: BoardCard | None = view.indexAt(pos).data(ROW_ROLE)
        if card is None:
            return
        menu = QMenu(self)
        menu.addAction(self.tr("Open…"), lambda: self.card_activated.emit(card.id))
        move = menu.addMenu(self.tr("Move to stage"))
        move.setEnabled(not self.moves_refused)
        move.setToolTip(self.moves_refused)
        move.setToolTipsVisible(True)
        for stage in self._stages:
            action = move.addAction(stage)
            action.triggered.connect(partial(self.move_requested.emit, card.id, stage))
            action.setEnabled(stage != card.stage and not self.moves_refused)
        menu.popup(view.viewport().mapToGlobal(pos))
