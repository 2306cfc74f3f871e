"""`make bench`: the calendar on about 20,000 events, and importing a 10,000-event .ics file.

Everything runs in a temp dir (removed at the end), in this process, on real SQLite files.
The dataset is built for this benchmark (the large demo takes minutes): 20,000 events over five
years through the services' own `crud.add` (so every row and change_log entry is real): diary
entries on working days 08:00-18:00 across the four organisations' calendars, all-day leave and
rota entries, and 150 recurring series (weekly, twice weekly, fortnightly, monthly on the last
Friday or the 15th, yearly; 5 daily on weekdays), a third ending after a year, the rest open-ended
and started up to three years before the window.

Measured, each a median over successive windows (moving forward as a user presses "next"):

1. next month: the month view's six weeks: query + series expansion + exceptions
   (`services.calendar.occurrences`) and layout (each day's entries bucketed and sorted, the
   all-day rows stacked). Target under 30 ms.
2. next week: the week view's seven days: the same query and expansion, then the time-grid
   layout (overlaps side by side) and the all-day band. Target under 20 ms.
3. import: `services.ical.import_ics` of a 10,000-event file (Outlook-style, TZID, some RRULE,
   EXDATE and RECURRENCE-ID) into an empty board, beside `icalendar.Calendar.from_ical` of the
   same bytes measured in the same run. Target: import under 2x the parse alone.
4. import with attendees: the same file with an ORGANIZER and four ATTENDEE lines on every event
   (as Outlook writes an invitation), 40 people on the board (three of the four attendees match
   one by address, the fourth is outside and reported "not matched"), beside its own parse.
   Printed for comparison, with no target of its own (issue 5's 2x names the plain file): the
   30,000 attendee rows and their change_log entries are real work, and measured about 2.2x.
   Baseline: measurement 3, the file without attendees, in the same run.

Exit status 1 when a target is missed.
"""

from __future__ import annotations

import functools
import gc
import platform
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from pathlib import Path
from typing import Any, TypeVar

import icalendar

from hescb_desktop.domain.calendar import all_day_rows, layout_days, month_grid, week_start
from hescb_desktop.domain.enums import Visibility
from hescb_desktop.domain.recurrence import LONDON
from hescb_desktop.services import calendar as cal
from hescb_desktop.services import crud
from hescb_desktop.services.context import ServiceContext, open_context
from hescb_desktop.services.entities import EVENTS, ORGANISATIONS, PEOPLE
from hescb_desktop.services.ical import import_ics

TARGET_MONTH_S = 0.030
TARGET_WEEK_S = 0.020
TARGET_IMPORT_RATIO = 2.0
EVENTS_TOTAL = 20_000
SERIES = 150
ICS_EVENTS = 10_000
T = TypeVar("T")
FIRST_DAY = date(2024, 1, 1)
YEARS = 5
START_VIEW = date(2026, 1, 5)  # the benchmark pages forward from here


def london(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, dtime(hour, minute), LONDON).astimezone(UTC)


def build(ctx: ServiceContext, rng: random.Random) -> int:
    orgs = []
    for code, name, colour in (
        ("HC", "Hertfordshire Constabulary", "#1f4e9c"),
        ("HFRS", "Hertfordshire Fire and Rescue Service", "#c8102e"),
        ("HCC", "Hertfordshire County Council", "#2e7d32"),
        ("OPCC", "Office of the Police and Crime Commissioner", "#6a3d9a"),
    ):
        orgs.append(
            (
                code,
                crud.create(
                    ctx.uow(), ORGANISATIONS, {"code": code, "name": name, "colour": colour}
                ).value.id,
            )
        )
    rules = (
        "FREQ=WEEKLY;BYDAY=MO",
        "FREQ=WEEKLY;INTERVAL=2;BYDAY=TH",
        "FREQ=MONTHLY;BYDAY=-1FR",
        "FREQ=WEEKLY;BYDAY=TU,TH",
        "FREQ=MONTHLY;BYMONTHDAY=15",
        "FREQ=YEARLY;BYMONTH=3;BYMONTHDAY=31",
    )
    workdays = [
        FIRST_DAY + timedelta(days=n)
        for n in range(365 * YEARS)
        if (FIRST_DAY + timedelta(days=n)).weekday() < 5
    ]
    uow = ctx.uow()
    made = 0
    with uow:
        for n in range(SERIES):
            code, org = orgs[n % 4]
            begin = FIRST_DAY + timedelta(days=rng.randrange(0, 365 * 3))
            hour = rng.choice((8, 9, 10, 14, 16))
            rule = "FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR" if n % 30 == 0 else rules[n % len(rules)]
            if n % 3 == 0:
                rule += f";UNTIL={begin.year + 1}1231T235959Z"
            crud.add(
                uow,
                EVENTS,
                {
                    "summary": f"Series {n}: {code} standing meeting",
                    "calendar": f"{code} chief officers",
                    "start_utc": london(begin, hour),
                    "end_utc": london(begin, hour, 45) if hour < 23 else london(begin, hour),
                    "rrule": rule,
                    "organisation_id": org,
                },
                flush=False,
            )
            made += 1
        while made < EVENTS_TOTAL:
            day = rng.choice(workdays)
            code, org = orgs[made % 4]
            if made % 25 == 0:
                crud.add(
                    uow,
                    EVENTS,
                    {
                        "summary": f"{code} leave",
                        "calendar": f"{code} chief officers",
                        "all_day": True,
                        "timezone": "",
                        "start_utc": datetime.combine(day, dtime(0), UTC),
                        "end_utc": datetime.combine(
                            day + timedelta(days=rng.choice((1, 3, 5))), dtime(0), UTC
                        ),
                        "organisation_id": org,
                    },
                    flush=False,
                )
            else:
                hour = rng.randrange(8, 18)
                minute = rng.choice((0, 15, 30, 45))
                start = london(day, hour, minute)
                crud.add(
                    uow,
                    EVENTS,
                    {
                        "summary": f"Diary entry {made}",
                        "calendar": f"{code} chief officers",
                        "location": "Executive suite",
                        "start_utc": start,
                        "end_utc": start + timedelta(minutes=rng.choice((30, 45, 60, 90, 120))),
                        "organisation_id": org,
                        "visibility": Visibility.BUSY_ONLY if made % 17 == 0 else Visibility.NORMAL,
                    },
                    flush=False,
                )
            made += 1
        uow.commit()
    return made


