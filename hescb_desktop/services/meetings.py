"""Meetings of the Board and its sub-boards: planning, the agenda builder, attendance and
declarations. Each meeting keeps one linked row in `events` (calendar "Board meetings") so it
shows in the calendar; re-timing or moving the meeting moves that event too.

Minutes, decisions and actions raised in the minutes are in services/minutes.py.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hescb_desktop.domain import labels
from hescb_desktop.domain.dto import (
    AgendaItemDTO,
    AttendanceDTO,
    DeclarationDTO,
    MeetingDTO,
)
from hescb_desktop.domain.enums import AttendanceRole, MeetingStatus, Part, Purpose
from hescb_desktop.domain.errors import NotFoundError, ValidationError
from hescb_desktop.domain.exemptions import (
    MAX_PUBLIC_TITLE,
    MAX_REASON,
    ExemptionError,
    parse_paragraph,
)
from hescb_desktop.domain.permissions import Kind, Operation
from hescb_desktop.domain.rules import STANDARD_AGENDA, highest_marking
from hescb_desktop.domain.timezones import LONDON as LONDON  # re-exported
from hescb_desktop.services import crud
from hescb_desktop.services.entities import (
    AGENDA_ITEMS,
    ATTENDANCE,
    DECLARATIONS,
    EVENTS,
    MEETINGS,
    PAPERS,
    PEOPLE,
    RESOURCES,
)
from hescb_desktop.services.results import Result, changes_of
from hescb_desktop.storage.models import AgendaItem, Attendance, Declaration, Event, Meeting
from hescb_desktop.storage.uow import UnitOfWork

if TYPE_CHECKING:  # reportlab is imported only when an agenda is printed
    from hescb_desktop.reports.agenda import AgendaSheet

DEFAULT_BODY = "HESCB"
MEETING_CALENDAR = "Board meetings"
# the standard item whose minute reviews the action log (open actions are carried forward)
REVIEW_TITLES = ("Action log", "Review of actions", "Action log / review of actions")
STATUS_ORDER = tuple(MeetingStatus)


@dataclass(frozen=True)
class AgendaSlot:
    """One agenda item with its number and computed start time (local time)."""

    number: int
    item: AgendaItemDTO
    start: datetime

    @property
    def is_review(self) -> bool:
        return is_review_item(self.item.title)


def is_review_item(title: str) -> bool:
    return title.strip().casefold() in {t.casefold() for t in REVIEW_TITLES}


def meeting_ref(meeting: MeetingDTO | Meeting) -> str:
    """How a meeting is named on the command line: its body and local date (HESCB/2026-03-12)."""
    return f"{meeting.body}/{meeting.start_utc.astimezone(LONDON):%Y-%m-%d}"


# ------------------------------------------------------------------ meetings
def _check_times(start: datetime, end: datetime) -> None:
    if start.tzinfo is None or end.tzinfo is None:
        raise ValidationError("meeting: give the start and end with a time zone")
    if end <= start:
        raise ValidationError("meeting: the end must be after the start")


def _clean_body(body: str) -> str:
    body = body.strip()
    if not body:
        raise ValidationError("meeting: the body (HESCB or a sub-board) is required")
    if len(body) > 60 or "/" in body:
        raise ValidationError("meeting: a body is a short name without '/' (e.g. HESCB, JESG)")
    return body


def create_meeting(
    uow: UnitOfWork,
    *,
    title: str,
    start: datetime,
    end: datetime,
    body: str = DEFAULT_BODY,
    venue_id: str | None = None,
    chair_id: str | None = None,
    clerk_id: str | None = None,
    standard_agenda: bool = True,
) -> Result[MeetingDTO]:
    """A planned meeting, its calendar event and (by default) the standard agenda in order."""
    uow.require(Operation.CREATE, Kind.MEETING)
    if not title.strip():
        raise ValidationError("meeting: the title is required")
    _check_times(start, end)
    with uow:
        meeting = crud.add(
            uow,
            MEETINGS,
            {
                "title": title,
                "body": _clean_body(body),
                "start_utc": start,
                "end_utc": end,
                "venue_id": venue_id,
                "chair_id": chair_id,
                "clerk_id": clerk_id,
            },
        )
        if standard_agenda:
            for n, std in enumerate(STANDARD_AGENDA, start=1):
                crud.add(
                    uow,
                    AGENDA_ITEMS,
                    {
                        "meeting_id": meeting.id,
                        "position": n,
                        "title": std.title,
                        "purpose": std.purpose,
                        "part": std.part,
                        "minutes_allocated": std.minutes,
                    },
                )
        _sync_event(uow, meeting)
        dto = MEETINGS.to_dto(meeting)
        uow.commit()
    return Result(dto, changes_of(uow, (dto.id,)))


def update_meeting(
    uow: UnitOfWork, meeting_id: str, values: Mapping[str, Any]
) -> Result[MeetingDTO]:
    """Change title, body, times, venue, chair or clerk; the calendar event follows."""
    uow.require(Operation.EDIT, Kind.MEETING)
    allowed = {"title", "body", "start_utc", "end_utc", "venue_id", "chair_id", "clerk_id"}
    unknown = set(values) - allowed
    if unknown:
        raise ValidationError(f"meeting: {', '.join(sorted(unknown))} cannot be set here")
    fields = dict(values)
    if "body" in fields:
        fields["body"] = _clean_body(str(fields["body"]))
    if "title" in fields and not str(fields["title"]).strip():
        raise ValidationError("meeting: the title is required")
    with uow:
        meeting = crud.load(uow.session, MEETINGS, meeting_id)
        cleaned = crud.clean(uow.session, MEETINGS, fields, creating=False)
        _check_times(
            cleaned.get("start_utc", meeting.start_utc), cleaned.get("end_utc", meeting.end_utc)
        )
        for key, value in cleaned.items():
            if getattr(meeting, key) != value:
                setattr(meeting, key, value)
        uow.session.flush()
        _sync_event(uow, meeting)
        dto = MEETINGS.to_dto(meeting)
        uow.commit()
    return Result(dto, changes_of(uow, (dto.id,)))


def set_status(uow: UnitOfWork, meeting_id: str, status: MeetingStatus) -> Result[MeetingDTO]:
    """Move a meeting along planned -> agenda published -> held -> minutes drafted.

    Approving minutes (and re-opening them) is services.minutes' job; a meeting never goes back.
    """
    uow.require(Operation.EDIT, Kind.MEETING)
    status = MeetingStatus(status)
    if status is MeetingStatus.MINUTES_APPROVED:
        raise ValidationError("meeting: minutes are approved at the next meeting, not here")
    with uow:
        meeting = crud.load(uow.session, MEETINGS, meeting_id)
        if STATUS_ORDER.index(status) < STATUS_ORDER.index(meeting.status):
            raise ValidationError(
                f"meeting: cannot go back from {meeting.status.value.replace('_', ' ')} "
                f"to {status.value.replace('_', ' ')}"
            )
        meeting.status = status
        uow.session.flush()
        dto = MEETINGS.to_dto(meeting)
        uow.commit()
    return Result(dto, changes_of(uow, (dto.id,)))


def _sync_event(uow: UnitOfWork, meeting: Meeting) -> None:
    """Create or update the meeting's calendar event."""
    session = uow.session
    event = session.scalars(
        select(Event).where(Event.meeting_id == meeting.id, Event.deleted.is_(False))
    ).first()
    location = ""
    if meeting.venue_id:
        location = crud.load(session, RESOURCES, meeting.venue_id).name
    values = {
        "summary": f"{meeting.body}: {meeting.title}",
        "location": location,
        "start_utc": meeting.start_utc,
        "end_utc": meeting.end_utc,
        "calendar": MEETING_CALENDAR,
        "marking": meeting.marking,
    }
    if event is None:
        crud.add(uow, EVENTS, {**values, "meeting_id": meeting.id})
        return
    for key, value in values.items():
        if getattr(event, key) != value:
            setattr(event, key, value)
    session.flush()


