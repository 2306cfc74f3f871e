"""The shared calendar: occurrences in a window, events with recurrence and exceptions, room,
asset and attendee bookings with clash warnings, free/busy, search, and undo snapshots.

Storage: a single event is one `events` row. A series is a row with an `rrule`; each changed or
cancelled occurrence is an exception row (`master_id` = the series, `recurrence_id` = the
original start, `cancelled` for a deleted one), as iCalendar's RECURRENCE-ID does it. Times are
UTC with the Europe/London zone named; all-day events store midnight UTC of their dates and no
zone. Series expand in wall-clock time (domain.recurrence).
"""

from __future__ import annotations

import contextlib
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, or_, select

from hescb_desktop.domain.calendar import (
    CALENDAR_COLOURS,
    DEFAULT_COLOUR,
    STANDARD_CALENDARS,
    BusyBlock,
    Clash,
    EventDetails,
    EventDraft,
    FreeBusyRow,
    Occurrence,
    Scope,
)
from hescb_desktop.domain.dto import EventDTO
from hescb_desktop.domain.enums import Marking, ResourceKind, Visibility
from hescb_desktop.domain.errors import ValidationError
from hescb_desktop.domain.permissions import Kind, Operation
from hescb_desktop.domain.rdates import parse_rdates, rdate_spans
from hescb_desktop.domain.recurrence import (
    DAY_CODES,
    LONDON,
    LONG_SPAN,
    expand,
    localize,
    occurrences_before,
    parse_parts,
    stored_date,
    until_value,
    utc_midnight,
    validate_rule,
    with_parts,
    zone,
)
from hescb_desktop.services import crud
from hescb_desktop.services.entities import EVENT_ATTENDEES, EVENT_BOOKINGS, EVENTS
from hescb_desktop.services.results import Result, changes_of
from hescb_desktop.storage.models import (
    Event,
    EventAttendee,
    EventBooking,
    Organisation,
    Person,
    Resource,
)
from hescb_desktop.storage.uow import UnitOfWork

MAX_SUMMARY = 500
CLASH_HORIZON = timedelta(days=366)  # a series is checked for clashes over its first year
CLASH_OCCURRENCES = 200
_E = Event
_COLUMNS = (
    _E.id,
    _E.summary,
    _E.description,
    _E.location,
    _E.calendar,
    _E.start_utc,
    _E.end_utc,
    _E.all_day,
    _E.timezone,
    _E.rrule,
    _E.rdates,
    _E.organisation_id,
    _E.owner_id,
    _E.meeting_id,
    _E.visibility,
    _E.marking,
    _E.master_id,
    _E.recurrence_id,
    _E.cancelled,
)
CALENDAR_TABLES = ("events", "event_bookings", "event_attendees")


# ---------------------------------------------------------------------- reading a window
@dataclass(frozen=True)
class Viewer:
    """Who looks: another person's busy-only events show as "Busy", private ones not at all.
    `reveal` shows everything (the secretariat's export, the command line)."""

    person_id: str | None = None
    reveal: bool = False


EVERYTHING = Viewer(reveal=True)


def window_of_days(first: date, last: date) -> tuple[datetime, datetime]:
    """London midnight of `first` to London midnight after `last`, as UTC."""
    return (
        datetime.combine(first, time(0), LONDON).astimezone(UTC),
        datetime.combine(last + timedelta(days=1), time(0), LONDON).astimezone(UTC),
    )


def occurrences(
    uow: UnitOfWork,
    start: datetime,
    end: datetime,
    *,
    viewer: Viewer = EVERYTHING,
    calendars: Iterable[str] | None = None,
    event_ids: Iterable[str] | None = None,
) -> list[Occurrence]:
    """Every occurrence overlapping [start, end) (aware datetimes), series expanded, exceptions
    applied, in start order; `calendars` limits to those calendars."""
    with uow:
        return _occurrences(uow, start, end, viewer, calendars, event_ids, keep_private=False)


def day_occurrences(uow: UnitOfWork, day: date, viewer: Viewer) -> list[Occurrence]:
    """One London day's occurrences inside an open unit of work (the Home page's list)."""
    return _occurrences(uow, *window_of_days(day, day), viewer, None, None, keep_private=False)


