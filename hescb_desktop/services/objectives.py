"""RAG ratings of objectives: per dimension, an overall never better than the worst dimension
unless overridden with a reason, and every change kept as history."""

from __future__ import annotations

from datetime import date

from hescb_desktop.domain.dto import ObjectiveDTO
from hescb_desktop.domain.enums import Rag, RagDimension
from hescb_desktop.domain.permissions import Kind, Operation
from hescb_desktop.domain.rules import overall_rag
from hescb_desktop.services import crud
from hescb_desktop.services.entities import OBJECTIVES, RAG_ASSESSMENTS
from hescb_desktop.services.results import Result, changes_of
from hescb_desktop.storage.models import Objective
from hescb_desktop.storage.uow import UnitOfWork

DIMENSIONS = (RagDimension.TIME, RagDimension.COST, RagDimension.SCOPE, RagDimension.RESOURCES)


def set_rag(
    uow: UnitOfWork,
    objective_id: str,
    ratings: dict[RagDimension, Rag | None],
    *,
    reason: str = "",
    override: Rag | None = None,
    on: date | None = None,
) -> Result[ObjectiveDTO]:
    """Change some dimensions (and optionally override the overall); history rows for each."""
    uow.require(Operation.EDIT, Kind.PLAN)
    when = on or date.today()
    with uow:
        obj = crud.load(uow.session, OBJECTIVES, objective_id)
        for dim, rating in ratings.items():
            if dim is RagDimension.OVERALL:
                raise ValueError("set the overall through `override`")
            if getattr(obj, f"rag_{dim.value}") != rating and rating is not None:
                _history(uow, objective_id, dim, rating, reason, when)
            setattr(obj, f"rag_{dim.value}", rating)
        _roll_up(uow, obj, override, reason, when)
        dto = OBJECTIVES.to_dto(obj)
        uow.commit()
    return Result(dto, changes_of(uow, (objective_id,)))


def _roll_up(
    uow: UnitOfWork, obj: Objective, override: Rag | None, reason: str, when: date
) -> None:
    dims = [getattr(obj, f"rag_{d.value}") for d in DIMENSIONS]
    overall = overall_rag(dims, override, reason)
    obj.rag_override_reason = reason if override is not None else ""
    if overall != obj.rag_overall and overall is not None:
        _history(uow, obj.id, RagDimension.OVERALL, overall, reason, when)
    obj.rag_overall = overall


def _history(
    uow: UnitOfWork, objective_id: str, dim: RagDimension, rating: Rag, reason: str, when: date
) -> None:
    crud.add(
        uow,
        RAG_ASSESSMENTS,
        {
            "objective_id": objective_id,
            "dimension": dim,
            "rating": rating,
            "reason": reason,
            "assessed_on": when,
        },
    )
