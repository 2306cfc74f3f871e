"""pytest-qt fixtures: an isolated home, a styled QApplication, a known board and the window.

No test here touches the real home folder: HOME, the XDG folders, QSettings' paths and
QStandardPaths are all pointed into the test's tmp_path, and the data dir is `data_dir`
(tests/conftest.py) under tmp_path too.
"""

from __future__ import annotations

import os
import shutil

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before any Qt import, as in ../conftest.py

from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from board_data import ME, BoardFacts, fill_board
from PySide6.QtCore import QSettings, QStandardPaths
from PySide6.QtGui import QFontInfo
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from hescb_desktop.app import application
from hescb_desktop.paths import DB_FILENAME, SETTINGS_FILENAME
from hescb_desktop.services.context import ServiceContext, open_context
from hescb_desktop.services.settings import load_settings, save_settings
from hescb_desktop.ui.main_window import MainWindow
from hescb_desktop.ui.widgets.worker import GuiThreadCollector
from hescb_desktop.ui.workspace import Workspace


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """HOME, XDG dirs, QSettings and QStandardPaths all under tmp_path."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    for var, sub in (
        ("XDG_CONFIG_HOME", ".config"),
        ("XDG_DATA_HOME", ".local/share"),
        ("XDG_CACHE_HOME", ".cache"),
    ):
        monkeypatch.setenv(var, str(home / sub))
    QStandardPaths.setTestModeEnabled(True)
    for fmt in (QSettings.Format.IniFormat, QSettings.Format.NativeFormat):
        for scope in (QSettings.Scope.UserScope, QSettings.Scope.SystemScope):
            QSettings.setPath(fmt, scope, str(home / "qsettings"))
    return home


@pytest.fixture(autouse=True)
def styled_app(qapp: QApplication) -> QApplication:
    """The test QApplication set up as the app sets it up (app.run_gui): a real font (the font
    trap), and garbage collected only on the GUI thread from the collector's timer, never by
    the interpreter in the middle of whatever allocates (a CI worker died of SIGSEGV building a
    window, in QMainWindow's constructor, before any task of that worker had turned automatic
    collection off)."""
    application()
    GuiThreadCollector.install()
    family = QFontInfo(qapp.font()).family()
    assert family != "", "no font: install fonts-dejavu-core, or Qt draws empty boxes"
    return qapp


@pytest.fixture
def today() -> date:
    return date.today()


@pytest.fixture(scope="session")
def board_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, BoardFacts]:
    """The known board, built once a session (it takes seconds) and copied into each test.

    Its first run is done and the user is the owner of three of its actions.
    """
    folder = tmp_path_factory.mktemp("board-template")
    context = open_context(folder)
    facts = fill_board(context, date.today())
    settings = load_settings(context.uow(write=False))
    save_settings(
        context.uow(),
        replace(settings, display_name=ME, organisation_code="HC", first_run_choice="demo"),
    )
    context.close()
    return folder, facts


@pytest.fixture
def board(data_dir: Path, board_template: tuple[Path, BoardFacts]) -> BoardFacts:
    """A copy of the known board in this test's data dir (open it with `ctx`)."""
    folder, facts = board_template
    data_dir.mkdir(parents=True, exist_ok=True)
    for name in (DB_FILENAME, f"{DB_FILENAME}-wal", f"{DB_FILENAME}-shm"):
        if (folder / name).exists():
            shutil.copy2(folder / name, data_dir / name)
    return facts


@pytest.fixture
def ctx(data_dir: Path, board: BoardFacts) -> Iterator[ServiceContext]:
    """The known board, open."""
    context = open_context(data_dir)
    yield context
    context.close()


@pytest.fixture
def empty_ctx(data_dir: Path) -> Iterator[ServiceContext]:
    """A new, empty database: what a first run finds."""
    data_dir.mkdir(parents=True, exist_ok=True)
    context = open_context(data_dir)
    yield context
    context.close()


@pytest.fixture
def workspace(ctx: ServiceContext) -> Workspace:
    return Workspace(ctx)


@pytest.fixture
def window_state(data_dir: Path) -> QSettings:
    return QSettings(str(data_dir / SETTINGS_FILENAME), QSettings.Format.IniFormat)


@pytest.fixture
def window(qtbot: QtBot, workspace: Workspace, window_state: QSettings) -> MainWindow:
    win = MainWindow(workspace, window_state)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    return win