def _occurrences(
    uow: UnitOfWork,
    start: datetime,
    end: datetime,
    viewer: Viewer,
    calendars: Iterable[str] | None,
    event_ids: Iterable[str] | None,
    *,
    keep_private: bool,
) -> list[Occurrence]:
    session = uow.session
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    lo, hi = start - timedelta(days=1), end + timedelta(days=1)
    live = _E.deleted.is_(False)
    # ifnull() keeps SQLite off the `deleted` and `long_span` indexes here (nearly every row
    # matches them): the start_utc, long_span and recurrence_id ranges below are the narrow ones.
    unindexed_live = func.ifnull(_E.deleted, 0) == 0
    extra: list[Any] = []
    if calendars is not None:
        extra.append(_E.calendar.in_(list(calendars)))
    ids = list(event_ids) if event_ids is not None else None
    if ids is not None:
        extra.append(or_(_E.id.in_(ids), _E.master_id.in_(ids)))
    short = select(*_COLUMNS).where(
        _E.start_utc >= lo - LONG_SPAN - timedelta(days=1),
        _E.start_utc < hi,
        _E.end_utc > lo,
        func.ifnull(_E.long_span, 1) == 0,
        unindexed_live,
        *extra,
    )
    long = select(*_COLUMNS).where(
        or_(_E.long_span == True, _E.long_span.is_(None)),  # noqa: E712  (SQL, not Python)
        _E.start_utc < hi,
        or_(_E.until_utc.is_(None), _E.until_utc > lo),
        unindexed_live,
        *extra,
    )
    singles: list[Any] = []
    masters: list[Any] = []
    for row in session.execute(short).all():
        (masters if _is_series(row) else singles).append(row)
    for row in session.execute(long).all():
        if _is_series(row):
            masters.append(row)
        elif not row.rrule and row.end_utc > lo:
            singles.append(row)
    replaced = session.execute(
        select(_E.master_id, _E.recurrence_id).where(
            unindexed_live,
            _E.master_id.is_not(None),
            _E.recurrence_id >= lo - timedelta(days=1),
            _E.recurrence_id < hi,
        )
    ).all()
    orgs = {
        oid: (code, colour)
        for oid, code, colour in session.execute(
            select(Organisation.id, Organisation.code, Organisation.colour)
        )
    }
    skip = {(m, r) for m, r in replaced}
    master_ids = {row.id for row in masters}
    orphan_check = {r.master_id for r in singles if r.master_id and r.master_id not in master_ids}
    if orphan_check:
        master_ids |= set(session.scalars(select(_E.id).where(live, _E.id.in_(orphan_check))).all())
    out: list[Occurrence] = []
    for row in singles:
        if row.cancelled or (row.master_id and row.master_id not in master_ids):
            continue
        for occ in _occurrences_of(row, (row.start_utc,), orgs, viewer, keep_private):
            if _overlaps(occ, start, end):
                out.append(occ)
    for row in masters:
        starts, ends = _series_starts(row, start, end)
        kept = [when for when in starts if (row.id, when) not in skip]
        out.extend(_occurrences_of(row, kept, orgs, viewer, keep_private, series=True, ends=ends))
    out.sort(key=lambda o: (o.start, not o.all_day, o.end, o.summary))
    return out


def _overlaps(occ: Occurrence, start: datetime, end: datetime) -> bool:
    return _overlap(occ.start, occ.end, start, end)


def _is_series(row: Any) -> bool:
    """A series: a rule or extra dates (RDATE) or both, not an exception of another series."""
    return bool(row.rrule or row.rdates) and row.master_id is None


def _series_starts(
    row: Any, start: datetime, end: datetime
) -> tuple[list[datetime], dict[datetime, datetime]]:
    """The starts (UTC) of a series' occurrences in the window and the ends of those that an
    RDATE PERIOD gives their own length. With RDATEs and no rule DTSTART is the first of the
    set (RFC 5545 3.8.5.3); an unreadable rule leaves DTSTART alone."""
    duration = row.end_utc - row.start_utc
    ends = rdate_spans(parse_rdates(row.rdates), duration, row.all_day, start, end)
    first = row.start_utc  # an all-day one as the rule's dates are (older rows: London midnight)
    if row.all_day:
        first = utc_midnight(stored_date(row.start_utc, row.timezone))
    starts = [first]
    if row.rrule:  # DTSTART stays an occurrence where the rule does not give it (RFC 5545)
        with contextlib.suppress(ValidationError):
            starts += expand(
                row.rrule, row.start_utc, duration, row.timezone, row.all_day, start, end
            )
    found = {s: s + duration for s in starts} | ends
    if row.all_day:
        first_day, last_day = _days_of(start, end)
        keep = [
            s
            for s, e in found.items()
            if s.date() <= last_day and max(e, s + timedelta(days=1)).date() > first_day
        ]
    else:
        keep = [s for s, e in found.items() if _overlap(s, e, start, end)]
    return sorted(keep), ends


def _overlap(first: datetime, last: datetime, start: datetime, end: datetime) -> bool:
    """[first, last) overlaps [start, end); a zero-length one counts where it stands."""
    return first < end and (last > start or first >= start)


def _days_of(start: datetime, end: datetime) -> tuple[date, date]:
    return (
        start.astimezone(LONDON).date(),
        (end - timedelta(microseconds=1)).astimezone(LONDON).date(),
    )


