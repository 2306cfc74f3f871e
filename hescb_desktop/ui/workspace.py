"""What every page shares: the open service context, who is at the keyboard, this user's
settings, the operation runner and the undo history."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, TypeVar

from PySide6.QtCore import QObject, Signal

from hescb_desktop.domain.dto import OrganisationDTO
from hescb_desktop.domain.errors import ValidationError
from hescb_desktop.domain.permissions import Identity, Kind, Operation, Owners
from hescb_desktop.services import crud
from hescb_desktop.services.context import ServiceContext
from hescb_desktop.services.entities import ORGANISATIONS
from hescb_desktop.services.operations import Uow
from hescb_desktop.services.results import WHOLE_BOARD, Changes, Result
from hescb_desktop.services.settings import UserSettings, load_settings, save_settings
from hescb_desktop.services.who import Who, view_as, who
from hescb_desktop.ui.operations import Runner
from hescb_desktop.ui.undo_history import UndoHistory
from hescb_desktop.ui.widgets.permission import sentence

P = ParamSpec("P")
T = TypeVar("T")


class Workspace(QObject):
    """The session's shared state; pages read through it and react to its signals."""

    settings_changed = Signal()
    data_changed = Signal(object)  # a services.results.Changes, from this PC or merged by sync
    changed_locally = Signal(object)  # a Changes made on this PC (sync sends it soon after)
    context_replaced = Signal()  # the board was restarted from the share (joining)
    identity_changed = Signal()  # another person at the keyboard (enrolment, the demo's View as)

    def __init__(
        self,
        ctx: ServiceContext,
        *,
        share_override: Path | None = None,
        today: Callable[[], date] = date.today,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.share_override = share_override
        self.today = today
        self.runner = Runner(lambda: self.ctx, self)  # every write from the GUI (operations)
        self.runner.on_result = self._operation_done
        self.history = UndoHistory(self.runner, self)  # the Edit menu's Undo and Redo
        self.runner.succeeded.connect(self._settings_saved)
        self.settings = ctx.read(load_settings)
        self.who: Who = who(ctx)
        self._identity: Identity | None = None  # read again after any change (a sync's too)
        for signal in (
            self.data_changed,
            self.context_replaced,
            self.settings_changed,
            self.identity_changed,
        ):
            signal.connect(self.forget_identity)

    def read(self, fn: Callable[Concatenate[Uow, P], T], *args: P.args, **kwargs: P.kwargs) -> T:
        """A quick read through a service, on its own (read-only) connection: `fn(uow, ...)`.
        WAL lets it read while a merge writes. Slow reads go to `runner.query`."""
        return self.ctx.read(fn, *args, **kwargs)

    def _operation_done(self, result: Result[Any], label: str) -> None:
        """After each operation (ui.operations): every affected page refreshes once, and an
        edit with a label can be undone."""
        if label and result.changes.tx is not None:
            self.history.record(label, result.changes.tx)
        if result.changes == WHOLE_BOARD and self.refresh_identity():
            # a trust statement made another person of the one at the keyboard (protecting
            # the board): every page has reloaded as them already; the round sends it soon
            self.changed_locally.emit(result.changes)
            return
        self.announce(result.changes)

    def _settings_saved(self, result: Result[Any]) -> None:
        """An operation that saved this PC's settings (a change, or its undo): taken up."""
        if isinstance(result.value, UserSettings) and result.value != self.settings:
            self.settings = result.value
            self.settings_changed.emit()

    def forget_identity(self) -> None:
        self._identity = None

    @property
    def data_dir(self) -> Path | None:
        return self.ctx.db_path.parent if self.ctx.db_path is not None else None

    @property
    def me(self) -> str:
        """The person whose actions are "mine": the board's person at the keyboard ("" if the
        board does not know this PC's account); on a board not yet protected, the name this PC
        has recorded changes under (the old Settings display name, no longer edited)."""
        if self.who.protected:
            return self.who.name if self.who.known else ""
        return self.settings.display_name.strip()

    def refresh_identity(self) -> bool:
        """Read who is at the keyboard again (a sync round may have enrolled this PC); if it
        changed, every page reloads as that person and undo starts afresh (an undo is done by
        the person who did the change). True if it changed."""
        now = who(self.ctx)
        if now == self.who:
            return False
        self.who = now
        self.history.clear()
        self.identity_changed.emit()
        self.data_changed.emit(WHOLE_BOARD)
        return True

    def view_as(
        self,
        person_id: str,
        *,
        on_done: Callable[[], None] | None = None,
        on_refused: Callable[[str], None] | None = None,
    ) -> None:
        """The demo board only: carry on as another of its people (refused elsewhere), as an
        operation on the runner. Every page then reloads once, as that person."""

        def job(ctx: ServiceContext, _progress: object) -> Result[UserSettings]:
            view_as(ctx, person_id)
            # no change set of its own: refresh_identity reloads every page once, below
            return Result(ctx.read(load_settings))

        def done(settings: UserSettings) -> None:
            if settings != self.settings:  # their organisation
                self.settings = settings
                self.settings_changed.emit()
            self.refresh_identity()
            if on_done is not None:
                on_done()

        self.runner.job(
            job,
            label=self.tr("View as"),
            undoable=False,
            on_done=done,
            on_refused=on_refused,
        )

    @property
    def identity(self) -> Identity:
        """The person at the keyboard and their role (issue 15): what the pages let them do."""
        if self._identity is None:
            self._identity = self.ctx.identity
        return self._identity

    def why_not(self, operation: Operation, kind: Kind, owner_ids: Owners = None) -> str:
        """ "" when the person may, else why not, as a sentence (a button's tooltip)."""
        return sentence(self.identity.why_not(operation, kind, owner_ids))

    @property
    def share_folder(self) -> str:
        if self.share_override is not None:
            return str(self.share_override)
        return self.settings.share_folder

    def update_settings(self, new: UserSettings) -> None:
        """Save through the settings service; the first-run choice and the old display name
        (who you are comes from the board now) are never changed here."""
        old = self.settings
        new = replace(new, first_run_choice=old.first_run_choice, display_name=old.display_name)
        outcome = self.runner.write_and_wait(_saving(new))
        if not outcome.ok:
            raise ValidationError(outcome.refusal)
        if new != old:  # this PC's settings are not in the change log: undone by saving back
            self.history.record_local(self.tr("Change settings"), _saving(old), _saving(new))

    def organisations(self) -> list[OrganisationDTO]:
        rows = self.ctx.read(crud.list_all, ORGANISATIONS)
        return sorted(rows, key=lambda o: o.code)

    def organisation(self, code: str) -> OrganisationDTO | None:
        return next((o for o in self.organisations() if o.code == code), None)

    def announce(self, changes: Changes) -> None:
        """Tell every page that data changed here (they refresh if the tables concern them)."""
        if not changes.empty:
            self.data_changed.emit(changes)
            self.changed_locally.emit(changes)

    def announce_merged(self, changes: Changes) -> None:
        """Tell every page that a sync brought changes from other PCs (nothing to send back)."""
        if not changes.empty:
            self.data_changed.emit(changes)

    def replace_context(self, ctx: ServiceContext) -> None:
        """Carry on with `ctx` (the database restarted from the share); every page reloads, and
        nothing done on the board before can be undone on this one."""
        self.runner.wait_idle()
        self.history.clear()
        self.ctx = ctx
        self.settings = ctx.read(load_settings)
        self.who = who(ctx)
        self.context_replaced.emit()
        self.identity_changed.emit()
        self.settings_changed.emit()
        self.data_changed.emit(WHOLE_BOARD)


def _saving(settings: UserSettings) -> Callable[[Uow], Result[UserSettings]]:
    """Save `settings` as one operation (the workspace takes them up once saved)."""

    def save(uow: Uow) -> Result[UserSettings]:
        return Result(save_settings(uow, settings))

    return save
