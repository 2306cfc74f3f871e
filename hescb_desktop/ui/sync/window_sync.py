"""The main window's side of sync: "Sync now", the status bar, and joining a share when needed.

Joining (restarting this PC from the share's snapshot) happens in three places: a demo PC given a
share that already holds a board, a round that meets the demo guard, and a PC away longer than the
share keeps changes. Each asks first, then joins on the sync thread behind a busy dialog.

A protected board met for the first time (a round or a join that names its root): the board's
root fingerprint is shown to check by phone; once trusted, the round (or join) runs again with
it, and a PC not enrolled is offered to ask to be (issue 15).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QObject, Slot
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QWidget

from hescb_desktop.services import sync as sync_service
from hescb_desktop.services.settings import UserSettings
from hescb_desktop.ui.status_bar import AppStatusBar
from hescb_desktop.ui.sync import questions
from hescb_desktop.ui.sync.controller import SyncController
from hescb_desktop.ui.sync.jobs import JoinOutcome, RoundOutcome
from hescb_desktop.ui.sync.state import SyncState
from hescb_desktop.ui.sync.trust_dialogs import EnrolDialog, RootDialog
from hescb_desktop.ui.widgets.busy_dialog import BusyDialog
from hescb_desktop.ui.workspace import Workspace


class WindowSync(QObject):
    def __init__(self, window: QWidget, workspace: Workspace, status: AppStatusBar) -> None:
        super().__init__(window)
        self.window = window
        self.workspace = workspace
        self.status = status
        self.controller = SyncController(workspace, self)
        self.sync_action = QAction(self.tr("Sync &now"), window)
        self.sync_action.setShortcut(QKeySequence("F9"))
        self.sync_action.setStatusTip(self.tr("Send this PC's changes and fetch the others' now"))
        self.sync_action.triggered.connect(self._on_sync_action_triggered)
        self.last_join: JoinOutcome | None = None
        self.controller.state_changed.connect(self._on_controller_state_changed)
        self.controller.demo_blocked.connect(self._on_controller_demo_blocked)
        self.controller.restore_needed.connect(self._on_controller_restore_needed)
        self.controller.root_unconfirmed.connect(self._on_controller_root_unconfirmed)
        self.controller.round_finished.connect(self._on_controller_round_finished)
        self._offer_enrolment = False  # after this PC pinned a board's root
        self._on_controller_state_changed(self.controller.state)

    # ------------------------------------------------------------------ settings
    def apply_settings(self, new: UserSettings) -> None:
        """Save `new`; a demo PC given a share that holds a board is asked to join it instead."""
        old_share = self.workspace.settings.share_folder
        share = new.share_folder
        if not share or share == old_share or not self._demo_blocks(share):
            self.workspace.update_settings(new)
            return
        self.workspace.update_settings(replace(new, share_folder=old_share))
        if questions.ask_discard_demo(self.window, share):
            self.join(share, discard_demo=True)

    def _demo_blocks(self, share: str) -> bool:
        try:
            return sync_service.demo_blocks_share(self.workspace.ctx, Path(share))
        except OSError:
            return False  # the round's own guard says so later, if the share comes back

    # ------------------------------------------------------------------ joining
    def join(self, share: str, *, discard_demo: bool) -> JoinOutcome | None:
        """Restart this PC from `share` behind a busy dialog; the outcome (None if it failed).
        A protected board's root is checked by the person first (then the join runs again)."""
        outcome = self._join_once(share, discard_demo, None)
        if outcome is not None and outcome.root:
            if not RootDialog.ask(self.window, outcome.root, share):
                self.last_join = outcome
                return outcome
            outcome = self._join_once(share, discard_demo, outcome.root)
            self._offer_if_not_enrolled(share)
        self.last_join = outcome
        if self.last_join is not None and self.last_join.error:
            questions.show_join_failed(self.window, self.last_join.error)
        return self.last_join

    def _join_once(self, share: str, discard_demo: bool, root: str | None) -> JoinOutcome | None:
        dialog = BusyDialog(
            self.tr("Joining the shared folder"),
            self.tr("Copying the board from the share, then syncing…"),
            self.window,
        )
        self.controller.join_finished.connect(dialog.finish_with)
        try:
            self.controller.join(share, discard_demo=discard_demo, trust_root=root)
            dialog.exec()
        finally:
            self.controller.join_finished.disconnect(dialog.finish_with)
        outcome = dialog.result_value
        return outcome if isinstance(outcome, JoinOutcome) else None

    def _offer_if_not_enrolled(self, share: str) -> None:
        identity = self.workspace.ctx.identity
        if identity.protected and not identity.person_id:
            EnrolDialog.ask(self.window, self.workspace.runner, share)

    # ------------------------------------------------------------------ slots
    @Slot(object)
    def _on_controller_state_changed(self, state: SyncState) -> None:
        self.status.show_sync(state)
        self.sync_action.setEnabled(bool(self.controller.share))

    @Slot(str)
    def _on_controller_demo_blocked(self, _message: str) -> None:
        share = self.controller.share
        if share and questions.ask_discard_demo(self.window, share):
            self.join(share, discard_demo=True)

    @Slot()
    def _on_sync_action_triggered(self) -> None:
        """Sync now, asked by the person: a board's root they put off is asked about again."""
        self.controller.ask_root_again()
        self.controller.sync_now()

    @Slot(str)
    def _on_controller_root_unconfirmed(self, root: str) -> None:
        share = self.controller.share
        if share and RootDialog.ask(self.window, root, share):
            self._offer_enrolment = True
            self.controller.confirm_root(root)

    @Slot(object)
    def _on_controller_round_finished(self, outcome: RoundOutcome) -> None:
        if self._offer_enrolment and not outcome.root:
            self._offer_enrolment = False
            if outcome.share:
                self._offer_if_not_enrolled(outcome.share)

    @Slot()
    def _on_controller_restore_needed(self) -> None:
        share = self.controller.share
        if share and questions.ask_restore(self.window):
            self.join(share, discard_demo=False)
