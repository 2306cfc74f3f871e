"""The Home page's summary: today's events, my open actions, the board's RAG summary."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from hescb_desktop.domain.board import CLOSED_STAGE_ID
from hescb_desktop.domain.enums import ActionStatus, ObjectiveKind, Rag
from hescb_desktop.domain.rules import action_due_soon, action_overdue
from hescb_desktop.services.calendar import Viewer, day_occurrences
from hescb_desktop.storage.models import Action, BoardStage, Objective, Organisation, Person
from hescb_desktop.storage.uow import UnitOfWork

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
        return action_overdue(self.status, self.due, today)

    def due_soon(self, today: date) -> bool:
        return action_due_soon(self.status, self.due, today)


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
        events = _events_on(uow, today, person_name)
        actions = _open_actions_of(uow, person_name)
        objectives = _objectives(uow, codes)
    counts = Counter(o.rag for o in objectives)
    return HomeSummary(today, person_name, events, actions, objectives, dict(counts))


def _events_on(uow: UnitOfWork, day: date, person_name: str) -> tuple[EventRow, ...]:
    """The day's occurrences, series expanded (issue 5's calendar service, in this unit of work);
    other people's busy-only events show as "Busy" and their private ones not at all."""
    viewer = Viewer(_person_id(uow, person_name))
    return tuple(
        EventRow(o.event_id, o.summary, o.start, o.end, o.all_day, o.location, o.organisation_code)
        for o in day_occurrences(uow, day, viewer)
    )


def _person_id(uow: UnitOfWork, name: str) -> str | None:
    return uow.session.scalars(
        select(Person.id).where(Person.deleted.is_(False), Person.name == name)
    ).first()


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
    """Live objectives not in the closed stage: the seeded Closed stage (its fixed id), whatever
    it is called now. If that stage has been deleted, no stage counts as closed."""
    closed = select(BoardStage.name).where(
        BoardStage.id == CLOSED_STAGE_ID, BoardStage.deleted.is_(False)
    )
    stmt = (
        select(Objective)
        .where(
            Objective.deleted.is_(False),
            Objective.kind == ObjectiveKind.OBJECTIVE,
            Objective.stage.not_in(closed),
        )
        .order_by(Objective.stage, Objective.position, Objective.title)
    )
    return tuple(
        RagRow(o.id, o.title, o.stage, o.rag_overall, codes.get(o.lead_organisation_id or "", ""))
        for o in uow.session.scalars(stmt)
    )
