"""Run a slow function off the GUI thread (QThreadPool) and report back through signals.

The function gets a `progress(percent, message)` callback it may call from the worker thread;
the signals arrive on the GUI thread (queued), so slots may touch widgets.

A function that raises is logged with its traceback; `failed` carries the message and
`failed_detail` the message and the traceback. An unexpected exception (a bug, not one of the
app's own errors nor an OSError) is also handed to the handler `set_unexpected_handler` installed
(ui/crash_dialog: the crash dialog), from the worker thread.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import threading
import time
import traceback
from collections.abc import Callable, Iterator

from PySide6.QtCore import QCoreApplication, QObject, QThreadPool, QTimer, Signal, Slot

from hescb_desktop.domain.errors import DomainError

ProgressFn = Callable[[int, str], None]
UnexpectedHandler = Callable[[str, str], None]  # (what failed, traceback), from any thread

PROGRESS_INTERVAL_S = 0.1

log = logging.getLogger(__name__)
_unexpected_handler: UnexpectedHandler | None = None


def set_unexpected_handler(handler: UnexpectedHandler | None) -> UnexpectedHandler | None:
    """Who hears of a task's unexpected exception besides its own `failed`; the previous one."""
    global _unexpected_handler
    previous, _unexpected_handler = _unexpected_handler, handler
    return previous


def is_unexpected(exc: BaseException) -> bool:
    """A bug rather than a refusal: not an OSError (a share or file gone) nor one of the app's
    own errors (DomainError, ShareError, DatabaseError...: their messages are for users)."""
    if isinstance(exc, OSError):
        return False
    return not type(exc).__module__.startswith("hescb_desktop.")


def throttled(progress: ProgressFn, interval: float = PROGRESS_INTERVAL_S) -> ProgressFn:
    """`progress`, called at most once every `interval` seconds (the first call and 100% always
    pass; the calls in between are dropped: the next one says where the work is). For work
    that reports every page or row: each progress signal is delivered on the GUI thread, and
    each delivery waits there for the GIL the worker holds (up to the switch interval, 5 ms,
    and longer on a busy machine); one signal per page of a 150-page pack added up to stalls
    of the window of 50-130 ms (benchmarks/bench_gui_stall.py). Call it on the worker thread."""
    last = -float("inf")

    def call(percent: int, message: str) -> None:
        nonlocal last
        now = time.monotonic()
        if now - last >= interval or percent >= 100:
            last = now
            progress(percent, message)

    return call


class TaskSignals(QObject):
    progressed = Signal(int, str)
    succeeded = Signal(object)
    failed = Signal(str)
    failed_detail = Signal(str, str)  # the message and the traceback, just before `failed`
    done = Signal()  # last of all: the object may go (deleteLater, on the GUI thread)


class Task:
    """One call of `fn(progress)` on a pool thread; exactly one of succeeded/failed follows.

    Not a QRunnable: the pool runs a plain callable, so no C++ runnable exists that the pool
    could delete while its Python wrapper is still to be collected, and the signals object is
    never freed on a pool thread. It belongs to the application (a Qt parent on the GUI thread)
    and is deleted there with deleteLater once its last signal is delivered. (A CI worker once
    died collecting garbage on the GUI thread while a PDF was built on a pool thread.)"""

    def __init__(self, fn: Callable[[ProgressFn], object]) -> None:
        self._fn = fn
        self.signals = TaskSignals(QCoreApplication.instance())
        self.signals.done.connect(self.signals.deleteLater)

    def run(self) -> None:
        signals = self.signals
        try:
            result = self._fn(signals.progressed.emit)
        except Exception as exc:  # reported to the user by whoever started the task
            message, detail = str(exc) or type(exc).__name__, traceback.format_exc()
            self._log_failure(exc)
            signals.failed_detail.emit(message, detail)
            signals.failed.emit(message)
            handler = _unexpected_handler
            if handler is not None and is_unexpected(exc):
                handler(f"{type(exc).__name__}: {message}", detail)
        else:
            signals.succeeded.emit(result)
        finally:
            _work_ended()
            signals.done.emit()

    def _log_failure(self, exc: Exception) -> None:
        name = getattr(self._fn, "__qualname__", repr(self._fn))
        if isinstance(exc, DomainError):  # a refusal the user is shown: no traceback needed
            log.info("task %s refused: %s", name, exc)
        elif not is_unexpected(exc):
            log.warning("task %s failed: %s", name, exc, exc_info=True)
        else:
            log.error("task %s raised an unexpected exception", name, exc_info=True)

    def start(self, pool: QThreadPool | None = None) -> None:
        GuiThreadCollector.install()
        _work_started()
        (pool or QThreadPool.globalInstance()).start(self.run)


