"""A small, known board made through the services, so UI tests can check exact counts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hescb_desktop.domain.enums import ActionStatus, ObjectiveKind, Rag, RagDimension
from hescb_desktop.services import actions, crud, objectives
from hescb_desktop.services.context import ServiceContext
from hescb_desktop.services.entities import (
    ACTIONS,
    EVENTS,
    MEETINGS,
    OBJECTIVES,
    ORGANISATIONS,
    PAPERS,
    PEOPLE,
    RESOURCES,
)

LONDON = ZoneInfo("Europe/London")
ME = "Alex Morgan"


@dataclass(frozen=True)
class BoardFacts:
    """What the sample board holds, as the Home page should show it."""

    events_today: int = 2
    my_open_actions: int = 3
    my_overdue: int = 1
    my_due_soon: int = 1
    all_actions: int = 5
    open_actions: int = 4
    rag_counts: tuple[tuple[Rag | None, int], ...] = (
        (Rag.RED, 1),
        (Rag.AMBER, 1),
        (Rag.GREEN, 2),
        (None, 1),
    )
    objectives_on_home: int = 5  # the closed one and the workstream are left out
    meetings: int = 2
    papers: int = 2


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), LONDON)


def fill_board(ctx: ServiceContext, today: date) -> BoardFacts:
    orgs = {}
    for code, name in (
        ("HC", "Hertfordshire Constabulary"),
        ("HFRS", "Hertfordshire Fire and Rescue Service"),
        ("HCC", "Hertfordshire County Council"),
        ("OPCC", "Office of the Police and Crime Commissioner"),
    ):
        orgs[code] = crud.create(ctx.uow(), ORGANISATIONS, {"code": code, "name": name}).value.id
    me = crud.create(
        ctx.uow(), PEOPLE, {"name": ME, "role": "Chief of Staff", "organisation_id": orgs["HC"]}
    ).value.id
    other = crud.create(
        ctx.uow(), PEOPLE, {"name": "Sam Patel", "organisation_id": orgs["HFRS"]}
    ).value.id
    _events(ctx, today, orgs)
    _actions(ctx, today, me, other)
    _objectives(ctx, orgs)
    _meetings(ctx, today)
    return BoardFacts()


def _events(ctx: ServiceContext, today: date, orgs: dict[str, str]) -> None:
    tomorrow = today + timedelta(days=1)
    for summary, start, end, org in (
        ("Chief officers' briefing", _at(today, 9, 30), _at(today, 10, 30), "HC"),
        ("Drone unit exercise", _at(today, 14), _at(today, 16), "HFRS"),
        ("Estates review", _at(tomorrow, 9), _at(tomorrow, 10), "HCC"),
    ):
        crud.create(
            ctx.uow(),
            EVENTS,
            {"summary": summary, "start_utc": start, "end_utc": end, "organisation_id": orgs[org]},
        )


def _actions(ctx: ServiceContext, today: date, me: str, other: str) -> None:
    raised = today - timedelta(days=60)
    for text, owner, due, status in (
        ("Circulate the drone deployment protocol", me, today - timedelta(days=3), None),
        ("Report on joint training costs", me, today + timedelta(days=3), None),
        ("Draft the estates business case", me, today + timedelta(days=30), None),
        ("Close the old missing-person SOP", me, today - timedelta(days=10), ActionStatus.CLOSED),
        ("Book the fire HQ for the away day", other, today - timedelta(days=1), None),
    ):
        result = actions.raise_action(
            ctx.uow(),
            {"description": text, "owner_id": owner, "due_date": due, "raised_on": raised},
        )
        if status is not None:
            crud.update(ctx.uow(), ACTIONS, result.value.id, {"status": status})


def _objectives(ctx: ServiceContext, orgs: dict[str, str]) -> None:
    for title, stage, lead, rag in (
        ("Joint headquarters facility", "In delivery", "HC", Rag.AMBER),
        ("Shared drone unit", "Embedding", "HFRS", Rag.GREEN),
        ("Joint missing-person procedures", "In delivery", "HC", Rag.RED),
        ("Prevention first planning", "Scoping", "HCC", Rag.GREEN),
        ("Information sharing to safeguard", "Proposed", "OPCC", None),
        ("Old control room merger", "Closed", "HFRS", Rag.GREEN),
    ):
        obj = crud.create(
            ctx.uow(),
            OBJECTIVES,
            {"title": title, "stage": stage, "lead_organisation_id": orgs[lead]},
        ).value
        if rag is not None:
            objectives.set_rag(ctx.uow(), obj.id, {RagDimension.TIME: rag})
    crud.create(
        ctx.uow(),
        OBJECTIVES,
        {"title": "Estates workstream", "kind": ObjectiveKind.WORKSTREAM, "stage": "In delivery"},
    )


def _meetings(ctx: ServiceContext, today: date) -> None:
    room = crud.create(ctx.uow(), RESOURCES, {"name": "Executive suite boardroom", "kind": "room"})
    for n, offset in ((1, -30), (2, 30)):
        start = _at(today + timedelta(days=offset), 10)
        meeting = crud.create(
            ctx.uow(),
            MEETINGS,
            {
                "title": f"HESCB board meeting {n}",
                "start_utc": start,
                "end_utc": start + timedelta(hours=2),
                "venue_id": room.value.id,
            },
        ).value
        crud.create(
            ctx.uow(),
            PAPERS,
            {
                "title": f"Programme highlight report {n}",
                "reference": f"HESCB {n}/26",
                "ref_year": 2026,
                "ref_number": n,
                "meeting_id": meeting.id,
            },
        )