def _occurrences_of(
    row: Any,
    starts: Iterable[datetime],
    orgs: Mapping[str, tuple[str, str]],
    viewer: Viewer,
    keep_private: bool,
    *,
    series: bool = False,
    ends: Mapping[datetime, datetime] | None = None,
) -> list[Occurrence]:
    """The occurrences of one row starting at `starts` (what they share is worked out once);
    `ends` gives the end of those that do not last as long as the row (RDATE periods)."""
    ends = ends or {}
    visibility = Visibility(row.visibility)
    mine = viewer.reveal or (viewer.person_id is not None and row.owner_id == viewer.person_id)
    if visibility == Visibility.PRIVATE and not mine and not keep_private:
        return []
    masked = visibility != Visibility.NORMAL and not mine
    code, colour = orgs.get(row.organisation_id or "", ("", ""))
    event_id, all_day, calendar = row.id, row.all_day, row.calendar
    series_id = row.id if series else row.master_id
    summary = "Busy" if masked else row.summary
    location = "" if masked else row.location
    description = "" if masked else row.description
    colour = colour or CALENDAR_COLOURS.get(calendar, DEFAULT_COLOUR)
    organisation_id, owner_id, meeting_id = row.organisation_id, row.owner_id, row.meeting_id
    marking, rrule = Marking(row.marking), row.rrule
    duration = row.end_utc - row.start_utc
    out = []
    if all_day:
        days = max(
            (
                stored_date(row.end_utc, row.timezone) - stored_date(row.start_utc, row.timezone)
            ).days,
            1,
        )
    for when in starts:
        if all_day:
            first = when.astimezone(UTC).date() if series else stored_date(when, row.timezone)
            length = days
            if when in ends:
                length = max((ends[when].astimezone(UTC).date() - first).days, 1)
            start = datetime.combine(first, time(0), LONDON)
            end = datetime.combine(first + timedelta(days=length), time(0), LONDON)
        else:
            start = when.astimezone(LONDON)
            end = ends.get(when, when + duration).astimezone(LONDON)
        out.append(
            Occurrence(
                event_id,
                series_id,
                when if series else row.recurrence_id,
                start,
                end,
                all_day,
                summary,
                location,
                description,
                calendar,
                organisation_id,
                code,
                colour,
                visibility,
                masked,
                owner_id,
                meeting_id,
                marking,
                rrule,
            )
        )
    return out


# ---------------------------------------------------------------------- reading one event
def event_details(uow: UnitOfWork, event_id: str) -> EventDetails:
    with uow:
        obj = crud.load(uow.session, EVENTS, event_id)
        return _details(uow, obj)


def _details(uow: UnitOfWork, obj: Event) -> EventDetails:
    resources, people = _links(uow, [obj.id])
    return EventDetails(
        obj.id,
        _draft_of(obj, tuple(resources.get(obj.id, ())), tuple(people.get(obj.id, ()))),
        obj.master_id,
        obj.recurrence_id,
        obj.meeting_id,
        obj.ics_uid,
        _booked_by(uow, obj),
    )


def _booked_by(uow: UnitOfWork, obj: Event) -> str:
    """The name of whoever booked an event for its owner (a staff officer acting for a
    principal: "booked by J. Patel for the Chief Fire Officer"); "" when the owner booked it."""
    if not obj.created_by or not obj.owner_id or obj.created_by == obj.owner_id:
        return ""
    name = uow.session.scalar(select(Person.name).where(Person.id == obj.created_by))
    return name or ""  # a person of the board (not a name typed in Settings before issue 15)


def _draft_of(obj: Event, resources: tuple[str, ...], people: tuple[str, ...]) -> EventDraft:
    if obj.all_day:
        first = stored_date(obj.start_utc, obj.timezone)
        last = stored_date(obj.end_utc, obj.timezone)
        start = datetime.combine(first, time(0), LONDON)
        end = datetime.combine(max(last, first + timedelta(days=1)), time(0), LONDON)
    else:
        start, end = obj.start_utc.astimezone(LONDON), obj.end_utc.astimezone(LONDON)
    return EventDraft(
        summary=obj.summary,
        start=start,
        end=end,
        all_day=obj.all_day,
        calendar=obj.calendar,
        location=obj.location,
        description=obj.description,
        organisation_id=obj.organisation_id,
        owner_id=obj.owner_id,
        visibility=obj.visibility,
        marking=obj.marking,
        rrule=obj.rrule,
        resource_ids=resources,
        attendee_ids=people,
        timezone=obj.timezone or "Europe/London",
    )


def _links(
    uow: UnitOfWork, event_ids: Sequence[str]
) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    resources: dict[str, list[str]] = defaultdict(list)
    people: dict[str, list[str]] = defaultdict(list)
    if not event_ids:
        return resources, people
    for eid, rid in uow.session.execute(
        select(EventBooking.event_id, EventBooking.resource_id).where(
            EventBooking.deleted.is_(False), EventBooking.event_id.in_(event_ids)
        )
    ):
        resources[eid].append(rid)
    for eid, pid in uow.session.execute(
        select(EventAttendee.event_id, EventAttendee.person_id).where(
            EventAttendee.deleted.is_(False), EventAttendee.event_id.in_(event_ids)
        )
    ):
        people[eid].append(pid)
    return resources, people


