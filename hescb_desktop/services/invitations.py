"""Meeting invitations as .ics files (issue 18, point 6): METHOD:REQUEST, one VEVENT a meeting,
written as `services.ical` writes the calendar (times in London's zone with its VTIMEZONE, the
same UID as the meeting's calendar event, so an invitation updates the entry an earlier export
made rather than adding a second one).

Which meetings: those not yet held (planned, or with the agenda published) starting from today
to `days` ahead. Who: the people who belong at the meeting (`meetings.body_members`: the chair,
the clerk and everyone recorded at a meeting of the same body), less anyone who has already
given apologies for this one. The organiser is the meeting's clerk, else the person sending.

SEQUENCE is the minutes from 2020 to the meeting's last change (its `updated_at`): it grows
whenever the meeting is changed, as RFC 5546 wants, without a column of its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import icalendar
from sqlalchemy import select

from hescb_desktop import APP_NAME, __version__
from hescb_desktop.domain.enums import AttendanceRole, Marking, MeetingStatus
from hescb_desktop.domain.printable import strip_controls
from hescb_desktop.domain.timezones import LONDON, LONDON_NAME
from hescb_desktop.services.chase_mail import ChasePerson, one_line
from hescb_desktop.services.ical import UID_SUFFIX, _add_time
from hescb_desktop.services.meetings import meeting_ref, members_of
from hescb_desktop.storage.models import Attendance, Event, Meeting, Resource
from hescb_desktop.storage.uow import UnitOfWork

DEFAULT_DAYS = 14
NOT_HELD = (MeetingStatus.PLANNED, MeetingStatus.AGENDA_PUBLISHED)
_SEQUENCE_EPOCH = datetime(2020, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Invitee:
    person: ChasePerson
    role: str  # "CHAIR" or "REQ-PARTICIPANT" (RFC 5545 ROLE)


@dataclass(frozen=True)
class MeetingInvite:
    """What an invitation says of a meeting."""

    id: str
    uid: str
    body: str
    title: str
    start_utc: datetime
    end_utc: datetime
    location: str
    marking: Marking
    sequence: int
    reference: str  # "HESCB/2026-03-12": its file name

    @property
    def summary(self) -> str:
        return f"{self.body}: {self.title}"


def sequence_of(changed: datetime | None) -> int:
    if changed is None:
        return 0
    when = changed if changed.tzinfo is not None else changed.replace(tzinfo=UTC)
    return max(0, int((when - _SEQUENCE_EPOCH).total_seconds() // 60))


# ------------------------------------------------------------------ the .ics
def meeting_invitation(
    meeting: MeetingInvite,
    attendees: Sequence[Invitee],
    organiser: ChasePerson,
    *,
    stamp: datetime | None = None,
) -> bytes:
    """An iCalendar REQUEST for `meeting` from `organiser` to `attendees`."""
    cal = icalendar.Calendar()
    cal.add("prodid", f"-//{APP_NAME}//{__version__}//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "REQUEST")
    event = icalendar.Event()
    event.add("uid", meeting.uid)
    event.add("dtstamp", (stamp or datetime.now(UTC)).astimezone(UTC))
    event.add("sequence", meeting.sequence)
    _add_time(event, "dtstart", meeting.start_utc, False, LONDON_NAME)
    _add_time(event, "dtend", meeting.end_utc, False, LONDON_NAME)
    event.add("summary", one_line(meeting.summary))
    if meeting.location:
        event.add("location", one_line(meeting.location))
    event.add("description", f"{meeting.marking.value}\n{meeting.summary}")
    event.add("organizer", _address(organiser, ""))
    for invitee in attendees:
        event.add("attendee", _address(invitee.person, invitee.role))
    event.add("status", "CONFIRMED")
    event.add("transp", "OPAQUE")
    event.add("x-hescb-marking", meeting.marking.value)
    if meeting.marking is Marking.OFFICIAL_SENSITIVE:
        event.add("categories", "OFFICIAL-SENSITIVE")
    cal.add_component(event)
    cal.add_missing_timezones()
    return strip_controls(cal.to_ical().decode("utf-8")).encode("utf-8")


def _address(person: ChasePerson, role: str) -> icalendar.vCalAddress:
    """mailto: the address when there is one, else urn:uuid: the person's id (as the calendar
    export writes them); CN the name on one line (icalendar quotes and escapes it)."""
    email = person.email.strip()
    usable = email and email.isascii() and not any(c.isspace() for c in email)
    value = icalendar.vCalAddress(f"mailto:{email}" if usable else f"urn:uuid:{person.id}")
    value.params["CN"] = one_line(person.name).replace('"', "'")  # Outlook reads no RFC 6868
    if role:
        value.params["CUTYPE"] = "INDIVIDUAL"
        value.params["ROLE"] = role
        value.params["PARTSTAT"] = "NEEDS-ACTION"
        value.params["RSVP"] = "TRUE"
    return value


# ------------------------------------------------------------------ which meetings, who
@dataclass(frozen=True)
class PlannedInvitation:
    meeting: MeetingInvite
    attendees: tuple[Invitee, ...]
    organiser: ChasePerson | None


def upcoming_invitations(
    uow: UnitOfWork,
    today: date,
    days: int,
    people: dict[str, ChasePerson],
    sender: ChasePerson | None,
) -> list[PlannedInvitation]:
    """The meetings not yet held starting from today to `days` ahead, soonest first, with
    their attendees (`people`: the board's, by id) and organiser. Inside an open unit of work."""
    start = datetime.combine(today, time(0), LONDON).astimezone(UTC)
    end = datetime.combine(today + timedelta(days=days + 1), time(0), LONDON).astimezone(UTC)
    s = uow.session
    meetings = list(
        s.scalars(
            select(Meeting)
            .where(
                Meeting.deleted.is_(False),
                Meeting.status.in_([m.value for m in NOT_HELD]),
                Meeting.start_utc >= start,
                Meeting.start_utc < end,
            )
            .order_by(Meeting.start_utc, Meeting.id)
        )
    )
    out = []
    for m in meetings:
        invite = _invite(uow, m)
        apologies = set(
            s.scalars(
                select(Attendance.person_id).where(
                    Attendance.meeting_id == m.id,
                    Attendance.deleted.is_(False),
                    Attendance.role == AttendanceRole.APOLOGIES,
                )
            )
        )
        wanted = members_of(s, m) - apologies
        invitees = [
            Invitee(people[p], "CHAIR" if p == m.chair_id else "REQ-PARTICIPANT")
            for p in wanted
            if p in people
        ]
        invitees.sort(key=lambda i: (i.role != "CHAIR", i.person.name.casefold(), i.person.id))
        organiser = people.get(m.clerk_id or "") or sender
        out.append(PlannedInvitation(invite, tuple(invitees), organiser))
    return out


def _invite(uow: UnitOfWork, m: Meeting) -> MeetingInvite:
    s = uow.session
    event: Any = s.execute(
        select(Event.id, Event.ics_uid)
        .where(Event.meeting_id == m.id, Event.deleted.is_(False), Event.master_id.is_(None))
        .order_by(Event.created_at, Event.id)
        .limit(1)
    ).first()
    uid = (event[1] or f"{event[0]}{UID_SUFFIX}") if event else f"meeting-{m.id}{UID_SUFFIX}"
    venue = s.get(Resource, m.venue_id) if m.venue_id else None
    return MeetingInvite(
        id=m.id,
        uid=uid,
        body=m.body,
        title=m.title,
        start_utc=m.start_utc,
        end_utc=m.end_utc,
        location=venue.name if venue is not None and not venue.deleted else "",
        marking=Marking(m.marking),
        sequence=sequence_of(m.updated_at or m.created_at),
        reference=meeting_ref(m),
    )
