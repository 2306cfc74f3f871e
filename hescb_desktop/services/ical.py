"""iCalendar (.ics) import and export with the icalendar library, as Outlook, Google and
Thunderbird write it: VTIMEZONE/TZID (Windows zone names too), UTC and floating times, all-day
dates, RRULE, EXDATE, RDATE, RECURRENCE-ID overrides, folded and escaped text.

Re-importing a file updates events by UID and never duplicates them; an event this app exported
carries its own id in its UID, so export then import on the same board changes nothing.
A file that is not iCalendar raises `NotICalendarError` and imports nothing; a broken event is
listed (summary, line, reason) and the good ones are imported.

People: each ATTENDEE and the ORGANIZER is matched to a live person of the board, by address
(mailto:, case-insensitive; or the urn:uuid: this app writes for a person with no email), then by
CN name (the whole name, case-insensitive). Nobody is invented: an address that matches no one
(or several people, or a room Outlook lists with CUTYPE=ROOM/RESOURCE) is listed in the report's
`unmatched` lines and nothing else is stored for it (not in the description either, so a
re-import or an export round trip never changes the text). The matched attendees become the
event's attendees exactly (others are tombstoned, so someone taken off the invitation in Outlook
leaves the event on re-import; a file event without ATTENDEE lines leaves none). The organiser
becomes the event's owner when it has none; an owner it already has is kept. The organiser is an
attendee only if listed as an ATTENDEE too (Outlook and Google list them both ways; this app's
export writes the owner as ORGANIZER and the attendees as ATTENDEE, so its files round-trip).
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import icalendar
from sqlalchemy import select

from hescb_desktop import APP_NAME, __version__
from hescb_desktop.domain import timezones
from hescb_desktop.domain.enums import Marking, Visibility
from hescb_desktop.domain.errors import DomainError, ValidationError
from hescb_desktop.domain.permissions import Kind, Operation
from hescb_desktop.domain.printable import control_problem, shorten, strip_controls
from hescb_desktop.domain.rdates import RDate, format_rdates, parse_rdates
from hescb_desktop.domain.recurrence import (
    only_dtstart,
    parse_parts,
    series_end,
    span_of,
    stored_date,
    validate_rule,
    with_parts,
)
from hescb_desktop.domain.rules import parse_marking
from hescb_desktop.services import crud
from hescb_desktop.services import ical_times as times
from hescb_desktop.services.entities import EVENTS
from hescb_desktop.services.results import Changes, changes_of
from hescb_desktop.storage.bulk import add_new_rows
from hescb_desktop.storage.models import Event, EventAttendee, Organisation, Person
from hescb_desktop.storage.uow import UnitOfWork

UID_SUFFIX = "@hescb-desktop"
DEFAULT_CALENDAR = "Imported"
_CLASS_IN = {"PRIVATE": Visibility.PRIVATE, "CONFIDENTIAL": Visibility.BUSY_ONLY}
_CLASS_OUT = {Visibility.PRIVATE: "PRIVATE", Visibility.BUSY_ONLY: "CONFIDENTIAL"}
Progress = Callable[[int, str], None]


class NotICalendarError(DomainError):
    """The file is not an iCalendar file or cannot be read: nothing was imported."""


@dataclass(frozen=True)
class ImportProblem:
    line: int
    summary: str
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {shorten(self.summary) or '(no title)'}: {self.reason}"


@dataclass(frozen=True)
class ImportReport:
    created: int = 0
    updated: int = 0
    problems: tuple[ImportProblem, ...] = ()
    changes: Changes = field(default_factory=Changes)
    # attendees and organisers matched to no person (imported events, not problems)
    unmatched: tuple[ImportProblem, ...] = ()
    # about the file as a whole: it was not UTF-8 and was read as Windows-1252
    notes: tuple[str, ...] = ()

    @property
    def summary(self) -> str:
        added = "event added" if self.created == 1 else "events added"
        text = f"{self.created} {added}, {self.updated} updated"
        if self.problems:
            text += f", {len(self.problems)} could not be read"
        if self.unmatched:  # one per event line: the same address on two events counts twice
            attendees = "attendee" if len(self.unmatched) == 1 else "attendees"
            text += f", {len(self.unmatched)} {attendees} not matched to a person"
        return text


# ---------------------------------------------------------------------- reading the file
def parse(data: bytes) -> tuple[icalendar.Calendar, list[int]]:
    """The parsed calendar and the line number of each VEVENT (in order)."""
    return _parse(decode(data)[0])


def decode(data: bytes) -> tuple[str, str]:
    """The file's text, and a note when it is not UTF-8 (RFC 5545 says it is) but reads as
    Windows-1252, as files from older Windows programs do: the accented letters may be wrong."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8"), ""
    except UnicodeDecodeError as bad:
        line = data[: bad.start].count(b"\n") + 1
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError as exc:
            raise NotICalendarError("not an iCalendar file (not readable text)") from exc
    return text, (
        f"the file is not UTF-8 (line {line}): it was read as Windows-1252, "
        "so check its accented letters and symbols"
    )


