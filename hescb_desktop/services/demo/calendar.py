"""Calendar events: the chief officers' diaries of each organisation, bookings of the shared
drone unit and mobile command unit, recurring meetings, the duty rota, leave, inspections and
bank holidays, with several events today."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from dateutil.easter import easter

from hescb_desktop.domain.enums import Marking, Visibility
from hescb_desktop.services.demo import calendar_data as cal
from hescb_desktop.services.demo.base import Demo, PersonInfo, add, all_day, days, london
from hescb_desktop.services.demo.programme_data import AREAS
from hescb_desktop.services.demo.writer import Writer
from hescb_desktop.services.entities import EVENT_ATTENDEES, EVENT_BOOKINGS, EVENTS
from hescb_desktop.storage.uow import UnitOfWork


def build_calendar(demo: Demo, w: Writer, progress: Callable[[int, int], None]) -> None:
    first = demo.today - timedelta(days=demo.scale.diary_back)
    last = demo.today + timedelta(days=demo.scale.diary_ahead)
    holidays = {d: name for y in range(first.year, last.year + 1) for d, name in bank_holidays(y)}
    _recurring(demo, w.uow, first, last)
    _rota_and_leave(demo, w.uow, first, last)
    demo.add_links(w.uow)
    for day, name in sorted(holidays.items()):
        if first <= day <= last:
            _event(
                demo,
                w.uow,
                f"Bank holiday: {name}",
                all_day(day),
                calendar="Executive suite",
                all_day_event=True,
            )
    total = (last - first).days + 1
    for n, day in enumerate(days(first, last), 1):
        _one_day(demo, w.uow, day, working=day.weekday() < 5 and day not in holidays)
        if n % demo.scale.days_per_uow == 0 or n == total:
            w.checkpoint()
            progress(n, total)


# ------------------------------------------------------------------ one day
def _one_day(demo: Demo, uow: UnitOfWork, day: date, *, working: bool) -> None:
    """A working day fills the diaries; a weekend or bank holiday has a few entries (and
    always some today, so Home is never empty)."""
    rate = demo.scale.diary_per_day
    for org, (owners, entries) in cal.DIARIES.items():
        if working:
            count = int(rate) + demo.chance(rate - int(rate))
            for _ in range(count):
                _diary(demo, uow, day, org, owners, demo.pick(entries))
        elif day == demo.today or demo.chance(0.1):
            _diary(demo, uow, day, org, owners, demo.pick(cal.WEEKEND))
    booked = _drone(demo, uow, day, working)
    if not booked and day == demo.today:
        _drone(demo, uow, day, working, force=True)
    _command_unit(demo, uow, day, working)
    demo.add_links(uow)


def _command_unit(demo: Demo, uow: UnitOfWork, day: date, weekday: bool) -> None:
    if weekday and demo.chance(0.08):
        summary, minutes = demo.pick(cal.COMMAND_UNIT)
        start = london(day, 9)
        _asset(
            demo,
            uow,
            "command",
            summary.format(area=demo.pick(AREAS)),
            start,
            start + timedelta(minutes=minutes),
            "HFRS",
            "",
        )


def _diary(
    demo: Demo, uow: UnitOfWork, day: date, org: str, owners: tuple[str, ...], entry: cal.Entry
) -> None:
    owner = demo.person(demo.pick(owners))
    for hour, minute in demo.rng.sample(cal.SLOTS, len(cal.SLOTS)):
        start = london(day, hour, minute)
        end = start + timedelta(minutes=entry.minutes)
        if demo.busy.free(f"person:{owner.key}", start, end):
            break
    else:
        return  # a full day: leave it
    room = _room(demo, entry.where, start, end)
    area = demo.pick(AREAS)
    where = demo.rooms[room].name if room else entry.where.format(area=area)
    event_id = _event(
        demo,
        uow,
        entry.summary.format(area=area),
        (start, end),
        calendar=f"{org} chief officers",
        org=org,
        owner=owner,
        location=where,
        flag=entry.flag,
        description=f"Diary of {owner.label}.",
    )
    demo.busy.book(f"person:{owner.key}", start, end)
    if room:
        demo.link(EVENT_BOOKINGS, {"event_id": event_id, "resource_id": demo.rooms[room].id})
    if entry.with_key and entry.with_key != owner.key:
        demo.link(
            EVENT_ATTENDEES,
            {"event_id": event_id, "person_id": demo.person(entry.with_key).id},
        )


def _room(demo: Demo, where: str, start: datetime, end: datetime) -> str:
    """The room asked for if free, else another free room of the suite, else none (video)."""
    if where not in cal.ROOMS:
        return ""
    for key in (where, *cal.ROOMS):
        if demo.busy.free(key, start, end):
            demo.busy.book(key, start, end)
            return key
    return ""


def _drone(demo: Demo, uow: UnitOfWork, day: date, weekday: bool, *, force: bool = False) -> bool:
    if not force and not demo.chance(demo.scale.drone_per_week / 5 if weekday else 0.1):
        return False
    past = day < demo.today
    if weekday:
        choices = [d for d in cal.DRONE if past or not d[4]]
    else:
        choices = [cal.DRONE[0] if past else cal.WEEKEND_DRONE]
    summary, minutes, org, flag, _ = demo.pick(choices)
    start = london(day, demo.pick((9, 10, 13, 14)))
    return _asset(
        demo,
        uow,
        "drone",
        summary.format(area=demo.pick(AREAS)),
        start,
        start + timedelta(minutes=minutes),
        org,
        flag,
    )


def _asset(
    demo: Demo,
    uow: UnitOfWork,
    key: str,
    summary: str,
    start: datetime,
    end: datetime,
    org: str,
    flag: str,
) -> bool:
    if not demo.busy.free(key, start, end):
        return False
    demo.busy.book(key, start, end)
    event_id = _event(
        demo,
        uow,
        summary,
        (start, end),
        calendar="Shared assets",
        org=org,
        owner=demo.person("drone"),
        location=demo.rooms[key].name,
        flag=flag,
    )
    demo.link(EVENT_BOOKINGS, {"event_id": event_id, "resource_id": demo.rooms[key].id})
    return True


# ------------------------------------------------------------------ series and all-day
def _recurring(demo: Demo, uow: UnitOfWork, first: date, last: date) -> None:
    """Each series restarts yearly (a new series with UNTIL on the old one), as diaries do."""
    span = (demo.last_day - demo.first_day).days
    years = max(1, span // 365)
    for summary, rule, (hour, minute), minutes, where, owner, attendees in cal.RECURRING:
        weekday = cal.RRULE_DAYS[rule.rsplit("=", 1)[1][-2:]]
        for y in range(years):
            begin = demo.first_day + timedelta(days=365 * y)
            begin += timedelta(days=(weekday - begin.weekday()) % 7)
            until = demo.first_day + timedelta(days=365 * (y + 1) - 1)
            rrule = rule if y == years - 1 else f"{rule};UNTIL={until:%Y%m%d}T235959Z"
            start = london(begin, hour, minute)
            room = where if where in cal.ROOMS else ""
            event_id = _event(
                demo,
                uow,
                summary,
                (start, start + timedelta(minutes=minutes)),
                calendar="Executive suite",
                owner=demo.person(owner),
                rrule=rrule,
                location=demo.rooms[room].name if room else where,
            )
            if room:
                demo.link(
                    EVENT_BOOKINGS, {"event_id": event_id, "resource_id": demo.rooms[room].id}
                )
            for key in attendees:
                demo.link(EVENT_ATTENDEES, {"event_id": event_id, "person_id": demo.person(key).id})
        if rule.endswith("BYDAY=MO"):  # keep its room and people free every Monday
            for day in days(first, last):
                if day.weekday() == 0:
                    start = london(day, hour, minute)
                    for key in (where, *(f"person:{a}" for a in attendees)):
                        demo.busy.book(key, start, start + timedelta(minutes=minutes))


def _rota_and_leave(demo: Demo, uow: UnitOfWork, first: date, last: date) -> None:
    monday = first - timedelta(days=first.weekday())
    week = 0
    while monday <= last:
        for org in ("HC", "HFRS"):
            owners = cal.DIARIES[org][0]
            duty = demo.person(owners[week % len(owners)])
            _event(
                demo,
                uow,
                f"Duty chief officer (on call): {duty.name}",
                all_day(monday, 7),
                calendar=f"{org} chief officers",
                org=org,
                owner=duty,
                all_day_event=True,
            )
        for org, (owners, _) in cal.DIARIES.items():
            for key in owners:
                if demo.chance(3 / 52) and not monday <= demo.today < monday + timedelta(days=7):
                    _leave(demo, uow, org, demo.person(key), monday)
        if week % 100 == 4:
            _inspection(demo, uow, monday)
        monday += timedelta(days=7)
        week += 1


def _leave(demo: Demo, uow: UnitOfWork, org: str, person: PersonInfo, monday: date) -> None:
    _event(
        demo,
        uow,
        f"{person.name}: annual leave",
        all_day(monday, 5),
        calendar=f"{org} chief officers",
        org=org,
        owner=person,
        all_day_event=True,
    )
    for n in range(5):
        start, end = all_day(monday + timedelta(days=n))
        demo.busy.book(f"person:{person.key}", start, end)


def _inspection(demo: Demo, uow: UnitOfWork, monday: date) -> None:
    for org, summary in (
        ("HC", "HMICFRS PEEL inspection: fieldwork"),
        ("HFRS", "HMICFRS fire and rescue inspection: fieldwork"),
    ):
        _event(
            demo,
            uow,
            summary,
            all_day(monday, 5),
            calendar=f"{org} chief officers",
            org=org,
            all_day_event=True,
        )
        monday += timedelta(days=35)


def _event(
    demo: Demo,
    uow: UnitOfWork,
    summary: str,
    when: tuple[datetime, datetime],
    *,
    calendar: str,
    org: str | None = None,
    owner: PersonInfo | None = None,
    location: str = "",
    flag: str = "",
    all_day_event: bool = False,
    rrule: str = "",
    description: str = "",
) -> str:
    values: dict[str, Any] = {
        "summary": summary,
        "description": description,
        "location": location,
        "calendar": calendar,
        "start_utc": when[0],
        "end_utc": when[1],
        "all_day": all_day_event,
        "timezone": "Europe/London",
        "rrule": rrule,
        "organisation_id": demo.orgs[org] if org else None,
        "owner_id": owner.id if owner else None,
        "visibility": {"sensitive": Visibility.BUSY_ONLY, "private": Visibility.PRIVATE}.get(
            flag, Visibility.NORMAL
        ),
        "marking": Marking.OFFICIAL_SENSITIVE if flag == "sensitive" else Marking.OFFICIAL,
    }
    return add(uow, EVENTS, values)


# ------------------------------------------------------------------ bank holidays
def bank_holidays(year: int) -> list[tuple[date, str]]:
    """England and Wales bank holidays of `year`, with substitute days for weekends."""
    easter_day: date = easter(year)
    new_year = date(year, 1, 1)
    new_year += timedelta(days={5: 2, 6: 1}.get(new_year.weekday(), 0))
    return [
        (new_year, "New Year's Day"),
        (easter_day - timedelta(days=2), "Good Friday"),
        (easter_day + timedelta(days=1), "Easter Monday"),
        (_monday(year, 5, first=True), "Early May bank holiday"),
        (_monday(year, 5, first=False), "Spring bank holiday"),
        (_monday(year, 8, first=False), "Summer bank holiday"),
        *_christmas(year),
    ]


def _monday(year: int, month: int, *, first: bool) -> date:
    if first:
        day = date(year, month, 1)
        return day + timedelta(days=(0 - day.weekday()) % 7)
    day = date(year, month + 1, 1) - timedelta(days=1)
    return day - timedelta(days=day.weekday())


def _christmas(year: int) -> list[tuple[date, str]]:
    christmas = date(year, 12, 25)
    shift = {4: (0, 2), 5: (2, 2), 6: (2, 0)}.get(christmas.weekday(), (0, 0))
    return [
        (christmas + timedelta(days=shift[0]), "Christmas Day"),
        (christmas + timedelta(days=1 + shift[1]), "Boxing Day"),
    ]