def calendars(uow: UnitOfWork) -> list[str]:
    """The standard calendars, each organisation's chief officer diary, and any other in use."""
    with uow:
        used = set(
            uow.session.scalars(
                select(_E.calendar).where(_E.deleted.is_(False)).group_by(_E.calendar)
            )
        )
        codes = uow.session.scalars(
            select(Organisation.code).where(Organisation.deleted.is_(False))
        ).all()
    names = [*STANDARD_CALENDARS, *(f"{c} chief officers" for c in sorted(codes))]
    return names + sorted(used - set(names))


def search(
    uow: UnitOfWork, text: str, *, viewer: Viewer = EVERYTHING, limit: int = 200
) -> list[EventDTO]:
    """Events (series once) whose summary, location or description contains `text`."""
    needle = text.strip()
    if not needle:
        return []
    escaped = needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    pattern = f"%{escaped}%"
    with uow:
        stmt = (
            select(Event)
            .where(
                Event.deleted.is_(False),
                Event.cancelled.is_(False),
                or_(
                    Event.summary.ilike(pattern, escape="\\"),
                    Event.location.ilike(pattern, escape="\\"),
                    Event.description.ilike(pattern, escape="\\"),
                ),
            )
            .order_by(Event.start_utc.desc())
            .limit(limit * 2)
        )
        rows = []
        for obj in uow.session.scalars(stmt):
            mine = viewer.reveal or (viewer.person_id and obj.owner_id == viewer.person_id)
            if obj.visibility != Visibility.NORMAL and not mine:
                continue
            rows.append(EVENTS.to_dto(obj))
    return rows[:limit]


def person_named(uow: UnitOfWork, name: str) -> str | None:
    if not name.strip():
        return None
    with uow:
        return uow.session.scalars(
            select(Person.id).where(Person.deleted.is_(False), Person.name == name.strip())
        ).first()


# ---------------------------------------------------------------------- checking a draft
def _checked(uow: UnitOfWork, draft: EventDraft) -> dict[str, Any]:
    """The row values for a draft; bad input is refused with a message."""
    summary = draft.summary.strip()
    if not summary:
        raise ValidationError("event: the title is required")
    if len(summary) > MAX_SUMMARY:
        raise ValidationError(f"event: the title is longer than {MAX_SUMMARY} characters")
    if draft.start.tzinfo is None or draft.end.tzinfo is None:
        raise ValidationError("event: times need a time zone")
    if draft.all_day:
        first = draft.start.astimezone(LONDON).date()
        after = draft.end.astimezone(LONDON).date()
        if after <= first:
            raise ValidationError("event: the end is before the start")
        start_utc, end_utc, tz = utc_midnight(first), utc_midnight(after), ""
    else:
        if draft.end <= draft.start:
            raise ValidationError("event: the end is before the start")
        if draft.end - draft.start > timedelta(days=366):
            raise ValidationError("event: an event longer than a year is not possible")
        zone(draft.timezone)
        start_utc, end_utc, tz = (
            draft.start.astimezone(UTC),
            draft.end.astimezone(UTC),
            draft.timezone,
        )
    rule = draft.rrule.strip()
    if rule:
        validate_rule(rule, start_utc, tz, draft.all_day)
        rule = with_parts(rule)
    return {
        "summary": summary,
        "description": draft.description,
        "location": draft.location.strip(),
        "calendar": draft.calendar.strip() or "Executive suite",
        "start_utc": start_utc,
        "end_utc": end_utc,
        "all_day": draft.all_day,
        "timezone": tz,
        "rrule": rule,
        "organisation_id": draft.organisation_id,
        "owner_id": draft.owner_id,
        "visibility": draft.visibility,
        "marking": draft.marking,
    }


def clashes(
    uow: UnitOfWork,
    draft: EventDraft,
    *,
    ignore_ids: Iterable[str] = (),
    viewer: Viewer = EVERYTHING,
) -> list[Clash]:
    """Double bookings of a room, an asset or a person the draft would make (all-day events
    never clash: a day's leave or a duty rota does not block a meeting)."""
    with uow:
        values = _checked(uow, draft)
        if draft.all_day:
            return []
        resources = set(draft.resource_ids)
        people = set(draft.attendee_ids) | ({draft.owner_id} if draft.owner_id else set())
        if not resources and not people:
            return []
        mine = _draft_starts(values)
        if not mine:
            return []
        duration = values["end_utc"] - values["start_utc"]
        lo, hi = mine[0], mine[-1] + duration
        ignore = set(ignore_ids)
        candidates = _events_involving(uow, resources, people) - ignore
        if not candidates:
            return []
        others = _occurrences(uow, lo, hi, viewer, None, candidates, keep_private=True)
        others = [
            o
            for o in others
            if not o.all_day and o.event_id not in ignore and (o.series_id or "") not in ignore
        ]
        booked, attending = _links(uow, sorted({o.event_id for o in others}))
        names = _names(uow, resources, people)
        found: list[Clash] = []
        seen: set[tuple[str, str]] = set()
        for other in others:
            if not any(s < other.end and s + duration > other.start for s in mine):
                continue
            label = "Busy" if other.masked else other.summary
            theirs_people = set(attending.get(other.event_id, ())) | (
                {other.owner_id} if other.owner_id else set()
            )
            for rid in resources & set(booked.get(other.event_id, ())):
                kind, name = names[rid]
                if (rid, other.key) not in seen:
                    seen.add((rid, other.key))
                    found.append(Clash(kind, name, label, other.start, other.end))
            for pid in people & theirs_people:
                if (pid, other.key) not in seen:
                    seen.add((pid, other.key))
                    found.append(Clash("person", names[pid][1], label, other.start, other.end))
        return found


