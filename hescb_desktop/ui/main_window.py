"""The main window: navigation on the left, the pages in a stack, menus and the status bar.

Pages are built on their first visit, so start-up only pays for Home. Window geometry and
state are kept in an INI file in the data dir (never the registry or the home dir).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QSettings, QSize, Qt, Signal, Slot
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QKeySequence, QShowEvent
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
from hescb_desktop.ui.actions.actions_page import ActionsPage
from hescb_desktop.ui.board.board_page import BoardPage
from hescb_desktop.ui.calendar.calendar_page import CalendarPage, add_calendar_actions
from hescb_desktop.ui.home.home_page import HomePage
from hescb_desktop.ui.meetings.meetings_page import MeetingsPage
from hescb_desktop.ui.packs.packs_page import PacksPage
from hescb_desktop.ui.settings_dialog import SettingsDialog
from hescb_desktop.ui.status_bar import AppStatusBar
from hescb_desktop.ui.sync.conflicts_page import ConflictsPage
from hescb_desktop.ui.sync.state import SyncState
from hescb_desktop.ui.sync.window_sync import WindowSync
from hescb_desktop.ui.widgets.icons import icon
from hescb_desktop.ui.widgets.page import Page
from hescb_desktop.ui.workspace import Workspace

HOME, CALENDAR, BOARD, MEETINGS, ACTIONS, PACKS, CONFLICTS = range(7)
DEFAULT_SIZE = QSize(1280, 820)


@dataclass(frozen=True)
class PageSpec:
    title: str
    icon: str
    factory: Callable[[Workspace], Page]


class MainWindow(QMainWindow):
    first_shown = Signal()
    page_changed = Signal(int)

    def __init__(self, workspace: Workspace, state: QSettings) -> None:
        super().__init__()
        self.workspace = workspace
        self.state = state
        self.specs = self._page_specs()
        self.pages: dict[int, Page] = {}
        self.nav = QListWidget()
        self.stack = QStackedWidget()
        self.status = AppStatusBar()
        self.page_actions: list[QAction] = []
        self._shown_once = False
        self.sync = WindowSync(self, workspace, self.status)
        self._setup_ui()
        self._setup_menus()
        workspace.settings_changed.connect(self._on_workspace_settings_changed)
        self.sync.controller.state_changed.connect(self._on_sync_state_changed)
        self.status.conflicts_clicked.connect(self._on_status_conflicts_clicked)
        self.first_shown.connect(self.sync.controller.start, Qt.ConnectionType.QueuedConnection)
        self._show_settings_in_status_bar()
        self._restore_state()

    def _page_specs(self) -> list[PageSpec]:
        return [
            PageSpec(self.tr("Home"), "home", HomePage),
            PageSpec(self.tr("Calendar"), "calendar", CalendarPage),
            PageSpec(self.tr("Planning board"), "board", BoardPage),
            PageSpec(self.tr("Meetings"), "meetings", MeetingsPage),
            PageSpec(self.tr("Actions"), "actions", ActionsPage),
            PageSpec(self.tr("Board packs"), "packs", PacksPage),
            PageSpec(self.tr("Conflicts"), "conflicts", ConflictsPage),
        ]

    # ------------------------------------------------------------------ building
    def _setup_ui(self) -> None:
        self.setWindowTitle(APP_NAME)
        self.setWindowIcon(icon("app"))
        self.setStatusBar(self.status)
        for spec in self.specs:
            QListWidgetItem(icon(spec.icon), spec.title, self.nav)
            self.stack.addWidget(QWidget())  # replaced by the page on its first visit
        self.nav.setObjectName("navigation")
        self.stack.setObjectName("pages")
        self.nav.setIconSize(QSize(20, 20))
        self.nav.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.nav.currentRowChanged.connect(self._on_nav_current_row_changed)
        central = QWidget()
        layout = QHBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self._sidebar())
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)

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
        file_menu = bar.addMenu(self.tr("&File"))
        self.settings_action = file_menu.addAction(self.tr("&Settings…"))
        self.settings_action.setShortcuts([QKeySequence("Ctrl+,")])
        self.settings_action.setMenuRole(QAction.MenuRole.PreferencesRole)
        self.settings_action.triggered.connect(self._on_settings_action_triggered)
        file_menu.addAction(self.sync.sync_action)
        file_menu.addSeparator()
        for action in add_calendar_actions(  # issue 5: .ics import/export, print a week
            file_menu, lambda: self.page(CALENDAR), lambda: self.show_page(CALENDAR)
        ):
            file_menu.addAction(action)
        file_menu.addSeparator()
        self.quit_action = file_menu.addAction(self.tr("&Quit"))
        self.quit_action.setShortcuts(
            QKeySequence.keyBindings(QKeySequence.StandardKey.Quit) or [QKeySequence("Ctrl+Q")]
        )
        self.quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        self.quit_action.triggered.connect(self.close)
        self._setup_edit_menu()
        self._setup_view_menu()
        help_menu = bar.addMenu(self.tr("&Help"))
        self.about_action = help_menu.addAction(self.tr("&About %1").replace("%1", APP_NAME))
        self.about_action.setMenuRole(QAction.MenuRole.AboutRole)
        self.about_action.triggered.connect(self._on_about_action_triggered)

    def _setup_edit_menu(self) -> None:
        edit_menu = self.menuBar().addMenu(self.tr("&Edit"))
        stack = self.workspace.undo_stack
        self.undo_action = stack.createUndoAction(self, self.tr("&Undo"))
        self.undo_action.setShortcuts(QKeySequence.StandardKey.Undo)
        self.redo_action = stack.createRedoAction(self, self.tr("&Redo"))
        self.redo_action.setShortcuts(QKeySequence.StandardKey.Redo)
        edit_menu.addAction(self.undo_action)
        edit_menu.addAction(self.redo_action)

    def _setup_view_menu(self) -> None:
        view_menu = self.menuBar().addMenu(self.tr("&View"))
        group = QActionGroup(self)
        for number, spec in enumerate(self.specs):
            action = view_menu.addAction(icon(spec.icon), spec.title)
            action.setCheckable(True)
            action.setShortcut(QKeySequence(f"Ctrl+{number + 1}"))
            action.setData(number)
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
            page = self.specs[index].factory(self.workspace)
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
        if not 0 <= index < len(self.specs):
            return
        page = self.page(index)
        self.stack.setCurrentIndex(index)
        self.page_actions[index].setChecked(True)
        page.activate()
        self.page_changed.emit(index)

    @Slot()
    def _on_page_action_triggered(self) -> None:
        action = self.sender()
        if isinstance(action, QAction):
            self.show_page(int(action.data()))

    @Slot()
    def _on_refresh_action_triggered(self) -> None:
        self.current_page().refresh()

    # ------------------------------------------------------------------ settings
    @Slot()
    def _on_settings_action_triggered(self) -> None:
        new = SettingsDialog.ask(self.workspace.settings, self.workspace.organisations(), self)
        if new is not None and new != self.workspace.settings:
            self.sync.apply_settings(new)

    @Slot()
    def _on_workspace_settings_changed(self) -> None:
        self._show_settings_in_status_bar()

    def _show_settings_in_status_bar(self) -> None:
        settings = self.workspace.settings
        self.status.show_user(settings.display_name)
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

    @Slot()
    def _on_about_action_triggered(self) -> None:
        AboutDialog.ask(self.about_info(), self)

    def about_info(self) -> AboutInfo:
        data_dir = self.workspace.data_dir
        ctx = self.workspace.ctx
        return AboutInfo(str(data_dir) if data_dir else self.tr("(in memory)"), ctx.device_id)

    # ------------------------------------------------------------------ window state
    def _restore_state(self) -> None:
        geometry = self.state.value("window/geometry")
        if geometry is None or not self.restoreGeometry(geometry):
            self.resize(DEFAULT_SIZE)
        state = self.state.value("window/state")
        if state is not None:
            self.restoreState(state)
        self.show_page(HOME)  # always Home: the dashboard, and the cheapest page to open

    def save_state(self) -> None:
        self.state.setValue("window/geometry", self.saveGeometry())
        self.state.setValue("window/state", self.saveState())
        self.state.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.save_state()
        self.sync.controller.shutdown()
        super().closeEvent(event)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._shown_once:
            self._shown_once = True
            self.first_shown.emit()
