"""Run a slow function off the GUI thread (QThreadPool) and report back through signals.

The function gets a `progress(percent, message)` callback it may call from the worker thread;
the signals arrive on the GUI thread (queued), so slots may touch widgets.
"""

from __future__ import annotations

import contextlib
import gc
import threading
from collections.abc import Callable, Iterator

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

ProgressFn = Callable[[int, str], None]


class TaskSignals(QObject):
    progressed = Signal(int, str)
    succeeded = Signal(object)
    failed = Signal(str)


class Task(QRunnable):
    """One call of `fn(progress)` on a pool thread; exactly one of succeeded/failed follows."""

    def __init__(self, fn: Callable[[ProgressFn], object]) -> None:
        super().__init__()
        self._fn = fn
        self.signals = TaskSignals()

    def run(self) -> None:
        try:
            result = self._fn(self.signals.progressed.emit)
        except Exception as exc:  # reported to the user by whoever started the task
            self.signals.failed.emit(str(exc) or type(exc).__name__)
        else:
            self.signals.succeeded.emit(result)

    def start(self, pool: QThreadPool | None = None) -> None:
        (pool or QThreadPool.globalInstance()).start(self)


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
