"""The Home page's summary: today's events, my open actions, the board's RAG summary."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from hescb_desktop.domain.enums import ActionStatus, ObjectiveKind, Rag
from hescb_desktop.storage.models import Action, Event, Objective, Organisation, Person
from hescb_desktop.storage.uow import UnitOfWork

LONDON = ZoneInfo("Europe/London")
OPEN_STATUSES = (
    ActionStatus.OPEN,
    ActionStatus.IN_PROGRESS,
    ActionStatus.COMPLETE,
    ActionStatus.DEFERRED,
)


@dataclass(frozen=True)
class EventRow:
    id: str
    summary: str
    start: datetime  # Europe/London wall clock
    end: datetime
    all_day: bool
    location: str
    organisation_code: str


@dataclass(frozen=True)
class ActionRow:
    id: str
    reference: str
    description: str
    owner: str
    due: date | None
    status: ActionStatus

    def overdue(self, today: date) -> bool:
        return self.due is not None and self.due < today


@dataclass(frozen=True)
class RagRow:
    id: str
    title: str
    stage: str
    rag: Rag | None
    lead_code: str


@dataclass(frozen=True)
class HomeSummary:
    today: date
    me: str
    events: tuple[EventRow, ...]
    my_actions: tuple[ActionRow, ...]
    objectives: tuple[RagRow, ...]
    rag_counts: dict[Rag | None, int]


def home_summary(uow: UnitOfWork, today: date, person_name: str) -> HomeSummary:
    with uow:
        codes = dict(uow.session.execute(select(Organisation.id, Organisation.code)).all())
        events = _events_on(uow, today, codes)
        actions = _open_actions_of(uow, person_name)
        objectives = _objectives(uow, codes)
    counts = Counter(o.rag for o in objectives)
    return HomeSummary(today, person_name, events, actions, objectives, dict(counts))


def _events_on(uow: UnitOfWork, day: date, codes: dict[str, str]) -> tuple[EventRow, ...]:
    start = datetime.combine(day, time(0), LONDON).astimezone(UTC)
    end = start + timedelta(days=1)
    stmt = (
        select(Event)
        .where(Event.deleted.is_(False), Event.start_utc < end, Event.end_utc > start)
        .order_by(Event.start_utc)
    )
    return tuple(
        EventRow(
            e.id,
            e.summary,
            e.start_utc.astimezone(LONDON),
            e.end_utc.astimezone(LONDON),
            e.all_day,
            e.location,
            codes.get(e.organisation_id or "", ""),
        )
        for e in uow.session.scalars(stmt)
    )


def _open_actions_of(uow: UnitOfWork, person_name: str) -> tuple[ActionRow, ...]:
    stmt = (
        select(Action, Person.name)
        .join(Person, Action.owner_id == Person.id)
        .where(
            Action.deleted.is_(False), Action.status.in_(OPEN_STATUSES), Person.name == person_name
        )
        .order_by(Action.due_date.is_(None), Action.due_date, Action.reference)
    )
    return tuple(
        ActionRow(
            a.id, a.reference, a.description, name, a.revised_due_date or a.due_date, a.status
        )
        for a, name in uow.session.execute(stmt).all()
    )


def _objectives(uow: UnitOfWork, codes: dict[str, str]) -> tuple[RagRow, ...]:
    stmt = (
        select(Objective)
        .where(
            Objective.deleted.is_(False),
            Objective.kind == ObjectiveKind.OBJECTIVE,
            Objective.stage != "Closed",
        )
        .order_by(Objective.stage, Objective.position, Objective.title)
    )
    return tuple(
        RagRow(o.id, o.title, o.stage, o.rag_overall, codes.get(o.lead_organisation_id or "", ""))
        for o in uow.session.scalars(stmt)
    )
