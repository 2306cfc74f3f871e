"""Reminders without a mail server (issue 18, point 6): who has something due or overdue.

`chase_items(uow, today)` gathers the chase items of every source in `SOURCES`, one function a
source: `(uow, today) -> Iterable[ChaseItem]`, called inside an open unit of work. A new source
of chase items plugs in by adding its function to `SOURCES`; nothing else changes (the drafts,
the invitations, the chase list and the summary read only `ChaseItem`s).

The sources today:
- **actions** (`action_items`): every live action (open or in progress: one proposed complete
  waits for the board, a deferred one was put off by it) due within `DUE_SOON_DAYS` (a week)
  or overdue, for its owner. An action without an owner is nobody's to chase and is left out.
- **papers**: not a source yet. A paper (`storage.models.Paper`) has no due date and no
  draft/final state today, so there is nothing to chase it by. The commissioning of papers
  (issue 18, built later) adds both; its chase function then goes into `SOURCES` (the
  extension point is `PAPER_SOURCE_PENDING` below: it names what is missing, it does not
  pretend to chase anything).

Need-to-know (TRUST.md): a restricted action's text is its readership's only. An item goes to
one person (its owner); when that person is not one of the readers of the action's readership
(named, or by role) the item carries its reference and dates only (`withheld`), never the text.
A text this PC cannot read (the placeholder) is withheld too.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import func, select

from hescb_desktop.domain.enums import Marking
from hescb_desktop.domain.permissions import Role
from hescb_desktop.domain.restriction import PLACEHOLDER
from hescb_desktop.domain.rules import DUE_SOON_DAYS, LIVE_ACTION_STATUSES
from hescb_desktop.services.action_log import meeting_label
from hescb_desktop.storage.models import Action, Meeting, Readership, Restriction
from hescb_desktop.storage.uow import UnitOfWork


@dataclass(frozen=True)
class ChaseItem:
    """One thing one person is chased for."""

    kind: str  # "action" (a key of KIND_NOUNS)
    reference: str  # "HESCB/2026/014"
    title: str  # the text; "" when withheld
    due_on: date
    overdue: bool
    person_id: str
    meeting: str = ""  # where it came from ("HESCB 12 Mar 2026"), "" when none
    restricted: bool = False  # the record is restricted to a readership
    withheld: bool = False  # restricted and the person is not a reader: reference only
    marking: Marking = Marking.OFFICIAL

    def days_late(self, today: date) -> int:
        return (today - self.due_on).days


Source = Callable[[UnitOfWork, date], Iterable[ChaseItem]]

# how each kind is counted in words: (one, many)
KIND_NOUNS: dict[str, tuple[str, str]] = {"action": ("action", "actions")}

# Papers are not chased yet: the model has no due date and no final state (see the docstring).
# The commissioning session adds `paper_items` and puts it into SOURCES.
PAPER_SOURCE_PENDING = "papers have no due date or final state yet (commissioning adds them)"


# ------------------------------------------------------------------ who reads what
class Readers:
    """Whether a person reads a restricted record: named in its readership, or holding one of
    its roles now (the board's trust state, loaded only when a readership names a role)."""

    def __init__(self, uow: UnitOfWork, table: str, ids: Iterable[str]) -> None:
        self._uow = uow
        self._by_record: dict[str, tuple[frozenset[str], frozenset[str]]] = {}
        wanted = list(dict.fromkeys(ids))
        for start in range(0, len(wanted), 500):
            rows = uow.session.execute(
                select(Restriction.record_id, Readership.people, Readership.roles)
                .join(Readership, Readership.id == Restriction.readership_id)
                .where(
                    Restriction.table_name == table,
                    Restriction.deleted.is_(False),
                    Restriction.record_id.in_(wanted[start : start + 500]),
                )
            )
            for record, people, roles in rows:
                self._by_record[record] = (_json_set(people), _json_set(roles))
        self._roles: dict[str, Role | None] | None = None

    def restricted(self, record_id: str) -> bool:
        return record_id in self._by_record

    def reads(self, person_id: str, record_id: str) -> bool:
        found = self._by_record.get(record_id)
        if found is None:
            return True
        people, roles = found
        if person_id in people:
            return True
        return bool(roles) and self._role_of(person_id) in {_role(r) for r in roles}

    def _role_of(self, person_id: str) -> Role | None:
        if self._roles is None:
            from hescb_desktop.sync.trust import load_trust

            state = load_trust(self._uow.engine)
            self._roles = {p: state.current_role(p) for p in state.roles}
        return self._roles.get(person_id)


def _json_set(text: str | None) -> frozenset[str]:
    try:
        value = json.loads(text or "[]")
    except ValueError:
        return frozenset()  # a damaged readership: nobody is a reader by it
    return frozenset(str(v) for v in value) if isinstance(value, list) else frozenset()


def _role(text: str) -> Role | None:
    try:
        return Role(text)
    except ValueError:
        return None


def readable_text(text: str, *, reader: bool) -> str:
    """What a person may be sent of a record's text: "" unless they read it and this PC holds
    the text (not the placeholder a PC that does not read it keeps)."""
    if not reader or text.startswith(PLACEHOLDER):
        return ""
    return text


# ------------------------------------------------------------------ the sources
def action_items(uow: UnitOfWork, today: date) -> list[ChaseItem]:
    """Live actions with an owner, overdue or due within a week, as chase items."""
    a = Action
    due = func.coalesce(a.revised_due_date, a.due_date)
    rows = uow.session.execute(
        select(a.id, a.reference, a.description, due, a.owner_id, a.meeting_id, a.marking).where(
            a.deleted.is_(False),
            a.owner_id.is_not(None),
            a.status.in_([s.value for s in LIVE_ACTION_STATUSES]),
            due.is_not(None),
            due <= date.fromordinal(today.toordinal() + DUE_SOON_DAYS),
        )
    ).all()
    meetings = _meeting_labels(uow, {r[5] for r in rows if r[5]})
    readers = Readers(uow, "actions", (r[0] for r in rows))
    out: list[ChaseItem] = []
    for action_id, reference, text, due_on, owner, meeting_id, marking in rows:
        day = due_on if isinstance(due_on, date) else date.fromisoformat(str(due_on)[:10])
        owner = str(owner)  # the query takes only actions with an owner
        reads = readers.reads(owner, action_id)
        shown = readable_text(text or "", reader=reads)
        out.append(
            ChaseItem(
                kind="action",
                reference=reference,
                title=shown,
                due_on=day,
                overdue=day < today,
                person_id=owner,
                meeting=meetings.get(meeting_id or "", ""),
                restricted=readers.restricted(action_id),
                withheld=readers.restricted(action_id) and not shown,
                marking=Marking(marking),
            )
        )
    return out


def _meeting_labels(uow: UnitOfWork, ids: set[str]) -> dict[str, str]:
    if not ids:
        return {}
    rows = uow.session.execute(
        select(Meeting.id, Meeting.body, Meeting.start_utc).where(Meeting.id.in_(sorted(ids)))
    )
    return {mid: meeting_label(body, _utc(start)) for mid, body, start in rows}


def _utc(value: Any) -> datetime:
    when = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


SOURCES: tuple[Source, ...] = (action_items,)


def chase_items(
    uow: UnitOfWork, today: date, sources: tuple[Source, ...] = SOURCES
) -> list[ChaseItem]:
    """Every source's chase items, by person, then overdue first, then by due date."""
    with uow:
        items = [item for source in sources for item in source(uow, today)]
    return sorted(items, key=lambda i: (i.person_id, not i.overdue, i.due_on, i.reference))


# ------------------------------------------------------------------ in words
def _noun(kinds: set[str], n: int) -> str:
    if len(kinds) == 1:
        one, many = KIND_NOUNS.get(next(iter(kinds)), ("item", "items"))
    else:
        one, many = "item", "items"
    return one if n == 1 else many


def chase_summary(items: Iterable[ChaseItem]) -> str:
    """ "3 actions overdue, 2 due this week", "1 action due this week", "nothing due this
    week"."""
    found = list(items)
    if not found:
        return "nothing due this week"
    kinds = {i.kind for i in found}
    overdue = sum(1 for i in found if i.overdue)
    due = len(found) - overdue
    parts = []
    if overdue:
        parts.append(f"{overdue} {_noun(kinds, overdue)} overdue")
    if due:
        parts.append(
            f"{due} due this week" if parts else f"{due} {_noun(kinds, due)} due this week"
        )
    return ", ".join(parts)


def board_summary(uow: UnitOfWork, today: date) -> str:
    """The summary of the whole board's chase items (the Home page says it on start)."""
    return chase_summary(chase_items(uow, today))
