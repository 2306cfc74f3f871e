"""Board edits as undoable commands on the workspace's QUndoStack.

A command is applied once by the page (`apply()`, which may refuse with a DomainError and then
is never pushed); pushing it does not apply it again. Undo and redo call the same services. If
undo or redo is refused later (the objective was deleted on another PC meanwhile), the refusal
goes to `on_error` and nothing else changes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from PySide6.QtGui import QUndoCommand

from hescb_desktop.domain.enums import Rag, RagDimension
from hescb_desktop.domain.errors import DomainError
from hescb_desktop.services import board, planning
from hescb_desktop.services.results import Changes, Result
from hescb_desktop.ui.workspace import Workspace

ErrorFn = Callable[[str], None]


class BoardCommand(QUndoCommand):
    def __init__(self, workspace: Workspace, text: str, on_error: ErrorFn) -> None:
        super().__init__(text)
        self.workspace = workspace
        self.on_error = on_error
        self._applied = False
        self.warnings: tuple[str, ...] = ()

    def apply(self) -> None:
        """The first time (raises DomainError, for the page to show, if refused)."""
        self._do()
        self._applied = True

    def redo(self) -> None:
        if self._applied:  # QUndoStack.push calls redo: the page already applied it
            self._applied = False
            return
        self._safely(self._do)

    def undo(self) -> None:
        self._safely(self._undo)

    def _safely(self, fn: Callable[[], None]) -> None:
        try:
            fn()
        except DomainError as exc:
            self.on_error(str(exc))

    def _announce(self, result: Result[Any]) -> None:
        self.workspace.announce(result.changes)

    def _do(self) -> None:
        raise NotImplementedError

    def _undo(self) -> None:
        raise NotImplementedError


class MoveCard(BoardCommand):
    def __init__(
        self,
        workspace: Workspace,
        card: tuple[str, str, str, float],  # id, title, stage, position before the move
        to_stage: str,
        neighbours: tuple[str | None, str | None],
        on_error: ErrorFn,
    ) -> None:
        card_id, title, stage, position = card
        super().__init__(workspace, f'Move "{title}" to {to_stage}', on_error)
        self.card_id = card_id
        self.before = (stage, position)
        self.to_stage = to_stage
        self.neighbours = neighbours
        self.after: tuple[str, float] | None = None

    def _do(self) -> None:
        ctx = self.workspace.ctx
        if self.after is None:
            after_id, before_id = self.neighbours
            result = board.move_card(
                ctx.uow(), self.card_id, self.to_stage, after_id=after_id, before_id=before_id
            )
            self.after = result.value
        else:
            result = board.place_card(ctx.uow(), self.card_id, *self.after)
        self._announce(result)

    def _undo(self) -> None:
        self._announce(board.place_card(self.workspace.ctx.uow(), self.card_id, *self.before))


class EditObjective(BoardCommand):
    """Plain fields of an objective: old and new values of the fields that changed."""

    def __init__(
        self,
        workspace: Workspace,
        objective_id: str,
        old: Mapping[str, Any],
        new: Mapping[str, Any],
        on_error: ErrorFn,
    ) -> None:
        super().__init__(workspace, "Edit objective", on_error)
        self.objective_id = objective_id
        self.old, self.new = dict(old), dict(new)

    def _do(self) -> None:
        saved = planning.update_objective(self.workspace.ctx.uow(), self.objective_id, self.new)
        self.warnings = saved.warnings
        self._announce(saved.value)

    def _undo(self) -> None:
        saved = planning.update_objective(self.workspace.ctx.uow(), self.objective_id, self.old)
        self._announce(saved.value)


RagState = tuple[dict[RagDimension, Rag | None], Rag | None, str, str]  # dims, override, why, path


class SetRag(BoardCommand):
    """RAG by dimension, an overridden overall with its reason, and the path to green. Undo
    sets the earlier ratings back (the history records that as a change too)."""

    def __init__(
        self,
        workspace: Workspace,
        objective_id: str,
        old: RagState,
        new: RagState,
        on_error: ErrorFn,
    ) -> None:
        super().__init__(workspace, "Change RAG", on_error)
        self.objective_id = objective_id
        self.old, self.new = old, new

    def _set(self, state: RagState) -> None:
        dims, override, reason, path = state
        result = planning.set_rag(
            self.workspace.ctx.uow(),
            self.objective_id,
            dims,
            override=override,
            reason=reason,
            path_to_green=path,
        )
        self._announce(result)

    def _do(self) -> None:
        self._set(self.new)

    def _undo(self) -> None:
        self._set(self.old)


# ------------------------------------------------------------------ the objective dialog's lists
DetailSave = Callable[[Mapping[str, Any], str | None], tuple[Changes, tuple[str, ...]]]


def save_detail(workspace: Workspace, table: str) -> DetailSave:
    """Add (no id) or change a milestone or risk through its planning service: the changes and
    any warnings."""

    def save(values: Mapping[str, Any], row_id: str | None) -> tuple[Changes, tuple[str, ...]]:
        uow = workspace.ctx.uow()
        if table == "milestones":
            saved = planning.save_milestone(uow, values, row_id)
            return saved.value.changes, saved.warnings
        return planning.save_risk(uow, values, row_id).changes, ()

    return save


class AddDetail(BoardCommand):
    """A milestone, dependency or risk added: undo tombstones it, redo lifts the tombstone (the
    same row comes back, so sync sees one record)."""

    def __init__(
        self,
        workspace: Workspace,
        text: str,
        table: str,
        create: Callable[[], tuple[Changes, tuple[str, ...]]],
        on_error: ErrorFn,
    ) -> None:
        super().__init__(workspace, text, on_error)
        self.table = table
        self.create = create
        self.row_id = ""

    def _do(self) -> None:
        if not self.row_id:
            changes, self.warnings = self.create()
            self.row_id = changes.ids[0]
            self.workspace.announce(changes)
        else:
            self._announce(planning.restore(self.workspace.ctx.uow(), self.table, self.row_id))

    def _undo(self) -> None:
        self._announce(planning.remove(self.workspace.ctx.uow(), self.table, self.row_id))


class RemoveDetail(BoardCommand):
    """A milestone, dependency or risk removed (tombstoned): undo brings the same row back."""

    def __init__(
        self, workspace: Workspace, text: str, table: str, row_id: str, on_error: ErrorFn
    ) -> None:
        super().__init__(workspace, text, on_error)
        self.table, self.row_id = table, row_id

    def _do(self) -> None:
        self._announce(planning.remove(self.workspace.ctx.uow(), self.table, self.row_id))

    def _undo(self) -> None:
        self._announce(planning.restore(self.workspace.ctx.uow(), self.table, self.row_id))


class ChangeDetail(BoardCommand):
    """Fields of a milestone or risk changed: undo saves the old values back."""

    def __init__(
        self,
        workspace: Workspace,
        text: str,
        table: str,
        row_id: str,
        old: Mapping[str, Any],
        new: Mapping[str, Any],
        on_error: ErrorFn,
    ) -> None:
        super().__init__(workspace, text, on_error)
        self.row_id = row_id
        self.old, self.new = dict(old), dict(new)
        self.save = save_detail(workspace, table)

    def _do(self) -> None:
        changes, self.warnings = self.save(self.new, self.row_id)
        self.workspace.announce(changes)

    def _undo(self) -> None:
        changes, _ = self.save(self.old, self.row_id)
        self.workspace.announce(changes)