def month_view(ctx: ServiceContext, anchor: date) -> int:
    days = month_grid(anchor)
    occs = cal.occurrences(
        ctx.uow(write=False), *cal.window_of_days(days[0], days[-1]), viewer=cal.Viewer()
    )
    by_day: dict[date, list[Any]] = {d: [] for d in days}
    for occ in occs:
        for d in occ.days():
            if d in by_day:
                by_day[d].append(occ)
    for items in by_day.values():
        items.sort(key=lambda o: (not o.all_day, o.start, o.summary))
    all_day_rows(occs, days)
    return len(occs)


def week_view(ctx: ServiceContext, monday: date) -> int:
    days = [monday + timedelta(days=n) for n in range(7)]
    occs = cal.occurrences(
        ctx.uow(write=False), *cal.window_of_days(days[0], days[-1]), viewer=cal.Viewer()
    )
    layout_days(occs, days)
    all_day_rows(occs, days)
    return len(occs)


def timed(fn: Callable[[], T]) -> tuple[float, T]:
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def ics_file(rng: random.Random) -> bytes:
    lines = [
        "BEGIN:VCALENDAR",
        "PRODID:-//Microsoft Corporation//Outlook 16.0 MIMEDIR//EN",
        "VERSION:2.0",
        "BEGIN:VTIMEZONE",
        "TZID:GMT Standard Time",
        "BEGIN:STANDARD",
        "DTSTART:16011028T020000",
        "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10",
        "TZOFFSETFROM:+0100",
        "TZOFFSETTO:-0000",
        "END:STANDARD",
        "BEGIN:DAYLIGHT",
        "DTSTART:16010325T010000",
        "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3",
        "TZOFFSETFROM:-0000",
        "TZOFFSETTO:+0100",
        "END:DAYLIGHT",
        "END:VTIMEZONE",
    ]
    for n in range(ICS_EVENTS):
        day = date(2026, 1, 1) + timedelta(days=rng.randrange(0, 700))
        hour = rng.randrange(8, 18)
        stamp = f"{day:%Y%m%d}T{hour:02d}0000"
        end = f"{day:%Y%m%d}T{hour + 1:02d}0000"
        lines += [
            "BEGIN:VEVENT",
            "CLASS:PUBLIC",
            f"DTSTAMP:{day:%Y%m%d}T080000Z",
            f'DTSTART;TZID="GMT Standard Time":{stamp}',
            f'DTEND;TZID="GMT Standard Time":{end}',
            f"SUMMARY;LANGUAGE=en-gb:Meeting {n}\\, with notes",
            "DESCRIPTION:Agenda and papers on the share.\\nDial-in on the invitation\\; bring the",
            " latest highlight report.",
            "LOCATION:Executive suite\\, Boardroom",
            f"UID:040000008200E00074C5B7101A82E008{n:032d}",
        ]
        if n % 50 == 0:
            lines += [
                "RRULE:FREQ=WEEKLY;COUNT=20;BYDAY="
                + ("MO", "TU", "WE", "TH", "FR", "SA", "SU")[day.weekday()]
            ]
            skipped = day + timedelta(days=14)
            lines += [f'EXDATE;TZID="GMT Standard Time":{skipped:%Y%m%d}T{hour:02d}0000']
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