def list_meetings(uow: UnitOfWork) -> list[MeetingDTO]:
    rows = crud.list_all(uow, MEETINGS)
    return sorted(rows, key=lambda m: m.start_utc)


def get_meeting(uow: UnitOfWork, meeting_id: str) -> MeetingDTO:
    return crud.get(uow, MEETINGS, meeting_id)


def find_meeting(uow: UnitOfWork, ref: str) -> MeetingDTO:
    """A meeting by id or by BODY/YYYY-MM-DD (the first that day if the body met twice)."""
    text = ref.strip()
    match = re.fullmatch(r"([^/]+)/(\d{4}-\d{2}-\d{2})", text)
    for m in list_meetings(uow):
        if m.id == text:
            return m
        if (
            match
            and m.body.casefold() == match.group(1).strip().casefold()
            and f"{m.start_utc.astimezone(LONDON):%Y-%m-%d}" == match.group(2)
        ):
            return m
    raise NotFoundError(f'no meeting "{ref}": give BODY/YYYY-MM-DD (see `meetings`) or its id')


def bodies(uow: UnitOfWork, configured: Sequence[str] = ()) -> list[str]:
    """HESCB first, then the sub-boards configured or already used by a meeting."""
    used = {m.body for m in crud.list_all(uow, MEETINGS)}
    rest = sorted((used | set(configured)) - {DEFAULT_BODY}, key=str.casefold)
    return [DEFAULT_BODY, *rest]


