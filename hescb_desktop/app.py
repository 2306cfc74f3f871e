"""The GUI's composition root: data dir, lock, the window, then the database and first run.

The window shows first, from Qt alone, and the board (SQLAlchemy, the database, the pages) is
attached right after its first paint: a user sees the app at once instead of waiting for the
database layers to import. Nothing here imports them at module level for the same reason.

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
from typing import TYPE_CHECKING

from filelock import BaseFileLock
from PySide6.QtCore import QCoreApplication, QSettings, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from hescb_desktop import APP_NAME, __version__
from hescb_desktop.paths import (
    SETTINGS_FILENAME,
    DataDirError,
    prepare_data_dir,
    resource_path,
)
from hescb_desktop.storage.lock import AlreadyOpenError, lock_data_dir
from hescb_desktop.ui.main_window import MainWindow
from hescb_desktop.ui.widgets.icons import icon

if TYPE_CHECKING:
    from hescb_desktop.services.context import ServiceContext
    from hescb_desktop.ui.first_run import BuildDemo
    from hescb_desktop.ui.widgets.worker import ProgressFn

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


def _report(word: str) -> None:
    print(f"{word} {seconds_since_start():.3f}", flush=True)


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


def _fail(title: str, message: str, parent: QWidget | None = None) -> int:
    QMessageBox.critical(parent, title, message)
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


@dataclass
class Frame:
    """The window before its board: the data dir is locked, nothing else is open yet."""

    data_dir: Path
    share: Path | None
    lock: BaseFileLock
    window: MainWindow

    def abandon(self) -> None:
        self.window.close()
        self.window.deleteLater()
        self.lock.release()


def open_frame(data_dir: Path, share: Path | None = None) -> Frame | int:
    """Check the share and the data dir, lock it and build the window (not yet shown)."""
    if share is not None and not share.is_dir():
        message = _tr("The share folder %1 does not exist or is not a folder.")
        return _fail(_tr("Cannot use the share folder"), message.replace("%1", str(share)))
    try:
        prepare_data_dir(data_dir)
    except DataDirError as exc:
        return _fail(_tr("Cannot use the data folder"), str(exc))
    try:
        lock = lock_data_dir(data_dir)
    except AlreadyOpenError as exc:
        return _fail(_tr("HESCB Desktop is already open"), str(exc))
    state = QSettings(str(data_dir / SETTINGS_FILENAME), QSettings.Format.IniFormat)
    return Frame(data_dir, share, lock, MainWindow(None, state))


def open_database(frame: Frame) -> ServiceContext | int:
    """The data dir's database, or show why not and return the exit status."""
    from hescb_desktop.services.context import open_context
    from hescb_desktop.storage.engine import DamagedDatabaseError, DatabaseError

    error = upgrade_on_a_worker(frame)
    if error:
        return _fail(_tr("Cannot open the database"), error, frame.window)
    try:
        return open_context(frame.data_dir)
    except DamagedDatabaseError as exc:
        return recover_on_a_worker(frame, str(exc))
    except DatabaseError as exc:
        return _fail(_tr("Cannot open the database"), str(exc), frame.window)


