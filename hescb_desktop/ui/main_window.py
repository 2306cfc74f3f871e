"""The main window: navigation on the left, the pages in a stack, menus and the status bar.

Pages are built on their first visit, so start-up only pays for Home. Window geometry and
state are kept in an INI file in the data dir (never the registry or the home dir).
"""

from __future__ import annotations

import functools
import importlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QPoint, QRect, QSettings, QSize, Qt, Signal, Slot
from PySide6.QtGui import (
    QAction,
    QActionGroup,
    QCloseEvent,
    QKeySequence,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from hescb_desktop import APP_NAME, __version__
from hescb_desktop.ui.about_dialog import AboutDialog, AboutInfo
from hescb_desktop.ui.crash_dialog import open_log_folder
from hescb_desktop.ui.status_bar import AppStatusBar
from hescb_desktop.ui.widgets.icons import icon
from hescb_desktop.ui.widgets.screen_fit import screen_of

if TYPE_CHECKING:  # the window shows before these (and the database layers) are imported
    from hescb_desktop.ui.sync.state import SyncState
    from hescb_desktop.ui.sync.window_sync import WindowSync
    from hescb_desktop.ui.who import WhoDisplay
    from hescb_desktop.ui.widgets.page import Page
    from hescb_desktop.ui.workspace import Workspace

HOME, CALENDAR, BOARD, MEETINGS, ACTIONS, PACKS, CONFLICTS = range(7)
DEFAULT_SIZE = QSize(1280, 820)  # the first window's size where the screen has the room
FRAME_ALLOWANCE = QSize(16, 48)  # the window manager's border and title bar, roughly


def first_size(available: QSize) -> QSize:
    """The first window's size on a screen with `available` room (the screen less its task
    bars): DEFAULT_SIZE, made smaller to fit with its frame, never below what the window
    needs (a laptop's 1366x768 gives about 1350x712)."""
    room = available - FRAME_ALLOWANCE
    return DEFAULT_SIZE.boundedTo(room).expandedTo(QSize(960, 560))


@dataclass(frozen=True)
class PageSpec:
    title: str
    icon: str
    factory: str  # "module:Class", imported on the page's first visit

    def build(self, workspace: Workspace) -> Page:
        module, name = self.factory.split(":")
        page: Page = getattr(importlib.import_module(module), name)(workspace)
        return page


class NotAttachedError(RuntimeError):
    """The window was asked for its board before one was attached."""


class MainWindow(QMainWindow):
    """The window, in two steps so it shows at once: the frame (navigation, menus, status bar)
    is built from Qt alone; `attach` then gives it the board (the database, the pages, sync),
    which app.py does right after the first paint. Given a workspace, both happen here."""

    first_shown = Signal()
    attached = Signal()
    page_changed = Signal(int)

    def __init__(self, workspace: Workspace | None, state: QSettings) -> None:
        super().__init__()
        self.state = state
        self.specs = self._page_specs()
        self.pages: dict[int, Page] = {}
        self.nav = QListWidget()
        self.stack = QStackedWidget()
        self.status = AppStatusBar()
        self.page_actions: list[QAction] = []
        self._shown_once = False
        self._workspace: Workspace | None = None
        self._sync: WindowSync | None = None
        self._who: WhoDisplay | None = None
        self.page_column = QVBoxLayout()  # the pages, under the banner of who you are
        self._setup_ui()
        self._setup_menus()
        self.status.conflicts_clicked.connect(self._on_status_conflicts_clicked)
        self._restore_state()
        if workspace is not None:
            self.attach(workspace)
        else:
            self.status.showMessage(self.tr("Opening the board…"))

    def _page_specs(self) -> list[PageSpec]:
        ui = "hescb_desktop.ui"
        return [
            PageSpec(self.tr("Home"), "home", f"{ui}.home.home_page:HomePage"),
            PageSpec(self.tr("Calendar"), "calendar", f"{ui}.calendar.calendar_page:CalendarPage"),
            PageSpec(self.tr("Planning board"), "board", f"{ui}.board.board_page:BoardPage"),
            PageSpec(self.tr("Meetings"), "meetings", f"{ui}.meetings.meetings_page:MeetingsPage"),
            PageSpec(self.tr("Actions"), "actions", f"{ui}.actions.actions_page:ActionsPage"),
            PageSpec(self.tr("Board packs"), "packs", f"{ui}.packs.packs_page:PacksPage"),
            PageSpec(self.tr("Sync"), "conflicts", f"{ui}.sync.conflicts_page:ConflictsPage"),
        ]

    # ------------------------------------------------------------------ the board
    @property
    def is_attached(self) -> bool:
        return self._workspace is not None

    @property
    def workspace(self) -> Workspace:
        if self._workspace is None:
            raise NotAttachedError("the main window has no board yet")
        return self._workspace

    @property
    def sync(self) -> WindowSync:
        if self._sync is None:
            raise NotAttachedError("the main window has no board yet")
        return self._sync

    def attach(self, workspace: Workspace) -> None:
        """Give the window its board: sync, who is at the keyboard, the menus that need it,
        then Home."""
        from hescb_desktop.ui.sync.window_sync import WindowSync
        from hescb_desktop.ui.who import WhoDisplay

        if self._workspace is not None:
            raise RuntimeError("the main window already has a board")
        self._workspace = workspace
        self._sync = WindowSync(self, workspace, self.status)
        self._who = WhoDisplay(self, workspace)
        self.file_menu.insertAction(self.file_separator, self._sync.sync_action)
        self._add_page_file_actions()
        self._setup_undo(workspace)
        self.settings_action.setEnabled(True)
        workspace.settings_changed.connect(self._on_workspace_settings_changed)
        self._sync.controller.state_changed.connect(self._on_sync_state_changed)
        self.status.clearMessage()
        self._show_settings_in_status_bar()
        for action in (*self.page_actions, *self.page_keys):
            action.setEnabled(True)
        self._on_nav_current_row_changed(self.nav.currentRow())
        if self._shown_once:
            self._sync.controller.start()
        else:
            queued = Qt.ConnectionType.QueuedConnection
            self.first_shown.connect(self._sync.controller.start, queued)
        self.attached.emit()

    # ------------------------------------------------------------------ building
    def _setup_ui(self) -> None:
        self.setWindowTitle(APP_NAME)
        self.setWindowIcon(icon("app"))
        self.setStatusBar(self.status)
        for spec in self.specs:
            QListWidgetItem(icon(spec.icon), spec.title, self.nav)
            self.stack.addWidget(self._placeholder())  # replaced by the page on its first visit
        self.nav.setObjectName("navigation")
        self.stack.setObjectName("pages")
        self.nav.setIconSize(QSize(20, 20))
        self.nav.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # Tab reaches it; arrows change page
        self.nav.currentRowChanged.connect(self._on_nav_current_row_changed)
        central = QWidget()
        layout = QHBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self._sidebar())
        self.page_column.setContentsMargins(0, 0, 0, 0)
        self.page_column.setSpacing(0)
        self.page_column.addWidget(self.stack, 1)
        layout.addLayout(self.page_column, 1)
        self.setCentralWidget(central)

    def _placeholder(self) -> QWidget:
        placeholder = QLabel(self.tr("Opening the board…"))
        placeholder.setObjectName("pagePlaceholder")
        placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        placeholder.setTextFormat(Qt.TextFormat.PlainText)
        return placeholder

    def _sidebar(self) -> QWidget:
        sidebar = QFrame()
        sidebar.setObjectName("sidebar")
        sidebar.setFixedWidth(212)
        brand = QLabel("HESCB")
        brand.setObjectName("brand")
        tagline = QLabel(self.tr("Emergency Services\nCollaboration Board"))
        tagline.setObjectName("brandTagline")
        version = QLabel(self.tr("Version %1").replace("%1", __version__))
        version.setObjectName("sidebarFooter")
        layout = QVBoxLayout(sidebar)
        layout.setContentsMargins(0, 18, 0, 12)
        layout.setSpacing(2)
        layout.addWidget(brand)
        layout.addWidget(tagline)
        layout.addSpacing(18)
        layout.addWidget(self.nav, 1)
        layout.addWidget(version)
        return sidebar

    def _setup_menus(self) -> None:
        bar = self.menuBar()
        file_menu = self.file_menu = bar.addMenu(self.tr("&File"))
        self.settings_action = file_menu.addAction(self.tr("&Settings…"))
        self.settings_action.setShortcuts([QKeySequence("Ctrl+,")])
        self.settings_action.setMenuRole(QAction.MenuRole.PreferencesRole)
        self.settings_action.triggered.connect(self._on_settings_action_triggered)
        self.settings_action.setEnabled(False)  # until the board is open
        self.page_keys: list[QAction] = []
        for text, keys, call in (
            (self.tr("&New…"), QKeySequence.StandardKey.New, "new_item"),
            (self.tr("&Print…"), QKeySequence.StandardKey.Print, "print_page"),
            (self.tr("&Find"), QKeySequence.StandardKey.Find, "focus_filter"),
        ):
            action = file_menu.addAction(text)
            action.setShortcuts(keys)
            action.setEnabled(False)  # until the board is open
            action.triggered.connect(functools.partial(self._on_page_key, call))
            self.page_keys.append(action)
        self.new_action, self.print_action, self.find_action = self.page_keys
        file_menu.addSeparator()
        self.file_separator = file_menu.addSeparator()  # "Sync now" goes above it when attached
        self.quit_action = file_menu.addAction(self.tr("&Quit"))
        self.quit_action.setShortcuts(
            QKeySequence.keyBindings(QKeySequence.StandardKey.Quit) or [QKeySequence("Ctrl+Q")]
        )
        self.quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        self.quit_action.triggered.connect(self.close)
        self._setup_edit_menu()
        self._setup_view_menu()
        help_menu = self.help_menu = bar.addMenu(self.tr("&Help"))
        self.log_folder_action = help_menu.addAction(self.tr("Open &log folder"))
        self.log_folder_action.triggered.connect(self._on_log_folder_action_triggered)
        help_menu.addSeparator()
        self.about_action = help_menu.addAction(self.tr("&About %1").replace("%1", APP_NAME))
        self.about_action.setMenuRole(QAction.MenuRole.AboutRole)
        self.about_action.triggered.connect(self._on_about_action_triggered)

    def _setup_edit_menu(self) -> None:
        self.edit_menu = self.menuBar().addMenu(self.tr("&Edit"))
        # Disabled stand-ins until the board (and its undo stack) is attached.
        self.undo_action = self.edit_menu.addAction(self.tr("&Undo"))
        self.redo_action = self.edit_menu.addAction(self.tr("&Redo"))
        for action in (self.undo_action, self.redo_action):
            action.setEnabled(False)

    def _add_page_file_actions(self) -> None:
        """The pages' own File menu entries, in a group above Quit (imported with the board)."""
        from hescb_desktop.ui.calendar.calendar_files import add_calendar_actions

        self.file_menu.insertSeparator(self.file_separator)
        for action in add_calendar_actions(  # issue 5: .ics import/export, print a week
            self.file_menu, lambda: self.page(CALENDAR), lambda: self.show_page(CALENDAR)
        ):
            self.file_menu.insertAction(self.file_separator, action)

    def _setup_undo(self, workspace: Workspace) -> None:
        """Edit > Undo "…" and Redo "…" (Ctrl+Z, Ctrl+Y): the workspace's one history."""
        history = workspace.history
        self.undo_action.setShortcuts(QKeySequence.StandardKey.Undo)
        self.redo_action.setShortcuts(QKeySequence.StandardKey.Redo)
        self.undo_action.triggered.connect(lambda: history.undo(self))
        self.redo_action.triggered.connect(lambda: history.redo(self))

        def update() -> None:
            self.undo_action.setEnabled(history.can_undo())
            self.redo_action.setEnabled(history.can_redo())
            self.undo_action.setText(history.undo_text() or self.tr("&Undo"))
            self.redo_action.setText(history.redo_text() or self.tr("&Redo"))

        history.changed.connect(update)
        update()

    def _setup_view_menu(self) -> None:
        view_menu = self.menuBar().addMenu(self.tr("&View"))
        group = QActionGroup(self)
        for number, spec in enumerate(self.specs):
            action = view_menu.addAction(icon(spec.icon), spec.title)
            action.setCheckable(True)
            action.setShortcut(QKeySequence(f"Ctrl+{number + 1}"))
            action.setData(number)
            action.setEnabled(number == HOME)  # the others wait for the board
            action.triggered.connect(self._on_page_action_triggered)
            group.addAction(action)
            self.page_actions.append(action)
        view_menu.addSeparator()
        self.refresh_action = view_menu.addAction(self.tr("&Refresh"))
        self.refresh_action.setShortcuts(QKeySequence.StandardKey.Refresh)
        self.refresh_action.triggered.connect(self._on_refresh_action_triggered)

    # ------------------------------------------------------------------ pages
    @property
    def current_index(self) -> int:
        return self.stack.currentIndex()

    def current_page(self) -> Page:
        return self.page(self.current_index)

    def page(self, index: int) -> Page:
        """The page at `index`, built now if this is its first visit."""
        if index not in self.pages:
            page = self.specs[index].build(self.workspace)
            placeholder = self.stack.widget(index)
            self.stack.insertWidget(index, page)
            if placeholder is not None:
                self.stack.removeWidget(placeholder)
                placeholder.deleteLater()
            self.pages[index] = page
        return self.pages[index]

    def show_page(self, index: int) -> None:
        self.nav.setCurrentRow(index)

    @Slot(int)
    def _on_nav_current_row_changed(self, index: int) -> None:
        if not 0 <= index < len(self.specs) or not self.is_attached:
            return
        left = self.pages.get(self.stack.currentIndex())
        if left is not None and index != self.stack.currentIndex() and not left.may_leave():
            self.nav.blockSignals(True)  # stay on the page with unsaved changes
            self.nav.setCurrentRow(self.stack.currentIndex())
            self.nav.blockSignals(False)
            return
        page = self.page(index)
        self.stack.setCurrentIndex(index)
        self.page_actions[index].setChecked(True)
        page.activate()
        self.page_changed.emit(index)

    def _on_page_key(self, method: str) -> None:
        """Ctrl+N / Ctrl+P / Ctrl+F on the page shown (`Page.new_item`, `print_page`,
        `focus_filter`); a page with nothing to do says so in the status bar."""
        if self.is_attached and not getattr(self.current_page(), method)():
            self.status.showMessage(self.tr("Nothing to do for that key on this page."), 4000)

    @Slot()
    def _on_page_action_triggered(self) -> None:
        action = self.sender()
        if isinstance(action, QAction):
            self.show_page(int(action.data()))

    @Slot()
    def _on_refresh_action_triggered(self) -> None:
        if self.is_attached:
            self.current_page().refresh()

    # ------------------------------------------------------------------ settings
    @Slot()
    def _on_settings_action_triggered(self) -> None:
        from hescb_desktop.ui.settings_dialog import SettingsDialog
        from hescb_desktop.ui.who import describe, role_explained

        who = self.workspace.who
        new = SettingsDialog.ask(
            self.workspace.settings,
            self.workspace.organisations(),
            self,
            person=(describe(who), role_explained(who)),
        )
        if new is not None and new != self.workspace.settings:
            self.sync.apply_settings(new)

    @Slot()
    def _on_workspace_settings_changed(self) -> None:
        self._show_settings_in_status_bar()

    def _show_settings_in_status_bar(self) -> None:
        settings = self.workspace.settings
        code = settings.organisation_code
        self.status.show_organisation(code, self.workspace.organisation(code) if code else None)

    # ------------------------------------------------------------------ sync
    @Slot(object)
    def _on_sync_state_changed(self, state: SyncState) -> None:
        item = self.nav.item(CONFLICTS)
        title = self.specs[CONFLICTS].title
        item.setText(f"{title}  ({state.conflicts})" if state.conflicts else title)

    @Slot()
    def _on_status_conflicts_clicked(self) -> None:
        self.show_page(CONFLICTS)
        page = self.pages.get(CONFLICTS)
        show_tab = getattr(page, "show_tab", None)
        if show_tab is not None:
            show_tab(0)  # the sync page's Conflicts tab

    @Slot()
    def _on_log_folder_action_triggered(self) -> None:
        open_log_folder()

    @Slot()
    def _on_about_action_triggered(self) -> None:
        AboutDialog.ask(self.about_info(), self)

    def about_info(self) -> AboutInfo:
        if not self.is_attached:
            return AboutInfo(self.tr("(opening)"), "")
        data_dir = self.workspace.data_dir
        ctx = self.workspace.ctx
        return AboutInfo(str(data_dir) if data_dir else self.tr("(in memory)"), ctx.device_id)

    # ------------------------------------------------------------------ window state
    def _restore_state(self) -> None:
        geometry = self.state.value("window/geometry")
        if geometry is None or not self.restoreGeometry(geometry):
            self._first_geometry()
        state = self.state.value("window/state")
        if state is not None:
            self.restoreState(state)
        self.show_page(HOME)  # always Home: the dashboard, and the cheapest page to open

    def _first_geometry(self) -> None:
        """Sized from the screen's available room (not taller than the screen), centred."""
        screen = screen_of(self)  # never self.screen(): see widgets/screen_fit.screen_of
        if screen is None:
            self.resize(DEFAULT_SIZE)
            return
        area = screen.availableGeometry()
        self.resize(first_size(area.size()))
        frame = QRect(QPoint(0, 0), self.size() + FRAME_ALLOWANCE)
        frame.moveCenter(area.center())
        self.move(max(frame.left(), area.left()), max(frame.top(), area.top()))

    def save_state(self) -> None:
        self.state.setValue("window/geometry", self.saveGeometry())
        self.state.setValue("window/state", self.saveState())
        self.state.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        if not all(page.may_leave() for page in self.pages.values()):
            event.ignore()  # Cancel on "Save changes to …?": the window stays open
            return
        self.save_state()
        if self._sync is not None:
            self._sync.controller.shutdown()
        super().closeEvent(event)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._shown_once:
            self._shown_once = True
            self.first_shown.emit()
