"""A modal "please wait" while work runs on another thread; it cannot be cancelled or closed.

`run(work)` runs `work(progress)` on the global pool and returns (result, error); `finish_with`
ends it from a signal when the work was started elsewhere (the sync controller's own thread).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Slot
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QDialog, QProgressDialog, QWidget

from hescb_desktop.ui.widgets.worker import ProgressFn, Task

if TYPE_CHECKING:
    from hescb_desktop.ui.operations import JobFn, Runner


class BusyDialog(QProgressDialog):
    def __init__(self, title: str, label: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setLabelText(label)
        self.setRange(0, 0)  # busy: how long a copy from the share takes is not known
        self.setCancelButton(None)  # None removes the button
        self.setWindowModality(Qt.WindowModality.ApplicationModal)
        self.setAutoClose(False)
        self.setAutoReset(False)
        self.setMinimumDuration(0)
        self.setMinimumWidth(440)
        self.running = True
        self.result_value: object = None
        self.error = ""
        self.task: Task | None = None

    @classmethod
    def run(
        cls,
        title: str,
        label: str,
        work: Callable[[ProgressFn], object],
        parent: QWidget | None = None,
    ) -> tuple[object, str]:
        """Run `work` on a pool thread behind the dialog: (its result, "") or (None, why not)."""
        dialog = cls(title, label, parent)
        dialog.task = Task(work)
        dialog.task.signals.progressed.connect(dialog._on_task_progressed)
        dialog.task.signals.succeeded.connect(dialog.finish_with)
        dialog.task.signals.failed.connect(dialog.fail_with)
        dialog.task.start()
        dialog.exec()
        return dialog.result_value, dialog.error

    @classmethod
    def run_job(
        cls,
        runner: Runner,
        title: str,
        label: str,
        fn: JobFn[Any],
        parent: QWidget | None = None,
        *,
        undoable: bool = True,
    ) -> tuple[object, str]:
        """A long operation (ui.operations `Runner.job`: the writer thread, its change set
        announced, undoable by its label) behind the dialog: (its value, "") or (None, why not).
        A fault has been shown already (the crash dialog)."""
        dialog = cls(title, label, parent)
        runner.job(
            fn,
            label=title,
            undoable=undoable,
            parent=parent,
            on_progress=dialog._on_task_progressed,
            on_done=dialog.finish_with,
            on_refused=dialog.fail_with,
        )
        dialog.exec()
        return dialog.result_value, dialog.error

    @Slot(object)
    def finish_with(self, result: object) -> None:
        self.running = False
        self.result_value = result
        self.done(QDialog.DialogCode.Accepted)

    @Slot(str)
    def fail_with(self, message: str) -> None:
        self.running = False
        self.error = message
        self.done(QDialog.DialogCode.Rejected)

    @Slot(int, str)
    def _on_task_progressed(self, _percent: int, message: str) -> None:
        if message:
            self.setLabelText(message)

    def reject(self) -> None:
        if not self.running:  # Escape does nothing while the work runs
            super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.running:
            event.ignore()
        else:
            super().closeEvent(event)
