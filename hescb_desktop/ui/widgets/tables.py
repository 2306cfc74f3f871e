"""Table views set up the same way everywhere: whole-row selection, quiet grid, elided text
with the whole text in a tooltip, and column widths a user sets kept for next time."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import (
    QAbstractItemModel,
    QByteArray,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPoint,
    QSettings,
    Qt,
    QTimer,
)
from PySide6.QtGui import QHelpEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QMenu,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QToolTip,
    QWidget,
)

from hescb_desktop.paths import SETTINGS_FILENAME


class FullTextTips(QStyledItemDelegate):
    """Paints as usual; hovering a cell whose text is cut (elided, or wrapped past its height)
    shows the whole text, unless the model gives a tooltip of its own."""

    def helpEvent(
        self,
        event: QHelpEvent,
        view: QAbstractItemView,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> bool:
        if event is None or view is None or not index.isValid():
            return super().helpEvent(event, view, option, index)
        if event.type() != QEvent.Type.ToolTip or index.data(Qt.ItemDataRole.ToolTipRole):
            return super().helpEvent(event, view, option, index)
        text = index.data(Qt.ItemDataRole.DisplayRole)
        if not isinstance(text, str) or not text or not is_cut(self, option, index):
            return super().helpEvent(event, view, option, index)
        QToolTip.showText(event.globalPos(), text, view, option.rect)
        return True


def is_cut(
    delegate: QStyledItemDelegate,
    option: QStyleOptionViewItem,
    index: QModelIndex | QPersistentModelIndex,
) -> bool:
    """Whether the cell's text does not fit the cell as drawn."""
    opt = QStyleOptionViewItem(option)
    delegate.initStyleOption(opt, index)
    needed = delegate.sizeHint(opt, index)
    rect = option.rect
    if opt.features & QStyleOptionViewItem.ViewItemFeature.WrapText:
        opt.rect.setWidth(rect.width())
        lines = opt.fontMetrics.boundingRect(
            0, 0, max(1, rect.width() - 8), 100_000, int(Qt.TextFlag.TextWordWrap), opt.text
        )
        return lines.height() > rect.height() - 4 or "\n" in opt.text.strip()
    return needed.width() > rect.width() or "\n" in opt.text.strip()


def full_text_tips(view: QAbstractItemView) -> FullTextTips:
    """Give `view` tooltips of the whole text of cut cells (its default delegate)."""
    delegate = FullTextTips(view)
    view.setItemDelegate(delegate)
    return delegate


def make_table(
    model: QAbstractItemModel,
    *,
    stretch: int,
    sortable: bool = False,
    parent: QWidget | None = None,
) -> QTableView:
    """A read-only table over `model` whose column `stretch` takes the spare width."""
    view = QTableView(parent)
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(True)
    view.setShowGrid(False)
    view.setWordWrap(False)
    view.setTextElideMode(Qt.TextElideMode.ElideRight)
    view.setSortingEnabled(sortable)
    view.setTabKeyNavigation(False)  # Tab leaves the table (to the page list); arrows move in it
    view.verticalHeader().hide()
    view.verticalHeader().setDefaultSectionSize(30)
    full_text_tips(view)
    header = view.horizontalHeader()
    header.setHighlightSections(False)
    header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    header.setResizeContentsPrecision(100)  # size columns from the first rows, not all 5,000
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    header.setMinimumSectionSize(48)
    return view


def view_state(data_dir: Path | None) -> QSettings | None:
    """Where views keep what a user set (column widths): the window's INI file in the data
    dir; None for a board in memory (nothing is kept)."""
    if data_dir is None:
        return None
    return QSettings(str(data_dir / SETTINGS_FILENAME), QSettings.Format.IniFormat)


TITLE_MARGIN = 34  # a header section's padding and its sort indicator, at 96 dpi


