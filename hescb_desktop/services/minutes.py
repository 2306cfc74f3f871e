"""The minutes of a meeting: one numbered minute per agenda item (77/26), its summary of
discussion, its "RESOLVED – That ..." lines (one decision per deciding body) and the actions
raised in it (services.actions.new_action with the minute's id).

Minute numbers run through the year and never repeat on this PC (the highest ever taken,
tombstones included, plus one: services.references); two PCs offline may still take the same
number and the sync merge renumbers one (sync/renumber.py). Minutes are drafted, then approved
at the next meeting (the approval date kept); approved minutes are read-only until the
secretariat re-opens them with a reason.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from hescb_desktop.domain.dto import (
    ActionDTO,
    AgendaItemDTO,
    DecisionDTO,
    MeetingDTO,
    MinuteDTO,
)
from hescb_desktop.domain.enums import MeetingStatus, MinutesStatus
from hescb_desktop.domain.errors import ValidationError
from hescb_desktop.domain.permissions import Kind, Operation
from hescb_desktop.services import crud
from hescb_desktop.services.entities import (
    ACTIONS,
    AGENDA_ITEMS,
    DECISIONS,
    MEETINGS,
    MINUTES,
)
from hescb_desktop.services.meetings import LONDON, STATUS_ORDER
from hescb_desktop.services.references import next_minute_ref
from hescb_desktop.services.results import Result, changes_of
from hescb_desktop.storage.models import Action, AgendaItem, Decision, Meeting, Minute
from hescb_desktop.storage.uow import UnitOfWork

RESOLVED = "RESOLVED – "


@dataclass(frozen=True)
class MinuteView:
    """One minute as the editor and the printed minutes show it."""

    minute: MinuteDTO
    item: AgendaItemDTO | None
    decisions: tuple[DecisionDTO, ...]
    actions: tuple[ActionDTO, ...]


def resolved_line(text: str) -> str:
    """How a decision reads in the minutes: "RESOLVED – That ..." (the text kept as typed)."""
    body = text.strip()
    return body if body.upper().startswith("RESOLVED") else RESOLVED + body


def _meeting_minutes(uow: UnitOfWork, meeting_id: str) -> list[Minute]:
    return list(
        uow.session.scalars(
            select(Minute).where(Minute.meeting_id == meeting_id, Minute.deleted.is_(False))
        )
    )


def start_minutes(uow: UnitOfWork, meeting_id: str) -> Result[list[MinuteDTO]]:
    """Give every agenda item without a minute its minute, numbered in agenda order; the meeting
    becomes "minutes drafted". Safe to call again (items added later get the next numbers)."""
    uow.require(Operation.CREATE, Kind.MINUTE)
    with uow:
        meeting = crud.load(uow.session, MEETINGS, meeting_id)
        existing = _meeting_minutes(uow, meeting_id)
        if existing and any(m.status is MinutesStatus.APPROVED for m in existing):
            _refuse_approved(existing[0])
        have = {m.agenda_item_id for m in existing}
        items = uow.session.scalars(
            select(AgendaItem)
            .where(AgendaItem.meeting_id == meeting_id, AgendaItem.deleted.is_(False))
            .order_by(AgendaItem.position, AgendaItem.id)
        )
        year = meeting.start_utc.astimezone(LONDON).year
        for item in items:
            if item.id in have:
                continue
            ref = next_minute_ref(uow.session, year)
            crud.add(
                uow,
                MINUTES,
                {
                    "meeting_id": meeting_id,
                    "agenda_item_id": item.id,
                    "reference": str(ref),
                    "ref_year": ref.year,
                    "ref_number": ref.number,
                    "part": item.part,
                    "marking": meeting.marking,
                },
            )
        if STATUS_ORDER.index(meeting.status) < STATUS_ORDER.index(MeetingStatus.MINUTES_DRAFTED):
            meeting.status = MeetingStatus.MINUTES_DRAFTED
        uow.session.flush()
        dtos = [MINUTES.to_dto(m) for m in _meeting_minutes(uow, meeting_id)]
        uow.commit()
    return Result(sorted(dtos, key=lambda m: m.ref_number), changes_of(uow))


def minutes_of(uow: UnitOfWork, meeting_id: str) -> list[MinuteView]:
    """The meeting's minutes in agenda order, with their decisions and actions."""
    with uow:
        session = uow.session
        minutes = _meeting_minutes(uow, meeting_id)
        items = {
            i.id: i
            for i in session.scalars(select(AgendaItem).where(AgendaItem.meeting_id == meeting_id))
        }
        decisions = list(
            session.scalars(
                select(Decision)
                .where(Decision.meeting_id == meeting_id, Decision.deleted.is_(False))
                .order_by(Decision.created_at, Decision.id)
            )
        )
        actions = list(
            session.scalars(
                select(Action)
                .where(Action.meeting_id == meeting_id, Action.deleted.is_(False))
                .order_by(Action.ref_number)
            )
        )

        def order(m: Minute) -> tuple[int, int]:
            item = items.get(m.agenda_item_id or "")
            live = item is not None and not item.deleted
            return (item.position if live and item else 10_000, m.ref_number)

        views = []
        for m in sorted(minutes, key=order):
            item = items.get(m.agenda_item_id or "")
            views.append(
                MinuteView(
                    MINUTES.to_dto(m),
                    AGENDA_ITEMS.to_dto(item) if item is not None and not item.deleted else None,
                    tuple(DECISIONS.to_dto(d) for d in decisions if d.minute_id == m.id),
                    tuple(ACTIONS.to_dto(a) for a in actions if a.minute_id == m.id),
                )
            )
        return views


