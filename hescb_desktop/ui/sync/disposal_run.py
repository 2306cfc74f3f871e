"""One disposal run off the GUI thread (issue 16, point 5), as an operation (issue 17).

A disposal writes its certificate, removes the records' text and VACUUMs the database file:
seconds on a large board. It runs as a job on the workspace's runner (ui.operations: the writer
thread, one after another with every other write) behind a `BusyDialog` shown modeless to the
code (the GUI thread returns to its event loop and keeps painting) and modal to the person
(nothing else can be changed meanwhile; it cannot be closed). Every page reloads after it (a
disposal may remove text from any kind of record); it cannot be undone (that is its point).
`finished` follows on the GUI thread, once, with the certificate or why not.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from hescb_desktop.services.context import ServiceContext
from hescb_desktop.services.operations import as_job
from hescb_desktop.services.retention import Certificate
from hescb_desktop.ui.operations import Runner
from hescb_desktop.ui.widgets.busy_dialog import BusyDialog


class DisposalRun(QObject):
    finished = Signal(object, str)  # the Certificate (None when it failed), why it failed

    def __init__(
        self,
        runner: Runner,
        work: Callable[[ServiceContext], Certificate],
        title: str,
        label: str,
        parent: QWidget,
    ) -> None:
        super().__init__(parent)
        self.runner = runner
        self.work = work
        self.title = title
        self.busy = BusyDialog(title, label, parent)

    def start(self) -> None:
        self.busy.show()
        self.runner.job(
            as_job(self.work, whole_board=True),
            label=self.title,
            undoable=False,
            parent=self.busy,
            on_done=self._succeeded,
            on_refused=self._failed,
        )

    def _end(self, made: Certificate | None, why: str) -> None:
        self.busy.running = False
        self.busy.close()
        self.busy.deleteLater()
        self.finished.emit(made, why)
        self.deleteLater()

    def _succeeded(self, made: object) -> None:
        self._end(made if isinstance(made, Certificate) else None, "")

    def _failed(self, why: str) -> None:
        self._end(None, why)