PEOPLE_ON_BOARD = 40


def with_attendees(data: bytes) -> bytes:
    """The file with an Outlook-style invitation on every event: organiser and four attendees."""
    out: list[str] = []
    n = 0
    for line in data.decode("utf-8").split("\r\n"):
        out.append(line)
        if line.startswith("UID:"):
            who = [(n + k) % PEOPLE_ON_BOARD for k in range(4)]
            out.append(f'ORGANIZER;CN="Person {who[0]}":mailto:person{who[0]}@herts.example')
            out += [
                f'ATTENDEE;CN="Person {p}";RSVP=TRUE:mailto:Person{p}@herts.example'
                for p in who[1:]
            ]
            out.append('ATTENDEE;CN="Outside guest";RSVP=TRUE:mailto:guest@elsewhere.example')
            n += 1
    return "\r\n".join(out).encode("utf-8")


def with_people(ctx: ServiceContext) -> ServiceContext:
    for p in range(PEOPLE_ON_BOARD):
        crud.create(ctx.uow(), PEOPLE, {"name": f"Person {p}", "email": f"person{p}@herts.example"})
    return ctx


def views(ctx: ServiceContext) -> bool:
    month_view(ctx, START_VIEW)  # warm: imports, statement caches
    week_view(ctx, week_start(START_VIEW))
    months: list[tuple[float, int]] = []
    anchor = START_VIEW.replace(day=1)
    for _ in range(24):
        anchor = date(anchor.year + (anchor.month == 12), anchor.month % 12 + 1, 1)
        months.append(timed(functools.partial(month_view, ctx, anchor)))
    weeks: list[tuple[float, int]] = []
    monday = week_start(START_VIEW)
    for _ in range(52):
        monday += timedelta(days=7)
        weeks.append(timed(functools.partial(week_view, ctx, monday)))
    ok = True
    for label, runs, target, unit in (
        ("next month", months, TARGET_MONTH_S, "months"),
        ("next week ", weeks, TARGET_WEEK_S, "weeks"),
    ):
        median = statistics.median(t for t, _ in runs)
        worst = max(t for t, _ in runs)
        shown = int(statistics.median(n for _, n in runs))
        passed = median < target
        ok = ok and passed
        print(
            f"  {label} (query + expansion + layout): median {median * 1000:.1f} ms over "
            f"{len(runs)} {unit} (max {worst * 1000:.1f} ms, ~{shown} occurrences each)  "
            f"target < {target * 1000:.0f} ms  {'OK' if passed else 'MISSED'}"
        )
    return ok


def importing(tmp: Path, data: bytes, people: bool = False) -> bool:
    parses, imports = [], []
    ok = True
    label = "import with attendees" if people else "import"
    for run in range(3):
        gc.collect()
        parses.append(timed(functools.partial(icalendar.Calendar.from_ical, data))[0])
        fresh = open_context(tmp / f"import-{people}-{run}")
        if people:
            with_people(fresh)
        gc.collect()
        seconds, report = timed(functools.partial(import_ics, fresh.uow(), data))
        fresh.close()
        imports.append(seconds)
        unmatched = ICS_EVENTS if people else 0
        if report.created != ICS_EVENTS or report.problems or len(report.unmatched) != unmatched:
            print(f"  {label}: unexpected result: {report.summary}")
            ok = False
    parse_s, import_s = statistics.median(parses), statistics.median(imports)
    ratio = import_s / parse_s
    passed = ratio < TARGET_IMPORT_RATIO
    verdict = f"target < {TARGET_IMPORT_RATIO:.0f}x  {'OK' if passed else 'MISSED'}"
    if people:  # issue 5's target names the plain file; this one is shown beside it
        verdict = f"(no target of its own; {'under' if passed else 'over'} 2x)"
    print(
        f"  {label} of {ICS_EVENTS} events ({len(data) / 1e6:.1f} MB): median {import_s:.2f} s; "
        f"icalendar.Calendar.from_ical alone: median {parse_s:.2f} s (same run)  "
        f"ratio {ratio:.2f}x  {verdict}"
    )
    return ok and (passed or people)


def main() -> int:
    rng = random.Random(5)
    tmp = Path(tempfile.mkdtemp(prefix="hescb-bench-calendar-"))
    try:
        print(f"bench_calendar: Python {platform.python_version()}, {platform.machine()}")
        ctx = open_context(tmp / "board")
        seconds, made = timed(functools.partial(build, ctx, rng))
        print(
            f"  dataset: {made} events, {SERIES} of them recurring series, built in {seconds:.1f} s"
        )
        gc.collect()
        ok = views(ctx)
        ctx.close()
        data = ics_file(rng)
        ok = importing(tmp, data) and ok
        ok = importing(tmp, with_attendees(data), people=True) and ok
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
