"""What an imported series shows, one rule of RFC 5545 (or of Outlook's and Google's files) at a
time: RDATE lists (dates, date-times with TZID, VALUE=PERIOD), EXDATE over RDATEs, an end
before the start, and the other readings the real-world corpus (test_ics_corpus.py) needed.
Each file goes through `import_ics` into a real SQLite board and is read back with
`occurrences`, as the calendar page and `events` read it."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from schema_history import downgrade
from sqlalchemy import select

from hescb_desktop.services import calendar as cal
from hescb_desktop.services.context import ServiceContext, open_context
from hescb_desktop.services.ical import export_ics, import_ics
from hescb_desktop.storage.models import Event


@pytest.fixture
def ctx(tmp_path: Path) -> Iterator[ServiceContext]:
    context = open_context(tmp_path / "board")
    yield context
    context.close()


def load(ctx: ServiceContext, *events: str, head: str = "") -> None:
    text = "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//test//EN\n" + head
    text += "".join(f"BEGIN:VEVENT\n{e.strip()}\nEND:VEVENT\n" for e in events)
    report = import_ics(ctx.uow(), (text + "END:VCALENDAR\n").encode())
    assert report.problems == ()


def shown(ctx: ServiceContext, first: date, last: date) -> list[str]:
    """Each occurrence as "YYYY-MM-DD HH:MM-HH:MM" (London) or "YYYY-MM-DD +N days"."""
    out = []
    for o in cal.occurrences(ctx.uow(write=False), *cal.window_of_days(first, last)):
        if o.all_day:
            out.append(f"{o.start:%Y-%m-%d} +{(o.end.date() - o.start.date()).days} days")
        else:
            out.append(f"{o.start:%Y-%m-%d %H:%M}-{o.end:%H:%M}")
    return out


def test_rdate_dates_of_an_all_day_event_without_a_rule(ctx: ServiceContext) -> None:
    load(
        ctx,
        "UID:d\nSUMMARY:Audit\nDTSTART;VALUE=DATE:20260413\nDTEND;VALUE=DATE:20260414\n"
        "RDATE;VALUE=DATE:20260415,20260420\nRDATE;VALUE=DATE:20261102",
    )
    assert shown(ctx, date(2026, 4, 1), date(2026, 4, 30)) == [
        "2026-04-13 +1 days",
        "2026-04-15 +1 days",
        "2026-04-20 +1 days",
    ]
    # found by the window query half a year on, though DTSTART is long past
    assert shown(ctx, date(2026, 11, 1), date(2026, 11, 30)) == ["2026-11-02 +1 days"]


def test_rdate_date_times_with_their_own_tzid(ctx: ServiceContext) -> None:
    load(
        ctx,
        "UID:t\nSUMMARY:Call\nDTSTART;TZID=Europe/London:20260302T150000\n"
        "DTEND;TZID=Europe/London:20260302T160000\n"
        "RDATE;TZID=America/New_York:20260320T090000,20260705T090000",
    )
    assert shown(ctx, date(2026, 3, 1), date(2026, 7, 31)) == [
        "2026-03-02 15:00-16:00",
        "2026-03-20 13:00-14:00",  # New York is on summer time, London not yet
        "2026-07-05 14:00-15:00",
    ]


def test_rdate_periods_keep_their_own_length(ctx: ServiceContext) -> None:
    load(
        ctx,
        "UID:p\nSUMMARY:Exercise\nDTSTART:20260601T080000Z\nDTEND:20260601T090000Z\n"
        "RDATE;VALUE=PERIOD:20260603T080000Z/20260603T120000Z,20260605T130000Z/PT30M",
    )
    assert shown(ctx, date(2026, 6, 1), date(2026, 6, 30)) == [
        "2026-06-01 09:00-10:00",
        "2026-06-03 09:00-13:00",
        "2026-06-05 14:00-14:30",
    ]


def test_exdate_removes_rdates_and_rule_occurrences_in_another_zone(ctx: ServiceContext) -> None:
    load(
        ctx,
        "UID:x\nSUMMARY:Drill\nDTSTART;TZID=Europe/London:20260105T100000\n"
        "DTEND;TZID=Europe/London:20260105T110000\nRRULE:FREQ=WEEKLY;COUNT=3\n"
        "RDATE;TZID=Europe/London:20260107T100000,20260108T100000\n"
        "EXDATE;TZID=Europe/Paris:20260108T110000\nEXDATE:20260112T100000Z",
        "UID:y\nSUMMARY:Visit\nDTSTART:20260201T100000Z\nDTEND:20260201T110000Z\n"
        "RDATE:20260202T100000Z,20260203T100000Z\nEXDATE:20260202T100000Z",
    )
    assert shown(ctx, date(2026, 1, 1), date(2026, 2, 28)) == [
        "2026-01-05 10:00-11:00",
        "2026-01-07 10:00-11:00",
        "2026-01-19 10:00-11:00",
        "2026-02-01 10:00-11:00",
        "2026-02-03 10:00-11:00",
    ]


def test_an_exdate_date_removes_that_days_occurrence_of_a_timed_series(ctx: ServiceContext) -> None:
    load(
        ctx,
        "UID:e\nSUMMARY:Stand-up\nDTSTART:20260609T030000Z\nRRULE:FREQ=DAILY;COUNT=4\n"
        "EXDATE;VALUE=DATE:20260611",
    )
    assert [s[:10] for s in shown(ctx, date(2026, 6, 1), date(2026, 6, 30))] == [
        "2026-06-09",
        "2026-06-10",
        "2026-06-12",
    ]


def test_an_end_before_the_start_is_a_zero_length_event(ctx: ServiceContext) -> None:
    load(
        ctx,
        "UID:z1\nSUMMARY:Swapped\nDTSTART:20260610T120000Z\nDTEND:20260610T110000Z",
        "UID:z2\nSUMMARY:Swapped series\nDTSTART:20260611T080000Z\nDTEND:20260611T070000Z\n"
        "RRULE:FREQ=DAILY;COUNT=2",
    )
    assert shown(ctx, date(2026, 6, 10), date(2026, 6, 12)) == [
        "2026-06-10 13:00-13:00",
        "2026-06-11 09:00-09:00",
        "2026-06-12 09:00-09:00",
    ]
    # a zero-length occurrence at the very start of a window is in it
    start = datetime(2026, 6, 10, 12, tzinfo=UTC)
    found = cal.occurrences(ctx.uow(write=False), start, start + timedelta(hours=1))
    assert [o.summary for o in found] == ["Swapped"]


def test_an_empty_rrule_is_no_rule(ctx: ServiceContext) -> None:
    load(ctx, "UID:h\nSUMMARY:New Year\nDTSTART:20270101\nDTEND:20270101\nRRULE:")
    assert shown(ctx, date(2026, 12, 1), date(2027, 12, 31)) == ["2027-01-01 +1 days"]


def test_dtstart_off_the_rules_days_is_the_first_occurrence(ctx: ServiceContext) -> None:
    load(
        ctx,
        "UID:f\nSUMMARY:Clinic\nDTSTART:20260604T090000Z\nDTEND:20260604T100000Z\n"
        "RRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=2",
    )
    assert [s[:10] for s in shown(ctx, date(2026, 6, 1), date(2026, 6, 30))] == [
        "2026-06-04",
        "2026-06-08",
        "2026-06-15",
    ]


def test_exchange_moves_an_all_day_occurrence_by_a_date_time_recurrence_id(
    ctx: ServiceContext,
) -> None:
    load(
        ctx,
        "UID:m\nSUMMARY:Duty\nDTSTART;VALUE=DATE:20260219\nDTEND;VALUE=DATE:20260220\n"
        "RRULE:FREQ=WEEKLY;BYDAY=TH;COUNT=3",
        "UID:m\nSUMMARY:Duty (moved)\nRECURRENCE-ID;TZID=W. Europe Standard Time:20260226T000000\n"
        "DTSTART;VALUE=DATE:20260227\nDTEND;VALUE=DATE:20260228",
    )
    assert shown(ctx, date(2026, 2, 1), date(2026, 3, 31)) == [
        "2026-02-19 +1 days",
        "2026-02-27 +1 days",
        "2026-03-05 +1 days",
    ]


def test_google_x_wr_timezone_keeps_a_utc_series_on_the_wall_clock(ctx: ServiceContext) -> None:
    load(
        ctx,
        "UID:g\nSUMMARY:Briefing\nDTSTART:20260302T090000Z\nDTEND:20260302T100000Z\n"
        "RRULE:FREQ=WEEKLY;COUNT=6",
        head="X-WR-TIMEZONE:Europe/London\n",
    )
    # 09:00 GMT is 09:00 London; after the clocks change on 29 March it stays 09:00 BST
    assert [s[11:] for s in shown(ctx, date(2026, 3, 1), date(2026, 4, 30))] == ["09:00-10:00"] * 6


CUSTOM_ZONE = """BEGIN:VTIMEZONE
TZID:Customized Time Zone
BEGIN:STANDARD
DTSTART:16010101T020000
TZOFFSETFROM:-0400
TZOFFSETTO:-0500
RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=1SU;BYMONTH=11
END:STANDARD
BEGIN:DAYLIGHT
DTSTART:16010101T020000
TZOFFSETFROM:-0500
TZOFFSETTO:-0400
RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=2SU;BYMONTH=3
END:DAYLIGHT
END:VTIMEZONE
"""


def test_outlooks_customized_time_zone_is_matched_to_a_real_one(ctx: ServiceContext) -> None:
    load(
        ctx,
        "UID:c\nSUMMARY:US call\nDTSTART;TZID=Customized Time Zone:20261027T103500\n"
        "DTEND;TZID=Customized Time Zone:20261027T115000\n"
        "RRULE:FREQ=WEEKLY;BYDAY=TU;COUNT=3",
        head=CUSTOM_ZONE,
    )
    uow = ctx.uow(write=False)
    with uow:
        zone = uow.session.scalars(select(Event.timezone)).one()
    assert zone.startswith("America/")
    # 10:35 Eastern: 14:35 London (EDT, GMT) on 27 Oct, 15:35 after 1 Nov (EST, GMT)
    assert shown(ctx, date(2026, 10, 1), date(2026, 11, 30)) == [
        "2026-10-27 14:35-15:50",
        "2026-11-03 15:35-16:50",
        "2026-11-10 15:35-16:50",
    ]


def test_of_two_versions_the_higher_sequence_counts(ctx: ServiceContext) -> None:
    load(
        ctx,
        "UID:s\nSEQUENCE:1\nSUMMARY:Old\nDTSTART:20260701T090000Z\nDTEND:20260701T100000Z\n"
        "RRULE:FREQ=DAILY;COUNT=3",
        "UID:s\nSEQUENCE:2\nSUMMARY:New\nDTSTART:20260701T090000Z\nDTEND:20260701T100000Z\n"
        "RRULE:FREQ=DAILY;COUNT=2",
        "UID:s\nSEQUENCE:3\nRECURRENCE-ID:20260702T090000Z\nSUMMARY:Moved\n"
        "DTSTART:20260702T140000Z\nDTEND:20260702T150000Z",
        "UID:s\nSEQUENCE:1\nRECURRENCE-ID:20260702T090000Z\nSUMMARY:Stale\n"
        "DTSTART:20260702T110000Z\nDTEND:20260702T120000Z",
    )
    found = cal.occurrences(
        ctx.uow(write=False), *cal.window_of_days(date(2026, 7, 1), date(2026, 7, 31))
    )
    assert [(o.summary, o.start.hour) for o in found] == [("New", 10), ("Moved", 15)]


def test_a_floating_start_with_utc_exdates_is_utc(ctx: ServiceContext) -> None:
    load(
        ctx,
        "UID:u\nSUMMARY:Backup\nDTSTART:20260601T010000\nDTEND:20260601T020000\n"
        "RRULE:FREQ=DAILY;COUNT=3\nEXDATE:20260602T010000Z",
    )
    assert shown(ctx, date(2026, 6, 1), date(2026, 6, 30)) == [
        "2026-06-01 02:00-03:00",
        "2026-06-03 02:00-03:00",
    ]


def test_rdates_with_periods_survive_export_and_import(ctx: ServiceContext, tmp_path: Path) -> None:
    load(
        ctx,
        "UID:r\nSUMMARY:Exercise\nDTSTART;TZID=Europe/London:20260601T090000\n"
        "DTEND;TZID=Europe/London:20260601T100000\n"
        "RDATE;TZID=Europe/London:20260602T090000\n"
        "RDATE;VALUE=PERIOD:20260603T080000Z/20260603T120000Z",
    )
    before = shown(ctx, date(2026, 6, 1), date(2026, 6, 30))
    data = export_ics(ctx.uow(write=False))
    other = open_context(tmp_path / "other")
    try:
        assert import_ics(other.uow(), data).problems == ()
        assert shown(other, date(2026, 6, 1), date(2026, 6, 30)) == before
    finally:
        other.close()
    assert before == ["2026-06-01 09:00-10:00", "2026-06-02 09:00-10:00", "2026-06-03 09:00-13:00"]


def test_an_rdate_set_on_a_row_moves_its_span(ctx: ServiceContext) -> None:
    """The model's validator counts RDATEs in until_utc, so a later one is found by the index."""
    load(ctx, "UID:v\nSUMMARY:Visit\nDTSTART:20260601T090000Z\nDTEND:20260601T100000Z")
    uow = ctx.uow()
    with uow:
        row = uow.session.scalars(select(Event)).one()
        assert row.until_utc is not None and row.until_utc.astimezone(UTC).month == 6
        row.rdates = "2027-03-01T09:00:00+00:00"
        uow.commit()
    assert shown(ctx, date(2027, 3, 1), date(2027, 3, 1)) == ["2027-03-01 09:00-10:00"]


