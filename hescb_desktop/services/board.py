"""The planning board: its stages (configurable columns), the cards, and moving cards.

Objectives and their workstreams are both cards (a workstream names its objective).

Order within a column is a fractional `position`, ties broken by id, so every PC sorts the same
cards the same way. A move writes the card's stage and position together (one field group): two
PCs moving the same card offline leave it wholly where the later move put it.
"""

from __future__ import annotations

import csv
import io
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from hescb_desktop.domain import labels
from hescb_desktop.domain.board import BoardCard, position_between, renumbered
from hescb_desktop.domain.csv_text import excel_text
from hescb_desktop.domain.dto import BoardStageDTO
from hescb_desktop.domain.enums import ObjectiveKind, Rag
from hescb_desktop.domain.errors import ValidationError
from hescb_desktop.domain.permissions import Kind, Operation
from hescb_desktop.services import crud
from hescb_desktop.services.entities import BOARD_STAGES, OBJECTIVES
from hescb_desktop.services.home import OPEN_STATUSES
from hescb_desktop.services.results import Result, changes_of
from hescb_desktop.storage.models import (
    Action,
    BoardStage,
    Milestone,
    Objective,
    Opportunity,
    Organisation,
    Person,
)
from hescb_desktop.storage.uow import UnitOfWork


@dataclass(frozen=True)
class Board:
    stages: tuple[BoardStageDTO, ...]
    cards: tuple[BoardCard, ...]

    @property
    def stage_names(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.stages)


# ------------------------------------------------------------------ reading
def load_board(uow: UnitOfWork, today: date) -> Board:
    with uow:
        stages = stage_rows(uow)
        cards = tuple(_cards(uow, today))
    return Board(stages, cards)


def list_stages(uow: UnitOfWork) -> tuple[BoardStageDTO, ...]:
    with uow:
        return stage_rows(uow)


def stage_rows(uow: UnitOfWork) -> tuple[BoardStageDTO, ...]:
    stmt = (
        select(BoardStage)
        .where(BoardStage.deleted.is_(False))
        .order_by(BoardStage.position, BoardStage.id)
    )
    return tuple(BOARD_STAGES.to_dto(s) for s in uow.session.scalars(stmt))


def _cards(uow: UnitOfWork, today: date) -> Iterable[BoardCard]:
    s = uow.session
    orgs = {o.id: o for o in s.scalars(select(Organisation))}
    people = dict(s.execute(select(Person.id, Person.name)).all())
    milestones = _next_milestones(uow)
    open_count, overdue = _action_counts(uow, today)
    linked = select(Opportunity.objective_id, Opportunity.title).where(
        Opportunity.deleted.is_(False), Opportunity.objective_id.is_not(None)
    )
    origin = {objective_id: title for objective_id, title in s.execute(linked)}
    rows = list(s.scalars(select(Objective).where(Objective.deleted.is_(False))))
    titles = {o.id: o.title for o in rows}
    for o in rows:
        lead = orgs.get(o.lead_organisation_id or "")
        ms_title, ms_date = milestones.get(o.id, ("", None))
        yield BoardCard(
            id=o.id,
            title=o.title,
            stage=o.stage,
            position=o.position,
            theme=o.theme,
            lead_code=lead.code if lead else "",
            lead_name=lead.name if lead else "",
            lead_colour=lead.colour if lead else "",
            partner_codes=_partners(o.partner_codes, lead.code if lead else ""),
            sro=people.get(o.sro_id or "", ""),
            rag=o.rag_overall,
            rag_time=o.rag_time,
            rag_cost=o.rag_cost,
            rag_scope=o.rag_scope,
            rag_resources=o.rag_resources,
            overridden=bool(o.rag_override_reason.strip()),
            path_to_green=o.path_to_green,
            start_date=o.start_date,
            target_date=o.target_date,
            next_milestone=ms_title,
            next_milestone_date=ms_date,
            open_actions=open_count[o.id],
            overdue_actions=overdue[o.id],
            marking=o.marking,
            opportunity=origin.get(o.id) or "",
            description=o.description,
            workstream_of=titles.get(o.parent_id or "", "") if o.parent_id else "",
            is_workstream=o.kind is ObjectiveKind.WORKSTREAM,
        )


def _partners(codes: str, lead: str) -> tuple[str, ...]:
    """ "HFRS, HCC" as ("HFRS", "HCC"): each once, in order, the lead left out."""
    out = dict.fromkeys(c.strip() for c in codes.split(",") if c.strip() and c.strip() != lead)
    return tuple(out)


