"""Undo and redo of calendar edits: each edit is a pair of snapshots of the series it touched
(services.calendar.snapshot), restored through the services so sync sees ordinary edits."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from PySide6.QtGui import QUndoCommand

from hescb_desktop.services import calendar as cal
from hescb_desktop.services.results import Changes, Result
from hescb_desktop.ui.workspace import Workspace


class CalendarEdit(QUndoCommand):
    """An edit already applied; undo restores `before`, redo restores `after`."""

    def __init__(
        self, workspace: Workspace, text: str, before: cal.Snapshot, after: cal.Snapshot
    ) -> None:
        super().__init__(text)
        self.workspace = workspace
        self.before = before
        self.after = after
        self._first = True

    def redo(self) -> None:
        if self._first:  # pushed after the service call made the change
            self._first = False
            return
        result = cal.restore(self.workspace.ctx.uow(), self.after, also=self.before.roots)
        self.workspace.announce(result.changes)

    def undo(self) -> None:
        result = cal.restore(self.workspace.ctx.uow(), self.before, also=self.after.roots)
        self.workspace.announce(result.changes)


def run_edit(
    workspace: Workspace,
    text: str,
    roots: Iterable[str],
    action: Callable[[], Result[tuple[str, ...]] | Result[object]],
) -> Changes:
    """Snapshot, run the service call, snapshot what it touched, push the undo command."""
    roots = tuple(r for r in roots if r)
    before = workspace.ctx.read(cal.snapshot, roots) if roots else cal.Snapshot((), ())
    result = action()
    value = result.value
    touched = tuple(value) if isinstance(value, tuple) else tuple(result.changes.ids)
    after = workspace.ctx.read(cal.snapshot, (*roots, *touched))
    workspace.undo_stack.push(CalendarEdit(workspace, text, before, after))
    workspace.announce(result.changes)
    return result.changes
