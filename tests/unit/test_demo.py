"""The small demo board: realistic content, consistent references, change-logged, never mixed
into real data. Built once per module into a tmp SQLite file and only read afterwards."""

from __future__ import annotations

import itertools
import os
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from hescb_desktop.domain.enums import (
    ActionStatus,
    AttendanceRole,
    Marking,
    MeetingStatus,
    MinutesStatus,
    ObjectiveKind,
    OpportunityOutcome,
    Part,
)
from hescb_desktop.domain.errors import ValidationError
from hescb_desktop.domain.rules import STANDARD_AGENDA, ActionRef, SerialRef, worst_rag
from hescb_desktop.services import crud
from hescb_desktop.services import entities as E
from hescb_desktop.services.context import ServiceContext, open_context
from hescb_desktop.services.demo import build_demo
from hescb_desktop.services.demo.calendar import bank_holidays
from hescb_desktop.services.home import home_summary
from hescb_desktop.services.settings import load_settings
from hescb_desktop.storage.journal import ChangeLog

LONDON = ZoneInfo("Europe/London")
# The demo is anchored on today; HESCB_DEMO_TODAY=2027-03-28 replays a failure seen on that day.
TODAY = date.fromisoformat(os.environ.get("HESCB_DEMO_TODAY") or date.today().isoformat())


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServiceContext]:
    context = open_context(tmp_path_factory.mktemp("demo"))
    steps: list[tuple[int, str]] = []
    build_demo(context, "small", lambda pct, msg: steps.append((pct, msg)), today=TODAY)
    assert steps[0][0] == 0
    assert steps[-1][0] == 100
    assert [p for p, _ in steps] == sorted(p for p, _ in steps)
    yield context
    context.close()


def rows(ctx: ServiceContext, spec: crud.EntitySpec[Any, Any]) -> list[Any]:
    """Every row of a table as DTOs (tombstones included), through the service."""
    return crud.list_all(ctx.uow(write=False), spec, include_deleted=True)


def log_count(ctx: ServiceContext) -> int:
    with ctx.uow(write=False) as uow:
        return int(uow.session.scalar(select(func.count()).select_from(ChangeLog)) or 0)


# ------------------------------------------------------------------ organisations and people
def test_the_four_partners_with_their_colours(demo: ServiceContext) -> None:
    orgs = {o.code: (o.name, o.colour) for o in rows(demo, E.ORGANISATIONS)}
    assert orgs == {
        "HC": ("Hertfordshire Constabulary", "#1d4f91"),
        "HFRS": ("Hertfordshire Fire and Rescue Service", "#c8102e"),
        "HCC": ("Hertfordshire County Council", "#00703c"),
        "OPCC": ("Office of the Police and Crime Commissioner", "#5b2c83"),
    }


def test_people_of_all_four_organisations_with_their_e_mail_domains(demo: ServiceContext) -> None:
    codes = {o.id: o.code for o in rows(demo, E.ORGANISATIONS)}
    people = rows(demo, E.PEOPLE)
    assert len(people) >= 18
    by_org = Counter(codes[p.organisation_id] for p in people)
    assert set(by_org) == {"HC", "HFRS", "HCC", "OPCC"}
    assert min(by_org.values()) >= 3
    domains = {"HC": "herts.police.uk", "HFRS": "hertfordshire.gov.uk"}
    domains |= {"HCC": "hertfordshire.gov.uk", "OPCC": "hertscommissioner.org"}
    for p in people:
        first = p.name.split()[0].lower()
        assert p.email.startswith(f"{first}.")
        assert p.email.endswith("@" + domains[codes[p.organisation_id]])
    roles = {p.role for p in people}
    for role in ("Chief Constable", "Chief Fire Officer", "Police and Crime Commissioner"):
        assert role in roles
    assert len({p.name for p in people}) == len(people)


def test_suite_rooms_and_shared_assets(demo: ServiceContext) -> None:
    names = {r.name: r.kind.value for r in rows(demo, E.RESOURCES)}
    for room in ("Executive Boardroom", "Suite Meeting Room 1", "Suite Meeting Room 2"):
        assert names[room] == "room"
    assert names["Chief Officers' Conference Room"] == "room"
    assert names["Shared drone unit"] == "asset"
    assert names["Mobile command unit"] == "asset"