def _refuse_approved(minute: Minute) -> None:
    if minute.status is MinutesStatus.APPROVED:
        raise ValidationError(
            f"minute {minute.reference} is approved and read-only: the secretariat must "
            "re-open the minutes (with a reason) to change them"
        )


def set_summary(uow: UnitOfWork, minute_id: str, summary: str) -> Result[MinuteDTO]:
    """The summary of discussion, stored exactly as typed."""
    uow.require(Operation.EDIT, Kind.MINUTE)
    with uow:
        minute = crud.load(uow.session, MINUTES, minute_id)
        _refuse_approved(minute)
        if minute.summary != summary:
            minute.summary = summary
        uow.session.flush()
        dto = MINUTES.to_dto(minute)
        uow.commit()
    return Result(dto, changes_of(uow, (minute_id,)))


def add_decision(
    uow: UnitOfWork,
    minute_id: str,
    text: str,
    decided_by: Sequence[str | None] = (None,),
    objective_id: str | None = None,
) -> Result[list[DecisionDTO]]:
    """A RESOLVED line; one decision per deciding body (organisation id), None for the Board."""
    uow.require(Operation.EDIT, Kind.MINUTE)
    if not text.strip():
        raise ValidationError("decision: the text is empty (write what was resolved)")
    bodies = list(dict.fromkeys(decided_by)) or [None]
    with uow:
        minute = crud.load(uow.session, MINUTES, minute_id)
        _refuse_approved(minute)
        rows = [
            crud.add(
                uow,
                DECISIONS,
                {
                    "minute_id": minute_id,
                    "meeting_id": minute.meeting_id,
                    "text": text,
                    "decided_by_id": body,
                    "objective_id": objective_id,
                },
            )
            for body in bodies
        ]
        dtos = [DECISIONS.to_dto(r) for r in rows]
        uow.commit()
    return Result(dtos, changes_of(uow, tuple(d.id for d in dtos)))


def remove_decision(uow: UnitOfWork, decision_id: str) -> Result[None]:
    uow.require(Operation.EDIT, Kind.MINUTE)
    with uow:
        decision = crud.load(uow.session, DECISIONS, decision_id)
        _refuse_approved(crud.load(uow.session, MINUTES, decision.minute_id))
        decision.deleted = True
        uow.commit()
    return Result(None, changes_of(uow, (decision_id,)))


def approve_minutes(
    uow: UnitOfWork, meeting_id: str, *, at_meeting_id: str | None = None, on: date | None = None
) -> Result[MeetingDTO]:
    """The minutes approved as a correct record, normally at the next meeting (its date is the
    approval date)."""
    uow.require(Operation.APPROVE, Kind.MINUTE)
    with uow:
        meeting = crud.load(uow.session, MEETINGS, meeting_id)
        minutes = _meeting_minutes(uow, meeting_id)
        if not minutes:
            raise ValidationError("minutes: there are no minutes to approve yet")
        if on is None:
            if at_meeting_id is None:
                raise ValidationError("minutes: give the meeting (or date) that approved them")
            approving: Meeting = crud.load(uow.session, MEETINGS, at_meeting_id)
            if approving.start_utc <= meeting.start_utc:
                raise ValidationError("minutes: they are approved at a later meeting")
            on = approving.start_utc.astimezone(LONDON).date()
        if on < meeting.start_utc.astimezone(LONDON).date():
            raise ValidationError("minutes: cannot be approved before the meeting was held")
        for m in minutes:
            if m.status is not MinutesStatus.APPROVED:
                m.status = MinutesStatus.APPROVED
                m.approved_on = on
        meeting.status = MeetingStatus.MINUTES_APPROVED
        uow.session.flush()
        dto = MEETINGS.to_dto(meeting)
        uow.commit()
    return Result(dto, changes_of(uow, (meeting_id,)))


def reopen_minutes(uow: UnitOfWork, meeting_id: str, reason: str) -> Result[MeetingDTO]:
    """Re-open approved minutes for a correction: the secretariat gives a reason, kept on each
    minute (who and when are in the change history)."""
    uow.require(Operation.APPROVE, Kind.MINUTE)
    if not reason.strip():
        raise ValidationError("minutes: give the reason for re-opening approved minutes")
    with uow:
        meeting = crud.load(uow.session, MEETINGS, meeting_id)
        minutes = _meeting_minutes(uow, meeting_id)
        if not any(m.status is MinutesStatus.APPROVED for m in minutes):
            raise ValidationError("minutes: these minutes are not approved, nothing to re-open")
        for m in minutes:
            m.status = MinutesStatus.DRAFT
            m.approved_on = None
            m.reopen_reason = reason.strip()
        meeting.status = MeetingStatus.MINUTES_DRAFTED
        uow.session.flush()
        dto = MEETINGS.to_dto(meeting)
        uow.commit()
    return Result(dto, changes_of(uow, (meeting_id,)))
