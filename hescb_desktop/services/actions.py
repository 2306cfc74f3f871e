"""Raising actions (with their reference) and recording updates. Issue 4 adds the full rules."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from sqlalchemy import select

from hescb_desktop.domain import labels
from hescb_desktop.domain.dto import ActionDTO, ActionUpdateDTO
from hescb_desktop.domain.enums import ActionStatus, MinutesStatus
from hescb_desktop.domain.errors import NotFoundError, ValidationError
from hescb_desktop.domain.permissions import Kind, Operation
from hescb_desktop.domain.rules import OPEN_ACTION_STATUSES, ActionRef, action_overdue
from hescb_desktop.domain.timezones import LONDON
from hescb_desktop.services import crud
from hescb_desktop.services.entities import ACTION_UPDATES, ACTIONS, MEETINGS, MINUTES, PEOPLE
from hescb_desktop.services.references import next_action_ref
from hescb_desktop.services.results import Result, changes_of
from hescb_desktop.services.user_names import user_names
from hescb_desktop.storage.models import Action, ActionUpdate
from hescb_desktop.storage.uow import UnitOfWork


def raise_action(
    uow: UnitOfWork, values: Mapping[str, Any], *, body: str = "HESCB"
) -> Result[ActionDTO]:
    """A new action with the next reference of its body and year (of the date raised)."""
    with uow:
        action = add_action(uow, values, body=body)
        dto = ACTIONS.to_dto(action)
        uow.commit()
    return Result(dto, changes_of(uow, (dto.id,)))


def add_action(uow: UnitOfWork, values: Mapping[str, Any], *, body: str = "HESCB") -> Action:
    """Raise an action inside an open unit of work (the minutes editor raises them in place)."""
    uow.require(Operation.CREATE, Kind.ACTION)
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
        uow.require(Operation.PROGRESS, Kind.ACTION, action.owner_id)
        update = crud.add(
            uow, ACTION_UPDATES, {"action_id": action_id, "note": note, "status": status}
        )
        action.latest_update = note
        if status is not None:
            action.status = status
        dto = ACTION_UPDATES.to_dto(update)
        uow.commit()
    return Result(dto, changes_of(uow, (action_id, dto.id)))


# ====================================================================== the action rules (issue 4)
# Owners propose completion ("complete"); only a meeting agrees closure. A revised due date keeps
# the agreed one and needs a reason. Every change is an entry in action_updates (who and when are
# its created_by / created_at), and the action shows the last one as its latest update.

OPEN_STATUSES = OPEN_ACTION_STATUSES


@dataclass(frozen=True)
class ActionChange:
    """What one update asks for; anything None is left as it is."""

    status: ActionStatus | None = None
    note: str = ""
    due: date | None = None
    reason: str = ""
    at_meeting_id: str | None = None  # the meeting agreeing closure (required to close)


def status_label(status: ActionStatus) -> str:
    return labels.ACTION_STATUS[status]


_STATUS_WORDS = {  # what else a user may type for a status: its label, or a short word
    **{w.casefold().replace(" ", "_"): s.value for s, w in labels.ACTION_STATUS.items()},
    "complete_(proposed)": "complete",
    "proposed": "complete",
    "done": "complete",
}


def parse_status(text: str) -> ActionStatus:
    norm = text.strip().casefold().replace(" ", "_").replace("-", "_")
    norm = _STATUS_WORDS.get(norm, norm)
    try:
        return ActionStatus(norm)
    except ValueError:
        choices = ", ".join(s.value for s in ActionStatus)
        raise ValidationError(f'unknown action status "{text}": use one of {choices}') from None


def new_action(
    uow: UnitOfWork,
    *,
    description: str,
    owner_id: str | None,
    due: date | None,
    raised_on: date | None = None,
    meeting_id: str | None = None,
    minute_id: str | None = None,
    objective_id: str | None = None,
    body: str = "HESCB",
) -> Result[ActionDTO]:
    """Raise an action as a user does: a description, an owner who exists, a due date not
    before the date raised. The owner's organisation owns it."""
    if not description.strip():
        raise ValidationError("action: the description is empty")
    if owner_id is None:
        raise ValidationError("action: give the owner (a person)")
    with uow:
        owner = crud.load(uow.session, PEOPLE, owner_id)
        if minute_id is not None:
            _refuse_approved_minute(uow, minute_id)
        if meeting_id is not None:  # raised at a meeting: its date and its body's numbering
            meeting = crud.load(uow.session, MEETINGS, meeting_id)
            raised_on = raised_on or meeting.start_utc.astimezone(LONDON).date()
            body = meeting.body
        values: dict[str, Any] = {
            "description": description,
            "owner_id": owner_id,
            "organisation_id": owner.organisation_id,
            "due_date": due,
            "raised_on": raised_on or date.today(),
            "meeting_id": meeting_id,
            "minute_id": minute_id,
            "objective_id": objective_id,
        }
        action = add_action(uow, values, body=body)
        crud.add(
            uow,
            ACTION_UPDATES,
            {"action_id": action.id, "note": "Action raised", "status": ActionStatus.OPEN},
        )
        dto = ACTIONS.to_dto(action)
        uow.commit()
    return Result(dto, changes_of(uow, (dto.id,)))


