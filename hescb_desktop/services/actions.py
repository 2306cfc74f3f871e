"""Raising actions (with their reference) and recording updates. Issue 4 adds the full rules."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from hescb_desktop.domain.dto import ActionDTO, ActionUpdateDTO
from hescb_desktop.domain.enums import ActionStatus
from hescb_desktop.domain.errors import ValidationError
from hescb_desktop.services import crud
from hescb_desktop.services.entities import ACTION_UPDATES, ACTIONS
from hescb_desktop.services.references import next_action_ref
from hescb_desktop.services.results import Changes, Result
from hescb_desktop.storage.models import Action
from hescb_desktop.storage.uow import UnitOfWork


def raise_action(
    uow: UnitOfWork, values: Mapping[str, Any], *, body: str = "HESCB"
) -> Result[ActionDTO]:
    """A new action with the next reference of its body and year (of the date raised)."""
    with uow:
        action = add_action(uow, values, body=body)
        dto = ACTIONS.to_dto(action)
        uow.commit()
    return Result(dto, Changes(uow.tables_changed, (dto.id,)))


def add_action(uow: UnitOfWork, values: Mapping[str, Any], *, body: str = "HESCB") -> Action:
    """Raise an action inside an open unit of work (the minutes editor raises them in place)."""
    fields = dict(values)
    raised = crud.clean(
        uow.session, ACTIONS, {"raised_on": fields.get("raised_on", date.today())}, creating=False
    )["raised_on"]
    fields["raised_on"] = raised
    due = fields.get("due_date")
    if due is not None:
        due = date.fromisoformat(due) if isinstance(due, str) else due
        if due < raised:
            raise ValidationError(
                f"action: due date {due:%d %b %Y} is before the date raised ({raised:%d %b %Y})"
            )
    ref = next_action_ref(uow.session, body, raised.year)
    fields.update(reference=str(ref), ref_body=ref.body, ref_year=ref.year, ref_number=ref.number)
    return crud.add(uow, ACTIONS, fields)


def add_update(
    uow: UnitOfWork, action_id: str, note: str, status: ActionStatus | None = None
) -> Result[ActionUpdateDTO]:
    """Append to an action's history; the action shows it as its latest update."""
    if not note.strip():
        raise ValidationError("action update: the note is empty")
    with uow:
        action = crud.load(uow.session, ACTIONS, action_id)
        update = crud.add(
            uow, ACTION_UPDATES, {"action_id": action_id, "note": note, "status": status}
        )
        action.latest_update = note
        if status is not None:
            action.status = status
        dto = ACTION_UPDATES.to_dto(update)
        uow.commit()
    return Result(dto, Changes(uow.tables_changed, (action_id, dto.id)))
