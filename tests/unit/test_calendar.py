"""The calendar services on a real SQLite file: recurrence across the clock changes, 29 February,
fifth weekdays, exceptions, this/following/all edits and deletes, clashes, visibility, undo."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hescb_desktop.domain.calendar import EventDraft, Scope, layout_day
from hescb_desktop.domain.enums import ResourceKind, Visibility
from hescb_desktop.domain.errors import ValidationError
from hescb_desktop.domain.recurrence import LONDON, Recurrence, build_rule, expand, localize
from hescb_desktop.services import calendar as cal
from hescb_desktop.services import crud
from hescb_desktop.services import entities as E
from hescb_desktop.services import undo as undo_service
from hescb_desktop.services.context import ServiceContext


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), LONDON)


def window(ctx: ServiceContext, first: date, last: date, **kw: object) -> list[cal.Occurrence]:
    start, end = cal.window_of_days(first, last)
    return cal.occurrences(ctx.uow(write=False), start, end, **kw)  # type: ignore[arg-type]


def weekly(ctx: ServiceContext, rule: str = "FREQ=WEEKLY;BYDAY=MO", **kw: object) -> str:
    draft = EventDraft(
        "Chief officers' briefing", at(date(2026, 1, 5), 9), at(date(2026, 1, 5), 10), rrule=rule
    )
    for key, value in kw.items():
        draft = EventDraft(**{**draft.__dict__, key: value})
    return cal.create_event(ctx.uow(), draft).value.id


# ---------------------------------------------------------------------- time
def test_weekly_nine_oclock_stays_nine_across_both_clock_changes(ctx: ServiceContext) -> None:
    weekly(ctx)
    occs = window(ctx, date(2026, 3, 16), date(2026, 11, 8))
    assert {o.start.strftime("%H:%M") for o in occs} == {"09:00"}
    offsets = {o.start.utcoffset() for o in occs}
    assert offsets == {timedelta(0), timedelta(hours=1)}  # GMT and BST both crossed
    days = [o.start.date() for o in occs]
    assert date(2026, 3, 30) in days and date(2026, 10, 26) in days  # the Mondays after


def test_times_are_stored_as_utc_with_the_zone_named(ctx: ServiceContext) -> None:
    summer = cal.create_event(
        ctx.uow(), EventDraft("x", at(date(2026, 7, 1), 9), at(date(2026, 7, 1), 10))
    ).value
    assert summer.start_utc == datetime(2026, 7, 1, 8, tzinfo=UTC)
    assert summer.timezone == "Europe/London"


def test_all_day_events_have_no_time_zone_and_keep_their_dates(ctx: ServiceContext) -> None:
    dto = cal.create_event(
        ctx.uow(),
        EventDraft("Leave", at(date(2026, 7, 6), 0), at(date(2026, 7, 11), 0), all_day=True),
    ).value
    assert dto.timezone == "" and dto.start_utc == datetime(2026, 7, 6, tzinfo=UTC)
    occs = window(ctx, date(2026, 7, 1), date(2026, 7, 31))
    assert [o.days()[0] for o in occs] == [date(2026, 7, 6)]
    assert occs[0].days()[-1] == date(2026, 7, 10)
    assert window(ctx, date(2026, 7, 5), date(2026, 7, 5)) == []  # not the day before in BST


def test_twenty_ninth_of_february_yearly_only_in_leap_years(ctx: ServiceContext) -> None:
    draft = EventDraft(
        "Leap day review",
        at(date(2028, 2, 29), 10),
        at(date(2028, 2, 29), 11),
        rrule="FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29",
    )
    cal.create_event(ctx.uow(), draft)
    occs = window(ctx, date(2028, 1, 1), date(2036, 12, 31))
    assert [o.start.date() for o in occs] == [date(y, 2, 29) for y in (2028, 2032, 2036)]


def test_fifth_friday_and_last_friday(ctx: ServiceContext) -> None:
    start = at(date(2026, 1, 30), 14)
    cal.create_event(
        ctx.uow(),
        EventDraft("Fifth", start, start + timedelta(hours=1), rrule="FREQ=MONTHLY;BYDAY=5FR"),
    )
    rule = Recurrence("MONTHLY", by_weekday=True, last_weekday=True).to_rule(
        start.replace(tzinfo=None)
    )
    cal.create_event(ctx.uow(), EventDraft("Last", start, start + timedelta(hours=1), rrule=rule))
    occs = window(ctx, date(2026, 1, 1), date(2026, 12, 31))
    fifth = [o.start.date() for o in occs if o.summary == "Fifth"]
    assert fifth == [date(2026, 1, 30), date(2026, 5, 29), date(2026, 7, 31), date(2026, 10, 30)]
    last = [o.start.date() for o in occs if o.summary == "Last"]
    assert len(last) == 12 and all((d + timedelta(days=7)).month != d.month for d in last)
    assert all(d.weekday() == 4 for d in last)


def test_monthly_on_the_31st_skips_short_months(ctx: ServiceContext) -> None:
    start = at(date(2026, 1, 31), 9)
    rule = Recurrence("MONTHLY", count=5).to_rule(start.replace(tzinfo=None))
    cal.create_event(
        ctx.uow(), EventDraft("Month end", start, start + timedelta(hours=1), rrule=rule)
    )
    days = [o.start.date() for o in window(ctx, date(2026, 1, 1), date(2027, 1, 1))]
    assert days == [date(2026, m, 31) for m in (1, 3, 5, 7, 8)]


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30", "never occurs"),
        ("FREQ=WEEKLY;UNTIL=20250101T000000Z", "never occurs"),
        ("FREQ=DAILY;COUNT=1000000", "too many"),
        ("FREQ=DAILY;COUNT=0", "at least 1"),
        ("FREQ=HOURLY", "daily, weekly, monthly or yearly"),
        ("FREQ=WEEKLY;BYDAY=XX", "not a day"),
        ("FREQ=DAILY;COUNT=3;UNTIL=20270101", "not both"),
        ("nonsense", "cannot read"),
    ],
)
def test_bad_rules_are_refused_and_nothing_is_saved(
    ctx: ServiceContext, rule: str, message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        weekly(ctx, rule)
    assert cal.count_events(ctx.uow(write=False)) == 0


def test_end_before_start_is_refused(ctx: ServiceContext) -> None:
    with pytest.raises(ValidationError, match="end is before the start"):
        cal.create_event(
            ctx.uow(), EventDraft("x", at(date(2026, 1, 5), 10), at(date(2026, 1, 5), 9))
        )
    with pytest.raises(ValidationError, match="title is required"):
        cal.create_event(
            ctx.uow(), EventDraft(" ", at(date(2026, 1, 5), 9), at(date(2026, 1, 5), 10))
        )
    assert cal.count_events(ctx.uow(write=False)) == 0


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31)),
    st.integers(min_value=0, max_value=23),
    st.sampled_from(
        [
            "FREQ=DAILY",
            "FREQ=WEEKLY;BYDAY=MO,TH",
            "FREQ=MONTHLY;BYDAY=-1FR",
            "FREQ=MONTHLY;BYMONTHDAY=15",
            "FREQ=WEEKLY;INTERVAL=3;BYDAY=WE",
            "FREQ=WEEKLY;INTERVAL=2",
            "FREQ=DAILY;INTERVAL=3;BYDAY=MO,TU,WE,TH,FR",
            "FREQ=WEEKLY;BYDAY=SU,TU;UNTIL=20270301T000000Z",
            "FREQ=DAILY;UNTIL=20240105",
            "FREQ=WEEKLY;WKST=SU;INTERVAL=2;BYDAY=SU,SA",
            "FREQ=MONTHLY;INTERVAL=2;BYDAY=2TU",
            "FREQ=MONTHLY;INTERVAL=5;BYMONTHDAY=31",
            "FREQ=MONTHLY;BYDAY=5FR",
            "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29",
            "FREQ=YEARLY;INTERVAL=3;BYMONTH=3;BYDAY=-1SU",
            "FREQ=MONTHLY",
            "FREQ=YEARLY",
        ]
    ),
    st.sampled_from([40, 1200]),
    st.dates(min_value=date(2018, 1, 1), max_value=date(2019, 12, 31)),
)
def test_expansion_keeps_wall_clock_time_and_fast_forward_agrees(
    day: date, hour: int, rule: str, days: int, first: date
) -> None:
    start = datetime.combine(first, time(hour, 30), LONDON).astimezone(UTC)
    lo = datetime.combine(day, time(0), LONDON).astimezone(UTC)
    hi = lo + timedelta(days=days)
    got = expand(rule, start, timedelta(minutes=45), "Europe/London", False, lo, hi)
    for occ in got:
        local = occ.astimezone(LONDON)
        # 01:30 does not exist on the spring-forward Sunday: Outlook puts it at 02:30
        assert local.minute == 30 and (local.hour == hour or (hour == 1 and local.hour == 2))
    naive = start.astimezone(LONDON).replace(tzinfo=None)
    walked = build_rule(rule, naive).between(
        naive, hi.astimezone(LONDON).replace(tzinfo=None) + timedelta(hours=2), inc=True
    )
    slow = [localize(n, LONDON).astimezone(UTC) for n in walked]
    slow = [s for s in slow if s < hi and s + timedelta(minutes=45) > lo]
    assert got == slow  # the fast-forwarded walk finds exactly what a walk from the start finds


# ---------------------------------------------------------------------- exceptions and scopes
def test_move_this_occurrence_keeps_an_exception(ctx: ServiceContext) -> None:
    weekly(ctx)
    occs = window(ctx, date(2026, 2, 2), date(2026, 2, 8))
    (occ,) = occs
    cal.move_occurrence(
        ctx.uow(), occ, at(date(2026, 2, 3), 11), at(date(2026, 2, 3), 12), scope=Scope.THIS
    )
    after = window(ctx, date(2026, 1, 26), date(2026, 2, 15))
    starts = [o.start for o in after]
    assert at(date(2026, 2, 3), 11) in starts and at(date(2026, 2, 2), 9) not in starts
    assert at(date(2026, 2, 9), 9) in starts and at(date(2026, 1, 26), 9) in starts
    moved = next(o for o in after if o.start == at(date(2026, 2, 3), 11))
    assert moved.series_id == occs[0].event_id and moved.recurrence_id == occ.recurrence_id
    # moving the exception again edits the same exception row, never a second one
    cal.move_occurrence(
        ctx.uow(), moved, at(date(2026, 2, 4), 11), at(date(2026, 2, 4), 12), scope=Scope.THIS
    )
    week = window(ctx, date(2026, 2, 2), date(2026, 2, 8))
    assert [o.start for o in week] == [at(date(2026, 2, 4), 11)]


def test_delete_this_occurrence_is_a_cancelled_exception(ctx: ServiceContext) -> None:
    series = weekly(ctx)
    (occ,) = window(ctx, date(2026, 2, 2), date(2026, 2, 8))
    cal.delete_event(ctx.uow(), occ.event_id, recurrence_id=occ.recurrence_id, scope=Scope.THIS)
    assert window(ctx, date(2026, 2, 2), date(2026, 2, 8)) == []
    rows = crud.list_all(ctx.uow(write=False), E.EVENTS)
    cancelled = [r for r in rows if r.master_id == series]
    assert len(cancelled) == 1 and cancelled[0].cancelled
    assert len(window(ctx, date(2026, 1, 26), date(2026, 2, 15))) == 2


def test_edit_this_and_following_splits_the_series(ctx: ServiceContext) -> None:
    weekly(ctx, "FREQ=WEEKLY;BYDAY=MO;COUNT=10")
    occs = window(ctx, date(2026, 1, 1), date(2026, 12, 31))
    assert len(occs) == 10
    fifth = occs[4]
    details = cal.event_details(ctx.uow(write=False), fifth.event_id)
    draft = EventDraft(
        **{
            **details.draft.__dict__,
            "summary": "Renamed",
            "start": at(fifth.start.date(), 10),
            "end": at(fifth.start.date(), 11),
        }
    )
    cal.update_event(
        ctx.uow(), fifth.event_id, draft, recurrence_id=fifth.recurrence_id, scope=Scope.FOLLOWING
    )
    after = window(ctx, date(2026, 1, 1), date(2026, 12, 31))
    assert len(after) == 10
    assert [o.summary for o in after] == ["Chief officers' briefing"] * 4 + ["Renamed"] * 6
    assert {o.start.hour for o in after[4:]} == {10}


def test_edit_all_moves_the_series_and_its_exceptions(ctx: ServiceContext) -> None:
    weekly(ctx)
    (occ,) = window(ctx, date(2026, 2, 2), date(2026, 2, 8))
    cal.move_occurrence(
        ctx.uow(), occ, at(date(2026, 2, 2), 15), at(date(2026, 2, 2), 16), scope=Scope.THIS
    )
    (third,) = window(ctx, date(2026, 1, 19), date(2026, 1, 25))
    cal.move_occurrence(
        ctx.uow(), third, at(date(2026, 1, 20), 9), at(date(2026, 1, 20), 10), scope=Scope.ALL
    )
    occs = window(ctx, date(2026, 1, 1), date(2026, 2, 28))
    assert {o.start.weekday() for o in occs} == {1}  # every one now on a Tuesday
    assert at(date(2026, 2, 3), 15) in [o.start for o in occs]  # the moved one moved with it


def test_delete_following_and_all(ctx: ServiceContext) -> None:
    weekly(ctx)
    (occ,) = window(ctx, date(2026, 2, 2), date(2026, 2, 8))
    cal.delete_event(
        ctx.uow(), occ.event_id, recurrence_id=occ.recurrence_id, scope=Scope.FOLLOWING
    )
    occs = window(ctx, date(2026, 1, 1), date(2026, 12, 31))
    assert [o.start.date() for o in occs] == [date(2026, 1, d) for d in (5, 12, 19, 26)]
    cal.delete_event(
        ctx.uow(), occs[0].event_id, recurrence_id=occs[0].recurrence_id, scope=Scope.ALL
    )
    assert window(ctx, date(2026, 1, 1), date(2026, 12, 31)) == []


def test_undo_restores_a_split_series(ctx: ServiceContext) -> None:
    """Splitting a series (this and following) is one transaction: its undo (services.undo)
    puts the series back whole and tombstones the new one; redo splits it again."""
    weekly(ctx)
    (occ,) = window(ctx, date(2026, 2, 2), date(2026, 2, 8))
    moved_result = cal.move_occurrence(
        ctx.uow(), occ, at(date(2026, 2, 2), 11), at(date(2026, 2, 2), 12), scope=Scope.FOLLOWING
    )
    moved = [o.start.hour for o in window(ctx, date(2026, 1, 1), date(2026, 3, 1))]
    assert set(moved) == {9, 11}
    assert moved_result.changes.tx is not None
    undone = undo_service.undo(ctx.uow(), moved_result.changes.tx, label="Move").value
    assert {o.start.hour for o in window(ctx, date(2026, 1, 1), date(2026, 3, 1))} == {9}
    assert undone.tx is not None and not undone.left
    undo_service.undo(ctx.uow(), undone.tx, label="Move")
    assert [o.start.hour for o in window(ctx, date(2026, 1, 1), date(2026, 3, 1))] == moved


# ---------------------------------------------------------------------- bookings and clashes
def test_room_asset_and_person_clashes_are_warned(ctx: ServiceContext) -> None:
    room = crud.create(
        ctx.uow(), E.RESOURCES, {"name": "Boardroom", "kind": ResourceKind.ROOM}
    ).value
    drone = crud.create(
        ctx.uow(), E.RESOURCES, {"name": "Drone unit", "kind": ResourceKind.ASSET}
    ).value
    person = crud.create(ctx.uow(), E.PEOPLE, {"name": "Chief Fire Officer"}).value
    weekly(ctx, resource_ids=(room.id,), attendee_ids=(person.id,))
    day = date(2026, 3, 2)  # a Monday: the series is in the boardroom 09:00-10:00
    draft = EventDraft("Clash", at(day, 9, 30), at(day, 10, 30), resource_ids=(room.id,))
    (clash,) = cal.clashes(ctx.uow(write=False), draft)
    assert clash.kind == "room" and "Boardroom is already booked" in clash.message
    assert (
        cal.clashes(
            ctx.uow(write=False),
            EventDraft("Next", at(day, 10), at(day, 11), resource_ids=(room.id,)),
        )
        == []
    )
    person_clash = cal.clashes(
        ctx.uow(write=False), EventDraft("P", at(day, 9), at(day, 9, 15), owner_id=person.id)
    )
    assert [c.kind for c in person_clash] == ["person"]
    cal.create_event(
        ctx.uow(), EventDraft("Search", at(day, 14), at(day, 16), resource_ids=(drone.id,))
    )
    asset = cal.clashes(
        ctx.uow(write=False),
        EventDraft("Other", at(day, 15), at(day, 17), resource_ids=(drone.id,)),
    )
    assert [c.kind for c in asset] == ["asset"]
    # a recurring draft clashes on a later occurrence (the third Monday)
    series = EventDraft(
        "Later",
        at(date(2026, 2, 18), 9),
        at(date(2026, 2, 18), 10),
        rrule="FREQ=WEEKLY;BYDAY=WE,MO",
        resource_ids=(room.id,),
    )
    assert cal.clashes(ctx.uow(write=False), series)[0].start.date() == date(2026, 2, 23)


def test_busy_only_and_private_events_of_others(ctx: ServiceContext) -> None:
    me = crud.create(ctx.uow(), E.PEOPLE, {"name": "Me"}).value
    other = crud.create(ctx.uow(), E.PEOPLE, {"name": "Other"}).value
    day = date(2026, 3, 3)
    for vis in (Visibility.BUSY_ONLY, Visibility.PRIVATE):
        cal.create_event(
            ctx.uow(),
            EventDraft(f"Secret {vis}", at(day, 9), at(day, 10), owner_id=other.id, visibility=vis),
        )
    mine = cal.Viewer(me.id)
    occs = window(ctx, day, day, viewer=mine)
    assert [(o.summary, o.masked) for o in occs] == [("Busy", True)]
    theirs = window(ctx, day, day, viewer=cal.Viewer(other.id))
    assert sorted(o.summary for o in theirs) == ["Secret busy_only", "Secret private"]
    rows = cal.free_busy(
        ctx.uow(write=False), [other.id], [], *cal.window_of_days(day, day), viewer=mine
    )
    assert [b.label for b in rows[0].blocks] == ["Busy", "Busy"]
    assert cal.first_free_slot(rows, day, 1, 60) == at(day, 10)


def test_layout_puts_overlaps_side_by_side(ctx: ServiceContext) -> None:
    day = date(2026, 3, 4)
    for h, m, length in ((9, 0, 60), (9, 30, 60), (10, 0, 30), (12, 0, 60)):
        cal.create_event(
            ctx.uow(),
            EventDraft(f"{h}:{m}", at(day, h, m), at(day, h, m) + timedelta(minutes=length)),
        )
    placed = {p.occurrence.summary: p for p in layout_day(window(ctx, day, day), day)}
    assert (placed["9:0"].lane, placed["9:30"].lane, placed["10:0"].lane) == (0, 1, 0)
    assert placed["9:0"].lanes == 2 and placed["12:0"].lanes == 1


def test_search_and_calendars(ctx: ServiceContext) -> None:
    weekly(ctx, calendar="HC chief officers", description="50% done_now")
    assert [e.summary for e in cal.search(ctx.uow(write=False), "BRIEFING")] == [
        "Chief officers' briefing"
    ]
    assert cal.search(ctx.uow(write=False), "50%") and not cal.search(ctx.uow(write=False), "5_%")
    assert "HC chief officers" in cal.calendars(ctx.uow(write=False))
    assert window(ctx, date(2026, 1, 5), date(2026, 1, 5), calendars=["Board meetings"]) == []


def test_home_lists_todays_occurrence_of_an_older_series(ctx: ServiceContext) -> None:
    from hescb_desktop.services.home import home_summary

    weekly(ctx)  # Mondays from 5 January 2026
    summary = home_summary(ctx.uow(write=False), date(2026, 7, 13), "nobody")
    assert [(e.summary, e.start) for e in summary.events] == [
        ("Chief officers' briefing", at(date(2026, 7, 13), 9))
    ]


@pytest.mark.parametrize(
    "rule",
    [
        "FREQ=MONTHLY;INTERVAL=2;BYDAY=2TU",
        "FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=-1",
        "FREQ=YEARLY;INTERVAL=2;BYMONTH=2;BYMONTHDAY=29",
        "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,FR",
        "FREQ=DAILY;INTERVAL=4",
    ],
)
def test_intervals_stay_aligned_with_the_series_start_years_later(rule: str) -> None:
    start = datetime.combine(date(2019, 1, 8), time(9), LONDON).astimezone(UTC)
    naive = start.astimezone(LONDON).replace(tzinfo=None)
    for month in range(1, 13):
        lo = datetime.combine(date(2026, month, 1), time(0), LONDON).astimezone(UTC)
        hi = lo + timedelta(days=31)
        got = expand(rule, start, timedelta(hours=1), "Europe/London", False, lo, hi)
        walked = build_rule(rule, naive).between(
            lo.astimezone(LONDON).replace(tzinfo=None) - timedelta(hours=3),
            hi.astimezone(LONDON).replace(tzinfo=None) + timedelta(hours=2),
            inc=True,
        )
        want = [localize(n, LONDON).astimezone(UTC) for n in walked]
        assert got == [w for w in want if w < hi and w + timedelta(hours=1) > lo], month
