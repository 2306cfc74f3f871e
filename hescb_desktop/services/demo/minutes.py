"""Minutes of a held meeting: one numbered minute per agenda item (77/26), a summary of the
discussion, the RESOLVED lines (one decision per body when police and fire both decide) and the
actions raised."""

from __future__ import annotations

from hescb_desktop.domain.enums import Marking, MinutesStatus, Part, Purpose
from hescb_desktop.domain.rules import SerialRef
from hescb_desktop.services.demo.action_log import ActionPlan, raise_actions
from hescb_desktop.services.demo.base import Demo, PersonInfo, add, long_date
from hescb_desktop.services.demo.meeting_types import HEADERS, AgendaRow, HeldMeeting
from hescb_desktop.services.demo.papers import ReportPlan
from hescb_desktop.services.entities import DECISIONS, MINUTES
from hescb_desktop.services.references import next_minute_ref
from hescb_desktop.storage.uow import UnitOfWork

Decision = tuple[str, str | None, str | None]  # text, deciding organisation code, objective id

DISCUSSION = (
    "Members asked about the timetable and the risks to delivery; the sponsor confirmed the "
    "mitigations in the report.",
    "Members welcomed the progress made and asked for the benefits to be quantified in the "
    "next report.",
    "The Board discussed the financial implications and the split of costs between the partners.",
    "Members asked how the public would notice the difference; the sponsor gave examples from "
    "recent incidents.",
    "The Board noted the dependency on other workstreams and asked for it to be tracked.",
)
REPORT_ACTIONS = {
    "scoping": (
        "Complete the scoping of {s} and bring a project initiation document",
        "Name a lead officer for {s} in each service",
    ),
    "options": (
        "Work up the preferred option for {s} into an outline business case",
        "Confirm the capital requirement for {s} with both chief finance officers",
        "Complete an equality impact assessment for {s}",
    ),
    "obc": (
        "Prepare the full business case for {s}",
        "Consult the representative bodies on the staffing implications of {s}",
        "Brief the Police and Crime Panel on {s}",
    ),
    "fbc": (
        "Prepare the implementation plan for {s}",
        "Draft the section 22A collaboration agreement for {s}",
        "Set up the joint project board for {s}",
    ),
    "progress": (
        "Provide a revised milestone plan for {s} showing the path to green",
        "Report the benefits of {s} achieved to date",
        "Resolve the ICT dependency of {s} with the Head of Joint ICT",
    ),
    "closure": (
        "Complete the lessons-learned review of {s}",
        "Hand {s} over to business as usual and close the project",
    ),
    "benefits": (
        "Publish the benefits realisation summary for {s}",
        "Add a follow-up review of {s} to the forward plan",
    ),
    "commercial": ("Conclude negotiations on {s} within the agreed mandate",),
    "highlight": (
        "Update the programme plan to reflect the Board's decisions",
        "Circulate the revised programme RAG summary to members",
        "Bring a recovery plan for the red-rated workstreams",
        "Refresh the programme's benefits profile",
        "Review programme resourcing with both services' HR leads",
        "Arrange a programme review session for the sponsors",
    ),
    "budget": ("Report the forecast year-end position of the collaboration budget",),
    "register": ("Publish the collaboration opportunities register on both services' websites",),
    "risks": ("Review the scoring of the programme's red risks with risk owners",),
}
GENERIC_ACTIONS = (
    "Report back to the next meeting on {s}",
    "Brief both chief officer teams on {s}",
    "Update the risk register entries for {s}",
    "Agree the communications plan for {s}",
    "Confirm the resourcing of {s} with both services",
)
OTHER_ACTIONS = (
    "Arrange a visit to the drone unit for Board members",
    "Invite the Local Resilience Forum manager to a future meeting",
    "Circulate the note of the joint development day to members",
    "Add a report on staff wellbeing across both services to the forward plan",
)


