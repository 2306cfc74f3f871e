"""The GUI's composition root: data dir, lock, database, first run, then the main window.

Faults a user can meet here (a data dir that is a file, a second copy of the app on the same
data dir, a database that is not ours or is damaged, a share folder that is not there) end in a
dialog that says what is wrong and exit status 2, with nothing overwritten.
"""

from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from filelock import BaseFileLock
from PySide6.QtCore import QCoreApplication, QSettings, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from hescb_desktop import APP_NAME, __version__
from hescb_desktop.paths import (
    SETTINGS_FILENAME,
    DataDirError,
    prepare_data_dir,
    resource_path,
)
from hescb_desktop.services.context import ServiceContext, open_context
from hescb_desktop.services.entities import ALL, held_rows
from hescb_desktop.services.settings import load_settings
from hescb_desktop.storage.engine import DatabaseError
from hescb_desktop.storage.lock import AlreadyOpenError, lock_data_dir
from hescb_desktop.ui.first_run import BuildDemo, apply_first_run
from hescb_desktop.ui.first_run_dialog import JOIN, FirstRunDialog
from hescb_desktop.ui.main_window import MainWindow
from hescb_desktop.ui.widgets.icons import icon
from hescb_desktop.ui.workspace import Workspace

_IMPORTED_AT = time.perf_counter()  # the fallback start of the clock, where /proc is missing
BENCH_ENV = "HESCB_BENCH_EXIT_AFTER_SHOW"
EXIT_FAULT = 2


def _tr(text: str) -> str:
    return QCoreApplication.translate("app", text)


# ---------------------------------------------------------------------- start-up timing
def _process_age() -> float | None:
    """Seconds since this process was created (Linux /proc); None where that is unknown."""
    try:
        after_name = Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()
        start_ticks = int(after_name[19])  # field 22, starttime, in clock ticks since boot
        uptime = float(Path("/proc/uptime").read_text().split()[0])
        return uptime - start_ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, AttributeError):
        return None


def seconds_since_start() -> float:
    """Since the process started if the OS says so plausibly, else since this module loaded."""
    since_import = time.perf_counter() - _IMPORTED_AT
    age = _process_age()
    if age is not None and since_import <= age + 0.05 < since_import + 120:
        return age
    return since_import


def _report_shown_and_quit() -> None:
    print(f"shown {seconds_since_start():.3f}", flush=True)
    QApplication.quit()


# ---------------------------------------------------------------------- the application
def application() -> QApplication:
    """The QApplication (made once), named, styled and with the app's icon."""
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv[:1])
    if app.property("hescb_styled"):
        return app
    app.setProperty("hescb_styled", True)
    app.setApplicationName(APP_NAME)
    app.setOrganizationName("HESCB")
    app.setApplicationVersion(__version__)
    app.setStyle("Fusion")
    app.setWindowIcon(icon("app"))
    qss = resource_path("style.qss")
    if qss.exists():
        app.setStyleSheet(qss.read_text(encoding="utf-8"))
    return app


def _fail(title: str, message: str) -> int:
    QMessageBox.critical(None, title, message)
    return EXIT_FAULT


@dataclass
class GuiSession:
    """What the GUI holds while it runs: the data-dir lock, the database and the window."""

    lock: BaseFileLock
    ctx: ServiceContext
    window: MainWindow

    def close(self) -> None:
        self.window.sync.controller.shutdown()  # a round still running finishes first
        current = self.window.workspace.ctx  # joining a share from the app reopens the database
        if current is not self.ctx:
            current.close()
        self.ctx.close()
        self.lock.release()


def open_data_dir(data_dir: Path) -> tuple[BaseFileLock, ServiceContext] | int:
    """Lock and open the data dir, or show why not and return the exit status."""
    try:
        prepare_data_dir(data_dir)
    except DataDirError as exc:
        return _fail(_tr("Cannot use the data folder"), str(exc))
    try:
        lock = lock_data_dir(data_dir)
    except AlreadyOpenError as exc:
        return _fail(_tr("HESCB Desktop is already open"), str(exc))
    try:
        ctx = open_context(data_dir)
    except DatabaseError as exc:
        lock.release()
        return _fail(_tr("Cannot open the database"), str(exc))
    return lock, ctx


def database_is_empty(ctx: ServiceContext) -> bool:
    """No rows in any synced table (tombstones count: a board that had data is not new)."""
    with ctx.engine.connect() as conn:
        return all(conn.execute(held_rows(s).limit(1)).first() is None for s in ALL)


def build_demo() -> BuildDemo:
    """services.demo.build_demo, imported only on a first run (start-up never pays for it)."""
    from hescb_desktop.services.demo import build_demo as builder

    return builder


def first_run(ctx: ServiceContext) -> ServiceContext | int:
    """Ask how to start if this is a new, empty board. The context to carry on with (joining a
    share reopens the database), or an exit status if the user backs out or setting up fails."""
    if load_settings(ctx.uow(write=False)).first_run_choice or not database_is_empty(ctx):
        return ctx
    if os.environ.get(BENCH_ENV) == "1":
        return ctx  # a benchmark never waits for a person
    choice = FirstRunDialog.ask()
    if choice is None:
        return 0  # closed without choosing: nothing is set up, the question comes back next time
    done = apply_first_run(ctx, choice, build_demo())
    if done.error:
        if choice.choice == JOIN:
            return _fail(_tr("Could not join the shared folder"), done.error)
        return _fail(_tr("The demo board could not be built"), done.error)
    return done.ctx


def start_gui(data_dir: Path, share: Path | None = None) -> GuiSession | int:
    """Everything up to a main window ready to show, or the exit status if it cannot be."""
    if share is not None and not share.is_dir():
        message = _tr("The share folder %1 does not exist or is not a folder.")
        return _fail(_tr("Cannot use the share folder"), message.replace("%1", str(share)))
    opened = open_data_dir(data_dir)
    if isinstance(opened, int):
        return opened
    lock, ctx = opened
    started = first_run(ctx)
    if isinstance(started, int):
        ctx.close()
        lock.release()
        return started
    ctx = started
    state = QSettings(str(data_dir / SETTINGS_FILENAME), QSettings.Format.IniFormat)
    window = MainWindow(Workspace(ctx, share_override=share), state)
    return GuiSession(lock, ctx, window)


def run_gui(data_dir: Path, share: Path | None = None) -> int:
    """Start the GUI on `data_dir` and run it until the window closes; the exit status."""
    app = application()
    session = start_gui(data_dir, share)
    if isinstance(session, int):
        return session
    try:
        if os.environ.get(BENCH_ENV) == "1":
            session.window.first_shown.connect(lambda: QTimer.singleShot(0, _report_shown_and_quit))
        session.window.show()
        return app.exec()
    finally:
        session.close()