def _refuse_approved_minute(uow: UnitOfWork, minute_id: str) -> None:
    minute = crud.load(uow.session, MINUTES, minute_id)
    if minute.status is MinutesStatus.APPROVED:
        raise ValidationError(
            f"minute {minute.reference} is approved: the secretariat must re-open the minutes "
            "(with a reason) before anything is added"
        )


def update_action(
    uow: UnitOfWork, action_id: str, change: ActionChange, *, today: date | None = None
) -> Result[ActionDTO]:
    """Apply one update under the rules; refused as a whole (nothing changed) if any part is bad."""
    today = today or date.today()
    note = change.note.strip()
    if change.status is None and change.due is None and not note:
        raise ValidationError("action update: nothing to change (give a status, a note or a date)")
    with uow:
        action = crud.load(uow.session, ACTIONS, action_id)
        uow.require(Operation.PROGRESS, Kind.ACTION, action.owner_id)
        parts: list[str] = []
        if change.due is not None:
            parts.append(_revise_due(action, change.due, change.reason))
        elif change.reason.strip():
            raise ValidationError("action update: a reason goes with a new due date")
        if change.status is not None and change.status is not action.status:
            parts.append(_change_status(uow, action, change.status, change.at_meeting_id, today))
        if note:
            parts.append(note)
            action.latest_update = note
        if not parts:
            raise ValidationError(
                f"action {action.reference} is already {status_label(action.status).lower()}"
            )
        crud.add(
            uow,
            ACTION_UPDATES,
            {
                "action_id": action.id,
                "note": " · ".join(parts),
                "status": change.status,
            },
        )
        uow.session.flush()
        dto = ACTIONS.to_dto(action)
        uow.commit()
    return Result(dto, changes_of(uow, (action_id,)))


def _revise_due(action: Action, due: date, reason: str) -> str:
    if not reason.strip():
        raise ValidationError(
            f"action {action.reference}: give a reason for revising the due date "
            "(the date agreed is kept)"
        )
    if due < action.raised_on:
        raise ValidationError(
            f"action {action.reference}: due date {due:%d %b %Y} is before the date raised "
            f"({action.raised_on:%d %b %Y})"
        )
    if action.status is ActionStatus.CLOSED:
        raise ValidationError(f"action {action.reference} is closed: its dates stay as they were")
    was = action.revised_due_date or action.due_date
    if action.due_date is None:
        action.due_date = due  # nothing was agreed yet: this is the agreed date
    else:
        action.revised_due_date = due
        action.revision_reason = reason.strip()
    was_text = f"{was:%d %b %Y}" if was else "none"
    return f"Due date revised from {was_text} to {due:%d %b %Y}: {reason.strip()}"


