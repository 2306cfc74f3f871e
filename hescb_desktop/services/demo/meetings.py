"""A year (or five) of meetings of the Board and its sub-groups: the schedule, agendas in the
standard order with reports inserted, papers with references, attendance and declarations.
Held meetings get minutes, decisions and actions (minutes.py); every meeting gets its event."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from hescb_desktop.domain.enums import (
    AttendanceRole,
    FoiStatus,
    Marking,
    MeetingStatus,
    Part,
    Purpose,
)
from hescb_desktop.domain.rules import STANDARD_AGENDA, SerialRef
from hescb_desktop.services.demo import programme_data as data
from hescb_desktop.services.demo.base import Demo, PersonInfo, add, all_day, london, on_weekday
from hescb_desktop.services.demo.meeting_types import (
    HEADERS,
    AgendaRow,
    Body,
    HeldMeeting,
    MeetingPlan,
)
from hescb_desktop.services.demo.minutes import write_minutes
from hescb_desktop.services.demo.papers import ReportPlan, paper_text, plan_reports
from hescb_desktop.services.demo.writer import Writer
from hescb_desktop.services.entities import (
    AGENDA_ITEMS,
    ATTENDANCE,
    DECLARATIONS,
    EVENT_ATTENDEES,
    EVENT_BOOKINGS,
    EVENTS,
    MEETINGS,
    PAPERS,
)
from hescb_desktop.services.references import next_paper_ref
from hescb_desktop.storage.uow import UnitOfWork

BODIES = {
    b.code: b
    for b in (
        Body(
            "HESCB",
            "Hertfordshire Emergency Services Collaboration Board",
            "pcc",
            ("pcc", "cc", "cfo", "dcc", "dcfo", "opcc_ce", "dcp"),
            "boardroom",
            3,
            (10, 0),
            150,
            (),
            10,
        ),
        Body(
            "JESG",
            "Joint Estates Sub-Group",
            "estates",
            ("estates", "property", "opcc_cfo", "dcfo", "ict"),
            "room1",
            1,
            (14, 0),
            90,
            (data.ESTATES, data.CORPORATE),
            20,
        ),
        Body(
            "JTSG",
            "Joint Training Sub-Group",
            "training",
            ("training", "acc", "dcfo", "dsupt"),
            "room2",
            2,
            (10, 0),
            90,
            (data.TRAINING,),
            27,
        ),
        Body(
            "DUPB",
            "Drone Unit Programme Board",
            "acfo",
            ("acfo", "drone", "dsupt", "acc"),
            "conference",
            0,
            (14, 0),
            60,
            (data.OPERATIONS,),
            33,
        ),
        Body(
            "MPWG",
            "Missing Persons Working Group",
            "dsupt",
            ("dsupt", "drone", "safeguarding", "acc"),
            "room1",
            4,
            (10, 0),
            90,
            (data.MISPERS,),
            38,
        ),
        Body(
            "PFSG",
            "Prevention First Steering Group",
            "cfo",
            ("cfo", "acfo", "acc", "dcp", "policy"),
            "conference",
            2,
            (14, 0),
            90,
            (data.PREVENTION,),
            45,
        ),
        Body(
            "ISWG",
            "Information Sharing Working Group",
            "dcp",
            ("dcp", "infogov", "safeguarding", "dsupt", "ict"),
            "room2",
            3,
            (14, 0),
            90,
            (data.SAFEGUARDING,),
            52,
        ),
    )
}


# ------------------------------------------------------------------ schedule
def schedule(demo: Demo) -> list[MeetingPlan]:
    """Every meeting of every body in the window, in date order."""
    out: list[MeetingPlan] = []
    for code in demo.scale.bodies:
        out.extend(_body_schedule(demo, BODIES[code]))
    return sorted(out, key=lambda p: (p.day, p.body.start))


def _body_schedule(demo: Demo, body: Body) -> list[MeetingPlan]:
    cadence = demo.scale.cadence_days
    first = on_weekday(demo.today + timedelta(days=body.offset), body.weekday)
    days = [first]
    while (
        day := on_weekday(days[0] - timedelta(days=cadence + demo.between(-7, 7)), body.weekday)
    ) >= demo.first_day:
        days.insert(0, day)
    while (
        day := on_weekday(days[-1] + timedelta(days=cadence + demo.between(-7, 7)), body.weekday)
    ) <= demo.last_day:
        days.append(day)
    days = [d for d in days if d <= demo.last_day]
    return [
        MeetingPlan(
            body, d, i, days[i - 1] if i else None, days[i + 1] if i + 1 < len(days) else None
        )
        for i, d in enumerate(days)
    ]


# ------------------------------------------------------------------ building
def build_meetings(demo: Demo, w: Writer, progress: Callable[[int, int], None]) -> None:
    plans = schedule(demo)
    held = 0
    for i, plan in enumerate(plans, 1):
        meeting = _meeting(demo, w.uow, plan, held)
        if meeting is not None:
            write_minutes(demo, w.uow, meeting)
            held += 1
        demo.add_links(w.uow)
        if i % demo.scale.meetings_per_uow == 0 or i == len(plans):
            w.checkpoint()
            progress(i, len(plans))


def _meeting(
    demo: Demo, uow: UnitOfWork, plan: MeetingPlan, held_so_far: int
) -> HeldMeeting | None:
    body = plan.body
    status = plan.status(demo.today)
    start = london(plan.day, *body.start)
    end = start + timedelta(minutes=body.minutes)
    meeting_id = add(
        uow,
        MEETINGS,
        {
            "body": body.code,
            "title": body.title,
            "start_utc": start,
            "end_utc": end,
            "venue_id": demo.rooms[body.venue].id,
            "chair_id": demo.person(body.chair).id,
            "clerk_id": demo.person("secretary").id,
            "status": status,
        },
    )
    reports = plan_reports(demo, body.code, body.themes, plan.day, plan.index, body.chair)
    with_papers = status is not MeetingStatus.PLANNED
    rows = _agenda(demo, uow, meeting_id, plan, reports, with_papers)
    _meeting_event(demo, uow, meeting_id, plan, start, end)
    if status is MeetingStatus.AGENDA_PUBLISHED:
        _attendance(demo, uow, meeting_id, plan, reports, apologies_only=True)
    if plan.day >= demo.today:
        return None
    present, apologies = _attendance(demo, uow, meeting_id, plan, reports, apologies_only=False)
    meeting = HeldMeeting(meeting_id, plan, rows, present, apologies)
    if held_so_far % demo.scale.declaration_every == demo.scale.declaration_every - 1:
        _declaration(demo, uow, meeting)
    return meeting


def _agenda(
    demo: Demo,
    uow: UnitOfWork,
    meeting_id: str,
    plan: MeetingPlan,
    reports: list[ReportPlan],
    with_papers: bool,
) -> list[AgendaRow]:
    """The standard agenda with each report under its heading; papers first, then the items."""
    entries: list[tuple[str, Purpose, Part, int, ReportPlan | None]] = []
    for item in STANDARD_AGENDA:
        minutes = 0 if item.title in HEADERS else item.minutes
        entries.append((item.title, item.purpose, item.part, minutes, None))
        entries += [
            (r.title, r.purpose, r.part, demo.pick((10, 15, 20)), r)
            for r in reports
            if r.section == item.title
        ]
    in_order = [report for *_, report in entries if report is not None]
    papers = _papers(demo, uow, meeting_id, plan, in_order) if with_papers else {}
    rows: list[AgendaRow] = []
    for position, (title, purpose, part, minutes, report) in enumerate(entries, 1):
        paper_id, ref = papers.get(id(report), (None, ""))
        item_id = add(
            uow,
            AGENDA_ITEMS,
            {
                "meeting_id": meeting_id,
                "position": position,
                "title": title,
                "presenter_id": report.presenter.id if report else None,
                "purpose": purpose,
                "part": part,
                "minutes_allocated": minutes,
                "paper_id": paper_id,
                "objective_id": report.objective.id if report and report.objective else None,
                **(_exemption(position) if report and part is Part.PART_II else {}),
            },
        )
        rows.append(AgendaRow(item_id, position, title, part, report, ref))
    return rows


def _exemption(position: int) -> dict[str, object]:
    """A demo Part II report is a commercial matter: Schedule 12A, paragraph 3."""
    return {
        "public_title": f"Part II item {position}: commercial matter",
        "exempt_paragraph": 3,
    }


def _papers(
    demo: Demo, uow: UnitOfWork, meeting_id: str, plan: MeetingPlan, reports: list[ReportPlan]
) -> dict[int, tuple[str | None, str]]:
    """The meeting's papers, numbered on from the next free paper reference of the year."""
    first = next_paper_ref(uow.session, plan.day.year)
    out: dict[int, tuple[str | None, str]] = {}
    for n, report in enumerate(reports):
        ref = SerialRef(first.number + n, first.year)
        summary, recommendations, body = paper_text(demo, report)
        exempt = report.part is Part.PART_II
        paper_id = add(
            uow,
            PAPERS,
            {
                "reference": f"HESCB {ref}",
                "ref_year": ref.year,
                "ref_number": ref.number,
                "title": report.title,
                "meeting_id": meeting_id,
                "report_of": report.presenter.label,
                "author": report.author.label,
                "purpose": report.purpose,
                "part": report.part,
                "foi_status": FoiStatus.EXEMPT if exempt else FoiStatus.OPEN,
                "summary": summary,
                "recommendations": recommendations,
                "body_text": body,
                "marking": Marking.OFFICIAL_SENSITIVE if report.sensitive else Marking.OFFICIAL,
            },
        )
        out[id(report)] = (paper_id, f"HESCB {ref}")
    return out