def _draft_starts(values: Mapping[str, Any]) -> list[datetime]:
    start = values["start_utc"]
    if not values["rrule"]:
        return [start]
    duration = values["end_utc"] - start
    starts = expand(
        values["rrule"],
        start,
        duration,
        values["timezone"],
        values["all_day"],
        start,
        start + CLASH_HORIZON,
    )
    return starts[:CLASH_OCCURRENCES]


def _events_involving(uow: UnitOfWork, resources: set[str], people: set[str]) -> set[str]:
    session = uow.session
    ids: set[str] = set()
    if resources:
        ids |= set(
            session.scalars(
                select(EventBooking.event_id).where(
                    EventBooking.deleted.is_(False), EventBooking.resource_id.in_(resources)
                )
            )
        )
    if people:
        ids |= set(
            session.scalars(
                select(EventAttendee.event_id).where(
                    EventAttendee.deleted.is_(False), EventAttendee.person_id.in_(people)
                )
            )
        )
        ids |= set(
            session.scalars(select(_E.id).where(_E.deleted.is_(False), _E.owner_id.in_(people)))
        )
    if ids:  # an exception row without bookings of its own belongs to a series that has them
        ids |= set(
            session.scalars(select(_E.master_id).where(_E.id.in_(ids), _E.master_id.is_not(None)))
        )
    return ids


def _names(
    uow: UnitOfWork, resources: Iterable[str], people: Iterable[str]
) -> dict[str, tuple[str, str]]:
    out: dict[str, tuple[str, str]] = {}
    for rid, name, kind in uow.session.execute(
        select(Resource.id, Resource.name, Resource.kind).where(Resource.id.in_(list(resources)))
    ):
        out[rid] = ("room" if kind == ResourceKind.ROOM else "asset", name)
    for pid, name in uow.session.execute(
        select(Person.id, Person.name).where(Person.id.in_(list(people)))
    ):
        out[pid] = ("person", name)
    return out


# ---------------------------------------------------------------------- writing
def create_event(
    uow: UnitOfWork, draft: EventDraft, *, ics_uid: str | None = None
) -> Result[EventDTO]:
    """A new event (a series if the draft has a rule) with its bookings and attendees."""
    draft = _owned(uow, draft)
    uow.require(Operation.CREATE, Kind.CALENDAR_ITEM, draft.owner_id)
    with uow:
        values = _checked(uow, draft)
        values["ics_uid"] = ics_uid
        obj = crud.add(uow, EVENTS, values)
        _set_links(uow, obj.id, draft.resource_ids, draft.attendee_ids)
        dto = EVENTS.to_dto(obj)
        uow.commit()
    return Result(dto, changes_of(uow, (obj.id,)))


def _owned(uow: UnitOfWork, draft: EventDraft) -> EventDraft:
    """An officer's new event with no owner is their own (they may add only their own or their
    principal's): a diary entry is somebody's."""
    person = uow.identity.person_id
    if draft.owner_id is None and person and not uow.identity.may(Operation.CREATE, _CAL):
        return replace(draft, owner_id=person)
    return draft


_CAL = Kind.CALENDAR_ITEM


def _set_links(
    uow: UnitOfWork, event_id: str, resource_ids: Iterable[str], person_ids: Iterable[str]
) -> None:
    """Make the event's live bookings and attendees exactly these (tombstoning the rest)."""
    _set_rows(uow, EVENT_BOOKINGS, EventBooking, event_id, "resource_id", resource_ids)
    _set_rows(uow, EVENT_ATTENDEES, EventAttendee, event_id, "person_id", person_ids)
    uow.session.flush()


def _set_rows(
    uow: UnitOfWork,
    spec: crud.EntitySpec[Any, Any],
    model: Any,  # EventBooking or EventAttendee
    event_id: str,
    column: str,
    keys: Iterable[str],
) -> None:
    wanted = list(dict.fromkeys(keys))
    current = uow.session.scalars(
        select(model).where(model.deleted.is_(False), model.event_id == event_id)
    ).all()
    have = {getattr(row, column): row for row in current}
    for key, row in have.items():
        if key not in wanted:
            row.deleted = True
    for key in wanted:
        if key not in have:
            crud.add(uow, spec, {"event_id": event_id, column: key})


