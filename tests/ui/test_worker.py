"""Work off the GUI thread (ui/widgets/worker.py): tasks whose every Python reference is dropped
as soon as they start still report back, and nothing of them is left or freed on a pool thread.

A CI worker once died (SIGSEGV) collecting garbage on the GUI thread while a PDF was built on a
pool thread: the task was a QRunnable whose C++ object the pool deletes, with a Python wrapper
and a signals object left to the collector. Tasks are now plain callables; their signals object
belongs to the application and is deleted on the GUI thread after its last signal."""

from __future__ import annotations

import gc
import threading

import pytest
from PySide6.QtCore import QCoreApplication, QThreadPool
from pytestqt.qtbot import QtBot

from hescb_desktop.ui.widgets import worker
from hescb_desktop.ui.widgets.worker import (
    GuiThreadCollector,
    Task,
    TaskSignals,
    throttled,
    work_running,
)


def signals_alive() -> int:
    app = QCoreApplication.instance()
    assert app is not None
    return len(app.findChildren(TaskSignals))


def test_tasks_dropped_at_once_report_back_and_leave_nothing(qtbot: QtBot) -> None:
    gui = threading.get_ident()
    before = signals_alive()
    results: list[object] = []
    errors: list[str] = []
    threads: set[int] = set()

    def work(n: int) -> object:
        threads.add(threading.get_ident())
        garbage = [[i] for i in range(2000)]  # allocations that set off collections
        if n % 6 == 0:  # a full collection costs up to a second in a worker that ran many tests
            gc.collect()
        if n % 7 == 0:
            raise ValueError(f"task {n} refused")
        return n, len(garbage)

    for n in range(60):
        task = Task(lambda _progress, n=n: work(n))
        task.signals.succeeded.connect(results.append)
        task.signals.failed.connect(errors.append)
        task.start()
        del task  # only the pool holds it now
        if n % 4 == 0:
            gc.collect()  # the GUI thread collects while pool threads run
    QThreadPool.globalInstance().waitForDone(30_000)
    qtbot.waitUntil(lambda: len(results) + len(errors) == 60, timeout=10_000)
    assert sorted(r[0] for r in results) == [n for n in range(60) if n % 7]  # type: ignore[index]
    assert sorted(errors) == sorted(f"task {n} refused" for n in range(60) if n % 7 == 0)
    assert gui not in threads
    qtbot.waitUntil(lambda: signals_alive() == before, timeout=5_000)  # deleted, on the GUI thread
    gc.collect()


def test_garbage_is_collected_on_the_gui_thread_only_and_never_during_work(qtbot: QtBot) -> None:
    """The collector (GuiThreadCollector) runs by the interpreter's thresholds from a timer on
    the GUI thread, and waits while a task's work runs on a pool thread, however much it makes."""
    gui = threading.get_ident()
    seen: list[tuple[int, bool]] = []  # (thread, work running) at each collection

    def note(phase: str, _info: dict[str, int]) -> None:
        if phase == "start":
            seen.append((threading.get_ident(), work_running() > 0))

    release = threading.Event()
    cycles_made = threading.Event()

    def work(_progress: object) -> int:
        for _ in range(50_000):  # far past every threshold: cycles the collector must leave
            a: list[object] = []
            a.append(a)
        cycles_made.set()
        release.wait(10)
        return 1

    results: list[object] = []
    gc.callbacks.append(note)
    try:
        task = Task(work)
        task.signals.succeeded.connect(results.append)
        task.start()
        assert not gc.isenabled()  # automatic collection is off once a task has run
        collector = GuiThreadCollector.install()
        assert collector is not None
        assert cycles_made.wait(10)
        qtbot.wait(3 * GuiThreadCollector.INTERVAL_MS)  # the timer fires; the work still runs
        assert not [s for s in seen if s[1]], "collected while work ran off the GUI thread"
        release.set()
        qtbot.waitUntil(lambda: results == [1], timeout=10_000)
        before = collector.collections
        for _ in range(50_000):
            b: list[object] = []
            b.append(b)
        qtbot.waitUntil(lambda: collector.collections > before, timeout=5_000)
    finally:
        release.set()
        gc.callbacks.remove(note)
    assert seen and {thread for thread, _ in seen} == {gui}
    assert not [s for s in seen if s[1]]


def test_throttled_progress_passes_the_first_call_100_and_one_call_an_interval(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    now = [0.0]
    monkeypatch.setattr(worker.time, "monotonic", lambda: now[0])
    seen: list[tuple[int, str]] = []
    progress = throttled(lambda p, text: seen.append((p, text)), interval=0.1)
    for page in range(1, 151):  # a page every 5 ms: 0.75 s in all
        progress(page * 100 // 151, f"page {page}")
        now[0] += 0.005
    progress(100, "done")
    assert seen[0] == (0, "page 1") and seen[-1] == (100, "done")
    assert len(seen) == 9  # pages 1, 21, 41 ... 141, then 100%
    assert [text for _, text in seen[1:3]] == ["page 21", "page 41"]
