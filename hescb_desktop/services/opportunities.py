"""The collaboration opportunities register (Policing and Crime Act 2017, s.2): each
opportunity considered, who raised it and when, the assessment, and what became of it: an
objective on the board (which links back) or declined with a reason."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select

from hescb_desktop.domain.dto import ObjectiveDTO, OpportunityDTO
from hescb_desktop.domain.enums import OpportunityOutcome
from hescb_desktop.domain.errors import ValidationError
from hescb_desktop.domain.permissions import Kind, Operation
from hescb_desktop.services import crud
from hescb_desktop.services.board import stage_rows
from hescb_desktop.services.entities import OBJECTIVES, OPPORTUNITIES
from hescb_desktop.services.results import Result, changes_of
from hescb_desktop.storage.models import Objective, Opportunity, Person
from hescb_desktop.storage.uow import UnitOfWork


@dataclass(frozen=True)
class OpportunityRow:
    opportunity: OpportunityDTO
    raised_by: str
    objective_title: str


def register(uow: UnitOfWork) -> tuple[OpportunityRow, ...]:
    """Every live opportunity, newest raised first."""
    with uow:
        s = uow.session
        people = dict(s.execute(select(Person.id, Person.name)).all())
        titles = dict(s.execute(select(Objective.id, Objective.title)).all())
        stmt = (
            select(Opportunity)
            .where(Opportunity.deleted.is_(False))
            .order_by(Opportunity.raised_on.desc(), Opportunity.id)
        )
        return tuple(
            OpportunityRow(
                OPPORTUNITIES.to_dto(o),
                people.get(o.raised_by_id or "", ""),
                titles.get(o.objective_id or "", ""),
            )
            for o in s.scalars(stmt)
        )


def raise_opportunity(uow: UnitOfWork, values: Mapping[str, Any]) -> Result[OpportunityDTO]:
    uow.require(Operation.CREATE, Kind.PLAN)
    fields = {"raised_on": date.today(), **values}
    fields.pop("outcome", None)  # an opportunity starts under review
    return crud.create(uow, OPPORTUNITIES, fields)


def assess(uow: UnitOfWork, opportunity_id: str, assessment: str) -> Result[OpportunityDTO]:
    uow.require(Operation.EDIT, Kind.PLAN)
    return crud.update(uow, OPPORTUNITIES, opportunity_id, {"assessment": assessment})


def decline(uow: UnitOfWork, opportunity_id: str, reason: str) -> Result[OpportunityDTO]:
    uow.require(Operation.EDIT, Kind.PLAN)
    if not reason.strip():
        raise ValidationError("declining an opportunity needs a reason (the register is evidence)")
    return crud.update(
        uow,
        OPPORTUNITIES,
        opportunity_id,
        {"outcome": OpportunityOutcome.DECLINED, "outcome_reason": reason, "objective_id": None},
    )


def adopt(
    uow: UnitOfWork, opportunity_id: str, objective_values: Mapping[str, Any] | None = None
) -> Result[tuple[OpportunityDTO, ObjectiveDTO]]:
    """The opportunity becomes an objective in the board's first stage, linked both ways."""
    uow.require(Operation.EDIT, Kind.PLAN)
    with uow:
        opp = crud.load(uow.session, OPPORTUNITIES, opportunity_id)
        if opp.outcome is OpportunityOutcome.ADOPTED and opp.objective_id:
            raise ValidationError("that opportunity is already an objective on the board")
        stages = stage_rows(uow)
        fields: dict[str, Any] = {
            "title": opp.title,
            "description": opp.description,
            "stage": stages[0].name if stages else "Proposed",
            "marking": opp.marking,
            **(objective_values or {}),
        }
        fields["position"] = _bottom(uow, str(fields["stage"]))
        obj = crud.add(uow, OBJECTIVES, fields)
        opp.outcome = OpportunityOutcome.ADOPTED
        opp.objective_id = obj.id
        opp.outcome_reason = ""
        uow.session.flush()
        pair = (OPPORTUNITIES.to_dto(opp), OBJECTIVES.to_dto(obj))
        uow.commit()
    return Result(pair, changes_of(uow, (opportunity_id, pair[1].id)))


def _bottom(uow: UnitOfWork, stage: str) -> float:
    stmt = select(Objective.position).where(Objective.stage == stage, Objective.deleted.is_(False))
    return max(uow.session.scalars(stmt), default=0.0) + 1.0
