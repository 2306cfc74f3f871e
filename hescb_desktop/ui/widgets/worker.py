"""Run a slow function off the GUI thread (QThreadPool) and report back through signals.

The function gets a `progress(percent, message)` callback it may call from the worker thread;
the signals arrive on the GUI thread (queued), so slots may touch widgets.
"""

from __future__ import annotations

import contextlib
import gc
import threading
from collections.abc import Callable, Iterator

from PySide6.QtCore import QCoreApplication, QObject, QThreadPool, Signal

ProgressFn = Callable[[int, str], None]


class TaskSignals(QObject):
    progressed = Signal(int, str)
    succeeded = Signal(object)
    failed = Signal(str)
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
            signals.failed.emit(str(exc) or type(exc).__name__)
        else:
            signals.succeeded.emit(result)
        finally:
            signals.done.emit()

    def start(self, pool: QThreadPool | None = None) -> None:
        (pool or QThreadPool.globalInstance()).start(self.run)


_gc_lock = threading.Lock()
_gc_pausers = 0


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a pool thread builds tens of thousands of
    rows. Otherwise the allocations set off full collections, and each holds the GIL (and so
    stops the GUI thread) for up to 350 ms (measured on the 50,000-action board). Reference
    counting still frees everything; collection resumes when the last pauser is done."""
    global _gc_pausers
    with _gc_lock:
        _gc_pausers += 1
        if _gc_pausers == 1:
            gc.disable()
    try:
        yield
    finally:
        with _gc_lock:
            _gc_pausers -= 1
            if _gc_pausers == 0:
                gc.enable()