def _attendance(
    demo: Demo,
    uow: UnitOfWork,
    meeting_id: str,
    plan: MeetingPlan,
    reports: list[ReportPlan],
    *,
    apologies_only: bool,
) -> tuple[list[PersonInfo], list[PersonInfo]]:
    present: list[PersonInfo] = []
    apologies: list[PersonInfo] = []
    for key in plan.body.members:
        person = demo.person(key)
        away = key != plan.body.chair and demo.chance(0.15)
        (apologies if away else present).append(person)
    attending = [demo.person("secretary"), demo.person("progmgr")] + [r.presenter for r in reports]
    seen = {p.key for p in present + apologies}
    guests: list[PersonInfo] = []
    for person in attending:
        if person.key not in seen:
            seen.add(person.key)
            guests.append(person)
    roles = [(p, AttendanceRole.APOLOGIES) for p in apologies]
    if not apologies_only:
        roles += [(p, AttendanceRole.PRESENT) for p in present]
        roles += [(p, AttendanceRole.IN_ATTENDANCE) for p in guests]
    for person, role in roles:
        add(uow, ATTENDANCE, {"meeting_id": meeting_id, "person_id": person.id, "role": role})
    return present + guests, apologies


INTERESTS = (
    "A close family member works for a firm bidding for work on {s}.",
    "Trustee of a charity that uses premises affected by {s}.",
    "Lives close to one of the sites considered for {s}.",
    "Member of a representative body consulted on {s}.",
)