def _occurrence_origin(obj: Event, recurrence_id: datetime | None) -> datetime:
    """The original start of the occurrence being edited (UTC)."""
    if recurrence_id is not None:
        return recurrence_id.astimezone(UTC)
    return obj.start_utc


def _exception_for(uow: UnitOfWork, master: Event, recurrence_id: datetime) -> Event | None:
    return uow.session.scalars(
        select(Event).where(
            Event.master_id == master.id,
            Event.recurrence_id == recurrence_id.astimezone(UTC),
            Event.deleted.is_(False),
        )
    ).first()


def _resolve(
    uow: UnitOfWork, event_id: str, recurrence_id: datetime | None
) -> tuple[Event, Event | None, datetime | None]:
    """(the series or single event, the exception row if any, the occurrence's original start)."""
    obj = crud.load(uow.session, EVENTS, event_id)
    if obj.master_id:
        master = crud.load(uow.session, EVENTS, obj.master_id)
        return master, obj, obj.recurrence_id
    if obj.rrule and recurrence_id is not None:
        return obj, _exception_for(uow, obj, recurrence_id), recurrence_id.astimezone(UTC)
    return obj, None, None


def update_event(
    uow: UnitOfWork,
    event_id: str,
    draft: EventDraft,
    *,
    recurrence_id: datetime | None = None,
    scope: Scope = Scope.ALL,
) -> Result[tuple[str, ...]]:
    """Change an event, or one occurrence / this-and-following / all of a series. Returns the
    ids of the series touched (for undo snapshots)."""
    with uow:
        master, exception, origin = _resolve(uow, event_id, recurrence_id)
        uow.require(Operation.EDIT, Kind.CALENDAR_ITEM, master.owner_id)
        if origin is None:  # a single event, or a whole series without an occurrence named
            values = _checked(uow, draft)
            _apply(master, values)
            _set_links(uow, master.id, draft.resource_ids, draft.attendee_ids)
            touched: tuple[str, ...] = (master.id,)
        elif scope == Scope.THIS:
            touched = (_edit_one(uow, master, exception, origin, draft),)
        elif scope == Scope.FOLLOWING and origin > _first_start(master):
            touched = _edit_following(uow, master, origin, draft)
        else:
            touched = _edit_all(uow, master, origin, draft)
        uow.session.flush()
        uow.commit()
    return Result(touched, changes_of(uow, touched))


def _apply(obj: Event, values: Mapping[str, Any]) -> None:
    for key, value in values.items():
        if getattr(obj, key) != value:
            setattr(obj, key, value)


def _first_start(master: Event) -> datetime:
    starts = expand(
        master.rrule,
        master.start_utc,
        master.end_utc - master.start_utc,
        master.timezone,
        master.all_day,
        master.start_utc - timedelta(days=1),
        master.start_utc + timedelta(days=3660),
    )
    return starts[0] if starts else master.start_utc


def _edit_one(
    uow: UnitOfWork, master: Event, exception: Event | None, origin: datetime, draft: EventDraft
) -> str:
    values = _checked(uow, replace(draft, rrule=""))
    values.update(master_id=master.id, recurrence_id=origin, cancelled=False, rrule="")
    values.pop("rdates", None)
    if exception is None:
        values["ics_uid"] = master.ics_uid
        exception = crud.add(uow, EVENTS, values)
    else:
        _apply(exception, values)
    _set_links(uow, exception.id, draft.resource_ids, draft.attendee_ids)
    return master.id


def _wall_delta(origin: datetime, new_start: datetime, tz_name: str, all_day: bool) -> timedelta:
    tz = zone(tz_name)
    if all_day:
        return timedelta(days=(new_start.astimezone(LONDON).date() - origin.date()).days)
    return new_start.astimezone(tz).replace(tzinfo=None) - origin.astimezone(tz).replace(
        tzinfo=None
    )


def _shift(moment: datetime, delta: timedelta, tz_name: str, all_day: bool) -> datetime:
    if all_day:
        return moment + timedelta(days=delta.days)
    tz = zone(tz_name)
    return localize(moment.astimezone(tz).replace(tzinfo=None) + delta, tz).astimezone(UTC)


def _shift_rule(rule: str, old_rule: str, delta_days: int) -> str:
    """When a weekly series moves to another weekday ("all" or "following"), its BYDAY moves
    with it (unless the user changed the rule in the dialog)."""
    if not rule or rule != old_rule or delta_days % 7 == 0:
        return rule
    parts = parse_parts(rule)
    if parts["FREQ"] != "WEEKLY" or "BYDAY" not in parts:
        return rule
    codes = parts["BYDAY"].split(",")
    if any(not c.isalpha() for c in codes):
        return rule
    moved = sorted({(DAY_CODES.index(c) + delta_days) % 7 for c in codes})
    return with_parts(rule, BYDAY=",".join(DAY_CODES[d] for d in moved))


