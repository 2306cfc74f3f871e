"""The programme highlight report's data: one row per objective (read only)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from sqlalchemy import select

from hescb_desktop.domain import labels
from hescb_desktop.domain.enums import Marking, ObjectiveKind, Rag, RagDimension
from hescb_desktop.reports.content import HighlightContent, HighlightRow
from hescb_desktop.storage.models import Milestone, Objective, RagAssessment
from hescb_desktop.storage.uow import UnitOfWork

DIMENSIONS = (
    RagDimension.OVERALL,
    RagDimension.TIME,
    RagDimension.COST,
    RagDimension.SCOPE,
    RagDimension.RESOURCES,
)
_FIELD = {
    RagDimension.OVERALL: "rag_overall",
    RagDimension.TIME: "rag_time",
    RagDimension.COST: "rag_cost",
    RagDimension.SCOPE: "rag_scope",
    RagDimension.RESOURCES: "rag_resources",
}


def highlight_content(
    uow: UnitOfWork,
    *,
    board: str = "HESCB",
    as_of: date | None = None,
    since: date | None = None,
    allowed: Marking = Marking.OFFICIAL_SENSITIVE,
) -> HighlightContent:
    """The objectives (not workstreams) with their RAG now, the change since `since` (the
    previous report), the next open milestone and the path to green. Objectives marked above
    `allowed` are left out and counted."""
    with uow:
        return collect_highlight(uow, board=board, as_of=as_of, since=since, allowed=allowed)


def collect_highlight(
    uow: UnitOfWork,
    *,
    board: str = "HESCB",
    as_of: date | None = None,
    since: date | None = None,
    allowed: Marking = Marking.OFFICIAL_SENSITIVE,
) -> HighlightContent:
    """`highlight_content` inside a unit of work that is already open."""
    today = as_of or date.today()
    s = uow.session
    objectives = s.scalars(
        select(Objective)
        .where(Objective.deleted.is_(False), Objective.kind == ObjectiveKind.OBJECTIVE)
        .order_by(Objective.position, Objective.title, Objective.id)
    ).all()
    ids = [o.id for o in objectives]
    history: dict[tuple[str, RagDimension], list[tuple[date, str, Rag]]] = defaultdict(list)
    for a in s.scalars(
        select(RagAssessment).where(
            RagAssessment.deleted.is_(False), RagAssessment.objective_id.in_(ids)
        )
    ):
        history[(a.objective_id, a.dimension)].append((a.assessed_on, a.id, a.rating))
    milestones: dict[str, list[Milestone]] = defaultdict(list)
    for m in s.scalars(
        select(Milestone).where(
            Milestone.deleted.is_(False),
            Milestone.done.is_(False),
            Milestone.objective_id.in_(ids),
        )
    ):
        milestones[m.objective_id].append(m)
    rows: list[HighlightRow] = []
    left_out = 0
    for o in objectives:
        if o.marking.rank > allowed.rank:
            left_out += 1
            continue
        current = tuple(getattr(o, _FIELD[d]) for d in DIMENSIONS)
        rows.append(
            HighlightRow(
                title=o.title,
                stage=o.stage,
                rag=current,
                change=_change(o.id, current, history, since),
                next_milestone=_next_milestone(milestones[o.id]),
                path_to_green=o.path_to_green.strip()
                or ("On track." if current[0] is Rag.GREEN else ""),
                marking=o.marking,
            )
        )
    return HighlightContent(board, today, since, tuple(rows), left_out)


def _change(
    objective_id: str,
    current: tuple[Rag | None, ...],
    history: dict[tuple[str, RagDimension], list[tuple[date, str, Rag]]],
    since: date | None,
) -> str:
    if since is None:
        return ""
    changes = []
    rated_before = False
    for dim, now in zip(DIMENSIONS, current, strict=True):
        before = [h for h in history[(objective_id, dim)] if h[0] <= since]
        if not before:
            continue
        rated_before = True
        then = max(before)[2]
        if then is not now:
            now_text = now.value if now else "not rated"
            changes.append(f"{labels.RAG_DIMENSION[dim]} {then.value} → {now_text}")
    if not rated_before:
        return "No earlier rating"
    return "; ".join(changes) or "No change"


def _next_milestone(items: list[Milestone]) -> str:
    dated = sorted((m for m in items if m.due_date), key=lambda m: (m.due_date, m.title))
    if dated:
        m = dated[0]
        assert m.due_date is not None
        return f"{m.title} · {m.due_date:%d %b %Y}"
    return items[0].title if items else ""