def _parse(text: str) -> tuple[icalendar.Calendar, list[int]]:
    stripped = text.lstrip()
    if not stripped[:15].upper().startswith("BEGIN:VCALENDAR"):
        raise NotICalendarError("not an iCalendar file (it does not start with BEGIN:VCALENDAR)")
    try:
        calendars = icalendar.Calendar.from_ical(text, multiple=True)
    except (ValueError, KeyError, IndexError, TypeError) as exc:
        raise NotICalendarError(f"not a readable iCalendar file: {exc}") from exc
    if not calendars:
        raise NotICalendarError("not an iCalendar file (no VCALENDAR in it)")
    cal = calendars[0]
    for extra in calendars[1:]:
        for component in extra.subcomponents:
            cal.add_component(component)
    lines = [
        n for n, line in enumerate(text.splitlines(), 1) if line.strip().upper() == "BEGIN:VEVENT"
    ]
    return cal, lines


@dataclass(frozen=True)
class _Who:
    """An ATTENDEE or ORGANIZER as written: its address (a URI), CN and CUTYPE."""

    address: str
    name: str
    kind: str

    @property
    def email(self) -> str:
        scheme, _, rest = self.address.partition(":")
        return rest.strip() if scheme.strip().lower() == "mailto" and "@" in rest else ""

    def __str__(self) -> str:
        shown = self.email or self.address
        if self.name and shown and self.name.casefold() != shown.casefold():
            return f"{self.name} <{shown}>"
        return self.name or shown or "(no address)"


@dataclass
class _Parsed:
    uid: str
    line: int
    recurrence_id: datetime | None
    values: dict[str, Any]
    exdates: list[datetime]
    cancelled: bool
    attendees: list[_Who] = field(default_factory=list)
    organiser: _Who | None = None
    raw_id: tuple[Any, Any] | None = None  # RECURRENCE-ID as written, read with its series
    sequence: int = 0


def _who(component: Any, key: str) -> list[_Who]:
    props = component.get(key)
    if props is None:
        return []
    out = []
    for prop in props if isinstance(props, list) else [props]:
        params = getattr(prop, "params", {})
        out.append(
            _Who(
                str(prop).strip(),
                " ".join(str(params.get("CN", "")).split()),
                str(params.get("CUTYPE", "")).strip().upper(),
            )
        )
    return out


class _People:
    """The board's live people, to match attendees against (built once per import)."""

    def __init__(self, rows: Iterable[tuple[str, str, str]]) -> None:
        self.ids: set[str] = set()
        self.by_email: dict[str, set[str]] = defaultdict(set)
        self.by_name: dict[str, set[str]] = defaultdict(set)
        for pid, name, email in rows:
            self.ids.add(pid)
            if email.strip():
                self.by_email[email.strip().casefold()].add(pid)
            if name.strip():
                self.by_name[" ".join(name.split()).casefold()].add(pid)

    def match(self, who: _Who) -> tuple[str | None, str]:
        """(the person's id, "") or (None, why not)."""
        if who.kind in ("ROOM", "RESOURCE"):
            return None, "a room or resource, not a person"
        scheme, _, rest = who.address.partition(":")
        if scheme.lower() == "urn" and rest.lower().startswith("uuid:"):
            pid = rest[5:].strip().lower()
            if pid in self.ids:
                return pid, ""
        why = "no person with that address or name"
        for key, index, what in (
            (who.email.casefold(), self.by_email, "address"),
            (who.name.casefold(), self.by_name, "name"),
        ):
            hits = index.get(key, set()) if key else set()
            if len(hits) == 1:
                return next(iter(hits)), ""
            if len(hits) > 1:
                why = f"{len(hits)} people have that {what}"
        return None, why