# ------------------------------------------------------------------ the programme
def test_objectives_workstreams_and_stages(demo: ServiceContext) -> None:
    objectives = rows(demo, E.OBJECTIVES)
    titles = {o.title for o in objectives}
    for title in (
        "Joint headquarters facility",
        "Joint training facilities",
        "Shared drone unit",
        "Joint missing-person procedures",
        '"Prevention first" joint strategic planning',
        "Information sharing to safeguard the most vulnerable",
    ):
        assert title in titles
    assert {o.stage for o in objectives} == {
        "Proposed",
        "Scoping",
        "In delivery",
        "Embedding",
        "Closed",
    }
    ids = {o.id for o in objectives if o.kind is ObjectiveKind.OBJECTIVE}
    workstreams = [o for o in objectives if o.kind is ObjectiveKind.WORKSTREAM]
    assert len(workstreams) >= 6
    assert all(w.parent_id in ids for w in workstreams)
    assert all(o.lead_organisation_id and o.sro_id for o in objectives)
    assert rows(demo, E.MILESTONES)
    assert any(ms.done for ms in rows(demo, E.MILESTONES))
    assert rows(demo, E.RISKS)
    assert rows(demo, E.DEPENDENCIES)


def test_rag_history_over_quarters_and_one_override_with_a_reason(demo: ServiceContext) -> None:
    objectives = rows(demo, E.OBJECTIVES)
    history = rows(demo, E.RAG_ASSESSMENTS)
    dates = Counter(h.objective_id for h in history)
    assert max(dates.values()) >= 4
    assert len({h.assessed_on for h in history}) >= 3
    overridden = [o for o in objectives if o.rag_override_reason]
    assert len(overridden) == 1
    for o in objectives:
        worst = worst_rag([o.rag_time, o.rag_cost, o.rag_scope, o.rag_resources])
        if o.rag_override_reason or worst is None:
            continue
        assert o.rag_overall == worst
    assert {o.rag_overall.value for o in objectives if o.rag_overall} == {"red", "amber", "green"}


def test_opportunities_register_adopted_declined_and_under_review(demo: ServiceContext) -> None:
    register = rows(demo, E.OPPORTUNITIES)
    outcomes = Counter(o.outcome for o in register)
    assert set(outcomes) == set(OpportunityOutcome)
    for o in register:
        if o.outcome is OpportunityOutcome.ADOPTED:
            assert o.objective_id is not None
        if o.outcome is OpportunityOutcome.DECLINED:
            assert o.outcome_reason.strip()


# ------------------------------------------------------------------ meetings
def test_a_year_of_meetings_past_and_upcoming(demo: ServiceContext) -> None:
    meetings = rows(demo, E.MEETINGS)
    board = sorted((x for x in meetings if x.body == "HESCB"), key=lambda x: x.start_utc)
    days = [x.start_utc.astimezone(LONDON).date() for x in board]
    assert days[0] <= TODAY - timedelta(days=270)
    assert sum(d > TODAY for d in days) >= 2
    gaps = [(b - a).days for a, b in itertools.pairwise(days)]
    assert all(35 <= g <= 63 for g in gaps), gaps
    assert {x.body for x in meetings} == {"HESCB", "JESG"}
    held = [x for x in meetings if x.start_utc.date() < TODAY]
    assert len(held) >= 8
    assert {x.status for x in held} == {
        MeetingStatus.MINUTES_APPROVED,
        MeetingStatus.MINUTES_DRAFTED,
    }
    assert MeetingStatus.AGENDA_PUBLISHED in {x.status for x in meetings}


def test_agendas_keep_the_standard_order(demo: ServiceContext) -> None:
    items = rows(demo, E.AGENDA_ITEMS)
    meetings = {x.id: x for x in rows(demo, E.MEETINGS)}
    by_meeting: dict[str, list[Any]] = {}
    for item in items:
        by_meeting.setdefault(item.meeting_id, []).append(item)
    standard = [s.title for s in STANDARD_AGENDA]
    for agenda in by_meeting.values():
        agenda.sort(key=lambda i: i.position)
        assert [i.position for i in agenda] == list(range(1, len(agenda) + 1))
        assert [i.title for i in agenda if i.title in standard] == standard
        if meetings[agenda[0].meeting_id].status is not MeetingStatus.PLANNED:
            assert any(i.paper_id for i in agenda)
        exclusion = next(i.position for i in agenda if i.title == standard[10])
        next_date = next(i.position for i in agenda if i.title == standard[11])
        for item in agenda:
            part_two = exclusion <= item.position < next_date
            assert item.part is (Part.PART_II if part_two else Part.PART_I)