def _next_milestones(uow: UnitOfWork) -> dict[str, tuple[str, date | None]]:
    """Each objective's next milestone: the earliest not done (undated ones last)."""
    stmt = (
        select(Milestone.objective_id, Milestone.title, Milestone.due_date)
        .where(Milestone.deleted.is_(False), Milestone.done.is_(False))
        .order_by(Milestone.due_date.is_(None), Milestone.due_date, Milestone.id)
    )
    out: dict[str, tuple[str, date | None]] = {}
    for objective_id, title, due in uow.session.execute(stmt):
        out.setdefault(objective_id, (title, due))
    return out


def _action_counts(uow: UnitOfWork, today: date) -> tuple[Counter[str], Counter[str]]:
    due = func.coalesce(Action.revised_due_date, Action.due_date)
    stmt = select(Action.objective_id, due).where(
        Action.deleted.is_(False),
        Action.objective_id.is_not(None),
        Action.status.in_(OPEN_STATUSES),
    )
    open_count: Counter[str] = Counter()
    overdue: Counter[str] = Counter()
    for objective_id, when in uow.session.execute(stmt):
        if objective_id is None:
            continue
        open_count[objective_id] += 1
        if when is not None and _as_date(when) < today:
            overdue[objective_id] += 1
    return open_count, overdue


def _as_date(value: object) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


# ------------------------------------------------------------------ moving cards
def move_card(
    uow: UnitOfWork,
    objective_id: str,
    stage: str,
    *,
    after_id: str | None = None,
    before_id: str | None = None,
) -> Result[tuple[str, float]]:
    """Put a card in `stage` between two neighbours as the user saw them (either may be None:
    top or bottom). Returns the card's new (stage, position)."""
    uow.require(Operation.EDIT, Kind.PLAN)
    with uow:
        _check_stage(uow, stage)
        obj = crud.load(uow.session, OBJECTIVES, objective_id)
        position = _position(uow, objective_id, stage, after_id, before_id)
        _place(obj, stage, position)
        uow.commit()
    return Result((stage, position), changes_of(uow, (objective_id,)))


def place_card(
    uow: UnitOfWork, objective_id: str, stage: str, position: float
) -> Result[tuple[str, float]]:
    """Put a card back exactly where it was (undo of a move)."""
    uow.require(Operation.EDIT, Kind.PLAN)
    with uow:
        obj = crud.load(uow.session, OBJECTIVES, objective_id)
        _place(obj, stage, position)
        uow.commit()
    return Result((stage, position), changes_of(uow, (objective_id,)))


def _place(obj: Objective, stage: str, position: float) -> None:
    if obj.stage != stage:
        obj.stage = stage
    if obj.position != position:
        obj.position = position


def _position(
    uow: UnitOfWork, moving: str, stage: str, after_id: str | None, before_id: str | None
) -> float:
    column = [(p, i) for p, i in column_positions(uow, stage) if i != moving]
    ids = [i for _, i in column]
    for neighbour in (after_id, before_id):
        if neighbour is not None and neighbour not in ids:
            raise ValidationError(f"card {neighbour} is not in the {stage} column")
    if after_id is None and before_id is None and column:
        after_id = ids[-1]  # no neighbours given: the bottom of the column
    pos = dict((i, p) for p, i in column)
    found = position_between(pos.get(after_id or ""), pos.get(before_id or ""))
    if found is not None:
        return found
    fresh = renumbered(ids)  # neighbours too close or equal: space the column out first
    for obj in uow.session.scalars(select(Objective).where(Objective.id.in_(ids))):
        if obj.position != fresh[obj.id]:
            obj.position = fresh[obj.id]
    again = position_between(fresh.get(after_id or ""), fresh.get(before_id or ""))
    assert again is not None
    return again


def column_positions(uow: UnitOfWork, stage: str) -> list[tuple[float, str]]:
    stmt = (
        select(Objective.position, Objective.id)
        .where(Objective.deleted.is_(False), Objective.stage == stage)
        .order_by(Objective.position, Objective.id)
    )
    return [(position, row_id) for position, row_id in uow.session.execute(stmt)]


def _check_stage(uow: UnitOfWork, stage: str) -> None:
    names = {s.name for s in stage_rows(uow)}
    if stage not in names:
        raise ValidationError(f'there is no stage "{stage}" on the board')


# ------------------------------------------------------------------ configuring stages
def add_stage(uow: UnitOfWork, name: str) -> Result[BoardStageDTO]:
    """A new column at the right-hand end."""
    uow.require(Operation.ADMINISTER, Kind.PLAN)
    with uow:
        clean = _new_name(uow, name)
        last = max((s.position for s in stage_rows(uow)), default=0.0)
        row = crud.add(uow, BOARD_STAGES, {"name": clean, "position": last + 1.0})
        dto = BOARD_STAGES.to_dto(row)
        uow.commit()
    return Result(dto, changes_of(uow, (dto.id,)))