def _text(component: Any, key: str) -> str:
    value = component.get(key)
    if value is None:
        return ""
    if isinstance(value, list):
        value = value[0]
    return strip_controls(str(value))  # an ESC or NUL from another program is not text


def _convert(
    component: Any,
    line: int,
    calendar: str,
    orgs: dict[str, str],
    default_calendar: str,
    default_zone: str = "",
) -> _Parsed:
    summary = _text(component, "SUMMARY")
    if component.errors:
        key, message = component.errors[0]
        raise ValidationError(f"{key}: {message}")
    if "DTSTART" not in component:
        raise ValidationError("no start (DTSTART)")
    start_prop = component["DTSTART"]
    start, all_day, tz = times.instant(start_prop.dt, start_prop, default_zone)
    if times.floating_with_utc_dates(component):
        start, tz = start_prop.dt.replace(tzinfo=UTC), "UTC"
    end = _end(component, start, all_day, tz)
    uid = _text(component, "UID").strip()
    if not uid:  # RFC 5545 requires one; make a stable one so a re-import still matches
        digest = hashlib.sha1(f"{start.isoformat()}|{summary}".encode()).hexdigest()
        uid = f"{digest}@no-uid"
    rule = _rule(component)
    if rule and only_dtstart(rule, start, tz, all_day):
        rule = ""  # DTSTART is its one occurrence (a rule whose UNTIL is before it: refused)
    if rule:
        validate_rule(rule, start, tz, all_day)
    series = times.Series(start, end - start, all_day, "" if all_day else tz, rule)
    rdates = times.rdates(component, series)
    recurrence_id = raw_id = None
    if "RECURRENCE-ID" in component:
        prop = component["RECURRENCE-ID"]
        recurrence_id, _, _ = times.instant(prop.dt, prop)
        raw_id = (prop.dt, prop)
    klass = _text(component, "CLASS").upper()
    marking = parse_marking(_text(component, "X-HESCB-MARKING") or Marking.OFFICIAL.value)
    values: dict[str, Any] = {
        "summary": summary.strip() or "(no title)",
        "description": _text(component, "DESCRIPTION"),
        "location": _text(component, "LOCATION"),
        "calendar": calendar or _text(component, "X-HESCB-CALENDAR") or default_calendar,
        "start_utc": start,
        "end_utc": end,
        "all_day": all_day,
        "timezone": "" if all_day else tz,
        "rrule": rule,
        "rdates": format_rdates(rdates),
        "visibility": _CLASS_IN.get(klass, Visibility.NORMAL),
        "marking": marking,
        "organisation_id": orgs.get(_text(component, "X-HESCB-ORGANISATION")),
    }
    for key, limit in (("summary", 500), ("location", 500), ("calendar", CALENDAR_LIMIT)):
        if len(values[key]) > limit:
            raise ValidationError(f"the {key} is longer than {limit} characters")
    organisers = _who(component, "ORGANIZER")
    return _Parsed(
        uid,
        line,
        recurrence_id,
        values,
        times.exdates(component, series, rdates),
        _text(component, "STATUS").upper() == "CANCELLED",
        _who(component, "ATTENDEE"),
        organisers[0] if organisers else None,
        raw_id,
        _sequence(component),
    )


def _end(component: Any, start: datetime, all_day: bool, tz: str) -> datetime:
    """DTEND, or DTSTART plus DURATION, or RFC 5545's default (a day, or no time at all); an
    end before the start is a zero-length event (times.end_of)."""
    if "DTEND" in component:
        prop = component["DTEND"]
        if all_day and isinstance(prop.dt, datetime):
            raise ValidationError("the start is a date but the end has a time")
        return times.end_of(prop.dt, prop, start, all_day, tz)
    duration = component["DURATION"].dt if "DURATION" in component else timedelta(0)
    end = max(start + duration, start)
    return end if end > start or not all_day else start + timedelta(days=1)


def _rule(component: Any) -> str:
    """The RRULE as this app keeps it; an empty one (calendarlabs writes `RRULE:`) is none."""
    if "RRULE" not in component:
        return ""
    prop = component["RRULE"]
    text = (prop[0] if isinstance(prop, list) else prop).to_ical().decode().strip()
    if not text:
        return ""
    count = parse_parts(text).get("COUNT")
    if count is not None and not (count.isdigit() and int(count) >= 1):
        return with_parts(text, count=None)  # COUNT=-1 (as Atlassian writes it) means none
    return with_parts(text)


