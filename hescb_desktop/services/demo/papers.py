"""Board reports: which reports a meeting takes, and the text of each paper (header fields,
recommendations and the numbered sections board reports follow)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from hescb_desktop.domain.enums import Part, Purpose
from hescb_desktop.services.demo import programme_data as data
from hescb_desktop.services.demo.base import Demo, ObjectiveInfo, PersonInfo

# kind: (title suffix, purpose, what the Board is asked to do: "That the Board ...")
KINDS: dict[str, tuple[str, Purpose, str]] = {
    "scoping": (
        "scoping report",
        Purpose.DISCUSSION,
        "notes the proposed scope of {s} and asks officers to develop options",
    ),
    "options": (
        "options appraisal",
        Purpose.DECISION,
        "agrees the preferred option for {s} and asks for an outline business case",
    ),
    "obc": (
        "outline business case",
        Purpose.DECISION,
        "approves the outline business case for {s} and asks for a full business case",
    ),
    "fbc": (
        "full business case",
        Purpose.DECISION,
        "approves the full business case for {s} and the budget it sets out",
    ),
    "progress": ("progress report", Purpose.NOTING, "notes progress on {s}"),
    "closure": (
        "closure report",
        Purpose.DECISION,
        "agrees to close {s} as a project and hand it over to business as usual",
    ),
    "benefits": (
        "benefits realisation review",
        Purpose.NOTING,
        "notes the benefits realised by {s}",
    ),
    "commercial": (
        "commercial update",
        Purpose.DECISION,
        "agrees the negotiating mandate for {s} set out in the exempt report",
    ),
}
STANDING: dict[str, tuple[str, Purpose, str]] = {
    "highlight": (
        "Collaboration programme highlight report",
        Purpose.NOTING,
        "notes the progress and RAG status of the collaboration programme",
    ),
    "budget": (
        "Collaboration budget monitoring",
        Purpose.NOTING,
        "notes the forecast outturn of the collaboration budget",
    ),
    "register": (
        "Collaboration opportunities register: annual review",
        Purpose.DECISION,
        "agrees the annual review of the register of collaboration opportunities "
        "considered under the Policing and Crime Act 2017",
    ),
    "risks": (
        "Programme risk register",
        Purpose.NOTING,
        "notes the programme risk register and the risks escalated to it",
    ),
}
EQUALITY = ("an equality impact assessment is attached", "screening found no adverse impact")
AUTHOR_BY_THEME = {
    data.ESTATES: "estates",
    data.TRAINING: "training",
    data.OPERATIONS: "drone",
    data.MISPERS: "dsupt",
    data.PREVENTION: "acfo",
    data.SAFEGUARDING: "infogov",
    data.CORPORATE: "progmgr",
}


@dataclass(frozen=True)
class ReportPlan:
    title: str
    kind: str
    subject: str
    purpose: Purpose
    part: Part
    sensitive: bool
    presenter: PersonInfo
    author: PersonInfo
    objective: ObjectiveInfo | None
    ask: str  # "notes progress on the shared drone unit"

    @property
    def section(self) -> str:
        if self.part is Part.PART_II:
            return "Exclusion of press and public"
        return "Reports for decision" if self.purpose is Purpose.DECISION else "Reports to note"


def plan_reports(
    demo: Demo, body_code: str, themes: tuple[str, ...], day: date, index: int, chair: str
) -> list[ReportPlan]:
    """The reports a meeting takes: standing ones, then reports on the objectives it oversees."""
    wanted = demo.between(*demo.scale.reports)
    plans = _standing(demo, body_code, index, chair)
    candidates = [
        o for o in demo.objectives if _active(o, day) and (not themes or o.theme in themes)
    ]
    if body_code == "HESCB":
        top = [o for o in candidates if o.kind.value == "objective"]
        candidates = top if len(top) >= wanted else candidates
    for obj in demo.rng.sample(candidates, min(len(candidates), max(wanted - len(plans), 0))):
        plans.append(_objective_report(demo, obj, _kind(obj, day)))
    live = [o for o in candidates if _kind(o, day) in ("options", "obc", "fbc", "progress")]
    if index % 3 == 2 and live:
        plans.append(_objective_report(demo, demo.pick(live), "commercial"))
    return plans


def _standing(demo: Demo, body_code: str, index: int, chair: str) -> list[ReportPlan]:
    if body_code != "HESCB":
        chair_person, me = demo.person(chair), demo.person("progmgr")
        plans = [
            _plan(
                f"{body_code} highlight report",
                "highlight",
                "the sub-group's work",
                Purpose.NOTING,
                chair_person,
                me,
                None,
                "notes the sub-group's highlight report",
            )
        ]
        if index % 2:
            plans.append(
                _plan(
                    f"{body_code} risk and issues log",
                    "risks",
                    "the sub-group's risks",
                    Purpose.NOTING,
                    chair_person,
                    me,
                    None,
                    "notes the risk and issues log",
                )
            )
        return plans
    kinds = ["highlight"] + ["budget"] * (index % 2) + ["risks"] * (index % 3 == 1)
    kinds += ["register"] * (index % 7 == 3)
    sponsors = {
        "highlight": ("dcc", "progmgr"),
        "budget": ("opcc_cfo", "opcc_cfo"),
        "risks": ("dcc", "progmgr"),
        "register": ("opcc_ce", "policy"),
    }
    out = []
    for kind in kinds:
        title, purpose, ask = STANDING[kind]
        sponsor, author = sponsors[kind]
        out.append(
            _plan(
                title,
                kind,
                "the collaboration programme",
                purpose,
                demo.person(sponsor),
                demo.person(author),
                None,
                ask,
            )
        )
    return out


def _objective_report(demo: Demo, obj: ObjectiveInfo, kind: str) -> ReportPlan:
    suffix, purpose, ask = KINDS[kind]
    author_key = AUTHOR_BY_THEME.get(obj.theme, "progmgr")
    author = demo.person(author_key)
    if demo.scale.extra_people and demo.chance(0.4):
        author = demo.pick(
            [p for p in demo.staff_of(obj.lead) if p.key.startswith("x")] or [author]
        )
    plan = _plan(
        f"{obj.title}: {suffix}",
        kind,
        obj.subject,
        purpose,
        demo.person(obj.sro),
        author,
        obj,
        ask.format(s=obj.subject),
    )
    if kind == "commercial":
        return replace(plan, part=Part.PART_II, sensitive=True)
    sensitive = (kind in ("fbc", "obc") and demo.chance(0.3)) or obj.theme == data.MISPERS
    return replace(plan, sensitive=sensitive)


def _plan(
    title: str,
    kind: str,
    subject: str,
    purpose: Purpose,
    presenter: PersonInfo,
    author: PersonInfo,
    obj: ObjectiveInfo | None,
    ask: str,
) -> ReportPlan:
    return ReportPlan(
        title, kind, subject, purpose, Part.PART_I, False, presenter, author, obj, ask
    )


def _active(obj: ObjectiveInfo, day: date) -> bool:
    if obj.start is None or obj.target is None:
        return False
    return (obj.start - day).days < 30 and (day - obj.target).days < 150


def _kind(obj: ObjectiveInfo, day: date) -> str:
    assert obj.start is not None
    assert obj.target is not None
    life = max((obj.target - obj.start).days, 1)
    done = (day - obj.start).days / life
    for limit, kind in ((0.15, "scoping"), (0.3, "options"), (0.45, "obc"), (0.55, "fbc")):
        if done < limit:
            return kind
    if done < 0.97:
        return "progress"
    if done < 1.15 and obj.stage in ("Closed", "Embedding"):
        return "closure"
    return "benefits" if obj.stage in ("Closed", "Embedding") else "progress"


# ------------------------------------------------------------------ paper text
def paper_text(demo: Demo, plan: ReportPlan) -> tuple[str, str, str]:
    """(summary, recommendations, body) of the paper for `plan`."""
    cost = demo.between(40, 900)
    summary = (
        f"This report asks the Board to consider {plan.subject}. "
        f"{_state(demo, plan)} The partners' shared costs are estimated at £{cost}k."
    )
    recommendation = f"That the Board {plan.ask}."
    sections = [
        ("Executive summary", [summary]),
        ("Recommendations", [recommendation]),
        (
            "Background",
            [
                f"The Board agreed to pursue {plan.subject} in the collaboration programme.",
                "The Policing and Crime Act 2017 places a duty on police and fire to keep "
                "collaboration under review where it would improve efficiency or effectiveness.",
            ],
        ),
    ]
    if plan.purpose is Purpose.DECISION:
        sections.append(
            (
                "Options",
                [
                    "Option 1: do nothing. Each service continues alone; no saving and no benefit.",
                    f"Option 2: a phased approach to {plan.subject}, led by one service.",
                    f"Option 3: a joint approach to {plan.subject}, governed jointly (preferred).",
                ],
            )
        )
        sections.append(
            (
                "Preferred option and reasons",
                [
                    "Option 3 gives the greatest benefit to both services and the public at an "
                    "affordable cost, and can be delivered within the programme's resources.",
                ],
            )
        )
    sections.append(("Implications", _implications(demo, plan, cost)))
    sections.append(
        (
            "Consultation",
            [
                "The chief officer teams, both finance teams and the representative bodies were "
                "consulted. Their comments are reflected in this report.",
            ],
        )
    )
    sections.append(("Next steps", ["Officers will report progress to the Board's next meeting."]))
    sections.append(("Background papers", ["None."]))
    body = "\n\n".join(
        f"{n}. {heading}\n" + "\n".join(f"{n}.{i} {p}" for i, p in enumerate(paras, 1))
        for n, (heading, paras) in enumerate(sections, 1)
    )
    return summary, recommendation, body


STATES = {
    "scoping": "The work is being scoped",
    "options": "Officers have appraised the options",
    "obc": "The outline business case is complete",
    "fbc": "The full business case is complete",
    "progress": "The work is in delivery",
    "commercial": "Negotiations are under way",
    "closure": "The work is complete",
    "benefits": "The work has been handed over to business as usual",
}


def _state(demo: Demo, plan: ReportPlan) -> str:
    if plan.objective is None:
        return "It summarises the position across the programme."
    lead = demo.org_names[plan.objective.lead]
    return f"{STATES.get(plan.kind, 'The work is in delivery')}, led by {lead}."


def _implications(demo: Demo, plan: ReportPlan, cost: int) -> list[str]:
    benefit = "both services" if plan.objective and plan.objective.police_and_fire else "the public"
    return [
        f"Financial: £{cost}k over two years, shared in proportion to benefit.",
        "Legal: a collaboration agreement under section 22A of the Police Act 1996 applies.",
        f"Equality: {demo.pick(EQUALITY)}.",
        "Risk: the risks are on the programme risk register.",
        "People: no change to terms and conditions is proposed.",
        "Estates: none beyond those described.",
        "Environmental: fewer journeys between sites reduce emissions.",
        f"Collaboration benefit: {benefit}.",
    ]