def _edit_all(
    uow: UnitOfWork, master: Event, origin: datetime, draft: EventDraft
) -> tuple[str, ...]:
    new_values = _checked(uow, draft)
    delta = _wall_delta(
        origin,
        new_values["start_utc"],
        master.timezone or "Europe/London",
        master.all_day and draft.all_day,
    )
    duration = new_values["end_utc"] - new_values["start_utc"]
    tz = new_values["timezone"]
    start = _shift(master.start_utc, delta, tz or master.timezone, draft.all_day)
    if draft.all_day:
        start = utc_midnight(
            stored_date(master.start_utc, master.timezone) + timedelta(days=delta.days)
        )
    new_values["start_utc"] = start
    new_values["end_utc"] = start + duration
    new_values["rrule"] = _shift_rule(new_values["rrule"], master.rrule, delta.days)
    if new_values["rrule"]:
        validate_rule(new_values["rrule"], start, tz, draft.all_day)
    old_tz, old_all_day = master.timezone, master.all_day
    _apply(master, new_values)
    _set_links(uow, master.id, draft.resource_ids, draft.attendee_ids)
    for exc in _exceptions(uow, master.id):
        if delta:  # a moved occurrence moves with its series
            exc.recurrence_id = _shift(exc.recurrence_id, delta, old_tz, old_all_day)  # type: ignore[arg-type]
            exc.start_utc = _shift(exc.start_utc, delta, exc.timezone, exc.all_day)
            exc.end_utc = _shift(exc.end_utc, delta, exc.timezone, exc.all_day)
        if not exc.cancelled:
            exc.summary, exc.calendar = new_values["summary"], new_values["calendar"]
    if not new_values["rrule"]:  # no longer a series: its exceptions go
        for exc in _exceptions(uow, master.id):
            _tombstone(uow, exc)
    return (master.id,)


def _exceptions(uow: UnitOfWork, master_id: str) -> list[Event]:
    return list(
        uow.session.scalars(
            select(Event).where(Event.master_id == master_id, Event.deleted.is_(False))
        )
    )


def _end_series_before(master: Event, origin: datetime) -> None:
    parts = parse_parts(master.rrule)
    if "COUNT" in parts:
        count = occurrences_before(
            master.rrule, master.start_utc, master.timezone, master.all_day, origin
        )
        master.rrule = with_parts(master.rrule, COUNT=str(max(count, 1)), UNTIL=None)
    else:
        last = origin - (timedelta(days=1) if master.all_day else timedelta(seconds=1))
        master.rrule = with_parts(master.rrule, UNTIL=until_value(last, master.all_day), COUNT=None)


def _edit_following(
    uow: UnitOfWork, master: Event, origin: datetime, draft: EventDraft
) -> tuple[str, ...]:
    values = _checked(uow, draft)
    old_rule = master.rrule
    delta = _wall_delta(
        origin,
        values["start_utc"],
        master.timezone or "Europe/London",
        master.all_day and draft.all_day,
    )
    parts = parse_parts(old_rule)
    if values["rrule"] == old_rule:
        rule = _shift_rule(old_rule, old_rule, delta.days)
        if "COUNT" in parts:
            before = occurrences_before(
                old_rule, master.start_utc, master.timezone, master.all_day, origin
            )
            rule = with_parts(rule, COUNT=str(max(int(parts["COUNT"]) - before, 1)))
        values["rrule"] = rule
    if values["rrule"]:
        validate_rule(values["rrule"], values["start_utc"], values["timezone"], draft.all_day)
    old_tz, old_all_day = master.timezone, master.all_day
    later = [
        e for e in _exceptions(uow, master.id) if e.recurrence_id and e.recurrence_id >= origin
    ]
    _end_series_before(master, origin)
    values["ics_uid"] = None
    new = crud.add(uow, EVENTS, values)
    _set_links(uow, new.id, draft.resource_ids, draft.attendee_ids)
    for exc in later:
        if values["rrule"]:
            exc.master_id = new.id
            exc.recurrence_id = _shift(exc.recurrence_id, delta, old_tz, old_all_day)  # type: ignore[arg-type]
        else:
            _tombstone(uow, exc)
    return (master.id, new.id)


def delete_event(
    uow: UnitOfWork,
    event_id: str,
    *,
    recurrence_id: datetime | None = None,
    scope: Scope = Scope.ALL,
) -> Result[tuple[str, ...]]:
    """Delete an event, or one occurrence (kept as a cancelled exception), this and following
    (the series ends before it), or a whole series with its exceptions. Tombstones only."""
    with uow:
        master, exception, origin = _resolve(uow, event_id, recurrence_id)
        uow.require(Operation.DELETE, Kind.CALENDAR_ITEM, master.owner_id)
        if (
            origin is None
            or scope == Scope.ALL
            or (scope == Scope.FOLLOWING and origin <= _first_start(master))
        ):
            for exc in _exceptions(uow, master.id):
                _tombstone(uow, exc)
            _tombstone(uow, master)
        elif scope == Scope.THIS:
            if exception is None:
                values = {
                    "summary": master.summary,
                    "calendar": master.calendar,
                    "start_utc": origin,
                    "end_utc": origin + (master.end_utc - master.start_utc),
                    "all_day": master.all_day,
                    "timezone": master.timezone,
                    "master_id": master.id,
                    "recurrence_id": origin,
                    "cancelled": True,
                    "ics_uid": master.ics_uid,
                }
                crud.add(uow, EVENTS, values)
            else:
                exception.cancelled = True
                _set_links(uow, exception.id, (), ())
        else:
            for exc in _exceptions(uow, master.id):
                if exc.recurrence_id is not None and exc.recurrence_id >= origin:
                    _tombstone(uow, exc)
            _end_series_before(master, origin)
        uow.session.flush()
        uow.commit()
    return Result((master.id,), changes_of(uow, (master.id,)))