def next_meeting_after(uow: UnitOfWork, meeting_id: str) -> MeetingDTO | None:
    """The same body's next meeting (the one that reviews this one's actions and minutes)."""
    this = get_meeting(uow, meeting_id)
    later = [m for m in list_meetings(uow) if m.body == this.body and m.start_utc > this.start_utc]
    return later[0] if later else None


def previous_meeting(uow: UnitOfWork, meeting_id: str) -> MeetingDTO | None:
    this = get_meeting(uow, meeting_id)
    earlier = [
        m for m in list_meetings(uow) if m.body == this.body and m.start_utc < this.start_utc
    ]
    return earlier[-1] if earlier else None


def _refuse_if_approved(meeting: Meeting) -> None:
    """Approved minutes record the agenda, attendance and declarations: they are read-only too
    until the secretariat re-opens the minutes with a reason."""
    if meeting.status is MeetingStatus.MINUTES_APPROVED:
        raise ValidationError(
            "the minutes of this meeting are approved: the agenda, attendance and declarations "
            "are read-only unless the minutes are re-opened with a reason"
        )


def _open_meeting(uow: UnitOfWork, meeting_id: str) -> Meeting:
    meeting: Meeting = crud.load(uow.session, MEETINGS, meeting_id)
    _refuse_if_approved(meeting)
    return meeting


# ------------------------------------------------------------------ agenda
def _items(uow: UnitOfWork, meeting_id: str) -> list[AgendaItem]:
    return list(
        uow.session.scalars(
            select(AgendaItem)
            .where(AgendaItem.meeting_id == meeting_id, AgendaItem.deleted.is_(False))
            .order_by(AgendaItem.position, AgendaItem.created_at, AgendaItem.id)
        )
    )


def agenda(uow: UnitOfWork, meeting_id: str) -> list[AgendaSlot]:
    """The agenda in order with item numbers and start times from the allocations."""
    with uow:
        meeting = crud.load(uow.session, MEETINGS, meeting_id)
        items = _items(uow, meeting_id)
        starts = start_times(meeting.start_utc, [item.minutes_allocated for item in items])
        return [
            AgendaSlot(n, AGENDA_ITEMS.to_dto(item), start)
            for n, (item, start) in enumerate(zip(items, starts, strict=True), start=1)
        ]


def start_times(meeting_start: datetime, allocated: Sequence[int]) -> list[datetime]:
    """When each item starts (London time): the meeting's start plus the minutes allocated to
    the items before it (the agenda screen, the printed agenda and the pack say the same)."""
    start = meeting_start.astimezone(LONDON)
    out = []
    for minutes in allocated:
        out.append(start)
        start = start + timedelta(minutes=minutes)
    return out