def write_minutes(demo: Demo, uow: UnitOfWork, meeting: HeldMeeting) -> None:
    """Minutes numbered on from the next free minute reference of the year, then the decisions,
    then the actions (so rows of one kind are written together)."""
    plan = meeting.plan
    approved = plan.following is not None and plan.following < demo.today
    first = next_minute_ref(uow.session, plan.day.year)
    minuted = [row for row in meeting.rows if row.title not in HEADERS]
    written: list[tuple[str, list[Decision], list[ActionPlan]]] = []
    for n, row in enumerate(minuted):
        summary, decisions, actions = _content(demo, meeting, row)
        ref = SerialRef(first.number + n, first.year)
        minute_id = add(
            uow,
            MINUTES,
            {
                "meeting_id": meeting.id,
                "agenda_item_id": row.id,
                "reference": str(ref),
                "ref_year": ref.year,
                "ref_number": ref.number,
                "part": row.part,
                "summary": summary,
                "status": MinutesStatus.APPROVED if approved else MinutesStatus.DRAFT,
                "approved_on": plan.following if approved else None,
                "marking": Marking.OFFICIAL_SENSITIVE
                if row.part is Part.PART_II
                else Marking.OFFICIAL,
            },
        )
        written.append((minute_id, decisions, actions))
    for minute_id, decisions, _ in written:
        for text, org, objective_id in decisions:
            add(
                uow,
                DECISIONS,
                {
                    "minute_id": minute_id,
                    "meeting_id": meeting.id,
                    "text": text,
                    "decided_by_id": demo.orgs[org] if org else None,
                    "objective_id": objective_id,
                },
            )
    raise_actions(demo, uow, meeting, [(minute_id, actions) for minute_id, _, actions in written])


def _content(
    demo: Demo, meeting: HeldMeeting, row: AgendaRow
) -> tuple[str, list[Decision], list[ActionPlan]]:
    if row.report is not None:
        return _report_minute(demo, meeting, row, row.report)
    title = row.title
    if title == "Apologies for absence":
        return (
            _names("Apologies were received from", meeting.apologies, "There were no apologies."),
            [],
            [],
        )
    if title == "Declarations of interest":
        return _declarations(meeting), [], []
    if title == "Minutes of the previous meeting":
        when = (
            f"held on {long_date(meeting.plan.previous)}" if meeting.plan.previous else "previous"
        )
        text = (
            f"That the minutes of the meeting {when} be approved as a correct record "
            "and signed by the Chair."
        )
        return "The minutes were reviewed page by page.", [(text, None, None)], []
    if title == "Action log":
        text = "That the actions proposed for closure be closed and the rest carried forward."
        summary = "The Board reviewed the action log, including the overdue actions."
        return summary, [(text, None, None)], _my_actions(demo, meeting)
    if title in ("Matters arising", "Any other business"):
        return _other(demo, title)
    if title == "Exclusion of press and public":
        return _exclusion(meeting)
    if title == "Date of next meeting":
        nxt = meeting.plan.following
        return (
            (
                f"The next meeting will be held on {long_date(nxt)}."
                if nxt
                else "The date of the next meeting will be confirmed."
            ),
            [],
            [],
        )
    if title == "Forward plan":
        return (
            "The Board reviewed the forward plan.",
            [("That the forward plan be noted.", None, None)],
            [],
        )
    return f"The Chair welcomed members to the {meeting.plan.body.title}.", [], []