class ColumnLayout(QObject):
    """Columns a user can resize, hide or show (the header's context menu), kept in QSettings
    under `key`. Until the user resizes one, the `flexible` columns share the spare width, so
    the table fits its view without scrolling sideways; `hidden` are hidden by default."""

    def __init__(
        self,
        view: QTableView,
        settings: QSettings | None,
        key: str,
        *,
        widths: dict[int, int],
        flexible: tuple[int, ...],
        hidden: tuple[int, ...] = (),
        minimum: int = 160,
    ) -> None:
        super().__init__(view)
        self.view = view
        self.header = view.horizontalHeader()
        self.settings = settings
        self.key = key
        self.flexible = flexible
        self.minimum = minimum
        self.user_set = False
        self._fitting = False
        self.header.setStretchLastSection(False)
        for column in range(self.header.count()):
            self.header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            if column in widths:
                self.header.resizeSection(column, max(widths[column], self.title_width(column)))
            self.header.setSectionHidden(column, column in hidden)
        self._save_soon = QTimer(self)
        self._save_soon.setSingleShot(True)
        self._save_soon.setInterval(300)
        self._save_soon.timeout.connect(self.save)
        self.restore()
        self.header.sectionResized.connect(self._on_section_resized)
        self.header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.header.customContextMenuRequested.connect(self._on_header_menu)
        view.viewport().installEventFilter(self)

    def title_width(self, column: int) -> int:
        """What the column's title needs, with the sort arrow and the margins beside it (a
        set width in pixels cut "Organisation" to "Organisatio" in a larger font)."""
        model = self.view.model()
        title = model.headerData(column, Qt.Orientation.Horizontal) if model else None
        if not isinstance(title, str) or not title:
            return 0
        return self.header.fontMetrics().horizontalAdvance(title) + TITLE_MARGIN

    def restore(self) -> None:
        if self.settings is None:
            return
        state = self.settings.value(self.key)
        if isinstance(state, QByteArray) and self.header.restoreState(state):
            self.user_set = self.settings.value(self._user_key, False) in (True, "true")

    @property
    def _user_key(self) -> str:
        return f"{self.key}-resized"

    def save(self) -> None:
        if self.settings is None:
            return
        self.settings.setValue(self.key, self.header.saveState())
        self.settings.setValue(self._user_key, self.user_set)
        self.settings.sync()

    def fit(self) -> None:
        """Share the view's spare width between the flexible columns (none below `minimum`)."""
        shown = [c for c in self.flexible if not self.header.isSectionHidden(c)]
        if self.user_set or not shown:
            return
        others = sum(
            self.header.sectionSize(c)
            for c in range(self.header.count())
            if c not in shown and not self.header.isSectionHidden(c)
        )
        each = max(self.minimum, (self.view.viewport().width() - others) // len(shown))
        self._fitting = True
        for column in shown:
            self.header.resizeSection(column, each)
        self._fitting = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize:
            self.fit()
        return False

    def _on_section_resized(self, _column: int, _old: int, _new: int) -> None:
        if self._fitting or not self.view.isVisible():
            return
        self.user_set = True
        self._save_soon.start()

    def _on_header_menu(self, pos: QPoint) -> None:
        menu = QMenu(self.header)
        model = self.view.model()
        for column in range(self.header.count()):
            title = model.headerData(column, Qt.Orientation.Horizontal)
            action = menu.addAction(str(title))
            action.setCheckable(True)
            action.setChecked(not self.header.isSectionHidden(column))
            action.toggled.connect(lambda on, c=column: self.show_column(c, on))
        menu.addSeparator()
        menu.addAction(self.tr("Fit columns to the window"), self.reset)
        menu.exec(self.header.mapToGlobal(pos))

    def show_column(self, column: int, shown: bool) -> None:
        self._fitting = True
        self.header.setSectionHidden(column, not shown)
        self._fitting = False
        self.fit()
        self.save()

    def reset(self) -> None:
        self.user_set = False
        self.fit()
        if self.settings is not None:
            self.settings.remove(self.key)
            self.settings.remove(self._user_key)
