"""Carry out the first-run choice: build the demo board, start empty, or join a shared folder.

The demo is built by a function the composition root passes in (services.demo.build_demo), on a
pool thread, while a progress dialog keeps the GUI responsive. Joining restarts this PC from the
share's snapshot and runs a first sync, also on a pool thread behind a busy dialog; it reopens
the database, so the caller carries on with the context in the result. Nothing else touches the
database until either has finished.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Protocol

from PySide6.QtCore import QCoreApplication, Qt, Slot
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QDialog, QProgressDialog, QWidget

from hescb_desktop.services import crud
from hescb_desktop.services.context import ServiceContext
from hescb_desktop.services.entities import ORGANISATIONS
from hescb_desktop.services.settings import load_settings, save_settings
from hescb_desktop.ui.first_run_dialog import DEMO, EMPTY, JOIN, FirstRunChoice
from hescb_desktop.ui.operations import Runner
from hescb_desktop.ui.sync.jobs import JoinOutcome, join_and_sync
from hescb_desktop.ui.sync.trust_dialogs import EnrolDialog, RootDialog
from hescb_desktop.ui.widgets.busy_dialog import BusyDialog
from hescb_desktop.ui.widgets.palette import PARTNER_COLOURS
from hescb_desktop.ui.widgets.worker import ProgressFn, Task

PARTNERS = (
    ("HC", "Hertfordshire Constabulary"),
    ("HFRS", "Hertfordshire Fire and Rescue Service"),
    ("HCC", "Hertfordshire County Council"),
    ("OPCC", "Office of the Police and Crime Commissioner"),
)


class BuildDemo(Protocol):
    def __call__(
        self, ctx: ServiceContext, scale: str = ..., progress: ProgressFn | None = ...
    ) -> None: ...


class DemoProgressDialog(QProgressDialog):
    """Modal progress while the demo is built on a pool thread; it cannot be cancelled."""

    def __init__(self, work: Callable[[ProgressFn], object], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Building the demo board"))
        self.setLabelText(self.tr("Preparing…"))
        self.setRange(0, 100)
        self.setCancelButton(None)  # None removes the button
        self.setWindowModality(Qt.WindowModality.ApplicationModal)
        self.setAutoClose(False)
        self.setAutoReset(False)
        self.setMinimumDuration(0)
        self.setMinimumWidth(420)
        self.error = ""
        self.running = False
        self.task = Task(work)
        self.task.signals.progressed.connect(self._on_task_progressed)
        self.task.signals.succeeded.connect(self._on_task_succeeded)
        self.task.signals.failed.connect(self._on_task_failed)

    @classmethod
    def run(cls, ctx: ServiceContext, build: BuildDemo, parent: QWidget | None = None) -> str:
        """Build the small demo board; "" when done, else why it failed."""
        dialog = cls(lambda progress: build(ctx, "small", progress), parent)
        dialog.start()
        dialog.exec()
        return dialog.error

    def start(self) -> None:
        self.running = True
        self.task.start()

    def reject(self) -> None:
        if not self.running:  # Escape does nothing while the build runs
            super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.running:
            event.ignore()
        else:
            super().closeEvent(event)

    @Slot(int, str)
    def _on_task_progressed(self, percent: int, message: str) -> None:
        self.setValue(max(0, min(100, percent)))
        if message:
            self.setLabelText(message)

    @Slot(object)
    def _on_task_succeeded(self, _result: object) -> None:
        self.running = False
        self.setValue(100)
        self.done(QDialog.DialogCode.Accepted)

    @Slot(str)
    def _on_task_failed(self, message: str) -> None:
        self.running = False
        self.error = message
        self.done(QDialog.DialogCode.Rejected)


def add_partners(ctx: ServiceContext) -> None:
    """The four partner organisations, unless the board already has organisations."""
    if ctx.read(crud.list_all, ORGANISATIONS):
        return
    rows = [{"code": c, "name": n, "colour": PARTNER_COLOURS[c]} for c, n in PARTNERS]
    ctx.write(crud.create_all, ORGANISATIONS, rows)


@dataclass(frozen=True)
class FirstRunResult:
    ctx: ServiceContext  # carry on with this one (joining reopens the database)
    error: str = ""  # why the board could not be set up; nothing is recorded then


def apply_first_run(
    ctx: ServiceContext, choice: FirstRunChoice, build: BuildDemo, parent: QWidget | None = None
) -> FirstRunResult:
    """Set up the board as chosen and record the choice."""
    if choice.choice == JOIN:
        return join_first_run(ctx, choice.share_folder, parent)
    if choice.choice == DEMO:
        error = DemoProgressDialog.run(ctx, build, parent)
        if error:
            return FirstRunResult(ctx, error)
    elif choice.choice == EMPTY:
        add_partners(ctx)
    settings = ctx.read(load_settings)
    share = choice.share_folder or settings.share_folder
    ctx.write(save_settings, replace(settings, first_run_choice=choice.choice, share_folder=share))
    return FirstRunResult(ctx)


def join_first_run(
    ctx: ServiceContext, share: str, parent: QWidget | None = None
) -> FirstRunResult:
    """Start from the share's board and sync once; on a share with nothing on it yet, this PC
    is the first and starts the board with the four partners (sent at that first sync)."""

    def run(root: str | None) -> tuple[object, str]:
        return BusyDialog.run(
            QCoreApplication.translate("FirstRun", "Joining the shared folder"),
            QCoreApplication.translate(
                "FirstRun", "Copying the board from the share, then syncing…"
            ),
            lambda _p: join_and_sync(
                ctx, share, discard_demo=False, seed=add_partners, trust_root=root
            ),
            parent,
        )

    outcome, error = run(None)
    # a protected board: its root checked by phone first, then joined with it (issue 15)
    if isinstance(outcome, JoinOutcome) and outcome.root:
        if not RootDialog.ask(parent, outcome.root, share):
            not_trusted = QCoreApplication.translate(
                "FirstRun",
                "the board on the share was not trusted (its fingerprint was not confirmed): "
                "nothing on this PC was changed",
            )
            return FirstRunResult(ctx, not_trusted)
        outcome, error = run(outcome.root)
        if isinstance(outcome, JoinOutcome) and outcome.ctx is not None:
            joined = outcome.ctx
            if joined.identity.protected and not joined.identity.person_id:
                runner = Runner(lambda: joined)  # the window, and its runner, come after
                EnrolDialog.ask(parent, runner, share)
                runner.wait_idle()
                runner.deleteLater()
    if isinstance(outcome, JoinOutcome):
        if outcome.ctx is not None:
            return FirstRunResult(outcome.ctx)
        ctx = outcome.restored or ctx
        error = outcome.error
    return FirstRunResult(ctx, error or "the shared folder could not be joined")
