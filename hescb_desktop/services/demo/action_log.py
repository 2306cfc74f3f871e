"""Actions raised from minutes (through actions.add_action, so they take the next HESCB/2026/014
reference), with what became of each: closed, complete (proposed for closure), in progress,
open, deferred; revised due dates with reasons, and a history of updates."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from hescb_desktop.domain.enums import ActionStatus, Marking
from hescb_desktop.services.actions import add_action
from hescb_desktop.services.demo.base import Demo, PersonInfo, short_date
from hescb_desktop.services.demo.meeting_types import HeldMeeting
from hescb_desktop.services.entities import ACTION_UPDATES
from hescb_desktop.storage.uow import UnitOfWork

# Each bucket deals statuses from a shuffled deck, so every status turns up within ten actions.
DECKS = {
    "old": ("closed",) * 7 + ("complete", "deferred", "in_progress"),
    "recent": ("closed",) * 3 + ("complete",) * 2 + ("in_progress",) * 3 + ("open", "deferred"),
    "future": ("open",) * 4 + ("in_progress",) * 4 + ("complete", "deferred"),
}
REVISIONS = (
    "Awaiting the Fire Authority's budget decision.",
    "Supplier delay; the Board agreed the new date.",
    "Tied to the joint headquarters business case timetable.",
    "Owner's team redeployed to a major incident.",
    "Legal advice took longer than planned.",
)
PROGRESS = (
    "Work under way; first draft shared with partners.",
    "Met colleagues from the other services; next steps agreed.",
    "Waiting for information from the finance teams.",
    "Draft circulated for comment; comments due next week.",
    "Options discussed at the project board.",
)


@dataclass(frozen=True)
class ActionPlan:
    description: str
    owner: PersonInfo
    objective_id: str | None
    due_days: int  # after the meeting
    sensitive: bool
    status: str = ""  # forced status, else dealt from the decks


@dataclass
class Fate:
    status: ActionStatus
    completed_on: date | None = None
    revised: date | None = None
    reason: str = ""
    updates: list[tuple[date, str, ActionStatus | None]] = field(default_factory=list)


def raise_actions(
    demo: Demo, uow: UnitOfWork, meeting: HeldMeeting, by_minute: list[tuple[str, list[ActionPlan]]]
) -> None:
    """Each action through actions.add_action (its reference); updates follow as links."""
    for minute_id, plans in by_minute:
        for plan in plans:
            _raise(demo, uow, meeting, minute_id, plan)


def _raise(
    demo: Demo, uow: UnitOfWork, meeting: HeldMeeting, minute_id: str, plan: ActionPlan
) -> None:
    raised = meeting.plan.day
    due = raised + timedelta(days=plan.due_days)
    fate = _fate(demo, raised, due, plan.status)
    action = add_action(
        uow,
        {
            "description": plan.description,
            "owner_id": plan.owner.id,
            "organisation_id": demo.orgs[plan.owner.org],
            "raised_on": raised,
            "meeting_id": meeting.id,
            "minute_id": minute_id,
            "objective_id": plan.objective_id,
            "due_date": due,
            "revised_due_date": fate.revised,
            "revision_reason": fate.reason,
            "status": fate.status,
            "completed_on": fate.completed_on,
            "latest_update": fate.updates[-1][1] if fate.updates else "",
            "marking": Marking.OFFICIAL_SENSITIVE if plan.sensitive else Marking.OFFICIAL,
        },
        body=meeting.plan.body.code,
    )
    for _, note, status in fate.updates:
        demo.link(ACTION_UPDATES, {"action_id": action.id, "note": note, "status": status})


def _deal(demo: Demo, bucket: str) -> str:
    deck = demo.decks.setdefault(bucket, [])
    if not deck:
        deck.extend(DECKS[bucket])
        demo.rng.shuffle(deck)
    return deck.pop()


def _fate(demo: Demo, raised: date, due: date, forced: str) -> Fate:
    today = demo.today
    if forced:
        status = forced
    elif due < today - timedelta(days=60):
        status = _deal(demo, "old")
    else:
        status = _deal(demo, "recent" if due < today else "future")
    fate = Fate(ActionStatus(status))
    last = today
    if status == "closed":
        done = _day_between(
            demo,
            raised + timedelta(days=7),
            min(due + timedelta(days=14), today - timedelta(days=8)),
        )
        fate.completed_on = done
        last = _day_between(demo, done + timedelta(days=7), min(done + timedelta(days=60), today))
    elif status == "complete":
        fate.completed_on = _day_between(
            demo, max(raised + timedelta(days=1), today - timedelta(days=20)), today
        )
        last = fate.completed_on
    elif status == "deferred":
        fate.revised = due + timedelta(days=demo.between(60, 120))
        fate.reason = "Deferred by the Board. " + demo.pick(REVISIONS)
    elif not forced and demo.chance(0.3):
        fate.revised = due + timedelta(days=demo.between(28, 70))
        fate.reason = demo.pick(REVISIONS)
    _updates(demo, fate, raised, last)
    return fate


def _updates(demo: Demo, fate: Fate, raised: date, last: date) -> None:
    status = fate.status
    count = 0 if status is ActionStatus.OPEN and demo.chance(0.6) else demo.between(1, 3)
    span = max((last - raised).days, 1)
    when = sorted(raised + timedelta(days=demo.between(1, span)) for _ in range(count))
    for day in when:
        fate.updates.append(
            (
                day,
                f"{short_date(day)}: {demo.pick(PROGRESS)}",
                ActionStatus.IN_PROGRESS if status is not ActionStatus.OPEN else None,
            )
        )
    if fate.revised is not None:
        note = f"Due date revised to {short_date(fate.revised)}. {fate.reason}"
        fate.updates.append((last, f"{short_date(last)}: {note}", None))
    final = {
        ActionStatus.COMPLETE: "Complete: proposed for closure at the next meeting.",
        ActionStatus.CLOSED: "Closure agreed by the meeting.",
        ActionStatus.DEFERRED: "Deferred by agreement of the meeting.",
    }.get(status)
    if final:
        fate.updates.append((last, f"{short_date(last)}: {final}", status))


def _day_between(demo: Demo, first: date, last: date) -> date:
    if last <= first:
        return min(first, demo.today)
    return first + timedelta(days=demo.between(0, (last - first).days))
