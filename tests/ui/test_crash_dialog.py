"""The one error path (ui/crash_dialog.py): an exception in a slot, in a Task's function or in a
thread, and Qt's critical messages, reach the log with their traceback and one dialog.

pytest-qt's own exception capture is off in this module (it would fail the test on the very
exceptions under test); the `handlers` fixture installs the app's hooks for the test and puts
back what was there, so every other test keeps pytest-qt's behaviour."""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer, QUrl, qCritical, qWarning
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QPushButton, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from hescb_desktop import __version__, logs
from hescb_desktop.domain.errors import ValidationError
from hescb_desktop.ui import crash_dialog
from hescb_desktop.ui.crash_dialog import CrashDialog, Installed, install_error_handlers
from hescb_desktop.ui.main_window import MainWindow
from hescb_desktop.ui.widgets.worker import Task

pytestmark = pytest.mark.qt_no_exception_capture


@pytest.fixture
def handlers(qapp: QApplication, log_dir: Path) -> Iterator[Installed]:
    level = logging.getLogger().level
    logs.setup_logging()
    installed = install_error_handlers(qapp)
    yield installed
    installed.uninstall()
    logs.stop_logging()
    logging.getLogger().setLevel(level)


@pytest.fixture
def screen(qtbot: QtBot) -> QWidget:
    """A real window with a button whose handler has a bug."""
    widget = QWidget()
    layout = QVBoxLayout(widget)
    widget.button = QPushButton("Save", widget)  # type: ignore[attr-defined]
    layout.addWidget(widget.button)  # type: ignore[attr-defined]
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def crash_dialogs() -> list[CrashDialog]:
    return [
        w for w in QApplication.topLevelWidgets() if isinstance(w, CrashDialog) and w.isVisible()
    ]


def the_dialog(qtbot: QtBot) -> CrashDialog:
    qtbot.waitUntil(lambda: len(crash_dialogs()) == 1, timeout=5_000)
    return crash_dialogs()[0]


def log_text(log_dir: Path) -> str:
    return (log_dir / "hescb.log").read_text(encoding="utf-8")


def test_an_exception_in_a_slot_shows_the_dialog_and_logs_the_traceback(
    qtbot: QtBot, handlers: Installed, screen: QWidget, log_dir: Path
) -> None:
    def save_the_action_with_a_bug() -> None:
        raise ZeroDivisionError("the slot divided by zero")

    screen.button.clicked.connect(save_the_action_with_a_bug)  # type: ignore[attr-defined]
    qtbot.mouseClick(screen.button, Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]
    dialog = the_dialog(qtbot)
    text = dialog.text.text()
    assert "What failed: ZeroDivisionError: the slot divided by zero" in text
    assert "Nothing you typed was lost" in text
    assert dialog.parent() is screen  # over the active window
    logged = log_text(log_dir)
    assert "Traceback (most recent call last)" in logged
    assert "save_the_action_with_a_bug" in logged and "the slot divided by zero" in logged
    qtbot.mouseClick(dialog.close_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not crash_dialogs())
    assert handlers.hub.dialog is None


def test_an_exception_in_a_worker_shows_the_dialog_and_keeps_its_traceback(
    qtbot: QtBot, handlers: Installed, log_dir: Path
) -> None:
    def build_the_pack_on_a_worker(_progress: object) -> object:
        return {}["missing section"]

    task = Task(build_the_pack_on_a_worker)
    messages: list[str] = []
    details: list[str] = []
    task.signals.failed.connect(messages.append)
    task.signals.failed_detail.connect(lambda _message, detail: details.append(detail))
    with qtbot.waitSignal(task.signals.failed, timeout=5_000):
        task.start()
    assert messages == ["'missing section'"]  # the caller's message, as before
    assert "build_the_pack_on_a_worker" in details[0] and "KeyError" in details[0]
    dialog = the_dialog(qtbot)
    assert "KeyError: 'missing section'" in dialog.text.text()
    assert "build_the_pack_on_a_worker" in dialog.details()
    logged = log_text(log_dir)
    assert "task test_an_exception_in_a_worker" in logged  # the task's own line, with its name
    assert "Traceback (most recent call last)" in logged
    assert logged.count('build_the_pack_on_a_worker\n    return {}["missing section"]') == 1
    dialog.close()


def test_a_refusal_in_a_worker_is_the_callers_to_show_not_a_crash(
    qtbot: QtBot, handlers: Installed, log_dir: Path
) -> None:
    def refuse(_progress: object) -> object:
        raise ValidationError("a title is needed")

    task = Task(refuse)
    with qtbot.waitSignal(task.signals.failed, timeout=5_000) as failed:
        task.start()
    assert failed.args == ["a title is needed"]
    qtbot.wait(100)
    assert crash_dialogs() == []
    assert "refused: a title is needed" in log_text(log_dir)