def test_a_board_from_before_0010_finds_its_rdates_after_the_upgrade(tmp_path: Path) -> None:
    """Rows an older app imported have a span without their RDATEs (a short single event);
    migration 0010 derives it again, so the later dates are found."""
    board = tmp_path / "old"
    context = open_context(board)
    try:
        load(
            context,
            "UID:o\nSUMMARY:Inspection\nDTSTART;VALUE=DATE:20260105\nDTEND;VALUE=DATE:20260106\n"
            "RDATE;VALUE=DATE:20260907",
        )
        path = context.db_path
    finally:
        context.close()
    assert path is not None
    downgrade(path, "0009")
    conn = sqlite3.connect(path)
    with conn:  # what the older app wrote: a one-day event, found by its start only
        conn.execute("UPDATE events SET long_span = 0, until_utc = '2026-01-06 00:00:00.000000'")
    conn.close()
    upgraded = open_context(board, create=False)
    try:
        assert shown(upgraded, date(2026, 9, 1), date(2026, 9, 30)) == ["2026-09-07 +1 days"]
    finally:
        upgraded.close()


def test_an_all_day_series_stored_the_old_way_shows_each_day_once(ctx: ServiceContext) -> None:
    """Rows from before 0004 keep an all-day start as London midnight with the zone named;
    DTSTART, added to the rule's dates, must land on the same day, not twice."""
    load(
        ctx,
        "UID:w\nSUMMARY:Leave\nDTSTART;VALUE=DATE:20260608\nDTEND;VALUE=DATE:20260609\n"
        "RRULE:FREQ=WEEKLY;COUNT=3",
    )
    uow = ctx.uow()
    with uow:
        row = uow.session.scalars(select(Event)).one()
        row.start_utc = datetime(2026, 6, 7, 23, tzinfo=UTC)  # midnight BST
        row.end_utc = datetime(2026, 6, 8, 23, tzinfo=UTC)
        row.timezone = "Europe/London"
        uow.commit()
    assert shown(ctx, date(2026, 6, 1), date(2026, 6, 30)) == [
        "2026-06-08 +1 days",
        "2026-06-15 +1 days",
        "2026-06-22 +1 days",
    ]
