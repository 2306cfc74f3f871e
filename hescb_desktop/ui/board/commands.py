"""Board edits as operations (ui.operations): each is one planning or board service call with the
label the Edit menu shows ("Undo Move 'Joint drone unit' to Delivering"). Undo and redo are the
services' (ui.undo_history), the same for every page: no edit here keeps its own inverse.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from hescb_desktop.domain.enums import Rag, RagDimension
from hescb_desktop.services import board, planning
from hescb_desktop.services.operations import Uow
from hescb_desktop.services.planning import Saved
from hescb_desktop.services.results import Result

ErrorFn = Callable[[str], None]
Edit = Callable[[Uow], Result[tuple[str, ...]]]  # the value: warnings to show (saved anyway)
RagState = tuple[dict[RagDimension, Rag | None], Rag | None, str, str]  # dims, override, why, path


def warned(saved: Saved[Result[Any]]) -> Result[tuple[str, ...]]:
    """A planning save that may warn: its warnings as the value, its change set kept."""
    return Result(saved.warnings, saved.value.changes)


def plain(result: Result[Any]) -> Result[tuple[str, ...]]:
    return Result((), result.changes)


def move_card(card_id: str, stage: str, after: str | None, before: str | None) -> Edit:
    return lambda uow: plain(board.move_card(uow, card_id, stage, after_id=after, before_id=before))


def edit_objective(objective_id: str, new: Mapping[str, Any]) -> Edit:
    values = dict(new)
    return lambda uow: warned(planning.update_objective(uow, objective_id, values))


def set_rag(objective_id: str, state: RagState) -> Edit:
    dims, override, reason, path = state
    return lambda uow: plain(
        planning.set_rag(
            uow, objective_id, dims, override=override, reason=reason, path_to_green=path
        )
    )


def save_detail(table: str, values: Mapping[str, Any], row_id: str | None = None) -> Edit:
    """Add (no id) or change a milestone or risk through its planning service."""
    fields = dict(values)
    if table == "milestones":
        return lambda uow: warned(planning.save_milestone(uow, fields, row_id))
    return lambda uow: plain(planning.save_risk(uow, fields, row_id))


def add_dependency(objective_id: str, other_id: str) -> Edit:
    return lambda uow: plain(planning.add_dependency(uow, objective_id, other_id))


def remove_detail(table: str, row_id: str) -> Edit:
    """A milestone, dependency or risk tombstoned (undo brings the same row back)."""
    return lambda uow: plain(planning.remove(uow, table, row_id))