# ------------------------------------------------------------------ garbage collection
# Python's cyclic collector runs on whichever thread passes the allocation threshold, so without
# care it runs on a pool thread (and may destroy widgets caught in reference cycles there) or on
# the GUI thread in the middle of a pool thread's work. CI workers died of SIGSEGV in the second
# case twice (a month's diary being laid out on a pool thread, the GUI thread collecting). Once a
# task has run, automatic collection is off for good; the GUI thread collects from a timer, by the
# interpreter's own thresholds, and only while no work runs off it (the pattern of calibre and
# pyqtgraph). Reference counting frees everything that is not a cycle as before.
_work_lock = threading.Lock()
_work_running = 0


def _work_started() -> None:
    global _work_running
    with _work_lock:
        _work_running += 1


def _work_ended() -> None:
    global _work_running
    with _work_lock:
        _work_running -= 1


def work_running() -> int:
    """How many tasks are running (or queued) off the GUI thread."""
    with _work_lock:
        return _work_running


class GuiThreadCollector(QObject):
    INTERVAL_MS = 200

    def __init__(self, app: QCoreApplication) -> None:
        super().__init__(app)
        self.setObjectName("hescb-gui-thread-collector")
        self.collections = 0
        self.timer = QTimer(self)
        self.timer.setInterval(self.INTERVAL_MS)
        self.timer.timeout.connect(self.check)
        self.timer.start()
        gc.disable()

    @classmethod
    def install(cls) -> GuiThreadCollector | None:
        """The application's collector (made on first use; on the GUI thread only)."""
        app = QCoreApplication.instance()
        if app is None:
            return None
        found = app.findChild(GuiThreadCollector, "hescb-gui-thread-collector")
        if isinstance(found, GuiThreadCollector):
            return found
        if threading.current_thread() is not threading.main_thread():
            return None
        return cls(app)

    @Slot()
    def check(self) -> None:
        if collect_if_due():
            self.collections += 1


def collect_if_due() -> bool:
    """On the GUI thread, with no work running off it: collect the oldest generation whose
    count has passed the interpreter's threshold, as automatic collection would have."""
    if work_running() or threading.current_thread() is not threading.main_thread():
        return False
    counts, limits = gc.get_count(), gc.get_threshold()
    due = [gen for gen in range(3) if counts[gen] > limits[gen]]
    if not due:
        return False
    gc.collect(max(due))
    return True


_gc_lock = threading.Lock()
_gc_pausers = 0
_gc_was_on = False


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a pool thread builds tens of thousands of
    rows. Otherwise the allocations set off full collections, and each holds the GIL (and so
    stops the GUI thread) for up to 350 ms (measured on the 50,000-action board). Reference
    counting still frees everything; collection resumes when the last pauser is done. (Inside a
    Task it is already paused: GuiThreadCollector waits for the work to end.)"""
    global _gc_pausers, _gc_was_on
    with _gc_lock:
        _gc_pausers += 1
        if _gc_pausers == 1:
            _gc_was_on = gc.isenabled()
            gc.disable()
    try:
        yield
    finally:
        with _gc_lock:
            _gc_pausers -= 1
            if _gc_pausers == 0 and _gc_was_on:
                gc.enable()