def test_papers_have_references_and_header_fields(demo: ServiceContext) -> None:
    papers = rows(demo, E.PAPERS)
    assert len(papers) >= 20
    keys = [(p.ref_year, p.ref_number) for p in papers]
    assert len(set(keys)) == len(keys)
    for p in papers:
        assert p.reference == f"HESCB {SerialRef(p.ref_number, p.ref_year)}"
        assert p.report_of and p.author and p.summary and p.recommendations
        assert p.recommendations.startswith("That the Board ")
        assert "1. Executive summary" in p.body_text
        if p.part is Part.PART_II:
            assert p.marking is Marking.OFFICIAL_SENSITIVE
            assert p.foi_status.value == "exempt"
    assert any(p.part is Part.PART_II for p in papers)
    assert any(p.marking is Marking.OFFICIAL_SENSITIVE and p.part is Part.PART_I for p in papers)


def test_attendance_and_declarations(demo: ServiceContext) -> None:
    roles = Counter(a.role for a in rows(demo, E.ATTENDANCE))
    assert set(roles) == set(AttendanceRole)
    declarations = rows(demo, E.DECLARATIONS)
    assert 1 <= len(declarations) <= 4
    assert all(d.agenda_item_id and d.interest for d in declarations)


def test_minutes_numbered_uniquely_each_year_with_decisions(demo: ServiceContext) -> None:
    minutes = rows(demo, E.MINUTES)
    keys = [(x.ref_year, x.ref_number) for x in minutes]
    assert len(set(keys)) == len(keys)
    for x in minutes:
        assert x.reference == str(SerialRef(x.ref_number, x.ref_year))
        assert x.summary
        assert (x.status is MinutesStatus.APPROVED) == (x.approved_on is not None)
    meetings = {x.id: x for x in rows(demo, E.MEETINGS)}
    minuted = {x.meeting_id for x in minutes}
    assert minuted == {i for i, x in meetings.items() if x.start_utc.date() < TODAY}
    assert {x.status for x in minutes} == set(MinutesStatus)
    assert any("There were no declarations of interest." in x.summary for x in minutes)


def test_joint_decisions_are_one_per_body(demo: ServiceContext) -> None:
    codes = {o.id: o.code for o in rows(demo, E.ORGANISATIONS)}
    by_minute: dict[str, set[str]] = {}
    for d in rows(demo, E.DECISIONS):
        assert d.text.startswith("That ")
        by_minute.setdefault(d.minute_id, set()).add(codes.get(d.decided_by_id or "", ""))
    assert any(bodies == {"HC", "HFRS"} for bodies in by_minute.values())


# ------------------------------------------------------------------ actions
def test_actions_unique_references_and_a_spread_of_statuses(demo: ServiceContext) -> None:
    actions = rows(demo, E.ACTIONS)
    assert len(actions) >= 40
    refs = [a.reference for a in actions]
    assert len(set(refs)) == len(refs)
    meetings = {x.id: x for x in rows(demo, E.MEETINGS)}
    for a in actions:
        ref = ActionRef.parse(a.reference)
        assert (ref.body, ref.year, ref.number) == (a.ref_body, a.ref_year, a.ref_number)
        assert a.ref_body == meetings[a.meeting_id].body
        assert a.minute_id and a.owner_id and a.organisation_id
        assert a.due_date >= a.raised_on
        if a.status in (ActionStatus.CLOSED, ActionStatus.COMPLETE):
            assert a.raised_on <= a.completed_on <= TODAY
        if a.revised_due_date:
            assert a.revision_reason
    assert set(Counter(a.status for a in actions)) == set(ActionStatus)
    live = (ActionStatus.OPEN, ActionStatus.IN_PROGRESS)
    overdue = [
        a for a in actions if a.status in live and (a.revised_due_date or a.due_date) < TODAY
    ]
    assert len(overdue) >= 3
    assert sum(a.revised_due_date is not None for a in actions) >= 3
    updated = {u.action_id for u in rows(demo, E.ACTION_UPDATES)}
    assert len(updated) >= len(actions) // 2
    assert all(a.latest_update for a in actions if a.id in updated)
    owners = {a.organisation_id for a in actions}
    assert len(owners) == 4


# ------------------------------------------------------------------ calendar and Home
def test_home_shows_today_my_open_actions_and_the_rag_summary(demo: ServiceContext) -> None:
    settings = load_settings(demo.uow(write=False))
    assert settings.first_run_choice == "demo"
    assert settings.organisation_code == "HC"
    home = home_summary(demo.uow(write=False), TODAY, settings.display_name)
    assert len(home.events) >= 4
    assert any(e.all_day for e in home.events)
    assert len({e.organisation_code for e in home.events}) >= 3
    assert len(home.my_actions) >= 3
    assert any(a.overdue(TODAY) for a in home.my_actions)
    assert any(a.due and TODAY <= a.due <= TODAY + timedelta(days=14) for a in home.my_actions)
    assert len(home.objectives) >= 5
    assert sum(home.rag_counts.values()) == len(home.objectives)