def _declaration(demo: Demo, uow: UnitOfWork, meeting: HeldMeeting) -> None:
    items = [r for r in meeting.rows if r.report and r.report.objective]
    members = set(meeting.plan.body.members) - {meeting.plan.body.chair}
    people = [p for p in meeting.present if p.key in members]
    if not items or not people:
        return
    row, person = demo.pick(items), demo.pick(people)
    assert row.report is not None
    interest = demo.pick(INTERESTS).format(s=row.report.subject)
    add(
        uow,
        DECLARATIONS,
        {
            "meeting_id": meeting.id,
            "agenda_item_id": row.id,
            "person_id": person.id,
            "interest": interest,
        },
    )
    meeting.declarations.append((person, row, interest))


def _meeting_event(
    demo: Demo, uow: UnitOfWork, meeting_id: str, plan: MeetingPlan, start: datetime, end: datetime
) -> None:
    body = plan.body
    room = demo.rooms[body.venue]
    event_id = add(
        uow,
        EVENTS,
        {
            "summary": f"{body.code}: {body.title}",
            "calendar": "Board meetings",
            "description": f"Chair: {demo.person(body.chair).label}. Papers on the meeting page.",
            "location": f"{room.name}, Constabulary HQ, Welwyn Garden City",
            "start_utc": start,
            "end_utc": end,
            "owner_id": demo.person("secretary").id,
            "meeting_id": meeting_id,
        },
    )
    demo.link(EVENT_BOOKINGS, {"event_id": event_id, "resource_id": room.id})
    demo.busy.book(body.venue, start, end)
    for key in body.members:
        demo.link(EVENT_ATTENDEES, {"event_id": event_id, "person_id": demo.person(key).id})
    if body.code == "HESCB" and plan.day - timedelta(days=14) >= demo.first_day:
        first, last = all_day(plan.day - timedelta(days=14))
        add(
            uow,
            EVENTS,
            {
                "summary": f"HESCB papers deadline ({plan.day:%d %b} meeting)",
                "calendar": "Board meetings",
                "start_utc": first,
                "end_utc": last,
                "all_day": True,
                "owner_id": demo.person("secretary").id,
            },
        )
