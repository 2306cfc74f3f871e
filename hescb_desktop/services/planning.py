"""One objective in full: its fields, RAG, milestones, dependencies, risks and what links to it.

Bad input is refused with a ValidationError (a RAG override without a reason, a dependency that
would close a cycle, a risk scored outside 1-5); a milestone after the target date is saved
with a warning the caller shows.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from typing import Any, Generic, TypeVar

from sqlalchemy import select

from hescb_desktop.domain.board import creates_cycle, milestone_warning
from hescb_desktop.domain.dto import (
    ActionDTO,
    DecisionDTO,
    MilestoneDTO,
    ObjectiveDependencyDTO,
    ObjectiveDTO,
    OpportunityDTO,
    PaperDTO,
    RagAssessmentDTO,
    RiskDTO,
)
from hescb_desktop.domain.enums import Rag, RagDimension
from hescb_desktop.domain.errors import ValidationError
from hescb_desktop.domain.permissions import Kind, Operation
from hescb_desktop.services import board, crud, objectives
from hescb_desktop.services.crud import EntitySpec
from hescb_desktop.services.entities import (
    ACTIONS,
    DECISIONS,
    DEPENDENCIES,
    MILESTONES,
    OBJECTIVES,
    OPPORTUNITIES,
    PAPERS,
    RAG_ASSESSMENTS,
    RISKS,
)
from hescb_desktop.services.results import Result, changes_of
from hescb_desktop.services.user_names import user_names
from hescb_desktop.storage.models import (
    Action,
    AgendaItem,
    Decision,
    Milestone,
    Objective,
    ObjectiveDependency,
    Opportunity,
    Paper,
    RagAssessment,
    Risk,
)
from hescb_desktop.storage.uow import UnitOfWork

T = TypeVar("T")


@dataclass(frozen=True)
class Saved(Generic[T]):
    """A saved row with any warnings the user should see (saving went ahead)."""

    value: T
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class ObjectiveDetail:
    objective: ObjectiveDTO
    rag_history: tuple[RagAssessmentDTO, ...]  # newest first
    milestones: tuple[MilestoneDTO, ...]
    depends_on: tuple[tuple[ObjectiveDependencyDTO, str], ...]  # with the other's title
    needed_by: tuple[tuple[ObjectiveDependencyDTO, str], ...]
    risks: tuple[RiskDTO, ...]
    actions: tuple[ActionDTO, ...]
    papers: tuple[PaperDTO, ...]
    decisions: tuple[DecisionDTO, ...]
    opportunities: tuple[OpportunityDTO, ...]


# ------------------------------------------------------------------ reading
def objective_detail(uow: UnitOfWork, objective_id: str) -> ObjectiveDetail:
    with uow:
        s = uow.session
        obj = OBJECTIVES.to_dto(crud.load(s, OBJECTIVES, objective_id))
        name = user_names(s)
        return ObjectiveDetail(
            obj,
            tuple(
                replace(h, created_by=name(h.created_by))
                for h in _rows(
                    uow,
                    RAG_ASSESSMENTS,
                    RagAssessment.objective_id == objective_id,
                    (RagAssessment.assessed_on.desc(), RagAssessment.id.desc()),
                )
            ),
            _rows(
                uow,
                MILESTONES,
                Milestone.objective_id == objective_id,
                (Milestone.due_date.is_(None), Milestone.due_date, Milestone.id),
            ),
            _dependencies(uow, ObjectiveDependency.objective_id, objective_id, "depends_on_id"),
            _dependencies(uow, ObjectiveDependency.depends_on_id, objective_id, "objective_id"),
            _rows(uow, RISKS, Risk.objective_id == objective_id, (Risk.id,)),
            _rows(uow, ACTIONS, Action.objective_id == objective_id, (Action.reference,)),
            _papers(uow, objective_id),
            _rows(uow, DECISIONS, Decision.objective_id == objective_id, (Decision.id,)),
            _rows(uow, OPPORTUNITIES, Opportunity.objective_id == objective_id, (Opportunity.id,)),
        )


def _rows(uow: UnitOfWork, spec: Any, where: Any, order: tuple[Any, ...]) -> tuple[Any, ...]:
    stmt = select(spec.model).where(spec.model.deleted.is_(False), where).order_by(*order)
    return tuple(spec.to_dto(r) for r in uow.session.scalars(stmt))


def _dependencies(
    uow: UnitOfWork, column: Any, objective_id: str, other: str
) -> tuple[tuple[ObjectiveDependencyDTO, str], ...]:
    out = []
    stmt = select(ObjectiveDependency).where(
        ObjectiveDependency.deleted.is_(False), column == objective_id
    )
    for dep in uow.session.scalars(stmt):
        target = uow.session.get(Objective, getattr(dep, other))
        if target is not None and not target.deleted:
            out.append((DEPENDENCIES.to_dto(dep), target.title))
    return tuple(sorted(out, key=lambda pair: pair[1].casefold()))


def _papers(uow: UnitOfWork, objective_id: str) -> tuple[PaperDTO, ...]:
    """Papers linked through an agenda item about the objective."""
    stmt = (
        select(Paper)
        .join(AgendaItem, AgendaItem.paper_id == Paper.id)
        .where(
            AgendaItem.objective_id == objective_id,
            AgendaItem.deleted.is_(False),
            Paper.deleted.is_(False),
        )
        .order_by(Paper.ref_year, Paper.ref_number)
        .distinct()
    )
    return tuple(PAPERS.to_dto(p) for p in uow.session.scalars(stmt))


def all_dependencies(uow: UnitOfWork) -> tuple[ObjectiveDependencyDTO, ...]:
    with uow:
        stmt = select(ObjectiveDependency).where(ObjectiveDependency.deleted.is_(False))
        return tuple(DEPENDENCIES.to_dto(d) for d in uow.session.scalars(stmt))


def all_milestones(uow: UnitOfWork) -> tuple[MilestoneDTO, ...]:
    with uow:
        stmt = (
            select(Milestone)
            .where(Milestone.deleted.is_(False))
            .order_by(Milestone.due_date, Milestone.id)
        )
        return tuple(MILESTONES.to_dto(m) for m in uow.session.scalars(stmt))


# ------------------------------------------------------------------ the objective itself
def create_objective(uow: UnitOfWork, title: str, stage: str | None = None) -> Result[ObjectiveDTO]:
    """A new objective at the bottom of `stage` (the board's first stage by default)."""
    uow.require(Operation.CREATE, Kind.PLAN)
    with uow:
        stages = [s.name for s in board.stage_rows(uow)]
        chosen = stage or (stages[0] if stages else "Proposed")
        if chosen not in stages:
            raise ValidationError(f'there is no stage "{chosen}" on the board')
        column = board.column_positions(uow, chosen)
        bottom = max((p for p, _ in column), default=0.0) + 1.0
        obj = crud.add(uow, OBJECTIVES, {"title": title, "stage": chosen, "position": bottom})
        dto = OBJECTIVES.to_dto(obj)
        uow.commit()
    return Result(dto, changes_of(uow, (dto.id,)))


EDITABLE = frozenset(
    {
        "title",
        "description",
        "theme",
        "benefits",
        "lead_organisation_id",
        "partner_codes",
        "sro_id",
        "start_date",
        "target_date",
        "path_to_green",
        "marking",
        "parent_id",
    }
)


def update_objective(
    uow: UnitOfWork, objective_id: str, values: Mapping[str, Any]
) -> Saved[Result[ObjectiveDTO]]:
    """Edit the plain fields (stage and RAG have their own services)."""
    uow.require(Operation.EDIT, Kind.PLAN)
    unknown = set(values) - EDITABLE
    if unknown:
        raise ValidationError(f"objective: {', '.join(sorted(unknown))} cannot be set here")
    start, target = values.get("start_date"), values.get("target_date")
    with uow:
        obj = crud.change(uow, OBJECTIVES, objective_id, values)
        if obj.start_date and obj.target_date and obj.target_date < obj.start_date:
            raise ValidationError("objective: the target date is before the start date")
        warnings = _late_milestones(uow, obj) if (start or target) else ()
        dto = OBJECTIVES.to_dto(obj)
        uow.commit()
    return Saved(Result(dto, changes_of(uow, (objective_id,))), warnings)


def _late_milestones(uow: UnitOfWork, obj: Objective) -> tuple[str, ...]:
    stmt = select(Milestone).where(Milestone.objective_id == obj.id, Milestone.deleted.is_(False))
    found = (
        milestone_warning(m.title, m.due_date, obj.target_date) for m in uow.session.scalars(stmt)
    )
    return tuple(w for w in found if w)


def set_rag(
    uow: UnitOfWork,
    objective_id: str,
    ratings: Mapping[RagDimension, Rag | None],
    *,
    override: Rag | None = None,
    reason: str = "",
    path_to_green: str | None = None,
    on: date | None = None,
) -> Result[ObjectiveDTO]:
    """Set the dimensions (the overall follows the worst) or override the overall, which
    needs a reason; the path to green is saved in the same action."""
    uow.require(Operation.EDIT, Kind.PLAN)
    if override is not None and not reason.strip():
        raise ValidationError("an overridden overall RAG needs a reason")
    result = objectives.set_rag(
        uow, objective_id, dict(ratings), reason=reason.strip(), override=override, on=on
    )
    if path_to_green is not None and path_to_green != result.value.path_to_green:
        result = crud.update(uow, OBJECTIVES, objective_id, {"path_to_green": path_to_green})
    return result


# ------------------------------------------------------------------ milestones
def save_milestone(
    uow: UnitOfWork, values: Mapping[str, Any], milestone_id: str | None = None
) -> Saved[Result[MilestoneDTO]]:
    """Add (no id) or change a milestone; a due date after the target date warns."""
    uow.require(Operation.EDIT, Kind.PLAN)
    fields = dict(values)
    if fields.get("done") is True and "done_on" not in fields:
        fields["done_on"] = date.today()
    if fields.get("done") is False:
        fields["done_on"] = None
    with uow:
        if milestone_id is None:
            row = crud.add(uow, MILESTONES, fields)
        else:
            row = crud.change(uow, MILESTONES, milestone_id, fields)
        obj = crud.load(uow.session, OBJECTIVES, row.objective_id)
        warning = milestone_warning(row.title, row.due_date, obj.target_date)
        dto = MILESTONES.to_dto(row)
        uow.commit()
    result = Result(dto, changes_of(uow, (dto.id,)))
    return Saved(result, (warning,) if warning else ())


# ------------------------------------------------------------------ dependencies
def add_dependency(
    uow: UnitOfWork, objective_id: str, depends_on_id: str
) -> Result[ObjectiveDependencyDTO]:
    """`objective_id` depends on `depends_on_id`; refused if that closes a cycle."""
    uow.require(Operation.EDIT, Kind.PLAN)
    with uow:
        s = uow.session
        mine = crud.load(s, OBJECTIVES, objective_id)
        crud.load(s, OBJECTIVES, depends_on_id)
        live = select(ObjectiveDependency.objective_id, ObjectiveDependency.depends_on_id).where(
            ObjectiveDependency.deleted.is_(False)
        )
        edges = [(a, b) for a, b in s.execute(live)]
        if (objective_id, depends_on_id) in edges:
            raise ValidationError("that dependency is already recorded")
        cycle = creates_cycle(edges, (objective_id, depends_on_id))
        if cycle is not None:
            titles = {
                o.id: o.title for o in s.scalars(select(Objective).where(Objective.id.in_(cycle)))
            }
            loop = " → ".join(f'"{titles.get(i, i)}"' for i in cycle)
            raise ValidationError(
                f'"{mine.title}" cannot depend on that: it would make a cycle ({loop})'
            )
        row = crud.add(
            uow, DEPENDENCIES, {"objective_id": objective_id, "depends_on_id": depends_on_id}
        )
        dto = DEPENDENCIES.to_dto(row)
        uow.commit()
    return Result(dto, changes_of(uow, (dto.id,)))


# ------------------------------------------------------------------ risks
def save_risk(
    uow: UnitOfWork, values: Mapping[str, Any], risk_id: str | None = None
) -> Result[RiskDTO]:
    uow.require(Operation.EDIT, Kind.PLAN)
    for key in ("likelihood", "impact"):
        if key in values and not (isinstance(values[key], int) and 1 <= values[key] <= 5):
            raise ValidationError(f"risk: {key} is scored 1 to 5")
    if risk_id is None:
        return crud.create(uow, RISKS, values)
    return crud.update(uow, RISKS, risk_id, values)


def _detail_spec(table: str, verb: str) -> EntitySpec[Any, Any]:
    specs: dict[str, EntitySpec[Any, Any]] = {s.table: s for s in (MILESTONES, DEPENDENCIES, RISKS)}
    if table not in specs:
        raise ValidationError(f"{table} rows are not {verb} here")
    return specs[table]


def remove(uow: UnitOfWork, table: str, row_id: str) -> Result[None]:
    """Tombstone a milestone, dependency or risk of an objective."""
    uow.require(Operation.DELETE, Kind.PLAN)
    return crud.delete(uow, _detail_spec(table, "removed"), row_id)
