"""One path for every unexpected error: logged with its traceback, then one dialog.

`install_error_handlers(app)` routes sys.excepthook (an exception in a slot), threading.excepthook
(a plain thread), a Task's unexpected exception (ui/widgets/worker) and Qt's critical messages to
`report_unexpected`, which may be called from any thread: the report is logged there and queued
to an ErrorHub on the GUI thread, which shows one CrashDialog (a burst of errors adds to the open
dialog instead of opening fifty). The dialog says what failed, that nothing typed was lost, and
offers "Copy details" and "Open log folder". Nothing is ever sent over the network.
"""

from __future__ import annotations

import logging
import platform
import sys
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import (
    QCoreApplication,
    QMessageLogContext,
    QObject,
    Qt,
    QtMsgType,
    QUrl,
    Signal,
    Slot,
    qInstallMessageHandler,
    qVersion,
)
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from hescb_desktop import APP_NAME, __version__
from hescb_desktop.logs import log_folder, log_tail
from hescb_desktop.ui.widgets import worker

log = logging.getLogger(__name__)
ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]
MessageHandler = Callable[[QtMsgType, QMessageLogContext, str], None]


def _tr(text: str) -> str:
    return QCoreApplication.translate("crash_dialog", text)


def open_log_folder() -> bool:
    """Show the log folder in the file manager (a file URL: nothing leaves the PC)."""
    folder = log_folder()
    folder.mkdir(parents=True, exist_ok=True)
    return QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))


def environment() -> str:
    """The versions a support person asks for first."""
    return (
        f"{APP_NAME} {__version__}\nPython {platform.python_version()}, Qt {qVersion()}, "
        f"PySide6 {pyside_version}\n{platform.platform()}"
    )


@dataclass
class Report:
    what: str  # one line: the exception's type and message, or Qt's message
    detail: str  # the traceback ('' for a Qt message)