def ask_to_recover(message: str, parent: QWidget | None) -> bool:
    """The damaged board's dialog: Recover… or Quit. True for Recover…"""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Critical)
    box.setWindowTitle(_tr("The board is damaged"))
    box.setText(_tr("The board on this PC is damaged and cannot be opened."))
    box.setInformativeText(
        message
        + "\n\n"
        + _tr(
            "Recover… rebuilds it from the shared folder (or from the copy kept before the last "
            "upgrade), keeping the changes this PC had not sent that can still be read. The "
            "damaged file is kept beside it."
        )
    )
    recover = box.addButton(_tr("Recover…"), QMessageBox.ButtonRole.AcceptRole)
    box.addButton(_tr("Quit"), QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(recover)
    box.exec()
    return box.clickedButton() is recover


def recover_on_a_worker(frame: Frame, damage: str) -> ServiceContext | int:
    """Offer to recover a damaged board; recover it off the GUI thread behind a busy dialog
    (services.recovery: the share's snapshot and journal, else the copy kept before an upgrade),
    say what was recovered and open it. Quit, or a recovery that fails, is exit status 2 with
    the damaged file as it was."""
    from hescb_desktop.services import recovery
    from hescb_desktop.services.context import open_context
    from hescb_desktop.storage.engine import DatabaseError
    from hescb_desktop.ui.widgets.busy_dialog import BusyDialog

    if not ask_to_recover(damage, frame.window):
        return EXIT_FAULT

    def work(_progress: object) -> recovery.Recovery:
        return recovery.recover(frame.data_dir, frame.share)

    done, error = BusyDialog.run(
        _tr("Recovering the board"),
        _tr("Recovering the board from the shared folder…"),
        work,
        frame.window,
    )
    if error or not isinstance(done, recovery.Recovery):
        return _fail(_tr("Could not recover the board"), error, frame.window)
    lines = [done.summary()[:1].upper() + done.summary()[1:] + "."]
    lines += [_tr("Not used: %1.").replace("%1", why) for why in done.not_used]
    if done.sync_error:
        lines.append(
            _tr("The sync after it failed, working offline: %1").replace("%1", done.sync_error)
        )
    QMessageBox.information(frame.window, _tr("Board recovered"), "\n\n".join(lines))
    try:
        return open_context(frame.data_dir)
    except DatabaseError as exc:
        return _fail(_tr("Cannot open the database"), str(exc), frame.window)


def upgrade_on_a_worker(frame: Frame) -> str:
    """A board written by an older app is upgraded off the GUI thread, behind a busy dialog (a
    five-year board takes seconds: the copy set aside, then the migrations). '' when done or
    not needed; otherwise why it failed (the database is left as it was)."""
    from hescb_desktop.paths import DB_FILENAME
    from hescb_desktop.storage.database import head_revision, known_revisions, peek
    from hescb_desktop.storage.database import open_database as open_file
    from hescb_desktop.storage.engine import DatabaseError
    from hescb_desktop.ui.widgets.busy_dialog import BusyDialog

    path = frame.data_dir / DB_FILENAME
    if not path.is_file() or path.stat().st_size == 0:
        return ""
    try:
        revision = peek(path).revision
    except DatabaseError:
        return ""  # open_context says why, on the GUI thread as before
    if revision is None or revision == head_revision() or revision not in known_revisions():
        return ""

    def upgrade(_progress: object) -> bool:
        open_file(path).dispose()  # its own engine, on the worker; the GUI opens its own after
        return True

    _, error = BusyDialog.run(
        _tr("Upgrading the board"),
        _tr("Upgrading the board for this version of HESCB Desktop…"),
        upgrade,
        frame.window,
    )
    return error


def database_is_empty(ctx: ServiceContext) -> bool:
    """No rows in any synced table (tombstones count: a board that had data is not new)."""
    from hescb_desktop.services.entities import ALL, held_rows

    with ctx.engine.connect() as conn:
        return all(conn.execute(held_rows(s).limit(1)).first() is None for s in ALL)


def build_demo() -> BuildDemo:
    """services.demo.build_demo, imported only on a first run (start-up never pays for it).
    The demo opened in the app is protected, as `init --demo` makes it: this PC its root, this
    OS account its programme manager (secretariat); Demo › View as… changes who."""
    from hescb_desktop.services.demo import build_demo as builder

    def protected(
        ctx: ServiceContext, scale: str = "small", progress: ProgressFn | None = None
    ) -> None:
        builder(ctx, scale, progress, protect=True)

    return protected


def first_run(ctx: ServiceContext) -> ServiceContext | int:
    """Ask how to start if this is a new, empty board. The context to carry on with (joining a
    share reopens the database), or an exit status if the user backs out or setting up fails."""
    from hescb_desktop.services.settings import load_settings

    if load_settings(ctx.uow(write=False)).first_run_choice or not database_is_empty(ctx):
        return ctx
    if os.environ.get(BENCH_ENV) == "1":
        return ctx  # a benchmark never waits for a person
    from hescb_desktop.ui.first_run import apply_first_run
    from hescb_desktop.ui.first_run_dialog import JOIN, FirstRunDialog

    choice = FirstRunDialog.ask()
    if choice is None:
        return 0  # closed without choosing: nothing is set up, the question comes back next time
    done = apply_first_run(ctx, choice, build_demo())
    if done.error:
        if choice.choice == JOIN:
            return _fail(_tr("Could not join the shared folder"), done.error)
        return _fail(_tr("The demo board could not be built"), done.error)
    return done.ctx


def load_board(frame: Frame) -> GuiSession | int:
    """Open the database, ask the first-run question if needed and attach the board to the
    window; or give up (the frame abandoned) with the exit status."""
    from hescb_desktop.ui.workspace import Workspace

    ctx = open_database(frame)
    if isinstance(ctx, int):
        frame.abandon()
        return ctx
    started = first_run(ctx)
    if isinstance(started, int):
        ctx.close()
        frame.abandon()
        return started
    frame.window.attach(Workspace(started, share_override=frame.share))
    return GuiSession(frame.lock, started, frame.window)


def start_gui(data_dir: Path, share: Path | None = None) -> GuiSession | int:
    """Everything up to a main window with its board, not shown; or the exit status."""
    frame = open_frame(data_dir, share)
    if isinstance(frame, int):
        return frame
    return load_board(frame)


class _Starter:
    """Shows the frame, then loads the board once the window has painted."""

    def __init__(self, frame: Frame) -> None:
        self.frame = frame
        self.session: GuiSession | None = None
        self.status: int | None = None  # set when loading gave up

    def load(self) -> None:
        QApplication.processEvents()  # let the window paint before the database layers load
        loaded = load_board(self.frame)
        if isinstance(loaded, int):
            self.status = loaded
            QApplication.exit(loaded)
            return
        self.session = loaded
        if os.environ.get(BENCH_ENV) == "1":
            _report("ready")
            QTimer.singleShot(0, QApplication.quit)


def start_error_handling(app: QApplication, data_dir: Path) -> Path | None:
    """The log file, the crash file and the crash dialog's hooks (logs, ui/crash_dialog); the
    kept crash file of the last run if it died natively."""
    from hescb_desktop import logs
    from hescb_desktop.ui.crash_dialog import install_error_handlers

    logs.setup_logging()
    crashed = logs.take_previous_crash()
    logs.enable_crash_file()
    install_error_handlers(app)
    logs.log.info("%s %s starting on %s", APP_NAME, __version__, data_dir)
    return crashed


def run_gui(data_dir: Path, share: Path | None = None) -> int:
    """Start the GUI on `data_dir` and run it until the window closes; the exit status.

    With HESCB_BENCH_EXIT_AFTER_SHOW=1 it prints `shown <s>` when the window first shows and
    `ready <s>` when the board is attached (seconds since the process started), then quits."""
    from hescb_desktop.logs import disable_crash_file

    app = application()
    crashed = start_error_handling(app, data_dir)
    try:
        return _run_window(app, data_dir, share, crashed)
    finally:
        disable_crash_file()  # a clean exit leaves no crash file


def _run_window(app: QApplication, data_dir: Path, share: Path | None, crashed: Path | None) -> int:
    from hescb_desktop.ui.crash_dialog import tell_about_previous_crash
    from hescb_desktop.ui.widgets.worker import GuiThreadCollector

    GuiThreadCollector.install()  # garbage is collected on the GUI thread, never during work
    frame = open_frame(data_dir, share)
    if isinstance(frame, int):
        return frame
    starter = _Starter(frame)
    if os.environ.get(BENCH_ENV) == "1":
        frame.window.first_shown.connect(lambda: _report("shown"))
    frame.window.first_shown.connect(lambda: QTimer.singleShot(0, starter.load))
    if crashed is not None and os.environ.get(BENCH_ENV) != "1":
        window = frame.window
        window.first_shown.connect(lambda: tell_about_previous_crash(crashed, window))
    frame.window.show()
    try:
        status = app.exec()
    finally:
        if starter.session is not None:
            starter.session.close()
    return starter.status if starter.status is not None else status