def rename_stage(uow: UnitOfWork, stage_id: str, name: str) -> Result[BoardStageDTO]:
    """Rename a column; its cards move with it (the same unit of work)."""
    uow.require(Operation.ADMINISTER, Kind.PLAN)
    with uow:
        row = crud.load(uow.session, BOARD_STAGES, stage_id)
        clean = _new_name(uow, name, allow=row.name)
        old = row.name
        row.name = clean
        for obj in uow.session.scalars(select(Objective).where(Objective.stage == old)):
            obj.stage = clean
        dto = BOARD_STAGES.to_dto(row)
        uow.commit()
    return Result(dto, changes_of(uow, (stage_id,)))


def reorder_stages(uow: UnitOfWork, stage_ids: list[str]) -> Result[tuple[BoardStageDTO, ...]]:
    """Columns in the given order (every live stage, each once)."""
    uow.require(Operation.ADMINISTER, Kind.PLAN)
    with uow:
        current = {s.id for s in stage_rows(uow)}
        if sorted(stage_ids) != sorted(current):
            raise ValidationError("reordering stages needs every stage exactly once")
        for n, stage_id in enumerate(stage_ids, start=1):
            row = crud.load(uow.session, BOARD_STAGES, stage_id)
            if row.position != float(n):
                row.position = float(n)
        uow.session.flush()
        dtos = stage_rows(uow)
        uow.commit()
    return Result(dtos, changes_of(uow, tuple(stage_ids)))


def delete_stage(uow: UnitOfWork, stage_id: str) -> Result[None]:
    """Remove a column (a tombstone); refused while it still holds cards."""
    uow.require(Operation.ADMINISTER, Kind.PLAN)
    with uow:
        row = crud.load(uow.session, BOARD_STAGES, stage_id)
        held = len(column_positions(uow, row.name))
        if held:
            cards = "card" if held == 1 else "cards"
            raise ValidationError(
                f'the stage "{row.name}" still holds {held} {cards}: move them to another '
                "stage before deleting it"
            )
        if len(stage_rows(uow)) == 1:
            raise ValidationError("the board needs at least one stage")
        row.deleted = True
        uow.commit()
    return Result(None, changes_of(uow, (stage_id,)))


def _new_name(uow: UnitOfWork, name: str, allow: str = "") -> str:
    clean = " ".join(name.split())
    if not clean:
        raise ValidationError("a stage needs a name")
    if len(clean) > 60:
        raise ValidationError("a stage name is at most 60 characters")
    taken = {s.name.casefold() for s in stage_rows(uow)} - {allow.casefold()}
    if clean.casefold() in taken:
        raise ValidationError(f'there is already a stage called "{clean}"')
    return clean


# ------------------------------------------------------------------ CSV
CSV_COLUMNS = (
    "Title",
    "Stage",
    "Theme",
    "Lead",
    "Partners",
    "SRO",
    "Overall RAG",
    "Time",
    "Cost",
    "Scope",
    "Resources",
    "Override",
    "Path to green",
    "Start",
    "Target",
    "Next milestone",
    "Milestone date",
    "Open actions",
    "Overdue actions",
    "Marking",
)


def board_csv(cards: Iterable[BoardCard], stage_order: Iterable[str] = ()) -> str:
    """The cards as CSV (board order: stage, then position), every user string as typed: text
    starting = + - @ gets the apostrophe Excel hides (domain/csv_text.py). Whoever writes it to a
    file or stdout adds the BOM with `excel_csv_bytes`, as the action log does."""
    order = {name: n for n, name in enumerate(stage_order)}
    rows = sorted(cards, key=lambda c: (order.get(c.stage, len(order)), c.stage, c.sort_key()))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for c in rows:
        writer.writerow(_csv_row(c))
    return out.getvalue()


def _csv_row(c: BoardCard) -> list[str]:
    def rag(r: object) -> str:
        return labels.RAG[r] if isinstance(r, Rag) else ""

    def day(d: date | None) -> str:
        return d.isoformat() if d else ""

    return [
        excel_text(c.title),
        excel_text(c.stage),
        excel_text(c.theme),
        excel_text(c.lead_code),
        excel_text(",".join(c.partner_codes)),
        excel_text(c.sro),
        rag(c.rag),
        rag(c.rag_time),
        rag(c.rag_cost),
        rag(c.rag_scope),
        rag(c.rag_resources),
        "yes" if c.overridden else "",
        excel_text(c.path_to_green),
        day(c.start_date),
        day(c.target_date),
        excel_text(c.next_milestone),
        day(c.next_milestone_date),
        str(c.open_actions),
        str(c.overdue_actions),
        c.marking.value,
    ]


def group_by_stage(cards: Iterable[BoardCard]) -> dict[str, list[BoardCard]]:
    out: dict[str, list[BoardCard]] = defaultdict(list)
    for c in cards:
        out[c.stage].append(c)
    for column in out.values():
        column.sort(key=BoardCard.sort_key)
    return dict(out)
