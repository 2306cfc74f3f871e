"""One disposal run off the GUI thread (issue 16, point 5).

A disposal writes its certificate, removes the records' text and VACUUMs the database file:
seconds on a large board. It runs as a `Task` on the global pool behind a `BusyDialog` shown
modeless to the code (the GUI thread returns to its event loop and keeps painting) and modal to
the person (nothing else can be changed meanwhile; it cannot be closed). `finished` follows on
the GUI thread, once, with the certificate or why not.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtWidgets import QWidget

from hescb_desktop.services.retention import Certificate
from hescb_desktop.ui.widgets.busy_dialog import BusyDialog
from hescb_desktop.ui.widgets.worker import Task


class DisposalRun(QObject):
    finished = Signal(object, str)  # the Certificate (None when it failed), why it failed

    def __init__(
        self,
        work: Callable[[], Certificate],
        title: str,
        label: str,
        parent: QWidget,
    ) -> None:
        super().__init__(parent)
        self.busy = BusyDialog(title, label, parent)
        self.task = Task(lambda _progress: work())
        self.task.signals.succeeded.connect(self._on_task_succeeded)
        self.task.signals.failed.connect(self._on_task_failed)

    def start(self) -> None:
        self.busy.show()
        self.task.start()

    def _end(self, made: Certificate | None, why: str) -> None:
        self.busy.running = False
        self.busy.close()
        self.busy.deleteLater()
        self.finished.emit(made, why)
        self.deleteLater()

    @Slot(object)
    def _on_task_succeeded(self, made: object) -> None:
        self._end(made if isinstance(made, Certificate) else None, "")

    @Slot(str)
    def _on_task_failed(self, why: str) -> None:
        self._end(None, why)