def test_meeting_events_recurring_and_all_day_events(demo: ServiceContext) -> None:
    events = rows(demo, E.EVENTS)
    assert len(events) >= 200
    bookings = {b.event_id: b.resource_id for b in rows(demo, E.EVENT_BOOKINGS)}
    meetings = {x.id: x for x in rows(demo, E.MEETINGS)}
    meeting_events = [e for e in events if e.meeting_id]
    assert {e.meeting_id for e in meeting_events} == set(meetings)
    for e in meeting_events:
        assert e.calendar == "Board meetings"
        assert bookings[e.id] == meetings[e.meeting_id].venue_id
    weekly = [e for e in events if e.rrule == "FREQ=WEEKLY;BYDAY=MO"]
    assert len(weekly) == 1
    assert weekly[0].timezone == "Europe/London"
    assert weekly[0].start_utc.astimezone(LONDON).weekday() == 0
    for e in (e for e in events if e.all_day):
        start, end = e.start_utc.astimezone(LONDON), e.end_utc.astimezone(LONDON)
        assert start.time() == end.time() == time(0)
        assert end > start
    for e in events:
        assert e.start_utc.tzinfo is not None
        assert e.end_utc > e.start_utc
    calendars = {e.calendar for e in events}
    assert {"HC chief officers", "HFRS chief officers", "Shared assets"} <= calendars
    drone = next(r.id for r in rows(demo, E.RESOURCES) if r.name == "Shared drone unit")
    assert sum(r == drone for r in bookings.values()) >= 5


def test_no_room_or_asset_is_double_booked(demo: ServiceContext) -> None:
    events = {e.id: e for e in rows(demo, E.EVENTS) if not e.rrule and not e.all_day}
    by_resource: dict[str, list[tuple[datetime, datetime]]] = {}
    for b in rows(demo, E.EVENT_BOOKINGS):
        if b.event_id in events:
            e = events[b.event_id]
            by_resource.setdefault(b.resource_id, []).append((e.start_utc, e.end_utc))
    for slots in by_resource.values():
        slots.sort()
        for (_, end), (start, _) in itertools.pairwise(slots):
            assert start >= end


def test_bank_holidays_of_england() -> None:
    assert dict(bank_holidays(2026)) == {
        date(2026, 1, 1): "New Year's Day",
        date(2026, 4, 3): "Good Friday",
        date(2026, 4, 6): "Easter Monday",
        date(2026, 5, 4): "Early May bank holiday",
        date(2026, 5, 25): "Spring bank holiday",
        date(2026, 8, 31): "Summer bank holiday",
        date(2026, 12, 25): "Christmas Day",
        date(2026, 12, 28): "Boxing Day",  # the 26th is a Saturday
    }
    christmas_2027 = {
        d for d, name in bank_holidays(2027) if name in ("Christmas Day", "Boxing Day")
    }
    assert christmas_2027 == {date(2027, 12, 27), date(2027, 12, 28)}


# ------------------------------------------------------------------ change log, markings
def test_every_row_is_change_logged(demo: ServiceContext) -> None:
    with demo.uow(write=False) as uow:
        logged = dict(
            uow.session.execute(
                select(ChangeLog.table_name, func.count(func.distinct(ChangeLog.row_id))).group_by(
                    ChangeLog.table_name
                )
            ).all()
        )
        for spec in E.ALL:
            count = uow.session.scalar(select(func.count()).select_from(spec.model))
            if spec.table in ("attachments", "attachment_blobs", "board_packs", "pack_copies"):
                assert count == 0  # no appendix files, built packs nor numbered copies
                continue
            if spec.table == "conflict_resolutions":
                assert count == 0  # a demo board has had no sync conflicts to settle
                continue
            if spec.table == "retention_rules":
                assert count == 0  # the default schedule (domain.retention) is in force
                continue
            if spec.table == "deadline_rules":
                assert count == 0  # every body counts its deadlines by the defaults
                continue
            if spec.table == "disposals":
                assert count == 0  # nothing has been disposed of on a new demo board
                continue
            if spec.table in ("readerships", "restrictions", "sealed_keys", "pc_box_keys"):
                # restricting needs a protected board, which the demo becomes after it is built
                # (services.who.protect_demo); tests/integration/test_restricted.py covers them
                assert count == 0
                continue
            if spec is E.BOARD_STAGES:  # the five defaults come from the migration, on every PC
                held = uow.session.scalar(
                    select(func.count()).select_from(E.held_rows(spec).subquery())
                )
                assert (count, held, logged.get(spec.table, 0)) == (5, 0, 0)
                continue
            assert count, f"the demo leaves {spec.table} empty"
            assert logged[spec.table] == count, spec.table