def _check_item_values(values: Mapping[str, Any]) -> dict[str, Any]:
    fields = dict(values)
    if "title" in fields and not str(fields["title"] or "").strip():
        raise ValidationError("agenda item: the title is required")
    if "minutes_allocated" in fields:
        try:
            minutes = int(fields["minutes_allocated"])
        except (TypeError, ValueError) as exc:
            raise ValidationError("agenda item: the time allocated is a number of minutes") from exc
        if not 0 <= minutes <= 600:
            raise ValidationError("agenda item: the time allocated is 0 to 600 minutes")
        fields["minutes_allocated"] = minutes
    if "purpose" in fields:
        fields["purpose"] = Purpose(fields["purpose"])
    if "part" in fields:
        fields["part"] = Part(fields["part"])
    if "public_title" in fields:
        fields["public_title"] = " ".join(str(fields["public_title"] or "").split())
        if len(fields["public_title"]) > MAX_PUBLIC_TITLE:
            raise ValidationError(
                f"agenda item: the public title is at most {MAX_PUBLIC_TITLE} characters"
            )
    if "exempt_paragraph" in fields:
        try:
            fields["exempt_paragraph"] = parse_paragraph(fields["exempt_paragraph"])
        except ExemptionError as exc:
            raise ValidationError(f"agenda item: {exc}") from exc
    if "exempt_reason" in fields:
        fields["exempt_reason"] = str(fields["exempt_reason"] or "").strip()
        if len(fields["exempt_reason"]) > MAX_REASON:
            raise ValidationError(
                f"agenda item: the reason for the exemption is at most {MAX_REASON} characters"
            )
    return fields


def add_item(
    uow: UnitOfWork, meeting_id: str, values: Mapping[str, Any], *, position: int | None = None
) -> Result[AgendaItemDTO]:
    """A new item (at 1-based `position`, else before "Any other business" or at the end)."""
    uow.require(Operation.CREATE, Kind.AGENDA_ITEM, uow.actor.user)
    fields = _check_item_values(values)
    if "title" not in fields:
        raise ValidationError("agenda item: the title is required")
    with uow:
        _open_meeting(uow, meeting_id)
        items = _items(uow, meeting_id)
        if position is None:
            aob = next(
                (i for i, it in enumerate(items) if it.title.casefold() == "any other business"),
                len(items),
            )
            index = aob
        else:
            index = max(0, min(position - 1, len(items)))
        if all(_may_edit(uow, it) for it in items):
            item = crud.add(uow, AGENDA_ITEMS, {**fields, "meeting_id": meeting_id, "position": 0})
            items.insert(index, item)
            _renumber(uow, items)
        else:  # an officer proposes it, last: the secretariat orders the agenda
            last = max((it.position for it in items), default=0)
            values = {**fields, "meeting_id": meeting_id, "position": last + 1}
            item = crud.add(uow, AGENDA_ITEMS, values)
        dto = AGENDA_ITEMS.to_dto(item)
        uow.commit()
    return Result(dto, changes_of(uow, (dto.id,)))


def update_item(uow: UnitOfWork, item_id: str, values: Mapping[str, Any]) -> Result[AgendaItemDTO]:
    fields = _check_item_values(values)
    if "position" in fields or "meeting_id" in fields:
        raise ValidationError("agenda item: use move to reorder an item")
    with uow:
        item = crud.load(uow.session, AGENDA_ITEMS, item_id)
        uow.require(Operation.EDIT, Kind.AGENDA_ITEM, _item_owners(item))
        _open_meeting(uow, item.meeting_id)
        item = crud.change(uow, AGENDA_ITEMS, item_id, fields)
        dto = AGENDA_ITEMS.to_dto(item)
        uow.commit()
    return Result(dto, changes_of(uow, (item_id,)))


def move_item(uow: UnitOfWork, item_id: str, new_position: int) -> Result[list[AgendaItemDTO]]:
    """Move an item to 1-based `new_position`; the others close up (positions stay 1..n)."""
    with uow:
        item = crud.load(uow.session, AGENDA_ITEMS, item_id)
        uow.require(Operation.EDIT, Kind.AGENDA_ITEM)
        _open_meeting(uow, item.meeting_id)
        items = [i for i in _items(uow, item.meeting_id) if i.id != item.id]
        index = max(0, min(new_position - 1, len(items)))
        items.insert(index, item)
        _renumber(uow, items)
        dtos = [AGENDA_ITEMS.to_dto(i) for i in items]
        uow.commit()
    return Result(dtos, changes_of(uow, (item_id,)))