def test_an_exception_in_a_thread_reaches_the_dialog(
    qtbot: QtBot, handlers: Installed, log_dir: Path
) -> None:
    def print_spool() -> None:
        raise RuntimeError("the spooler lost its page")

    thread = threading.Thread(target=print_spool, name="print-spool")
    thread.start()
    thread.join(5)
    dialog = the_dialog(qtbot)
    assert "in print-spool: RuntimeError: the spooler lost its page" in dialog.text.text()
    assert "print_spool" in log_text(log_dir)
    dialog.close()


def test_copy_details_has_the_versions_the_traceback_and_the_log(
    qtbot: QtBot, handlers: Installed, screen: QWidget
) -> None:
    def export_the_calendar() -> None:
        raise ValueError("month 13")

    QTimer.singleShot(0, export_the_calendar)
    dialog = the_dialog(qtbot)
    QGuiApplication.clipboard().clear()
    qtbot.mouseClick(dialog.copy_button, Qt.MouseButton.LeftButton)
    copied = QGuiApplication.clipboard().text()
    assert copied.startswith(f"HESCB Desktop {__version__}\nPython ")
    assert "Qt " in copied and "PySide6 " in copied
    assert "ValueError: month 13" in copied and "export_the_calendar" in copied
    assert "Traceback (most recent call last)" in copied
    assert "Log (last lines):" in copied and "ERROR" in copied.split("Log (last lines):")[1]
    assert dialog.isVisible()  # copying leaves the dialog open
    dialog.close()


def test_open_log_folder_opens_a_file_url_of_the_log_folder(
    qtbot: QtBot, handlers: Installed, monkeypatch: pytest.MonkeyPatch, log_dir: Path
) -> None:
    opened: list[QUrl] = []

    class Desktop:
        @staticmethod
        def openUrl(url: QUrl) -> bool:
            opened.append(url)
            return True

    monkeypatch.setattr(crash_dialog, "QDesktopServices", Desktop)
    crash_dialog.report_unexpected("TypeError: a test", "")
    dialog = the_dialog(qtbot)
    qtbot.mouseClick(dialog.folder_button, Qt.MouseButton.LeftButton)
    assert [url.toLocalFile() for url in opened] == [str(log_dir)]
    assert log_dir.is_dir() and dialog.isVisible()
    dialog.close()


def test_many_errors_at_once_give_one_dialog(qtbot: QtBot, handlers: Installed) -> None:
    def redraw_a_card(n: int) -> None:
        raise IndexError(f"card {n}")

    for n in range(50):
        QTimer.singleShot(0, lambda n=n: redraw_a_card(n))
    dialog = the_dialog(qtbot)
    qtbot.waitUntil(lambda: len(dialog.reports) == 50)
    qtbot.wait(50)
    assert len(crash_dialogs()) == 1
    assert "What failed: IndexError: card 0" in dialog.text.text()
    assert "49 more errors followed" in dialog.text.text()
    assert "card 49" in dialog.details()
    dialog.close()


@pytest.mark.qt_log_ignore("the printer went away", "a stray warning")
def test_qt_critical_messages_are_logged_and_shown_warnings_only_logged(
    qtbot: QtBot, handlers: Installed, log_dir: Path
) -> None:
    qWarning("a stray warning")
    qtbot.wait(50)
    assert crash_dialogs() == []
    qCritical("the printer went away")
    dialog = the_dialog(qtbot)
    assert "Qt: the printer went away" in dialog.text.text()
    logged = log_text(log_dir)
    assert "WARNING" in logged and "Qt: a stray warning" in logged
    assert "ERROR" in logged and "Qt: the printer went away" in logged
    dialog.close()


def test_uninstall_puts_back_the_hooks_it_found(qapp: QApplication, log_dir: Path) -> None:
    before = sys.excepthook, threading.excepthook
    installed = install_error_handlers(qapp)
    assert sys.excepthook is not before[0]
    installed.uninstall()
    assert (sys.excepthook, threading.excepthook) == before
    assert crash_dialog._hub is None


def test_the_help_menu_opens_the_log_folder(
    window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[bool] = []
    monkeypatch.setattr("hescb_desktop.ui.main_window.open_log_folder", lambda: opened.append(1))
    assert window.log_folder_action in window.help_menu.actions()
    window.log_folder_action.trigger()
    assert opened == [1]


def test_the_start_after_a_native_crash_says_so(
    qtbot: QtBot, screen: QWidget, log_dir: Path
) -> None:
    log_dir.mkdir()
    (log_dir / "crash.txt").write_text("Fatal Python error: Segmentation fault\n", encoding="utf-8")
    kept = logs.take_previous_crash()
    assert kept is not None
    box = crash_dialog.tell_about_previous_crash(kept, screen)
    qtbot.waitUntil(box.isVisible)
    assert box.text() == "HESCB Desktop closed unexpectedly last time."
    assert kept.name in box.informativeText() and "log folder" in box.informativeText()
    box.close()
