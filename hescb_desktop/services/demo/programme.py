"""The collaboration programme: objectives and workstreams with stages, leads, SROs, RAG
history (through objectives.set_rag), milestones, risks, dependencies, and the register of
collaboration opportunities considered."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from hescb_desktop.domain.enums import Marking, ObjectiveKind, OpportunityOutcome, Rag, RagDimension
from hescb_desktop.services.demo import programme_data as data
from hescb_desktop.services.demo.base import Demo, ObjectiveInfo, add
from hescb_desktop.services.demo.writer import Writer
from hescb_desktop.services.entities import (
    DEPENDENCIES,
    MILESTONES,
    OBJECTIVES,
    OPPORTUNITIES,
    RISKS,
)
from hescb_desktop.services.objectives import DIMENSIONS, set_rag
from hescb_desktop.storage.uow import UnitOfWork

RAG_LETTERS = {"G": Rag.GREEN, "A": Rag.AMBER, "R": Rag.RED}
DECLINED = (
    "No saving or benefit to the public over the current arrangements.",
    "The partners' contracts do not end until after the planning period; revisit then.",
    "Legal advice: the powers needed are not available to both services.",
    "Considered with the Local Resilience Forum, which already provides it.",
)


@dataclass(frozen=True)
class RagPlan:
    objective_id: str
    quarters: tuple[str, ...]  # oldest first
    override: str


def build_programme(demo: Demo, w: Writer) -> None:
    plans: list[RagPlan] = []
    keys: dict[str, ObjectiveInfo] = {}
    for seed in data.PROGRAMME:
        keys[seed.key] = _curated(demo, w.uow, seed, keys, plans)
    for child, parent in data.DEPENDENCIES:
        add(w.uow, DEPENDENCIES, {"objective_id": keys[child].id, "depends_on_id": keys[parent].id})
    generated = _generated(demo, w.uow, plans)
    _opportunities(demo, w.uow, keys, generated)
    w.uow.session.flush()  # set_rag loads the objectives by id
    for plan in plans:
        _apply_rag(demo, w, plan)


# ------------------------------------------------------------------ objectives
def _curated(
    demo: Demo,
    uow: UnitOfWork,
    seed: data.ObjectiveSeed,
    keys: dict[str, ObjectiveInfo],
    plans: list[RagPlan],
) -> ObjectiveInfo:
    start = _offset(demo, seed.start)
    target = _offset(demo, seed.target)
    parent = keys[seed.parent] if seed.parent else None
    info = _objective(
        demo,
        uow,
        seed.title,
        seed.subject,
        seed.theme,
        seed.stage,
        seed.lead,
        seed.partners,
        seed.sro,
        (start, target),
        parent,
        benefits=seed.benefits,
        description=seed.description,
        sensitive=seed.sensitive,
        path=bool(seed.rag) and seed.rag[-1] != "GGGG",
    )
    for title, offset in seed.milestones:
        _milestone(demo, uow, info, title, demo.today + timedelta(days=offset))
    for text, likelihood, impact, mitigation in seed.risks:
        _risk(demo, uow, info, text, likelihood, impact, mitigation)
    if seed.rag:
        plans.append(RagPlan(info.id, seed.rag, seed.override))
    return info


def _objective(
    demo: Demo,
    uow: UnitOfWork,
    title: str,
    subject: str,
    theme: str,
    stage: str,
    lead: str,
    partners: tuple[str, ...],
    sro: str,
    dates: tuple[date | None, date | None],
    parent: ObjectiveInfo | None,
    *,
    benefits: str,
    description: str = "",
    sensitive: bool = False,
    path: bool = False,
) -> ObjectiveInfo:
    kind = ObjectiveKind.WORKSTREAM if parent else ObjectiveKind.OBJECTIVE
    oid = add(
        uow,
        OBJECTIVES,
        {
            "title": title,
            "kind": kind,
            "parent_id": parent.id if parent else None,
            "description": description or f"Deliver {subject} with the partners named.",
            "theme": theme,
            "stage": stage,
            "position": float(len(demo.objectives)),
            "lead_organisation_id": demo.orgs[lead],
            "partner_codes": ",".join(partners),
            "sro_id": demo.person(sro).id,
            "benefits": benefits,
            "start_date": dates[0],
            "target_date": dates[1],
            "path_to_green": demo.pick(data.PATHS_TO_GREEN) if path else "",
            "marking": Marking.OFFICIAL_SENSITIVE if sensitive else Marking.OFFICIAL,
        },
    )
    info = ObjectiveInfo(oid, title, subject, kind, theme, stage, lead, partners, sro, *dates)
    demo.objectives.append(info)
    return info


def _generated(demo: Demo, uow: UnitOfWork, plans: list[RagPlan]) -> list[ObjectiveInfo]:
    pool = list(data.OBJECTIVE_POOL) + [
        (f"Police and fire co-location in {area}", data.ESTATES, "HC", ("HFRS",))
        for area in data.AREAS
    ]
    span = (demo.last_day - demo.first_day).days
    previous: list[ObjectiveInfo] = []
    for i in range(demo.scale.generated_objectives):
        title, theme, lead, partners = pool[i % len(pool)]
        title += f" (phase {i // len(pool) + 1})" if i >= len(pool) else ""
        later = demo.rng.random() ** 0.6  # more of the programme is recent than old
        start = demo.first_day + timedelta(days=int(later * max(span - 240, 1)))
        target = start + timedelta(days=demo.between(400, 1000))
        obj = _one_generated(demo, uow, title, theme, lead, partners, (start, target), None, plans)
        if previous and demo.chance(0.33):
            add(
                uow, DEPENDENCIES, {"objective_id": obj.id, "depends_on_id": demo.pick(previous).id}
            )
        previous.append(obj)
        for phase in demo.rng.sample(data.PHASES, demo.scale.workstreams_each):
            room = max((target - start).days - 150, 1)
            ws_start = start + timedelta(days=demo.between(0, room))
            ws_target = ws_start + timedelta(days=demo.between(150, 500))
            name = f"{title}: {phase.format(area=demo.pick(data.AREAS))}"
            _one_generated(
                demo, uow, name, theme, lead, partners, (ws_start, ws_target), obj, plans
            )
    return previous


def _one_generated(
    demo: Demo,
    uow: UnitOfWork,
    title: str,
    theme: str,
    lead: str,
    partners: tuple[str, ...],
    dates: tuple[date, date],
    parent: ObjectiveInfo | None,
    plans: list[RagPlan],
) -> ObjectiveInfo:
    stage = _stage(demo, *dates)
    quarters = _random_rag(demo, stage, dates[0])
    subject = "the " + title[0].lower() + title[1:]
    sro = demo.pick(demo.staff_of(lead)).key
    benefits = (
        "police,fire" if "HC" in (lead, *partners) and "HFRS" in (lead, *partners) else "public"
    )
    info = _objective(
        demo,
        uow,
        title,
        subject,
        theme,
        stage,
        lead,
        partners,
        sro,
        dates,
        parent,
        benefits=benefits,
        path=bool(quarters) and quarters[-1] != "GGGG",
    )
    if parent is None:
        for _ in range(demo.between(1, 2)):
            text, likelihood, impact, mitigation = demo.pick(data.RISK_POOL)
            _risk(demo, uow, info, text.format(s=subject), likelihood, impact, mitigation)
    for n in range(demo.between(2, 4)):
        due = dates[0] + (dates[1] - dates[0]) * (n + 1) // 4
        _milestone(demo, uow, info, demo.pick(_MILESTONE_NAMES).capitalize(), due)
    if quarters:
        plans.append(RagPlan(info.id, quarters, ""))
    return info


_MILESTONE_NAMES = (
    "project initiation document",
    "business case approved",
    "supplier appointed",
    "pilot complete",
    "staff consultation closed",
    "go-live",
    "benefits review",
    "equality impact assessment",
    "data protection impact assessment",
)


def _stage(demo: Demo, start: date, target: date) -> str:
    today = demo.today
    if start > today:
        return "Proposed"
    if target < today - timedelta(days=120):
        return "Closed"
    if target < today:
        return "Embedding"
    return "Scoping" if start > today - timedelta(days=60) else "In delivery"


def _random_rag(demo: Demo, stage: str, start: date) -> tuple[str, ...]:
    if stage == "Proposed":
        return ()
    count = max(1, min(3, (demo.today - start).days // 91))
    current = ["G", "G", "G", "G"]
    quarters = []
    for _ in range(count):
        for i in range(4):
            if demo.chance(0.2):
                current[i] = demo.pick(("G", "A") if current[i] == "G" else ("G", "A", "R"))
        quarters.append("".join(current))
    if stage == "Closed":
        quarters[-1] = "GGGG"
    return tuple(quarters)


def _apply_rag(demo: Demo, w: Writer, plan: RagPlan) -> None:
    for q, code in enumerate(plan.quarters):
        last = q == len(plan.quarters) - 1
        on = demo.today - timedelta(days=91 * (len(plan.quarters) - 1 - q) + 7)
        ratings: dict[RagDimension, Rag | None] = {
            dim: RAG_LETTERS[c] for dim, c in zip(DIMENSIONS, code, strict=True)
        }
        worst = "R" if "R" in code else "A" if "A" in code else "G"
        override = Rag.AMBER if last and plan.override else None
        reason = plan.override if override else data.RAG_REASONS[worst]
        set_rag(w.joined(), plan.objective_id, ratings, reason=reason, override=override, on=on)


# ------------------------------------------------------------------ milestones, risks
def _milestone(demo: Demo, uow: UnitOfWork, obj: ObjectiveInfo, title: str, due: date) -> None:
    done = due < demo.today and (obj.stage in ("Closed", "Embedding") or demo.chance(0.85))
    done_on = min(due + timedelta(days=demo.between(-10, 10)), demo.today) if done else None
    add(
        uow,
        MILESTONES,
        {
            "objective_id": obj.id,
            "title": title,
            "due_date": due,
            "owner_id": demo.person(obj.sro).id,
            "done": done,
            "done_on": done_on,
        },
    )


def _risk(
    demo: Demo,
    uow: UnitOfWork,
    obj: ObjectiveInfo,
    text: str,
    likelihood: int,
    impact: int,
    mitigation: str,
) -> None:
    add(
        uow,
        RISKS,
        {
            "objective_id": obj.id,
            "description": text,
            "likelihood": likelihood,
            "impact": impact,
            "owner_id": demo.person(obj.sro).id,
            "mitigation": mitigation,
            "marking": Marking.OFFICIAL_SENSITIVE if impact >= 4 else Marking.OFFICIAL,
        },
    )


def _offset(demo: Demo, days: int | None) -> date | None:
    return None if days is None else demo.today + timedelta(days=days)


# ------------------------------------------------------------------ opportunities
def _opportunities(
    demo: Demo, uow: UnitOfWork, keys: dict[str, ObjectiveInfo], generated: list[ObjectiveInfo]
) -> None:
    for title, description, raiser, offset, outcome, note, adopted in data.OPPORTUNITIES:
        raised = demo.today + timedelta(days=offset)
        target = keys[adopted].id if adopted else None
        _opportunity(demo, uow, (title, description, raiser, raised), outcome, note, target)
    span = max((demo.today - demo.first_day).days, 1)
    outcomes = ("adopted", "declined", "under_review")
    for i in range(demo.scale.extra_opportunities):
        outcome = outcomes[i % 3] if generated else outcomes[1 + i % 2]
        base = demo.pick(data.OBJECTIVE_POOL)[0]
        title = f"{base} ({demo.pick(data.AREAS)} proposal)"
        raised = demo.today - timedelta(days=demo.between(1, span))
        target = demo.pick(generated).id if outcome == "adopted" else None
        note = demo.pick(DECLINED) if outcome == "declined" else ""
        raiser = demo.pick(list(demo.people))
        _opportunity(
            demo, uow, (title, f"Proposal: {base.lower()}.", raiser, raised), outcome, note, target
        )


def _opportunity(
    demo: Demo,
    uow: UnitOfWork,
    what: tuple[str, str, str, date],
    outcome: str,
    note: str,
    objective_id: str | None,
) -> None:
    title, description, raiser, raised = what
    declined = outcome == OpportunityOutcome.DECLINED
    add(
        uow,
        OPPORTUNITIES,
        {
            "title": title,
            "description": description,
            "raised_by_id": demo.person(raiser).id,
            "raised_on": raised,
            "outcome": OpportunityOutcome(outcome),
            "assessment": "Assessed by the programme team." if declined else note or "Under way.",
            "outcome_reason": note if declined else "",
            "objective_id": objective_id,
        },
    )