def _sequence(component: Any) -> int:
    try:
        return int(str(component.get("SEQUENCE", 0)).strip() or 0)
    except ValueError:
        return 0


# ---------------------------------------------------------------------- import
CALENDAR_LIMIT = 120


def _calendar_name(name: str) -> str:
    """The calendar every event goes into, checked once for the whole file."""
    name = name.strip()
    if len(name) > CALENDAR_LIMIT:
        raise ValidationError(
            f"the calendar name {shorten(name)!r} is longer than {CALENDAR_LIMIT} characters"
        )
    problem = control_problem(name)
    if problem:
        raise ValidationError(f"the calendar name holds {problem}")
    return name


def import_ics(
    uow: UnitOfWork,
    data: bytes,
    *,
    calendar: str | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Import the events of an .ics file in one unit of work (all or, on a refused file,
    nothing). Problems with single events are reported, not raised."""
    uow.require(Operation.CREATE, Kind.CALENDAR_ITEM, uow.identity.person_id or None)
    text, encoding_note = decode(data)
    cal, lines = _parse(text)
    calendar = _calendar_name(calendar or "")
    default_calendar = _text(cal, "X-WR-CALNAME").strip() or DEFAULT_CALENDAR
    default_zone = times.known_zone(_text(cal, "X-WR-TIMEZONE").strip()) or ""
    components = list(cal.walk("VEVENT"))
    problems: list[ImportProblem] = []
    created = updated = 0
    with uow:
        session = uow.session
        orgs = dict(session.execute(select(Organisation.code, Organisation.id)).all())
        people = _People(
            session.execute(
                select(Person.id, Person.name, Person.email).where(Person.deleted.is_(False))
            ).all()
        )
        parsed: list[_Parsed] = []
        for n, component in enumerate(components):
            line = lines[n] if n < len(lines) else 0
            try:
                parsed.append(
                    _convert(component, line, calendar, orgs, default_calendar, default_zone)
                )
            except (ValidationError, ValueError, TypeError, KeyError, AttributeError) as exc:
                problems.append(ImportProblem(line, _text(component, "SUMMARY"), str(exc)))
            except OverflowError:  # year 1 or 9999: a day either side is outside the calendar
                reason = "a date is too near year 1 or 9999 to be used"
                problems.append(ImportProblem(line, _text(component, "SUMMARY"), reason))
        masters = _newest([p for p in parsed if p.recurrence_id is None])
        overrides = [p for p in parsed if p.recurrence_id is not None]
        existing = _existing_masters(uow, {p.uid for p in parsed})
        unmatched: list[ImportProblem] = []
        matched = {id(item): _match_people(people, item, unmatched) for item in parsed}
        ids: dict[str, str] = {}
        fresh: list[_Parsed] = []
        updated_ids: set[str] = set()
        wanted: dict[str, list[str]] = {}  # event id -> its attendees as the file has them
        for item in masters:
            obj = existing.get(item.uid)
            if obj is None:
                if item.uid not in ids:  # a UID twice in one file: see _newest
                    fresh.append(item)
                    ids[item.uid] = ""
                continue
            changed = False
            for key, value in crud.clean(session, EVENTS, item.values, creating=False).items():
                if getattr(obj, key) != value:
                    setattr(obj, key, value)
                    changed = True
            owner, attendees = matched[id(item)]
            if obj.owner_id is None and owner is not None:
                obj.owner_id = owner
                changed = True
            if changed:
                updated_ids.add(obj.id)
            ids[item.uid] = obj.id
            wanted.setdefault(obj.id, attendees)
        if progress is not None:
            progress(60, f"{len(fresh)} new events")
        rows = []
        for item in fresh:
            v = item.values
            long_span, until = span_of(
                v["start_utc"], v["end_utc"], v["rrule"], v["timezone"], v["all_day"], v["rdates"]
            )
            owner = _owner(uow, matched[id(item)][0])
            rows.append(
                {
                    **v,
                    "ics_uid": item.uid,
                    "long_span": long_span,
                    "until_utc": until,
                    "owner_id": owner,
                }
            )
        for item, new_id in zip(fresh, add_new_rows(uow, Event, rows), strict=True):
            ids[item.uid] = new_id
            wanted[new_id] = matched[id(item)][1]
        fresh_ids = {ids[item.uid] for item in fresh}
        created += len(fresh)
        session.flush()
        known = _existing_exceptions(uow, set(ids.values()))
        info = {
            uid: _master_info(existing.get(uid), item)
            for uid, item in ((m.uid, m) for m in masters)
        }
        for uid, obj in existing.items():
            info.setdefault(uid, _master_info(obj, None))
        new_rows: list[dict[str, Any]] = []
        override_people: dict[tuple[str, datetime], list[str]] = {}
        for item in masters:
            for when in item.exdates:  # a cancelled occurrence: not counted as an event
                _exception(
                    uow, known, new_rows, ids[item.uid], info[item.uid], when, None, cancel=True
                )
        for item in _latest(overrides, info):
            master_id = ids.get(item.uid) or getattr(existing.get(item.uid), "id", None)
            if master_id is None:
                problems.append(
                    ImportProblem(
                        item.line,
                        item.values["summary"],
                        "a changed occurrence of a series not in the file",
                    )
                )
                continue
            assert item.recurrence_id is not None
            before = len(new_rows)
            created += _exception(
                uow,
                known,
                new_rows,
                master_id,
                info[item.uid],
                item.recurrence_id,
                item.values,
                cancel=item.cancelled,
            )
            owner, attendees = matched[id(item)]
            slot = (master_id, item.recurrence_id)
            override_people.setdefault(slot, attendees)
            if len(new_rows) > before:  # a new changed occurrence: its organiser is its owner
                new_rows[-1]["owner_id"] = owner
            elif slot in known and known[slot].owner_id is None and owner is not None:
                known[slot].owner_id = owner
                updated_ids.add(master_id)
        added = add_new_rows(uow, Event, new_rows)
        new_keys = {
            (row["master_id"], row["recurrence_id"]): new_id
            for row, new_id in zip(new_rows, added, strict=True)
        }
        fresh_ids.update(added)
        master_of = {ids[m.uid]: ids[m.uid] for m in masters}
        for slot, attendees in override_people.items():
            event_id = known[slot].id if slot in known else new_keys[slot]
            wanted.setdefault(event_id, attendees)
            master_of[event_id] = slot[0]
        for event_id in _set_attendees(uow, wanted, fresh_ids):
            updated_ids.add(master_of[event_id])
        session.flush()
        updated = len(updated_ids)
        uow.commit()
        changes = changes_of(uow, tuple(ids.values()))
    problems.sort(key=lambda p: p.line)
    unmatched.sort(key=lambda p: p.line)
    notes = (encoding_note,) if encoding_note else ()
    return ImportReport(created, updated, tuple(problems), changes, tuple(unmatched), notes)


def _match_people(
    people: _People, item: _Parsed, unmatched: list[ImportProblem]
) -> tuple[str | None, list[str]]:
    """(the organiser's person id, the attendees' person ids); who matches no one goes into
    `unmatched`."""

    def one(who: _Who, role: str) -> str | None:
        pid, why = people.match(who)
        if pid is None:
            unmatched.append(
                ImportProblem(item.line, item.values["summary"], f"{role} {who} not matched: {why}")
            )
        return pid

    owner = one(item.organiser, "organiser") if item.organiser is not None else None
    attendees = [pid for who in item.attendees if (pid := one(who, "attendee")) is not None]
    return owner, list(dict.fromkeys(attendees))


def _owner(uow: UnitOfWork, owner: str | None) -> str | None:
    """An officer's imported event with no owner found is their own (services.calendar._owned)."""
    person = uow.identity.person_id
    if owner is None and person and not uow.identity.may(Operation.CREATE, Kind.CALENDAR_ITEM):
        return person
    return owner


def _set_attendees(uow: UnitOfWork, wanted: dict[str, list[str]], fresh: set[str]) -> set[str]:
    """Make each event's live attendees exactly `wanted[event_id]`: the missing ones added (the
    bulk path), the others and any duplicate row tombstoned. Returns the events (not `fresh`
    ones) whose attendees changed."""
    session = uow.session
    current: dict[str, list[EventAttendee]] = defaultdict(list)
    old = [event_id for event_id in wanted if event_id not in fresh]
    for chunk in range(0, len(old), 500):
        for row in session.scalars(
            select(EventAttendee)
            .where(
                EventAttendee.deleted.is_(False),
                EventAttendee.event_id.in_(old[chunk : chunk + 500]),
            )
            .order_by(EventAttendee.id)
        ):
            current[row.event_id].append(row)
    changed: set[str] = set()
    rows: list[dict[str, Any]] = []
    for event_id, person_ids in wanted.items():
        have: set[str] = set()
        for row in current.get(event_id, []):
            if row.person_id in person_ids and row.person_id not in have:
                have.add(row.person_id)
            else:
                row.deleted = True
                changed.add(event_id)
        for pid in person_ids:
            if pid not in have:
                rows.append({"event_id": event_id, "person_id": pid})
                if event_id not in fresh:
                    changed.add(event_id)
    add_new_rows(uow, EventAttendee, rows)
    return changed


def _existing_masters(uow: UnitOfWork, uids: set[str]) -> dict[str, Event]:
    out: dict[str, Event] = {}
    ours = {u.removesuffix(UID_SUFFIX): u for u in uids if u.endswith(UID_SUFFIX)}
    uid_list = list(uids)
    for chunk in range(0, len(uid_list), 500):
        for obj in uow.session.scalars(
            select(Event).where(
                Event.deleted.is_(False),
                Event.master_id.is_(None),
                Event.ics_uid.in_(uid_list[chunk : chunk + 500]),
            )
        ):
            out[obj.ics_uid or ""] = obj
    own = list(ours)
    for chunk in range(0, len(own), 500):
        for obj in uow.session.scalars(
            select(Event).where(Event.deleted.is_(False), Event.id.in_(own[chunk : chunk + 500]))
        ):
            out.setdefault(ours[obj.id], obj)
    return out


def _existing_exceptions(
    uow: UnitOfWork, master_ids: set[str]
) -> dict[tuple[str, datetime], Event]:
    out: dict[tuple[str, datetime], Event] = {}
    ids = list(master_ids)
    for chunk in range(0, len(ids), 500):
        for obj in uow.session.scalars(
            select(Event).where(
                Event.deleted.is_(False), Event.master_id.in_(ids[chunk : chunk + 500])
            )
        ):
            if obj.master_id and obj.recurrence_id:
                out[(obj.master_id, obj.recurrence_id)] = obj
    return out


def _master_info(obj: Event | None, item: _Parsed | None) -> dict[str, Any]:
    """What an exception copies from its series (from the row, or from the file's values),
    and the series' rule and extra dates (to read a RECURRENCE-ID against)."""
    if item is not None:
        v = item.values
        return {**{k: v[k] for k in (*_COPIED, *_RULE)}, "ics_uid": item.uid}
    assert obj is not None
    return {**{k: getattr(obj, k) for k in (*_COPIED, *_RULE)}, "ics_uid": obj.ics_uid}


_COPIED = ("summary", "calendar", "start_utc", "end_utc", "all_day", "timezone")
_RULE = ("rrule", "rdates")


def _newest(masters: list[_Parsed]) -> list[_Parsed]:
    """Of two series with the same UID the one with the higher SEQUENCE (then the first)."""
    best: dict[str, _Parsed] = {}
    for item in masters:
        if item.uid not in best or item.sequence > best[item.uid].sequence:
            best[item.uid] = item
    return list(best.values())


def _latest(overrides: list[_Parsed], info: dict[str, dict[str, Any]]) -> list[_Parsed]:
    """The overrides with their RECURRENCE-ID read against their series (a date-time one on an
    all-day series is its date; a date one on a timed series is that day's occurrence); of two
    for the same occurrence the one with the higher SEQUENCE (then the first) counts."""
    best: dict[tuple[str, datetime], _Parsed] = {}
    for item in overrides:
        master = info.get(item.uid)
        if master is not None and item.raw_id is not None:
            item.recurrence_id = _recurrence_key(item.raw_id, master)
        assert item.recurrence_id is not None
        slot = (item.uid, item.recurrence_id)
        if slot not in best or item.sequence > best[slot].sequence:
            best[slot] = item
    return list(best.values())


def _recurrence_key(raw: tuple[Any, Any], master: dict[str, Any]) -> datetime:
    series = times.Series(
        master["start_utc"],
        master["end_utc"] - master["start_utc"],
        master["all_day"],
        master["timezone"],
        master["rrule"],
    )
    value, prop = raw
    if not series.all_day and not isinstance(value, datetime):
        found = times.on_day(series, value, parse_rdates(master["rdates"]))
        if found:
            return found[0]
    return times.point(value, prop, series)


def _exception(
    uow: UnitOfWork,
    known: dict[tuple[str, datetime], Event],
    new_rows: list[dict[str, Any]],
    master_id: str,
    master: dict[str, Any],
    recurrence_id: datetime,
    values: dict[str, Any] | None,
    *,
    cancel: bool,
) -> int:
    """Add (to `new_rows`) or update one exception row; 1 if it is new."""
    obj = known.get((master_id, recurrence_id))
    if values is None:
        values = {
            "summary": master["summary"],
            "calendar": master["calendar"],
            "start_utc": recurrence_id,
            "end_utc": recurrence_id + (master["end_utc"] - master["start_utc"]),
            "all_day": master["all_day"],
            "timezone": master["timezone"],
        }
    row = {**values, "rrule": "", "rdates": "", "cancelled": cancel}
    if obj is None:
        if any(
            r["master_id"] == master_id and r["recurrence_id"] == recurrence_id
            for r in new_rows[-50:]
        ):
            return 0  # the same occurrence twice (an EXDATE and an override): the first counts
        long_span, until = span_of(
            row["start_utc"], row["end_utc"], "", row["timezone"], row["all_day"]
        )
        row.update(
            master_id=master_id,
            recurrence_id=recurrence_id,
            ics_uid=master["ics_uid"],
            long_span=long_span,
            until_utc=until,
        )
        new_rows.append(row)
        return 1
    for key, value in crud.clean(uow.session, EVENTS, row, creating=False).items():
        if getattr(obj, key) != value:
            setattr(obj, key, value)
    return 0


# ---------------------------------------------------------------------- export
def export_ics(
    uow: UnitOfWork, start: datetime | None = None, end: datetime | None = None
) -> bytes:
    """Events (with their series' exceptions) as an .ics file; with a window, the events that
    have an occurrence in it. Cancelled occurrences are EXDATEs, changed ones RECURRENCE-IDs."""
    cal = icalendar.Calendar()
    cal.add("prodid", f"-//{APP_NAME}//{__version__}//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    with uow:
        session = uow.session
        codes = dict(session.execute(select(Organisation.id, Organisation.code)).all())
        stmt = select(Event).where(Event.deleted.is_(False), Event.master_id.is_(None))
        if end is not None:
            stmt = stmt.where(Event.start_utc < end)
        if start is not None:
            stmt = stmt.where((Event.end_utc > start) | (Event.rrule != ""))
        masters = [
            m for m in session.scalars(stmt.order_by(Event.start_utc)) if _in_window(m, start)
        ]
        exceptions: dict[str, list[Event]] = {}
        ids = [m.id for m in masters if m.rrule]
        for chunk in range(0, len(ids), 500):
            for exc in session.scalars(
                select(Event).where(
                    Event.deleted.is_(False), Event.master_id.in_(ids[chunk : chunk + 500])
                )
            ):
                exceptions.setdefault(exc.master_id or "", []).append(exc)
        people = _people_of(uow, [*masters, *(e for es in exceptions.values() for e in es)])
        for master in masters:
            uid = master.ics_uid or f"{master.id}{UID_SUFFIX}"
            own = sorted(
                exceptions.get(master.id, []), key=lambda e: e.recurrence_id or e.start_utc
            )
            vevent = _vevent(master, uid, codes, people)
            cancelled = [e.recurrence_id for e in own if e.cancelled and e.recurrence_id]
            for when in cancelled:
                _add_time(vevent, "exdate", when, master.all_day, master.timezone)
            cal.add_component(vevent)
            for exc in own:
                if exc.cancelled or exc.recurrence_id is None:
                    continue
                override = _vevent(exc, uid, codes, people)
                _add_time(
                    override, "recurrence-id", exc.recurrence_id, master.all_day, master.timezone
                )
                cal.add_component(override)
    cal.add_missing_timezones()
    # text another PC stored with an ESC or NUL in it goes out without them
    return strip_controls(cal.to_ical().decode("utf-8")).encode("utf-8")


def _in_window(master: Event, start: datetime | None) -> bool:
    if start is None or not master.rrule or master.end_utc > start:
        return True
    try:
        last = series_end(master.rrule, master.start_utc, master.timezone, master.all_day)
    except ValidationError:
        return True
    return last is None or last + (master.end_utc - master.start_utc) > start


def _add_time(component: Any, key: str, when: datetime, all_day: bool, tz: str) -> None:
    if all_day:
        component.add(key, when.astimezone(UTC).date())
    elif tz and tz != "UTC":
        component.add(key, when.astimezone(timezones.zone(tz)))
    else:
        component.add(key, when.astimezone(UTC))


def _add_rdate(component: Any, rdate: RDate, all_day: bool, tz: str) -> None:
    """An RDATE line: a date-time (or date), or a PERIOD (start/end) when it has its own end."""
    if rdate.end is None or all_day:
        _add_time(component, "rdate", rdate.start, all_day, tz)
        return
    zone = timezones.zone(tz) if tz and tz != "UTC" else UTC
    period = (rdate.start.astimezone(zone), rdate.end.astimezone(zone))
    component.add("rdate", [period])


@dataclass(frozen=True)
class _ExportPeople:
    names: dict[str, tuple[str, str]]  # person id -> (name, email)
    attendees: dict[str, list[str]]  # event id -> person ids, by name

    def address(self, person_id: str, role: str) -> icalendar.vCalAddress | None:
        """mailto: the email when known, else urn:uuid: the person's id (matched back on this
        board), CN=the name."""
        if person_id not in self.names:
            return None
        name, email = self.names[person_id]
        value = icalendar.vCalAddress(f"mailto:{email}" if email else f"urn:uuid:{person_id}")
        value.params["CN"] = name
        if role:
            value.params["ROLE"] = role
        return value


def _people_of(uow: UnitOfWork, events: list[Event]) -> _ExportPeople:
    ids = [e.id for e in events]
    attendees: dict[str, list[str]] = defaultdict(list)
    for chunk in range(0, len(ids), 500):
        for event_id, person_id in uow.session.execute(
            select(EventAttendee.event_id, EventAttendee.person_id).where(
                EventAttendee.deleted.is_(False),
                EventAttendee.event_id.in_(ids[chunk : chunk + 500]),
            )
        ):
            attendees[event_id].append(person_id)
    wanted = {p for ps in attendees.values() for p in ps} | {e.owner_id for e in events}
    wanted.discard(None)
    names: dict[str, tuple[str, str]] = {}
    found = list(wanted)
    for chunk in range(0, len(found), 500):
        for pid, name, email in uow.session.execute(
            select(Person.id, Person.name, Person.email).where(
                Person.deleted.is_(False), Person.id.in_(found[chunk : chunk + 500])
            )
        ):
            names[pid] = (name, email.strip())
    for person_ids in attendees.values():
        person_ids.sort(key=lambda p: (names.get(p, ("", ""))[0].casefold(), p))
    return _ExportPeople(names, dict(attendees))


def _vevent(
    obj: Event, uid: str, codes: dict[str, str], people: _ExportPeople | None = None
) -> icalendar.Event:
    event = icalendar.Event()
    event.add("uid", uid)
    event.add("dtstamp", (obj.updated_at or obj.created_at or datetime.now(UTC)).astimezone(UTC))
    event.add("summary", obj.summary)
    if obj.all_day:
        event.add("dtstart", stored_date(obj.start_utc, obj.timezone))
        event.add("dtend", stored_date(obj.end_utc, obj.timezone))
    else:
        _add_time(event, "dtstart", obj.start_utc, False, obj.timezone)
        _add_time(event, "dtend", obj.end_utc, False, obj.timezone)
    if obj.description:
        event.add("description", obj.description)
    if obj.location:
        event.add("location", obj.location)
    if obj.rrule:
        event.add("rrule", icalendar.vRecur.from_ical(obj.rrule))
    for rdate in parse_rdates(obj.rdates):
        _add_rdate(event, rdate, obj.all_day, obj.timezone)
    if people is not None:
        organiser = people.address(obj.owner_id, "") if obj.owner_id else None
        if organiser is not None:
            event.add("organizer", organiser)
        for person_id in dict.fromkeys(people.attendees.get(obj.id, [])):
            attendee = people.address(person_id, "REQ-PARTICIPANT")
            if attendee is not None:
                event.add("attendee", attendee)
    event.add("class", _CLASS_OUT.get(obj.visibility, "PUBLIC"))
    event.add("x-hescb-calendar", obj.calendar)
    event.add("x-hescb-marking", obj.marking.value)
    if obj.organisation_id and obj.organisation_id in codes:
        event.add("x-hescb-organisation", codes[obj.organisation_id])
    if obj.marking == Marking.OFFICIAL_SENSITIVE:
        event.add("categories", "OFFICIAL-SENSITIVE")
    return event


def event_count(data: Iterable[Any]) -> int:
    return sum(1 for _ in data)