def remove_item(uow: UnitOfWork, item_id: str) -> Result[None]:
    with uow:
        item = crud.load(uow.session, AGENDA_ITEMS, item_id)
        uow.require(Operation.DELETE, Kind.AGENDA_ITEM, _item_owners(item))
        _open_meeting(uow, item.meeting_id)
        item.deleted = True
        uow.session.flush()
        rest = _items(uow, item.meeting_id)
        if all(_may_edit(uow, it) for it in rest):  # else the gap stays for the secretariat
            _renumber(uow, rest)
        uow.commit()
    return Result(None, changes_of(uow, (item_id,)))


def _item_owners(item: AgendaItem) -> set[str]:
    """Who an agenda item is: its presenter and its proposer (domain.permissions.OWNER_COLUMNS)."""
    return {o for o in (item.presenter_id, item.created_by) if o}


def _may_edit(uow: UnitOfWork, item: AgendaItem) -> bool:
    return uow.identity.may(Operation.EDIT, Kind.AGENDA_ITEM, _item_owners(item))


def _renumber(uow: UnitOfWork, items: list[AgendaItem]) -> None:
    for n, item in enumerate(items, start=1):
        if item.position != n:
            item.position = n
    uow.session.flush()


# ------------------------------------------------------------------ attendance, declarations
def set_attendance(
    uow: UnitOfWork, meeting_id: str, person_id: str, role: AttendanceRole | None
) -> Result[AttendanceDTO | None]:
    """Record a person as present, in attendance or giving apologies (None: not listed)."""
    role = AttendanceRole(role) if role is not None else None
    uow.require(Operation.EDIT, Kind.MEETING)
    with uow:
        _open_meeting(uow, meeting_id)
        dto = _set_attendance(uow, meeting_id, person_id, role)
        uow.commit()
    return Result(dto, changes_of(uow, (meeting_id,)))


def mark_present(uow: UnitOfWork, meeting_id: str, person_ids: Iterable[str]) -> Result[int]:
    """Everyone of `person_ids` without a record is present (one action, one transaction);
    apologies and others stay as they are. The value: how many were marked."""
    uow.require(Operation.EDIT, Kind.MEETING)
    with uow:
        _open_meeting(uow, meeting_id)
        recorded = set(
            uow.session.scalars(
                select(Attendance.person_id).where(
                    Attendance.meeting_id == meeting_id, Attendance.deleted.is_(False)
                )
            )
        )
        marked = [p for p in dict.fromkeys(person_ids) if p not in recorded]
        for person_id in marked:
            _set_attendance(uow, meeting_id, person_id, AttendanceRole.PRESENT)
        uow.commit()
    return Result(len(marked), changes_of(uow, (meeting_id,)))


def _set_attendance(
    uow: UnitOfWork, meeting_id: str, person_id: str, role: AttendanceRole | None
) -> AttendanceDTO | None:
    rows = list(
        uow.session.scalars(
            select(Attendance).where(
                Attendance.meeting_id == meeting_id,
                Attendance.person_id == person_id,
                Attendance.deleted.is_(False),
            )
        )
    )
    keep = rows[0] if rows else None
    for extra in rows[1:]:  # two PCs may have listed the same person: keep one row
        extra.deleted = True
    dto: AttendanceDTO | None = None
    if role is None:
        if keep is not None:
            keep.deleted = True
    elif keep is None:
        keep = crud.add(
            uow, ATTENDANCE, {"meeting_id": meeting_id, "person_id": person_id, "role": role}
        )
        dto = ATTENDANCE.to_dto(keep)
    else:
        keep.role = role
        uow.session.flush()
        dto = ATTENDANCE.to_dto(keep)
    uow.session.flush()
    return dto


def attendance(uow: UnitOfWork, meeting_id: str) -> list[AttendanceDTO]:
    return crud.list_all(
        uow, ATTENDANCE, where=Attendance.meeting_id == meeting_id, order_by=Attendance.created_at
    )