def _change_status(
    uow: UnitOfWork,
    action: Action,
    status: ActionStatus,
    at_meeting_id: str | None,
    today: date,
) -> str:
    status = ActionStatus(status)
    ref = action.reference
    if status is ActionStatus.CLOSED:
        if action.status is not ActionStatus.COMPLETE:
            raise ValidationError(
                f"action {ref}: only an action proposed complete by its owner can be closed "
                f"(it is {status_label(action.status).lower()})"
            )
        if at_meeting_id is None:
            raise ValidationError(
                f"action {ref}: closure is agreed at a meeting: name the meeting that agreed it"
            )
        meeting = crud.load(uow.session, MEETINGS, at_meeting_id)
        action.closed_at_meeting_id = meeting.id
        action.status = status
        return f"Closure agreed at {meeting.body} {meeting.start_utc.astimezone(LONDON):%d %b %Y}"
    if action.status is ActionStatus.CLOSED:
        if at_meeting_id is None:
            raise ValidationError(
                f"action {ref} was closed by a meeting: only a meeting can re-open it"
            )
        action.closed_at_meeting_id = None
    if status is ActionStatus.COMPLETE:
        action.completed_on = today
    elif action.status is ActionStatus.COMPLETE or action.status is ActionStatus.CLOSED:
        action.completed_on = None
    action.status = status
    if status is ActionStatus.COMPLETE:
        return "Proposed complete by the owner: for the meeting to agree closure"
    return f"Status: {status_label(status)}"


def history(uow: UnitOfWork, action_id: str) -> list[ActionUpdateDTO]:
    """Every update of an action, oldest first (who: created_by; when: created_at)."""
    rows = crud.list_all(uow, ACTION_UPDATES, where=ActionUpdate.action_id == action_id)
    with uow:
        name = user_names(uow.session)
    named = [replace(u, created_by=name(u.created_by)) for u in rows]
    return sorted(named, key=lambda u: (u.created_at is None, u.created_at, u.id))


def find_action(uow: UnitOfWork, ref: str) -> ActionDTO:
    """An action by its reference (HESCB/2026/014) or id."""
    with uow:
        action = uow.session.get(Action, ref.strip())
        if action is None or action.deleted:
            parsed = ActionRef.parse(ref)
            action = uow.session.scalars(
                select(Action).where(
                    Action.ref_body == parsed.body,
                    Action.ref_year == parsed.year,
                    Action.ref_number == parsed.number,
                    Action.deleted.is_(False),
                )
            ).first()
        if action is None:
            raise NotFoundError(f"no action {ref.strip()}")
        return ACTIONS.to_dto(action)


def list_actions(uow: UnitOfWork) -> list[ActionDTO]:
    rows = crud.list_all(uow, ACTIONS)
    return sorted(rows, key=lambda a: (a.ref_year, a.ref_body != "HESCB", a.ref_body, a.ref_number))


def current_due(action: ActionDTO) -> date | None:
    """The date the action is now due: the revised date when there is one."""
    return action.revised_due_date or action.due_date


def is_overdue(action: ActionDTO, today: date) -> bool:
    """Late and nothing done: an action proposed complete is waiting for the board, not late."""
    return action_overdue(action.status, current_due(action), today)


def open_actions_for_review(uow: UnitOfWork, meeting_id: str) -> list[ActionDTO]:
    """Carry-forward: every action still open when the meeting starts, raised before it, in
    reference order (the next meeting's "Review of actions" item lists these)."""
    meeting = crud.get(uow, MEETINGS, meeting_id)
    day = meeting.start_utc.astimezone(LONDON).date()
    return [
        a
        for a in list_actions(uow)
        if a.raised_on <= day
        and a.meeting_id != meeting_id
        and (
            a.status in OPEN_STATUSES
            or (a.status is ActionStatus.CLOSED and a.closed_at_meeting_id == meeting_id)
        )
    ]