def test_markings_are_official_or_official_sensitive(demo: ServiceContext) -> None:
    seen: set[Marking] = set()
    for spec in (E.EVENTS, E.OBJECTIVES, E.RISKS, E.MEETINGS, E.PAPERS, E.MINUTES, E.ACTIONS):
        seen |= {r.marking for r in rows(demo, spec)}
    assert seen == {Marking.OFFICIAL, Marking.OFFICIAL_SENSITIVE}


def test_a_second_demo_is_refused_and_changes_nothing(demo: ServiceContext) -> None:
    before = log_count(demo)
    with pytest.raises(ValidationError, match="already holds data"):
        build_demo(demo)
    assert log_count(demo) == before


def test_a_demo_is_never_mixed_into_real_data(ctx: ServiceContext) -> None:
    person = crud.create(ctx.uow(), E.PEOPLE, {"name": "A real person"}).value
    crud.delete(ctx.uow(), E.PEOPLE, person.id)  # even a tombstone is data
    before = log_count(ctx)
    with pytest.raises(ValidationError, match=r"already holds data \(people\)"):
        build_demo(ctx)
    assert log_count(ctx) == before
    assert load_settings(ctx.uow(write=False)).first_run_choice == ""


def test_a_failure_part_way_leaves_the_database_empty(
    ctx: ServiceContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The small demo is one transaction: a crash in the calendar keeps no meetings either."""

    def broken(*_: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr("hescb_desktop.services.demo.build_calendar", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        build_demo(ctx)
    assert log_count(ctx) == 0
    assert rows(ctx, E.MEETINGS) == []
    assert load_settings(ctx.uow(write=False)).first_run_choice == ""


def test_unknown_scale_is_refused(ctx: ServiceContext) -> None:
    with pytest.raises(ValidationError, match='unknown demo scale "huge"'):
        build_demo(ctx, "huge")
    assert log_count(ctx) == 0


def test_same_anchor_same_board(tmp_path: Path) -> None:
    """Deterministic for a given anchor date; a Saturday anchor still has events that day."""
    saturday = date(2027, 1, 2)

    def board(name: str) -> list[tuple[Any, ...]]:
        ctx = open_context(tmp_path / name)
        build_demo(ctx, today=saturday)
        out = [(a.reference, a.description, a.status, a.due_date) for a in rows(ctx, E.ACTIONS)]
        out += [(e.summary, e.start_utc, e.end_utc, e.calendar) for e in rows(ctx, E.EVENTS)]
        day = home_summary(ctx.uow(write=False), saturday, "Tom Haldane")
        assert len(day.events) >= 4
        ctx.close()
        return sorted(out, key=repr)

    assert board("one") == board("two")


# ------------------------------------------------------------------ crud.add(flush=False)
def test_batched_rows_can_reference_each_other_before_the_flush(ctx: ServiceContext) -> None:
    """What the demo relies on: rows added with flush=False are validated and written in order."""
    start = datetime(2026, 5, 1, 9, tzinfo=UTC)
    with ctx.uow() as uow:
        org = crud.add(uow, E.ORGANISATIONS, {"code": "HC", "name": "Police"}, flush=False)
        room = crud.add(uow, E.RESOURCES, {"name": "Room", "kind": "room"}, flush=False)
        event = crud.add(
            uow,
            E.EVENTS,
            {"summary": "x", "start_utc": start, "end_utc": start, "organisation_id": org.id},
            flush=False,
        )
        crud.add(uow, E.EVENT_BOOKINGS, {"event_id": event.id, "resource_id": room.id}, flush=False)
        with pytest.raises(ValidationError, match="does not exist"):
            crud.add(
                uow, E.EVENT_BOOKINGS, {"event_id": "nope", "resource_id": room.id}, flush=False
            )
        room.deleted = True  # a tombstone not yet flushed is seen
        with pytest.raises(ValidationError, match=r"resource .* does not exist"):
            crud.add(
                uow, E.EVENT_BOOKINGS, {"event_id": event.id, "resource_id": room.id}, flush=False
            )
        uow.commit()
    assert len(rows(ctx, E.EVENT_BOOKINGS)) == 1
    assert {r for r in rows(ctx, E.RESOURCES) if r.deleted}