def _tombstone(uow: UnitOfWork, obj: Event) -> None:
    obj.deleted = True
    _set_links(uow, obj.id, (), ())


def move_occurrence(
    uow: UnitOfWork,
    occurrence: Occurrence,
    start: datetime,
    end: datetime,
    *,
    scope: Scope = Scope.THIS,
) -> Result[tuple[str, ...]]:
    """Drag and drop: the occurrence (or series, by `scope`) at a new start and end."""
    details = event_details(uow, occurrence.event_id)
    draft = replace(details.draft, start=start, end=end)
    if details.series_id is not None and details.draft.rrule == "":
        # an exception row: "all"/"following" edit the series with the series' own rule
        series = event_details(uow, details.series_id)
        draft = replace(draft, rrule=series.draft.rrule)
    return update_event(
        uow, occurrence.event_id, draft, recurrence_id=occurrence.recurrence_id, scope=scope
    )


# ---------------------------------------------------------------------- undo snapshots
# ---------------------------------------------------------------------- free/busy
def free_busy(
    uow: UnitOfWork,
    person_ids: Sequence[str],
    resource_ids: Sequence[str],
    start: datetime,
    end: datetime,
    *,
    viewer: Viewer = EVERYTHING,
) -> list[FreeBusyRow]:
    """Busy blocks of each person (owner or attendee) and each room or asset in the window.
    Other people's private and busy-only events show as "Busy"."""
    with uow:
        people, resources = set(person_ids), set(resource_ids)
        names = _names(uow, resources, people)
        candidates = _events_involving(uow, resources, people)
        occs = (
            _occurrences(uow, start, end, viewer, None, candidates, keep_private=True)
            if candidates
            else []
        )
        ids = sorted({o.event_id for o in occs} | {o.series_id for o in occs if o.series_id})
        booked, attending = _links(uow, ids)
    blocks: dict[str, list[BusyBlock]] = defaultdict(list)
    for occ in occs:
        if occ.all_day:
            continue
        label = "Busy" if occ.masked else occ.summary
        who = set(attending.get(occ.event_id, ())) | ({occ.owner_id} if occ.owner_id else set())
        for pid in people & who:
            blocks[f"person:{pid}"].append(BusyBlock(occ.start, occ.end, label))
        for rid in resources & set(booked.get(occ.event_id, ())):
            blocks[f"resource:{rid}"].append(BusyBlock(occ.start, occ.end, label))
    rows = [
        FreeBusyRow(f"person:{p}", names.get(p, ("", p))[1], tuple(blocks[f"person:{p}"]))
        for p in person_ids
    ]
    rows += [
        FreeBusyRow(f"resource:{r}", names.get(r, ("", r))[1], tuple(blocks[f"resource:{r}"]))
        for r in resource_ids
    ]
    return rows


def first_free_slot(
    rows: Sequence[FreeBusyRow],
    first_day: date,
    days: int,
    minutes: int,
    *,
    day_start: time = time(9),
    day_end: time = time(17),
    step: int = 15,
    not_before: datetime | None = None,
) -> datetime | None:
    """The first start on a working day when everyone and everything in `rows` is free."""
    busy = [(b.start, b.end) for row in rows for b in row.blocks]
    length = timedelta(minutes=minutes)
    for n in range(days):
        day = first_day + timedelta(days=n)
        if day.weekday() >= 5:
            continue
        slot = datetime.combine(day, day_start, LONDON)
        close = datetime.combine(day, day_end, LONDON)
        while slot + length <= close:
            free = all(not (s < slot + length and e > slot) for s, e in busy)
            if free and (not_before is None or slot >= not_before):
                return slot
            slot += timedelta(minutes=step)
    return None


def count_events(uow: UnitOfWork) -> int:
    with uow:
        return int(
            uow.session.scalar(
                select(func.count()).select_from(Event).where(Event.deleted.is_(False))
            )
            or 0
        )


__all__ = [
    "CALENDAR_TABLES",
    "EVERYTHING",
    "Viewer",
    "calendars",
    "clashes",
    "create_event",
    "delete_event",
    "event_details",
    "first_free_slot",
    "free_busy",
    "move_occurrence",
    "occurrences",
    "search",
    "update_event",
    "window_of_days",
]
