"""Runs sync rounds off the GUI thread: at start, every 30 s, soon after a local change, on demand.

One round (or one join) at a time, on a pool of one thread of its own; a request while one runs
is remembered and served once it ends. The worker touches no widget: results come back as
signals on the GUI thread, where the status bar and pages react.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QThreadPool, QTimer, Signal, Slot

from hescb_desktop.domain.permissions import Kind
from hescb_desktop.services import sync as sync_service
from hescb_desktop.services.context import ServiceContext
from hescb_desktop.services.results import SYNC_STATE, Changes
from hescb_desktop.ui.sync import jobs
from hescb_desktop.ui.sync.state import (
    BLOCKED,
    FAILED,
    NO_SHARE,
    NOT_SENT,
    OFFLINE,
    SYNCING,
    SyncState,
    state_after,
)
from hescb_desktop.ui.widgets.worker import ProgressFn, Task
from hescb_desktop.ui.workspace import Workspace

INTERVAL_MS = 30_000
MAX_INTERVAL_MS = 5 * 60_000  # while the share is unavailable, retries back off to this
DEBOUNCE_MS = 3_000
BUSY_HINT_MS = 400  # "Syncing…" only for rounds long enough to notice: no flicker every 30 s
SHUTDOWN_WAIT_MS = 15_000
# what the conflicts badge counts: conflicts (this PC's sync state) less their resolutions
COUNTED = frozenset({Kind.CONFLICT_RESOLUTION, SYNC_STATE})
# local tables of the board's trust a round may change (the sync page's Security and People tabs)


class SyncController(QObject):
    round_started = Signal()
    round_finished = Signal(object)  # jobs.RoundOutcome
    join_finished = Signal(object)  # jobs.JoinOutcome
    state_changed = Signal(object)  # state.SyncState
    demo_blocked = Signal(str)  # once a session: this PC holds the demo, the share holds data
    restore_needed = Signal()  # once a session: this PC must restart from the snapshot
    # once a session per root: a protected board met for the first time, its root to confirm
    root_unconfirmed = Signal(str)

    def __init__(self, workspace: Workspace, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(1)
        self.timer = self._timer(INTERVAL_MS, single=False)
        self.debounce = self._timer(DEBOUNCE_MS, single=True)
        self.busy_hint = QTimer(self)
        self.busy_hint.setSingleShot(True)
        self.busy_hint.setInterval(BUSY_HINT_MS)
        self.busy_hint.timeout.connect(self._on_busy_hint_timeout)
        self.share = workspace.share_folder
        self.state = SyncState(SYNCING if self.share else NO_SHARE, self.share)
        self.rounds = 0
        self._task: Task | None = None
        self._joining = ""  # the share being joined while the running task is a join
        self._again = False
        self._join: tuple[str, bool, Callable[[ServiceContext], None] | None, str | None] | None = (
            None
        )
        self._root: str | None = None  # a root a person confirmed: pinned by the next round
        self._started = False
        self._closing = False
        self._offered: set[str] = set()
        workspace.changed_locally.connect(self._on_workspace_changed_locally)
        workspace.settings_changed.connect(self._on_workspace_settings_changed)

    def _timer(self, interval: int, *, single: bool) -> QTimer:
        timer = QTimer(self)
        timer.setInterval(interval)
        timer.setSingleShot(single)
        timer.timeout.connect(self.sync_now)
        return timer

    # ------------------------------------------------------------------ control
    @property
    def busy(self) -> bool:
        return self._task is not None

    def start(self) -> None:
        """Begin: a round now (if there is a share) and then every 30 s."""
        if self._started:
            return
        self._started = True
        if self.share:
            self.timer.start()
            self.sync_now()

    @Slot()
    def sync_now(self) -> None:
        """Run a round now, or as soon as the one running ends."""
        if self._closing or not self._started or not self.share:
            return
        self.debounce.stop()
        if self._task is not None:
            self._again = True
            return
        ctx, share, root = self.workspace.ctx, self.share, self._root
        self._root = None
        self._run(lambda _progress: jobs.sync_once(ctx, share, root))
        self.round_started.emit()

    def ask_root_again(self) -> None:
        """The next round that meets an unconfirmed root says so again (root_unconfirmed)."""
        self._offered = {o for o in self._offered if not o.startswith("root:")}

    def confirm_root(self, root: str) -> None:
        """A person checked the board's root fingerprint by phone: pin it in a round now."""
        self._root = root
        self._offered.discard(f"root:{root}")
        self.sync_now()

    def join(
        self,
        share: str,
        *,
        discard_demo: bool,
        seed: Callable[[ServiceContext], None] | None = None,
        trust_root: str | None = None,
    ) -> None:
        """Restart this PC from `share` (then a round); join_finished says how it went."""
        self._join = (share, discard_demo, seed, trust_root)
        if self._task is None:
            self._start_join()

    def shutdown(self, wait_ms: int = SHUTDOWN_WAIT_MS) -> None:
        """No new rounds; wait for the running one so the database is not closed under it."""
        self._closing = True
        for timer in (self.timer, self.debounce, self.busy_hint):
            timer.stop()
        self.pool.waitForDone(wait_ms)

    def refresh_counts(self) -> None:
        """Re-read this PC's pending changes and open conflicts (after resolving one)."""
        if self.share and self.state.phase != SYNCING:
            status = sync_service.sync_status(self.workspace.ctx, self.share)
            self._set_state(self.state.with_status(status))

    # ------------------------------------------------------------------ running
    def _run(self, work: Callable[[ProgressFn], object]) -> None:
        task = Task(work)
        task.signals.succeeded.connect(self._on_task_succeeded)
        task.signals.failed.connect(self._on_task_failed)
        self._task = task
        self.busy_hint.start()
        task.start(self.pool)

    def _start_join(self) -> None:
        assert self._join is not None
        share, discard, seed, root = self._join
        self._join = None
        ctx = self.workspace.ctx
        self._run(
            lambda _p: jobs.join_and_sync(
                ctx, share, discard_demo=discard, seed=seed, trust_root=root
            )
        )
        self._joining = share
        self._set_state(SyncState(SYNCING, share))

    def _next(self) -> None:
        if self._closing:
            return
        if self._join is not None:
            self._start_join()
        elif self._again:
            self._again = False
            self.sync_now()

    @Slot(object)
    def _on_task_succeeded(self, outcome: object) -> None:
        self._task, self._joining = None, ""
        self.busy_hint.stop()
        if isinstance(outcome, jobs.JoinOutcome):
            self._finish_join(outcome)
        elif isinstance(outcome, jobs.RoundOutcome):
            self._finish_round(outcome)
        self._next()

    @Slot(str)
    def _on_task_failed(self, message: str) -> None:
        joining, self._task, self._joining = self._joining, None, ""
        self.busy_hint.stop()
        if joining:
            self._finish_join(jobs.JoinOutcome(joining, None, error=message))
        else:
            self._finish_round(jobs.RoundOutcome(self.share, problem=FAILED, message=message))
        self._next()

    def _finish_round(self, outcome: jobs.RoundOutcome) -> None:
        self.rounds += 1
        report = outcome.report
        if report is not None:
            self.workspace.announce_merged(sync_service.merged_changes(report))
        self._back_off(outcome.problem in (OFFLINE, FAILED, NOT_SENT))
        self._set_state(state_after(outcome, self.state))
        self.round_finished.emit(outcome)
        if outcome.problem == BLOCKED and self._offer_once("demo"):
            self.demo_blocked.emit(outcome.message)
        if report is not None and report.needs_restore and self._offer_once("restore"):
            self.restore_needed.emit()
        if outcome.root and self._offer_once(f"root:{outcome.root}"):
            self.root_unconfirmed.emit(outcome.root)

    def _finish_join(self, outcome: jobs.JoinOutcome) -> None:
        if outcome.ctx is not None:
            self.share = outcome.share  # before the settings signal, which would start a round
            self.workspace.replace_context(outcome.ctx)
        elif outcome.restored is not None:  # the join failed: the board as it was, reopened
            self.workspace.replace_context(outcome.restored)
        if outcome.round is not None:
            self._finish_round(outcome.round)
        else:
            self._set_state(state_after(jobs.RoundOutcome(self.share), self.state))
        self.join_finished.emit(outcome)

    def _back_off(self, failed: bool) -> None:
        """Every 30 s while the share answers; after failures 60 s, 2 min ... up to 5 min."""
        interval = min(self.timer.interval() * 2, MAX_INTERVAL_MS) if failed else INTERVAL_MS
        if interval != self.timer.interval():
            self.timer.setInterval(interval)

    def _offer_once(self, what: str) -> bool:
        if what in self._offered:
            return False
        self._offered.add(what)
        return True

    def _set_state(self, state: SyncState) -> None:
        self.state = state
        self.state_changed.emit(state)

    # ------------------------------------------------------------------ reacting
    @Slot()
    def _on_busy_hint_timeout(self) -> None:
        if self._task is not None:
            self._set_state(SyncState(SYNCING, self.share, self.state.last_synced))

    @Slot(object)
    def _on_workspace_changed_locally(self, changes: Changes) -> None:
        if self._started and self.share and not self._closing:
            self.debounce.start()  # restarting it: a burst of edits makes one round
        if changes.concerns(COUNTED):  # a conflict settled here, or its resolution undone
            self.refresh_counts()

    @Slot()
    def _on_workspace_settings_changed(self) -> None:
        share = self.workspace.share_folder
        if share == self.share:
            return
        self.share = share
        self._offered.clear()
        if not share:
            self.timer.stop()
            self.debounce.stop()
            self._set_state(SyncState(NO_SHARE))
            return
        self._set_state(SyncState(SYNCING, share))
        if self._started:
            self.timer.start()
            self.sync_now()
