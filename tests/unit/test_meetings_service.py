"""Meetings, agenda, attendance, minutes and the action rules, on a real SQLite file."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text

from hescb_desktop.domain.enums import (
    ActionStatus,
    AttendanceRole,
    MeetingStatus,
    MinutesStatus,
    Part,
    Purpose,
)
from hescb_desktop.domain.errors import NotFoundError, ValidationError
from hescb_desktop.domain.rules import STANDARD_AGENDA
from hescb_desktop.services import actions, crud, meetings, minutes
from hescb_desktop.services.actions import ActionChange
from hescb_desktop.services.context import ServiceContext
from hescb_desktop.services.entities import EVENTS, ORGANISATIONS, PEOPLE, RESOURCES

LONDON = ZoneInfo("Europe/London")


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=LONDON)


D1 = date(2026, 3, 12)
D2 = date(2026, 6, 11)


@pytest.fixture
def people(ctx: ServiceContext) -> dict[str, str]:
    hc = crud.create(ctx.uow(), ORGANISATIONS, {"code": "HC", "name": "Constabulary"}).value.id
    hf = crud.create(ctx.uow(), ORGANISATIONS, {"code": "HFRS", "name": "Fire"}).value.id
    out = {"HC": hc, "HFRS": hf}
    for name, org in (("Alex Morgan", hc), ("Sam Patel", hf), ("Zoë <Ω> & Łukasz", hf)):
        out[name] = crud.create(ctx.uow(), PEOPLE, {"name": name, "organisation_id": org}).value.id
    out["room"] = crud.create(ctx.uow(), RESOURCES, {"name": "Boardroom", "kind": "room"}).value.id
    return out


def new_meeting(ctx: ServiceContext, people: dict[str, str], day: date, body: str = "HESCB"):
    return meetings.create_meeting(
        ctx.uow(),
        title="Board meeting",
        start=at(day, 10),
        end=at(day, 12),
        body=body,
        venue_id=people["room"],
        chair_id=people["Alex Morgan"],
        clerk_id=people["Sam Patel"],
    ).value


def count(ctx: ServiceContext, table: str) -> int:
    with ctx.engine.connect() as conn:
        return int(conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())


# ------------------------------------------------------------------ meetings and agenda
def test_a_new_meeting_has_the_standard_agenda_start_times_and_a_calendar_event(
    ctx: ServiceContext, people: dict[str, str]
) -> None:
    m = new_meeting(ctx, people, D1)
    slots = meetings.agenda(ctx.uow(write=False), m.id)
    assert [s.item.title for s in slots] == [s.title for s in STANDARD_AGENDA]
    assert [s.item.position for s in slots] == list(range(1, len(STANDARD_AGENDA) + 1))
    assert slots[0].start == at(D1, 10)
    assert slots[1].start == at(D1, 10, 5)  # welcome takes 5 minutes
    assert slots[5].is_review
    events = [e for e in crud.list_all(ctx.uow(write=False), EVENTS) if e.meeting_id == m.id]
    assert len(events) == 1
    assert events[0].calendar == "Board meetings"
    assert events[0].location == "Boardroom"
    assert events[0].start_utc == at(D1, 10)

    meetings.update_meeting(ctx.uow(), m.id, {"start_utc": at(D1, 14), "end_utc": at(D1, 16)})
    events = [e for e in crud.list_all(ctx.uow(write=False), EVENTS) if e.meeting_id == m.id]
    assert len(events) == 1 and events[0].start_utc == at(D1, 14)
    assert meetings.meeting_ref(m) == "HESCB/2026-03-12"
    assert meetings.find_meeting(ctx.uow(write=False), "hescb/2026-03-12").id == m.id


def test_bad_meetings_are_refused_and_nothing_is_written(
    ctx: ServiceContext, people: dict[str, str]
) -> None:
    before = count(ctx, "meetings"), count(ctx, "events"), count(ctx, "agenda_items")
    with pytest.raises(ValidationError, match="end must be after"):
        meetings.create_meeting(ctx.uow(), title="x", start=at(D1, 12), end=at(D1, 10))
    with pytest.raises(ValidationError, match="title"):
        meetings.create_meeting(ctx.uow(), title=" ", start=at(D1, 10), end=at(D1, 12))
    with pytest.raises(ValidationError, match="body"):
        meetings.create_meeting(ctx.uow(), title="x", start=at(D1, 10), end=at(D1, 11), body="")
    assert (count(ctx, "meetings"), count(ctx, "events"), count(ctx, "agenda_items")) == before
    m = new_meeting(ctx, people, D1, body="JESG")
    meetings.set_status(ctx.uow(), m.id, MeetingStatus.HELD)
    with pytest.raises(ValidationError, match="cannot go back"):
        meetings.set_status(ctx.uow(), m.id, MeetingStatus.PLANNED)
    assert meetings.bodies(ctx.uow(write=False), ["PFSG"]) == ["HESCB", "JESG", "PFSG"]


def test_agenda_items_add_move_remove_keep_positions_one_to_n(
    ctx: ServiceContext, people: dict[str, str]
) -> None:
    m = new_meeting(ctx, people, D1)
    paper = meetings.add_item(
        ctx.uow(),
        m.id,
        {
            "title": "Drone unit <business case> & costs 🚁",
            "purpose": Purpose.DECISION,
            "part": Part.PART_II,
            "minutes_allocated": 20,
            "presenter_id": people["Sam Patel"],
        },
    ).value
    titles = [s.item.title for s in meetings.agenda(ctx.uow(write=False), m.id)]
    assert titles.index(paper.title) == titles.index("Any other business") - 1
    meetings.move_item(ctx.uow(), paper.id, 1)
    slots = meetings.agenda(ctx.uow(write=False), m.id)
    assert slots[0].item.title == "Drone unit <business case> & costs 🚁"
    assert slots[1].start == at(D1, 10, 20)
    assert [s.item.position for s in slots] == list(range(1, len(slots) + 1))
    meetings.remove_item(ctx.uow(), slots[2].item.id)
    slots = meetings.agenda(ctx.uow(write=False), m.id)
    assert [s.item.position for s in slots] == list(range(1, len(STANDARD_AGENDA) + 1))
    with pytest.raises(ValidationError, match="0 to 600"):
        meetings.update_item(ctx.uow(), paper.id, {"minutes_allocated": -5})
    with pytest.raises(ValidationError, match="title"):
        meetings.add_item(ctx.uow(), m.id, {"title": ""})


def test_attendance_one_row_per_person_and_declarations(
    ctx: ServiceContext, people: dict[str, str]
) -> None:
    m = new_meeting(ctx, people, D1)
    meetings.set_attendance(ctx.uow(), m.id, people["Alex Morgan"], AttendanceRole.PRESENT)
    meetings.set_attendance(ctx.uow(), m.id, people["Sam Patel"], AttendanceRole.PRESENT)
    meetings.set_attendance(ctx.uow(), m.id, people["Sam Patel"], AttendanceRole.APOLOGIES)
    rows = meetings.attendance(ctx.uow(write=False), m.id)
    assert {(r.person_id, r.role) for r in rows} == {
        (people["Alex Morgan"], AttendanceRole.PRESENT),
        (people["Sam Patel"], AttendanceRole.APOLOGIES),
    }
    meetings.set_attendance(ctx.uow(), m.id, people["Alex Morgan"], None)
    assert len(meetings.attendance(ctx.uow(write=False), m.id)) == 1
    item = meetings.agenda(ctx.uow(write=False), m.id)[7].item
    with pytest.raises(ValidationError, match="what the interest is"):
        meetings.declare_interest(ctx.uow(), m.id, people["Sam Patel"], "  ", item.id)
    d = meetings.declare_interest(
        ctx.uow(), m.id, people["Sam Patel"], "Spouse works for the supplier", item.id
    ).value
    assert [x.id for x in meetings.declarations(ctx.uow(write=False), m.id)] == [d.id]


# ------------------------------------------------------------------ minutes
def test_minute_numbers_follow_the_agenda_and_never_repeat(
    ctx: ServiceContext, people: dict[str, str]
) -> None:
    m1 = new_meeting(ctx, people, D1)
    first = minutes.start_minutes(ctx.uow(), m1.id).value
    assert [x.reference for x in first] == [f"{n}/26" for n in range(1, 13)]
    assert meetings.get_meeting(ctx.uow(write=False), m1.id).status is (
        MeetingStatus.MINUTES_DRAFTED
    )
    # a late item gets the next number; starting again adds nothing
    meetings.add_item(ctx.uow(), m1.id, {"title": "Urgent item"}, position=3)
    again = minutes.start_minutes(ctx.uow(), m1.id).value
    assert sorted(x.ref_number for x in again) == list(range(1, 14))
    views = minutes.minutes_of(ctx.uow(write=False), m1.id)
    assert views[2].item is not None and views[2].item.title == "Urgent item"
    assert views[2].minute.reference == "13/26"
    # a deleted minute's number is never given again
    crud.delete(ctx.uow(), minutes.MINUTES, views[2].minute.id)
    m2 = new_meeting(ctx, people, D2)
    second = minutes.start_minutes(ctx.uow(), m2.id).value
    assert second[0].reference == "14/26"


def test_minutes_decisions_approval_and_reopening(
    ctx: ServiceContext, people: dict[str, str]
) -> None:
    m1 = new_meeting(ctx, people, D1)
    m2 = new_meeting(ctx, people, D2)
    views = minutes.start_minutes(ctx.uow(), m1.id).value
    minute = views[7]
    typed = "Discussed the drone <case> & agreed 👍 — مرحبا"
    assert minutes.set_summary(ctx.uow(), minute.id, typed).value.summary == typed
    both = minutes.add_decision(
        ctx.uow(), minute.id, "That the business case is approved", [people["HC"], people["HFRS"]]
    ).value
    assert len(both) == 2 and {d.decided_by_id for d in both} == {people["HC"], people["HFRS"]}
    assert minutes.resolved_line(both[0].text) == "RESOLVED – That the business case is approved"
    with pytest.raises(ValidationError, match="text is empty"):
        minutes.add_decision(ctx.uow(), minute.id, " ")

    with pytest.raises(ValidationError, match="no minutes to approve"):
        minutes.approve_minutes(ctx.uow(), m2.id, at_meeting_id=m1.id)
    minutes.start_minutes(ctx.uow(), m2.id)
    with pytest.raises(ValidationError, match="later meeting"):
        minutes.approve_minutes(ctx.uow(), m2.id, at_meeting_id=m1.id)
    minutes.approve_minutes(ctx.uow(), m1.id, at_meeting_id=m2.id)
    view = minutes.minutes_of(ctx.uow(write=False), m1.id)[7]
    assert view.minute.status is MinutesStatus.APPROVED and view.minute.approved_on == D2
    assert meetings.get_meeting(ctx.uow(write=False), m1.id).status is (
        MeetingStatus.MINUTES_APPROVED
    )
    before = count(ctx, "change_log")
    with pytest.raises(ValidationError, match="approved and read-only"):
        minutes.set_summary(ctx.uow(), minute.id, "changed")
    with pytest.raises(ValidationError, match="approved"):
        minutes.add_decision(ctx.uow(), minute.id, "That something else")
    with pytest.raises(ValidationError, match="approved"):
        actions.new_action(
            ctx.uow(),
            description="x",
            owner_id=people["Alex Morgan"],
            due=None,
            meeting_id=m1.id,
            minute_id=minute.id,
        )
    item = meetings.agenda(ctx.uow(write=False), m1.id)[0].item
    for refused in (
        lambda: meetings.set_attendance(
            ctx.uow(), m1.id, people["Sam Patel"], AttendanceRole.PRESENT
        ),
        lambda: meetings.declare_interest(ctx.uow(), m1.id, people["Sam Patel"], "x"),
        lambda: meetings.add_item(ctx.uow(), m1.id, {"title": "late"}),
        lambda: meetings.move_item(ctx.uow(), item.id, 3),
        lambda: meetings.update_item(ctx.uow(), item.id, {"title": "changed"}),
        lambda: meetings.remove_item(ctx.uow(), item.id),
    ):
        with pytest.raises(ValidationError, match="minutes of this meeting are approved"):
            refused()
    with pytest.raises(ValidationError, match="reason"):
        minutes.reopen_minutes(ctx.uow(), m1.id, "")
    assert count(ctx, "change_log") == before
    minutes.reopen_minutes(ctx.uow(), m1.id, "Chair asked to correct the attendance")
    view = minutes.minutes_of(ctx.uow(write=False), m1.id)[7]
    assert view.minute.status is MinutesStatus.DRAFT
    assert view.minute.reopen_reason == "Chair asked to correct the attendance"
    minutes.set_summary(ctx.uow(), minute.id, "corrected")


# ------------------------------------------------------------------ actions
def test_actions_raised_in_minutes_are_linked_and_numbered_per_body(
    ctx: ServiceContext, people: dict[str, str]
) -> None:
    m1 = new_meeting(ctx, people, D1)
    minute = minutes.start_minutes(ctx.uow(), m1.id).value[7]
    a = actions.new_action(
        ctx.uow(),
        description="Circulate the protocol <v2> & 🚒",
        owner_id=people["Sam Patel"],
        due=D1 + timedelta(days=30),
        meeting_id=m1.id,
        minute_id=minute.id,
    ).value
    assert a.reference == "HESCB/2026/001"
    assert (a.meeting_id, a.minute_id, a.raised_on) == (m1.id, minute.id, D1)
    assert a.organisation_id == people["HFRS"]
    b = actions.new_action(
        ctx.uow(), description="second", owner_id=people["Alex Morgan"], due=None, raised_on=D1
    ).value
    assert b.reference == "HESCB/2026/002"
    jesg = new_meeting(ctx, people, D1, body="JESG")
    c = actions.new_action(
        ctx.uow(), description="sub", owner_id=people["Alex Morgan"], due=None, meeting_id=jesg.id
    ).value
    assert c.reference == "JESG/2026/001"
    assert minutes.minutes_of(ctx.uow(write=False), m1.id)[7].actions[0].id == a.id
    assert actions.find_action(ctx.uow(write=False), "hescb/2026/1").id == a.id
    with pytest.raises(NotFoundError):
        actions.find_action(ctx.uow(write=False), "HESCB/2026/099")


def test_bad_actions_are_refused_with_nothing_written(
    ctx: ServiceContext, people: dict[str, str]
) -> None:
    before = count(ctx, "actions"), count(ctx, "change_log")
    with pytest.raises(ValidationError, match="description is empty"):
        actions.new_action(ctx.uow(), description=" ", owner_id=people["Sam Patel"], due=None)
    with pytest.raises(NotFoundError):
        actions.new_action(ctx.uow(), description="x", owner_id="no-such-person", due=None)
    with pytest.raises(ValidationError, match="before the date raised"):
        actions.new_action(
            ctx.uow(),
            description="x",
            owner_id=people["Sam Patel"],
            due=date(2026, 1, 1),
            raised_on=date(2026, 2, 1),
        )
    assert (count(ctx, "actions"), count(ctx, "change_log")) == before


def test_closure_rules_revision_history_and_carry_forward(
    ctx: ServiceContext, people: dict[str, str]
) -> None:
    m1 = new_meeting(ctx, people, D1)
    m2 = new_meeting(ctx, people, D2)
    a = actions.new_action(
        ctx.uow(),
        description="Report on costs",
        owner_id=people["Alex Morgan"],
        due=date(2026, 4, 1),
        meeting_id=m1.id,
    ).value
    other = actions.new_action(
        ctx.uow(), description="Another", owner_id=people["Sam Patel"], due=None, meeting_id=m1.id
    ).value
    uow = ctx.uow

    # closing before the owner proposed completion, or outside a meeting: refused
    with pytest.raises(ValidationError, match="only an action proposed complete"):
        actions.update_action(
            uow(), a.id, ActionChange(status=ActionStatus.CLOSED, at_meeting_id=m2.id)
        )
    # revising the due date needs a reason, keeps the agreed date
    with pytest.raises(ValidationError, match="reason"):
        actions.update_action(uow(), a.id, ActionChange(due=date(2026, 5, 1)))
    with pytest.raises(ValidationError, match="before the date raised"):
        actions.update_action(uow(), a.id, ActionChange(due=date(2026, 1, 1), reason="x"))
    revised = actions.update_action(
        uow(), a.id, ActionChange(due=date(2026, 5, 1), reason="Waiting for the auditors")
    ).value
    assert revised.due_date == date(2026, 4, 1)
    assert revised.revised_due_date == date(2026, 5, 1)
    assert revised.revision_reason == "Waiting for the auditors"

    done = actions.update_action(
        uow(),
        a.id,
        ActionChange(status=ActionStatus.COMPLETE, note="Report sent"),
        today=date(2026, 4, 20),
    ).value
    assert done.completed_on == date(2026, 4, 20) and done.latest_update == "Report sent"
    assert not actions.is_overdue(done, date(2026, 6, 1))  # proposed: waiting, not late
    with pytest.raises(ValidationError, match="agreed at a meeting"):
        actions.update_action(uow(), a.id, ActionChange(status=ActionStatus.CLOSED))

    # carry-forward: the next meeting reviews every open action, including the proposed one
    review = actions.open_actions_for_review(uow(write=False), m2.id)
    assert [r.id for r in review] == [a.id, other.id]
    closed = actions.update_action(
        uow(), a.id, ActionChange(status=ActionStatus.CLOSED, at_meeting_id=m2.id)
    ).value
    assert closed.status is ActionStatus.CLOSED and closed.closed_at_meeting_id == m2.id
    m3 = new_meeting(ctx, people, date(2026, 9, 10))
    assert [r.id for r in actions.open_actions_for_review(uow(write=False), m3.id)] == [other.id]

    hist = actions.history(uow(write=False), a.id)
    assert [h.status for h in hist] == [
        ActionStatus.OPEN,
        None,
        ActionStatus.COMPLETE,
        ActionStatus.CLOSED,
    ]
    assert "Due date revised from 01 Apr 2026 to 01 May 2026" in hist[1].note
    assert hist[3].note.startswith("Closure agreed at HESCB 11 Jun 2026")
    assert all(h.created_by and h.created_at for h in hist)
    # re-opening a closed action outside a meeting is refused too
    with pytest.raises(ValidationError, match="only a meeting"):
        actions.update_action(uow(), a.id, ActionChange(status=ActionStatus.OPEN))
    with pytest.raises(ValidationError, match="unknown action status"):
        actions.parse_status("finished")
