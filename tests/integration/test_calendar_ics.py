"""iCalendar import and export: files as Outlook, Google and Thunderbird write them, idempotent
re-import, export then import, broken and foreign files; and the CLI commands as subprocesses."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date, datetime, time
from pathlib import Path

import icalendar
import pytest
from sync_office import Office

from hescb_desktop.domain.calendar import EventDraft, Scope
from hescb_desktop.domain.enums import Visibility
from hescb_desktop.domain.recurrence import LONDON
from hescb_desktop.services import calendar as cal
from hescb_desktop.services import crud
from hescb_desktop.services import entities as E
from hescb_desktop.services.context import ServiceContext, open_context
from hescb_desktop.services.ical import NotICalendarError, export_ics, import_ics

ICS = Path(__file__).parent.parent / "data" / "ics"


@pytest.fixture
def ctx(tmp_path: Path) -> ServiceContext:
    context = open_context(tmp_path / "board")
    yield context  # type: ignore[misc]
    context.close()


def occs(ctx: ServiceContext, first: date, last: date) -> list[cal.Occurrence]:
    return cal.occurrences(ctx.uow(write=False), *cal.window_of_days(first, last))


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), LONDON)


def test_outlook_file_windows_zone_exdate_override_private_and_last_friday(
    ctx: ServiceContext,
) -> None:
    report = import_ics(ctx.uow(), (ICS / "outlook.ics").read_bytes())
    assert (report.created, report.problems) == (4, ())
    summer = occs(ctx, date(2026, 7, 1), date(2026, 7, 31))
    briefings = [o for o in summer if "briefing" in o.summary]
    # 09:00 London in summer (BST) too, and the 6 July one moved to 10:30 by RECURRENCE-ID
    assert [(o.start.day, o.start.strftime("%H:%M")) for o in briefings] == [
        (6, "10:30"),
        (13, "09:00"),
        (20, "09:00"),
        (27, "09:00"),
    ]
    assert briefings[0].summary == "Chief officers' briefing (moved for the PCC)"
    april = [
        o.start.date()
        for o in occs(ctx, date(2026, 4, 1), date(2026, 4, 30))
        if "briefing" in o.summary
    ]
    assert date(2026, 4, 6) not in april and date(2026, 4, 13) in april  # EXDATE
    rows = {e.summary: e for e in crud.list_all(ctx.uow(write=False), E.EVENTS) if not e.master_id}
    briefing = rows["Chief officers' briefing"]
    assert briefing.timezone == "Europe/London"  # "GMT Standard Time" understood
    assert briefing.description.startswith(
        "Standing briefing of the three chief officers.\nPapers by 17:00 the Friday before; dial-in"
    )
    assert briefing.location == "Executive suite, Boardroom"
    leave = rows["Annual leave"]
    assert leave.all_day and leave.visibility == Visibility.PRIVATE and leave.timezone == ""
    finance = [
        o
        for o in occs(ctx, date(2026, 1, 1), date(2026, 12, 31))
        if o.summary.startswith("Finance")
    ]
    assert [o.start.date() for o in finance] == [
        date(2026, 1, 30),
        date(2026, 2, 27),
        date(2026, 3, 27),
        date(2026, 4, 24),
        date(2026, 5, 29),
        date(2026, 6, 26),
    ]
    assert finance[0].summary == "Finance catch-up (Żaneta & Ahmed <HFRS>)"
    assert rows[finance[0].summary].visibility == Visibility.BUSY_ONLY


def test_google_file_utc_rdate_cancelled_override_and_calendar_name(ctx: ServiceContext) -> None:
    report = import_ics(ctx.uow(), (ICS / "google.ics").read_bytes())
    assert (report.created, report.problems) == (4, ())  # every VEVENT, overrides too
    march = occs(ctx, date(2026, 3, 1), date(2026, 3, 15))
    huddles = [o.start.date() for o in march if o.summary == "Morning huddle"]
    assert date(2026, 3, 4) not in huddles  # STATUS:CANCELLED override
    assert date(2026, 3, 14) in huddles  # RDATE on a Saturday
    assert len(huddles) == 10
    drone = next(o for o in march if o.summary == "Drone unit demonstration")
    assert drone.start == at(date(2026, 3, 10), 13, 30)  # UTC 13:30Z is 13:30 GMT
    assert drone.calendar == "HFRS chief officers"  # X-WR-CALNAME
    assert drone.description == (
        "Drone unit demonstration for the police search advisers. "
        "Ground crew from Stevenage, pilots from Hemel."
    )
    (holiday,) = [o for o in occs(ctx, date(2026, 5, 25), date(2026, 5, 25)) if o.all_day]
    assert holiday.days() == [date(2026, 5, 25)]


def test_thunderbird_file_leap_day_unicode_and_floating_time(ctx: ServiceContext) -> None:
    import_ics(ctx.uow(), (ICS / "thunderbird.ics").read_bytes(), calendar="Executive suite")
    visits = [o for o in occs(ctx, date(2028, 1, 1), date(2033, 1, 1)) if "site visit" in o.summary]
    assert [o.start.date() for o in visits] == [date(2028, 2, 29), date(2032, 2, 29)]
    assert (
        "مرحبا — Zażółć gęślą jaźń 😀"
        in cal.event_details(ctx.uow(write=False), visits[0].event_id).draft.description
    )
    (floating,) = occs(ctx, date(2026, 4, 15), date(2026, 4, 15))
    assert floating.start == at(date(2026, 4, 15), 9) and floating.calendar == "Executive suite"


def test_reimport_updates_by_uid_and_never_duplicates(ctx: ServiceContext) -> None:
    for name in ("outlook.ics", "google.ics", "thunderbird.ics"):
        import_ics(ctx.uow(), (ICS / name).read_bytes())
    before = crud.list_all(ctx.uow(write=False), E.EVENTS)
    again = import_ics(ctx.uow(), (ICS / "outlook.ics").read_bytes())
    assert (again.created, again.updated) == (0, 0)
    assert len(crud.list_all(ctx.uow(write=False), E.EVENTS)) == len(before)
    changed = (ICS / "outlook.ics").read_bytes().replace(b"Annual leave", b"Annual leave (Devon)")
    third = import_ics(ctx.uow(), changed)
    assert (third.created, third.updated) == (0, 1)
    assert any(
        e.summary == "Annual leave (Devon)" for e in crud.list_all(ctx.uow(write=False), E.EVENTS)
    )
    assert len(crud.list_all(ctx.uow(write=False), E.EVENTS)) == len(before)


def test_broken_events_are_listed_and_good_ones_imported(ctx: ServiceContext) -> None:
    report = import_ics(ctx.uow(), (ICS / "broken-events.ics").read_bytes())
    # an end before the start is a zero-length event (as Outlook and Google show it), and a rule
    # that never matches leaves DTSTART, which RFC 5545 makes the first occurrence
    assert report.created == 4
    assert [(p.line, p.summary) for p in report.problems] == [
        (10, "Has a broken start"),
        (29, "Absurd count"),
        (36, "No start at all"),
    ]
    assert "too many" in report.problems[1].reason
    shown = {o.summary: o for o in occs(ctx, date(2026, 6, 1), date(2026, 6, 30))}
    assert (
        shown["Ends before it starts"].start
        == shown["Ends before it starts"].end
        == at(date(2026, 6, 2), 11)
    )
    never = shown["Never happens"]
    assert (never.start, never.end, never.rrule) == (
        at(date(2026, 6, 3), 10),
        at(date(2026, 6, 3), 11),
        "",
    )


@pytest.mark.parametrize(
    "data",
    [
        b"Subject,Start\nBriefing,05/01/2026\n",
        b"\x89PNG\r\n\x1a\n\x00\xff\xfe",
        b"",
        b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\n",
    ],
)
def test_not_icalendar_is_refused_and_nothing_imported(ctx: ServiceContext, data: bytes) -> None:
    with pytest.raises(NotICalendarError):
        import_ics(ctx.uow(), data)
    assert cal.count_events(ctx.uow(write=False)) == 0


def test_export_then_import_gives_the_same_events(ctx: ServiceContext, tmp_path: Path) -> None:
    for name in ("outlook.ics", "google.ics", "thunderbird.ics"):
        import_ics(ctx.uow(), (ICS / name).read_bytes())
    series = cal.create_event(
        ctx.uow(),
        EventDraft(
            "Board <HESCB> & friends",
            at(date(2026, 1, 6), 14),
            at(date(2026, 1, 6), 16),
            rrule="FREQ=MONTHLY;BYDAY=1TU;COUNT=12",
            calendar="Board meetings",
        ),
    ).value
    (feb,) = [o for o in occs(ctx, date(2026, 2, 1), date(2026, 2, 28)) if o.series_id == series.id]
    cal.move_occurrence(
        ctx.uow(), feb, at(date(2026, 2, 4), 10), at(date(2026, 2, 4), 12), scope=Scope.THIS
    )
    (mar,) = [o for o in occs(ctx, date(2026, 3, 1), date(2026, 3, 31)) if o.series_id == series.id]
    cal.delete_event(ctx.uow(), mar.event_id, recurrence_id=mar.recurrence_id, scope=Scope.THIS)
    exported = export_ics(ctx.uow(write=False))
    parsed = icalendar.Calendar.from_ical(exported)
    assert parsed.walk("VTIMEZONE")  # Outlook needs the zone written out
    first, last = date(2026, 1, 1), date(2032, 12, 31)

    def shape(c: ServiceContext) -> list[tuple[object, ...]]:
        return sorted(
            (o.summary, o.start, o.end, o.all_day, o.location, o.calendar, o.visibility)
            for o in occs(c, first, last)
        )

    original = shape(ctx)
    other = open_context(tmp_path / "other")
    try:
        report = import_ics(other.uow(), exported)
        assert report.problems == ()
        assert shape(other) == original
    finally:
        other.close()
    again = import_ics(ctx.uow(), exported)  # our own file back: nothing new, nothing changed
    assert (again.created, again.updated) == (0, 0)
    assert shape(ctx) == original


# ---------------------------------------------------------------------- the command line
def run(*args: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hescb_desktop", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def board(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    assert run("--data-dir", data, "init").returncode == 0
    return data


def test_cli_import_events_export(board: Path, tmp_path: Path) -> None:
    result = run(
        "--data-dir", board, "import-ics", ICS / "outlook.ics", "--calendar", "HC chief officers"
    )
    assert result.returncode == 0, result.stderr
    assert "4 events added" in result.stdout
    listed = run(
        "--data-dir", board, "events", "--from", "2026-07-06", "--to", "2026-07-12", "--json"
    )
    rows = json.loads(listed.stdout)
    assert [r["summary"] for r in rows] == ["Chief officers' briefing (moved for the PCC)"]
    assert (
        rows[0]["start"] == "2026-07-06T10:30:00+01:00"
        and rows[0]["calendar"] == "HC chief officers"
    )
    text = run("--data-dir", board, "events", "--from", "2026-08-17", "--to", "2026-08-23").stdout
    assert "Mon 17 Aug 2026 – Thu 20 Aug 2026 (all day)  Annual leave" in text
    out = tmp_path / "week.ics"
    exported = run(
        "--data-dir", board, "export-ics", "-o", out, "--from", "2026-07-06", "--to", "2026-07-12"
    )
    assert exported.returncode == 0, exported.stderr
    parsed = icalendar.Calendar.from_ical(out.read_bytes())
    assert {str(e["SUMMARY"]) for e in parsed.walk("VEVENT")} == {
        "Chief officers' briefing",
        "Chief officers' briefing (moved for the PCC)",
    }
    again = run("--data-dir", board, "import-ics", out)
    assert "0 events added, 0 updated" in again.stdout


def test_cli_broken_events_exit_0_with_each_listed(board: Path) -> None:
    result = run("--data-dir", board, "import-ics", ICS / "broken-events.ics")
    assert result.returncode == 0
    assert "4 events added" in result.stdout
    skipped = [line for line in result.stderr.splitlines() if "skipped" in line]
    assert len(skipped) == 3
    assert "line 29: Absurd count: recurrence rule: 99999999 times is too many" in skipped[1]


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("import-ics", ICS / "not-ical.ics"), "not an iCalendar file"),
        (("import-ics", ICS / "missing.ics"), "cannot read"),
        (("import-ics", ICS), "is a folder"),
        (("events", "--from", "2026-13-01", "--to", "2026-12-01"), "is not a date"),
        (("events", "--from", "2026-12-01", "--to", "2026-01-01"), "--to is before --from"),
        (("export-ics", "--from", "tomorrow"), "is not a date"),
    ],
)
def test_cli_bad_input_one_line_exit_2_nothing_imported(
    board: Path, args: tuple[object, ...], words: str
) -> None:
    result = run("--data-dir", board, *args)
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1 and words in result.stderr
    assert "Traceback" not in result.stderr
    assert (
        run("--data-dir", board, "events", "--from", "2020-01-01", "--to", "2029-12-31").stdout
        == ""
    )


def test_bulk_import_logs_every_field_like_the_recorder(ctx: ServiceContext) -> None:
    """The import's fast path writes the change_log rows sync needs: every column of every new
    row (but NULLs a peer's insert leaves NULL anyway), with the row's own value, in one
    transaction's tx, like a flush through the session."""
    from sqlalchemy import inspect, select

    from hescb_desktop.storage.capture import implied_null
    from hescb_desktop.storage.codec import decode
    from hescb_desktop.storage.journal import ChangeLog
    from hescb_desktop.storage.models import Event

    import_ics(ctx.uow(), (ICS / "outlook.ics").read_bytes())
    cal.create_event(
        ctx.uow(), EventDraft("Made by hand", at(date(2026, 1, 6), 9), at(date(2026, 1, 6), 10))
    )
    columns = {a.key: a.columns[0].type for a in inspect(Event).column_attrs if a.key != "id"}
    with ctx.uow(write=False) as uow:
        rows = uow.session.scalars(select(Event)).all()
        log = uow.session.execute(
            select(
                ChangeLog.row_id,
                ChangeLog.column_name,
                ChangeLog.value,
                ChangeLog.tx,
                ChangeLog.seq,
            )
            .where(ChangeLog.table_name == "events")
            .order_by(ChangeLog.seq)
        ).all()
        assert len(rows) == 7  # 3 series and singles, 1 override, 2 EXDATEs; 1 by hand
        latest = {(r.row_id, r.column_name): r for r in log}
        for obj in rows:
            for key, kind in columns.items():
                entry = latest.get((obj.id, key))
                if entry is None:  # an empty field a peer's insert leaves NULL: not logged
                    assert getattr(obj, key) is None and implied_null(Event.__table__.c[key])
                    continue
                assert decode(entry.value, kind) == getattr(obj, key), (obj.summary, key)
        hand = next(o.id for o in rows if o.summary == "Made by hand")
        imported = [r for r in log if r.row_id != hand]
        assert len({r.tx for r in imported}) == 1  # one import, one commit
        seqs = [r.seq for r in log]
        assert seqs == sorted(set(seqs))


def test_an_import_and_edits_sync_to_another_pc(office: Office) -> None:
    """What one PC imports (the bulk path) and edits (exceptions) reaches another PC whole."""
    a, b = office.pc("a"), office.pc("b")
    import_ics(a.uow(), (ICS / "google.ics").read_bytes())
    (huddle,) = [
        o for o in occs(a, date(2026, 3, 9), date(2026, 3, 9)) if o.summary == "Morning huddle"
    ]
    cal.move_occurrence(
        a.uow(), huddle, at(date(2026, 3, 9), 11), at(date(2026, 3, 9), 11, 30), scope=Scope.THIS
    )
    office.settle()

    def shape(c: ServiceContext) -> list[tuple[object, ...]]:
        return [
            (o.summary, o.start, o.end, o.calendar)
            for o in occs(c, date(2026, 3, 1), date(2026, 6, 1))
        ]

    assert shape(b) == shape(a)
    assert at(date(2026, 3, 9), 11) in [
        o.start for o in occs(b, date(2026, 3, 9), date(2026, 3, 9))
    ]