class CrashDialog(QDialog):
    """The error dialog: what failed, that nothing typed was lost, Copy details, Open log folder."""

    def __init__(self, first: Report, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.reports = [first]
        self.setObjectName("hescb-crash-dialog")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowTitle(self.tr("%1: something went wrong").replace("%1", APP_NAME))
        self._setup_ui()
        self._show_reports()

    def _setup_ui(self) -> None:
        self.setMinimumWidth(480)
        heading = QLabel(
            self.tr("Something went wrong and %1 could not finish what it was doing.").replace(
                "%1", APP_NAME
            )
        )
        heading.setWordWrap(True)
        heading.setStyleSheet("font-weight: bold")
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        buttons = QDialogButtonBox()
        role = QDialogButtonBox.ButtonRole.ActionRole
        self.copy_button = buttons.addButton(self.tr("Copy details"), role)
        self.folder_button = buttons.addButton(self.tr("Open log folder"), role)
        self.close_button = buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.close_button.setDefault(True)
        self.copy_button.clicked.connect(self._on_copy_button_clicked)
        self.folder_button.clicked.connect(open_log_folder)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        for widget in (heading, self.text, buttons):
            layout.addWidget(widget)

    def add(self, report: Report) -> None:
        self.reports.append(report)
        self._show_reports()

    def _show_reports(self) -> None:
        lines = [self.tr("What failed: %1").replace("%1", self.reports[0].what)]
        if len(self.reports) > 1:
            more = self.tr("%1 more errors followed; the details have them all.")
            lines.append(more.replace("%1", str(len(self.reports) - 1)))
        lines.append(
            self.tr(
                "Nothing you typed was lost: each change is saved as it is made, and what is in "
                "an open dialog is still there. You can carry on, or close the app and start it "
                "again. The log folder has the details; Copy details puts them on the clipboard "
                "to send to whoever supports %1."
            ).replace("%1", APP_NAME)
        )
        self.text.setText("\n\n".join(lines))

    def details(self) -> str:
        """Versions, every report with its traceback, and the log's tail."""
        parts = [environment()]
        for report in self.reports:
            parts.append(f"{report.what}\n{report.detail}".rstrip())
        parts.append("Log (last lines):\n" + log_tail())
        return "\n\n".join(parts)

    @Slot()
    def _on_copy_button_clicked(self) -> None:
        QGuiApplication.clipboard().setText(self.details())


class ErrorHub(QObject):
    """Lives on the GUI thread; reports from any thread reach `show` queued, one dialog shows."""

    reported = Signal(str, str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("hescb-error-hub")
        self.dialog: CrashDialog | None = None
        self.reported.connect(self.show, Qt.ConnectionType.QueuedConnection)

    @Slot(str, str)
    def show(self, what: str, detail: str) -> None:
        try:
            self._show(Report(what, detail))
        except Exception:  # never an error about the error dialog: that would loop
            log.exception("the error dialog could not be shown")

    def _show(self, report: Report) -> None:
        if self.dialog is not None:
            self.dialog.add(report)
            return
        self.dialog = CrashDialog(report, QApplication.activeWindow())
        self.dialog.destroyed.connect(self._on_dialog_destroyed)
        self.dialog.finished.connect(self._on_dialog_destroyed)
        self.dialog.show()

    @Slot()
    def _on_dialog_destroyed(self) -> None:
        self.dialog = None


_hub: ErrorHub | None = None


def report_unexpected(what: str, detail: str = "") -> None:
    """Show an unexpected error (any thread): `what` in a line, `detail` its traceback. Logs it
    too. Without install_error_handlers it is only logged."""
    log.error("%s\n%s", what, detail.rstrip())
    show_unexpected(what, detail)


def show_unexpected(what: str, detail: str = "") -> None:
    """report_unexpected for an error already logged (a Task logs its own): the dialog only."""
    hub = _hub
    if hub is not None:
        hub.reported.emit(what, detail)


def report_exception(exc_info: ExcInfo, where: str = "") -> None:
    """report_unexpected for an exception: its type, message and traceback."""
    kind, value, tb = exc_info
    what = f"{kind.__name__}: {value}" if str(value) else kind.__name__
    report_unexpected(f"{where}{what}", "".join(traceback.format_exception(kind, value, tb)))


# ---------------------------------------------------------------------- the hooks
@dataclass
class Installed:
    """What install_error_handlers replaced, for `uninstall` to put back."""

    hub: ErrorHub
    excepthook: Callable[..., Any]
    threading_hook: Callable[[threading.ExceptHookArgs], Any]
    message_handler: object
    task_handler: worker.UnexpectedHandler | None

    def uninstall(self) -> None:
        global _hub
        sys.excepthook = self.excepthook
        threading.excepthook = self.threading_hook
        qInstallMessageHandler(self.message_handler)  # type: ignore[arg-type]
        worker.set_unexpected_handler(self.task_handler)
        if self.hub.dialog is not None:
            self.hub.dialog.close()
        self.hub.deleteLater()
        _hub = None


def _excepthook(kind: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
    if issubclass(kind, KeyboardInterrupt):
        sys.__excepthook__(kind, value, tb)
        return
    report_exception((kind, value, tb))


def _threading_hook(args: threading.ExceptHookArgs) -> None:
    if args.exc_value is None or issubclass(args.exc_type, SystemExit):
        return
    name = args.thread.name if args.thread is not None else "a thread"
    report_exception((args.exc_type, args.exc_value, args.exc_traceback), f"in {name}: ")


def _chained(installed: Installed) -> MessageHandler:
    """Qt's messages: critical and fatal reported, warnings logged; then the previous handler
    (pytest-qt's in tests), or stderr where there is one."""

    def handle(kind: QtMsgType, context: QMessageLogContext, message: str) -> None:
        previous = installed.message_handler
        if kind in (QtMsgType.QtCriticalMsg, QtMsgType.QtFatalMsg):
            report_unexpected(_tr("Qt: %1").replace("%1", message))
        elif kind == QtMsgType.QtWarningMsg:
            log.warning("Qt: %s", message)
        if callable(previous):
            previous(kind, context, message)
        elif kind != QtMsgType.QtDebugMsg and sys.stderr is not None:
            print(f"Qt: {message}", file=sys.stderr)  # as Qt's own handler would (make run)

    return handle


def install_error_handlers(app: QCoreApplication) -> Installed:
    """Route every unexpected error to the log and the one dialog; what was replaced."""
    global _hub
    hub = ErrorHub(app)
    installed = Installed(
        hub,
        sys.excepthook,
        threading.excepthook,
        None,
        worker.set_unexpected_handler(show_unexpected),
    )
    _hub = hub
    sys.excepthook = _excepthook
    threading.excepthook = _threading_hook
    installed.message_handler = qInstallMessageHandler(_chained(installed))
    return installed


def tell_about_previous_crash(kept: Path, parent: QWidget | None = None) -> QMessageBox:
    """The notice on the start after a native crash (shown, not waited for)."""
    box = QMessageBox(parent)
    box.setObjectName("hescb-previous-crash")
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle(APP_NAME)
    box.setText(_tr("%1 closed unexpectedly last time.").replace("%1", APP_NAME))
    box.setInformativeText(
        _tr("The details are in the log folder (%1).").replace("%1", kept.name)
        + " "
        + _tr("Anything saved before then is kept.")
    )
    folder = box.addButton(_tr("Open log folder"), QMessageBox.ButtonRole.ActionRole)
    folder.clicked.connect(open_log_folder)
    box.addButton(QMessageBox.StandardButton.Close)
    box.open()
    return box
