"""One path for every user action (issue 17), after Anki's `aqt/operations`.

A user action is an *operation*: one service call, `fn(uow) -> Result`, run on the one writer
thread of the workspace's `Runner`, never on the GUI thread (a merge may hold SQLite's write
lock for seconds; the window must not freeze meanwhile). Operations run one after another, in
the order given. After 300 ms the window shows that it is busy (a wait cursor and a status
message). Then, on the GUI thread:

- success: the change set the service returned is announced once (`Workspace.announce`, so
  each affected page refreshes once), the transaction goes on the undo history if the
  operation has a label, and `on_done(value)` runs;
- a refusal (a DomainError: a rule, bad input, a record gone) or a busy database goes to
  `on_refused(message)`, which the caller uses to show the message beside what the user typed
  (a dialog stays open); without one, a message box says it. Nothing typed is lost;
- anything else is a fault: logged with its traceback and shown by the crash dialog.

Reads that may be slow use `Runner.query` (a pool thread, its own connection); quick reads call
`Workspace.read`. Either way `ui/` never opens a unit of work itself (tests/ui/test_one_path).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any, TypeVar

from PySide6.QtCore import (
    QCoreApplication,
    QEventLoop,
    QObject,
    Qt,
    QThread,
    QThreadPool,
    QTimer,
    Signal,
)
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from hescb_desktop.services.context import ServiceContext
from hescb_desktop.services.operations import Outcome, Uow, run_job, run_read, run_write
from hescb_desktop.services.results import Result
from hescb_desktop.ui.crash_dialog import show_unexpected
from hescb_desktop.ui.widgets.worker import ProgressFn, Task

T = TypeVar("T")
WriteFn = Callable[[Uow], Result[T]]
ReadFn = Callable[[ServiceContext], T]
JobFn = Callable[[ServiceContext, ProgressFn], Result[T]]
DoneFn = Callable[[T], None]
RefusedFn = Callable[[str], None]

BUSY_AFTER_MS = 300
log = logging.getLogger(__name__)


class Runner(QObject):
    """The workspace's operations: one writer thread, a busy state, one error path."""

    busy_changed = Signal(bool)
    idle = Signal()  # the last operation queued has finished (its callbacks have run)
    succeeded = Signal(object)  # the Result of every operation that succeeded (tests, undo)

    def __init__(self, context: Callable[[], ServiceContext], parent: QObject | None = None):
        super().__init__(parent)
        self._context = context
        self._writer = QThreadPool(self)
        self._writer.setMaxThreadCount(1)  # one writer: operations keep their order
        self._writer.setExpiryTimeout(-1)
        self._pending = 0
        self._busy = False
        self._busy_timer = QTimer(self)
        self._busy_timer.setSingleShot(True)
        self._busy_timer.setInterval(BUSY_AFTER_MS)
        self._busy_timer.timeout.connect(self._show_busy)
        self.on_result: Callable[[Result[Any], str], None] | None = None  # the workspace's

    @property
    def ctx(self) -> ServiceContext:
        """The context operations run on now (a dialog's quick reads use it too)."""
        return self._context()

    # ------------------------------------------------------------------ operations
    def write(
        self,
        fn: WriteFn[T],
        *,
        label: str = "",
        undoable: bool = True,
        parent: QWidget | None = None,
        on_done: DoneFn[T] | None = None,
        on_refused: RefusedFn | None = None,
    ) -> None:
        """Run `fn` in a new unit of work on the writer thread (see the module's text). `label`
        (e.g. "Move 'Joint drone unit' to Delivering") names it on the Edit menu's Undo, unless
        `undoable` is False (an undo itself, a change that is not the user's edit)."""
        context = self._context()
        self._submit(
            lambda _progress: run_write(context, fn),
            label,
            undoable,
            parent,
            on_done,
            on_refused,
        )

    def job(
        self,
        fn: JobFn[T],
        *,
        label: str,
        undoable: bool = True,
        parent: QWidget | None = None,
        on_progress: Callable[[int, str], None] | None = None,
        on_done: DoneFn[T] | None = None,
        on_refused: RefusedFn | None = None,
    ) -> None:
        """A long operation on the writer thread, `fn(ctx, progress)` (an import, numbered
        copies): `on_progress(percent, message)` on the GUI thread as it goes."""
        context = self._context()
        self._submit(
            lambda progress: run_job(context, fn, progress),
            label,
            undoable,
            parent,
            on_done,
            on_refused,
            on_progress,
        )

    def _submit(
        self,
        work: Callable[[ProgressFn], Outcome[Result[T]]],
        label: str,
        undoable: bool,
        parent: QWidget | None,
        on_done: DoneFn[T] | None,
        on_refused: RefusedFn | None,
        on_progress: Callable[[int, str], None] | None = None,
    ) -> None:
        def finished(outcome: Outcome[Result[T]]) -> None:
            if outcome.ok and outcome.value is not None:
                if self.on_result is not None:
                    self.on_result(outcome.value, label if undoable else "")
                self.succeeded.emit(outcome.value)
                if on_done is not None:
                    on_done(outcome.value.value)
            else:
                self._failed(outcome, label, parent, on_refused)

        self._start(work, finished, self._writer, on_progress)

    def write_and_wait(
        self, fn: WriteFn[T], *, label: str = "", parent: QWidget | None = None
    ) -> Outcome[T]:
        """`write`, for a caller that needs the answer before it goes on (a dialog's "save,
        then close"): the window keeps working (a local event loop) until the operation has
        run. A fault has already been shown (the crash dialog); its Outcome is not ok."""
        answers: list[Outcome[T]] = []
        self.write(
            fn,
            label=label,
            parent=parent,
            on_done=lambda value: answers.append(Outcome(value=value)),
            on_refused=lambda message: answers.append(Outcome(refusal=message)),
        )
        self.settle()
        return answers[0] if answers else Outcome(refusal=self.tr("Not finished in time."))

    def query(
        self,
        fn: ReadFn[T],
        on_done: DoneFn[T],
        *,
        parent: QWidget | None = None,
        on_refused: RefusedFn | None = None,
    ) -> None:
        """Run a read `fn(ctx)` on a pool thread (its own connection); `on_done(value)` on the
        GUI thread. For reads that may take long (a big log, a search)."""
        context = self._context()

        def work(_progress: ProgressFn) -> Outcome[T]:
            return run_read(context, fn)

        def finished(outcome: Outcome[T]) -> None:
            if outcome.ok:
                on_done(outcome.value)  # type: ignore[arg-type]
            else:
                self._failed(outcome, "", parent, on_refused)

        self._start(work, finished, QThreadPool.globalInstance())

    @property
    def running(self) -> int:
        """How many operations are queued or running."""
        return self._pending

    def wait_idle(self, timeout_ms: int = 30_000) -> bool:
        """Block until the writer has nothing left (closing a board; the app's exit)."""
        return self._writer.waitForDone(timeout_ms)

    def settle(self, timeout_ms: int = 30_000) -> bool:
        """Keep the window working (a local event loop) until every operation queued has
        finished and its callbacks have run: "save, then close" flows, and tests."""
        deadline = time.monotonic() + timeout_ms / 1000
        while self._pending and time.monotonic() < deadline:
            loop = QEventLoop()
            slice_timer = QTimer(loop)  # dies with the loop: no stray timer outlives it
            slice_timer.setSingleShot(True)
            slice_timer.timeout.connect(loop.quit)
            slice_timer.start(200)
            self.idle.connect(loop.quit)
            returned = loop.exec()
            self.idle.disconnect(loop.quit)
            if returned != 0 and self._pending:
                # the application is quitting (QCoreApplication.exit was called): a nested
                # loop then returns at once, so the events are processed here instead
                QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
                QThread.msleep(5)
        return not self._pending

    # ------------------------------------------------------------------ plumbing
    def _start(
        self,
        work: Callable[[ProgressFn], Outcome[Any]],
        finished: Callable[[Outcome[Any]], None],
        pool: QThreadPool,
        on_progress: Callable[[int, str], None] | None = None,
    ) -> None:
        task = Task(work)
        if on_progress is not None:
            task.signals.progressed.connect(on_progress)
        task.signals.succeeded.connect(finished)
        task.signals.failed.connect(lambda message: finished(Outcome(fault=RuntimeError(message))))
        task.signals.done.connect(self._one_done)
        self._pending += 1
        if not self._busy_timer.isActive() and not self._busy:
            self._busy_timer.start()
        task.start(pool)

    def _one_done(self) -> None:
        self._pending -= 1
        if self._pending == 0:
            self._busy_timer.stop()
            if self._busy:
                self._busy = False
                QApplication.restoreOverrideCursor()
                self.busy_changed.emit(False)
            self.idle.emit()

    def _show_busy(self) -> None:
        if self._pending and not self._busy:
            self._busy = True
            QApplication.setOverrideCursor(Qt.CursorShape.BusyCursor)
            self.busy_changed.emit(True)

    def _failed(
        self,
        outcome: Outcome[Any],
        label: str,
        parent: QWidget | None,
        on_refused: RefusedFn | None,
    ) -> None:
        if outcome.refusal:
            if on_refused is not None:
                on_refused(outcome.refusal)
            else:
                title = label or self.tr("Not done")
                QMessageBox.warning(parent, title, outcome.refusal)
            return
        fault = outcome.fault or RuntimeError("unknown fault")
        what = label or self.tr("An operation")
        log.error("%s failed:\n%s", what, outcome.trace or repr(fault))
        show_unexpected(f"{what}: {type(fault).__name__}: {fault}", outcome.trace)
        if on_refused is not None:  # the dialog that asked stays open, its buttons back
            on_refused(self.tr("Not saved: an unexpected error (its details are shown)."))