def body_members(uow: UnitOfWork, meeting_id: str) -> set[str]:
    """Who belongs at this meeting: the people recorded at any meeting of the same body (present,
    in attendance or apologies), its chair and clerk, and anyone already recorded at this one.
    The app keeps no membership list, so a body's first meeting has none: every person is then
    a candidate (an empty set here)."""
    with uow:
        return members_of(uow.session, crud.load(uow.session, MEETINGS, meeting_id))


def members_of(session: Session, meeting: Meeting) -> set[str]:
    """`body_members` inside an open unit of work."""
    same_body = select(Meeting.id).where(Meeting.body == meeting.body, Meeting.deleted.is_(False))
    people = set(
        session.scalars(
            select(Attendance.person_id).where(
                Attendance.meeting_id.in_(same_body), Attendance.deleted.is_(False)
            )
        )
    )
    return people | {p for p in (meeting.chair_id, meeting.clerk_id) if p}


def declare_interest(
    uow: UnitOfWork, meeting_id: str, person_id: str, interest: str, item_id: str | None = None
) -> Result[DeclarationDTO]:
    if not interest.strip():
        raise ValidationError("declaration of interest: say what the interest is")
    uow.require(Operation.EDIT, Kind.MEETING)
    with uow:
        _open_meeting(uow, meeting_id)
        if item_id is not None:
            item = crud.load(uow.session, AGENDA_ITEMS, item_id)
            if item.meeting_id != meeting_id:
                raise ValidationError("declaration of interest: that item is on another agenda")
        row = crud.add(
            uow,
            DECLARATIONS,
            {
                "meeting_id": meeting_id,
                "person_id": person_id,
                "agenda_item_id": item_id,
                "interest": interest,
            },
        )
        dto = DECLARATIONS.to_dto(row)
        uow.commit()
    return Result(dto, changes_of(uow, (dto.id,)))


def withdraw_declaration(uow: UnitOfWork, declaration_id: str) -> Result[None]:
    uow.require(Operation.EDIT, Kind.MEETING)
    with uow:
        row = crud.load(uow.session, DECLARATIONS, declaration_id)
        _open_meeting(uow, row.meeting_id)
        row.deleted = True
        uow.commit()
    return Result(None, changes_of(uow, (declaration_id,)))


def declarations(uow: UnitOfWork, meeting_id: str) -> list[DeclarationDTO]:
    return crud.list_all(
        uow,
        DECLARATIONS,
        where=Declaration.meeting_id == meeting_id,
        order_by=Declaration.created_at,
    )


def local_date(meeting: MeetingDTO) -> date:
    return meeting.start_utc.astimezone(LONDON).date()


def agenda_sheet(uow: UnitOfWork, meeting_id: str) -> AgendaSheet:
    """The meeting's agenda for printing on its own: items, start times, presenters, papers;
    marked as the highest marking of the papers it lists."""
    from hescb_desktop.reports.agenda import AgendaLine, AgendaSheet

    slots = agenda(uow, meeting_id)
    with uow:
        meeting = MEETINGS.to_dto(crud.load(uow.session, MEETINGS, meeting_id))
        venue = crud.load(uow.session, RESOURCES, meeting.venue_id).name if meeting.venue_id else ""
        names = {p.id: p.name for p in crud.list_all(uow, PEOPLE)}
        papers = {p.id: p for p in crud.list_all(uow, PAPERS)}
    start = meeting.start_utc.astimezone(LONDON)
    end = meeting.end_utc.astimezone(LONDON)
    listed = [papers[s.item.paper_id] for s in slots if s.item.paper_id in papers]
    lines = [
        AgendaLine(
            s.number,
            f"{s.start:%H:%M}",
            s.item.title,
            labels.PURPOSE[s.item.purpose],
            names.get(s.item.presenter_id or "", ""),
            papers[s.item.paper_id].reference if s.item.paper_id in papers else "",
            s.item.part is Part.PART_II,
        )
        for s in slots
    ]
    return AgendaSheet(
        meeting.body,
        meeting.title,
        f"{start:%A} {start.day} {start:%B %Y}, {start:%H:%M} to {end:%H:%M}",
        venue,
        highest_marking(p.marking for p in listed),
        lines,
    )