def _report_minute(
    demo: Demo, meeting: HeldMeeting, row: AgendaRow, report: ReportPlan
) -> tuple[str, list[Decision], list[ActionPlan]]:
    ref = f" ({row.paper_ref})" if row.paper_ref else ""
    summary = f"{report.presenter.label} presented the report{ref}. {demo.pick(DISCUSSION)}"
    for person, item, _ in meeting.declarations:
        if item.id == row.id:
            summary += (
                f" {person.name} took no part in the discussion, having declared an interest."
            )
    objective_id = report.objective.id if report.objective else None
    if report.purpose is not Purpose.DECISION:
        decisions: list[Decision] = [("That the report be noted.", None, objective_id)]
    elif report.objective and report.objective.police_and_fire:
        decisions = [
            (f"That {demo.org_names[org]} {report.ask}.", org, objective_id)
            for org in ("HC", "HFRS")
        ]
    else:
        decisions = [(f"That the Board {report.ask}.", None, objective_id)]
    own, extra = list(REPORT_ACTIONS[report.kind]), list(GENERIC_ACTIONS)
    demo.rng.shuffle(own)
    demo.rng.shuffle(extra)
    templates = own + extra
    count = min(demo.between(*demo.scale.actions_per_report), len(templates))
    actions = [
        _action(demo, meeting, text.format(s=report.subject), report) for text in templates[:count]
    ]
    return summary, decisions, actions


def _action(demo: Demo, meeting: HeldMeeting, text: str, report: ReportPlan | None) -> ActionPlan:
    owner = _owner(demo, meeting, report)
    weeks = demo.between(3, 12)
    return ActionPlan(
        f"{text}.",
        owner,
        report.objective.id if report and report.objective else None,
        weeks * 7,
        bool(report and report.sensitive),
    )


def _owner(demo: Demo, meeting: HeldMeeting, report: ReportPlan | None) -> PersonInfo:
    if demo.chance(0.08):
        return demo.person("progmgr")
    if report and report.objective and demo.chance(0.6):
        return demo.pick(demo.staff_of(demo.pick(report.objective.orgs)))
    if report and demo.chance(0.3):
        return report.author
    return demo.pick(meeting.present)


def _my_actions(demo: Demo, meeting: HeldMeeting) -> list[ActionPlan]:
    """The programme manager's actions from the last Board meeting held: Home shows them."""
    plan = meeting.plan
    if plan.body.code != "HESCB" or plan.following is None or plan.following < demo.today:
        return []
    me = demo.person("progmgr")
    soon = (demo.today - plan.day).days + 4
    return [
        ActionPlan(
            "Refresh the programme plan and circulate it to chief officers.",
            me,
            None,
            soon,
            False,
            "open",
        ),
        ActionPlan(
            "Draft the joint communications plan for the drone unit's second year.",
            me,
            None,
            max((demo.today - plan.day).days - 6, 7),
            False,
            "in_progress",
        ),
        ActionPlan(
            "Collate partners' returns for the annual collaboration report.",
            me,
            None,
            soon + 21,
            False,
            "in_progress",
        ),
    ]


def _other(demo: Demo, title: str) -> tuple[str, list[Decision], list[ActionPlan]]:
    if demo.chance(0.5):
        none = (
            "There were no matters arising."
            if title == "Matters arising"
            else "There was no other business."
        )
        return none, [], []
    text = demo.pick(OTHER_ACTIONS)
    return (
        f"Members raised: {text[0].lower() + text[1:]}.",
        [],
        [ActionPlan(f"{text}.", demo.person("secretary"), None, 7 * demo.between(2, 8), False)],
    )


def _names(lead: str, people: list[PersonInfo], empty: str) -> str:
    if not people:
        return empty
    names = [p.label for p in people]
    joined = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    return f"{lead} {joined}."


def _declarations(meeting: HeldMeeting) -> str:
    if not meeting.declarations:
        return "There were no declarations of interest."
    return " ".join(
        f"{person.label} declared an interest in item {row.position} ({row.title}): {text}"
        for person, row, text in meeting.declarations
    )


def _exclusion(meeting: HeldMeeting) -> tuple[str, list[Decision], list[ActionPlan]]:
    exempt = [r for r in meeting.rows if r.part is Part.PART_II and r.report]
    if not exempt:
        return "There were no Part II items.", [], []
    text = (
        "That the press and public be excluded for the following item, which contains "
        "exempt information about the financial or business affairs of the partners."
    )
    return "The Board considered whether to exclude the press and public.", [(text, None, None)], []
