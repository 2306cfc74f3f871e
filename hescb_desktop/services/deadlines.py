"""Each body's deadline rule and a meeting's deadlines (issue 18, point 2).

The counting is `domain.deadlines` (pure, no database); here is where a body's rule comes from
and which meeting is meant:

- `rule_for(uow, body)`: the body's rule, a synced `deadline_rules` row set by the secretariat,
  or the defaults when it has none (`BodyRule.default`).
- `rules(uow)`: every body's rule: HESCB first, then each body a meeting or a rule names.
- `set_rule(uow, body, ...)`: the secretariat sets a body's rule (what is not given is kept);
  a Result whose change set the GUI's undo takes back.
- `deadlines_for(uow, meeting)`: a meeting's deadlines under its body's rule, counted from its
  London date; `MeetingDeadlines.rows(today)` adds the days left.
- `meeting_named(uow, text, today)`: MEETING as the other commands take it (`next`, a date,
  BODY/date, the start of an id).

What builds on deadlines (the forward plan, readiness, reminders) calls `deadlines_for` (or
`rule_for` with `domain.deadlines.meeting_deadlines`) and never counts days itself.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import TypeVar

from sqlalchemy import select

from hescb_desktop.domain import deadlines as policy
from hescb_desktop.domain.deadlines import DeadlineRule, Deadlines
from hescb_desktop.domain.dto import MeetingDTO
from hescb_desktop.domain.errors import ValidationError
from hescb_desktop.domain.permissions import Kind, Operation
from hescb_desktop.domain.timezones import LONDON
from hescb_desktop.services.meetings import DEFAULT_BODY, meeting_ref
from hescb_desktop.services.results import Result, changes_of
from hescb_desktop.storage.models import DeadlineRule as RuleRow
from hescb_desktop.storage.models import Meeting, Person
from hescb_desktop.storage.uow import UnitOfWork

T = TypeVar("T")
NAMESPACE = uuid.UUID("8e7c1d42-5a9b-5f0e-b3c6-2d4f6a8b0c1e")


def rule_id(body: str) -> str:
    """One rule per body (whatever its case), the same id on every PC: two PCs setting it
    meet in one row."""
    return str(uuid.uuid5(NAMESPACE, f"deadlines:{body.strip().casefold()}"))


def today() -> date:
    """Today in London, as deadlines count days."""
    return datetime.now(LONDON).date()


@dataclass(frozen=True)
class BodyRule:
    """The rule in force for a body: the board's (set_by, set_at) or the defaults."""

    rule: DeadlineRule
    default: bool
    set_by: str = ""
    set_at: datetime | None = None

    @property
    def body(self) -> str:
        return self.rule.body

    def as_json(self) -> dict[str, object]:
        r = self.rule
        return {
            "body": r.body,
            "despatch_clear_days": r.despatch_clear_days,
            "clear_days_are_working_days": r.clear_days_are_working_days,
            "final_working_days": r.final_working_days,
            "draft_working_days": r.draft_working_days,
            "key_decision_clear_days": policy.KEY_DECISION_CLEAR_DAYS,
            "default": self.default,
            "set_by": self.set_by,
            "set_at": self.set_at.isoformat() if self.set_at else None,
        }


@dataclass(frozen=True)
class DeadlineRow:
    """One deadline of a meeting, as counted on `today`."""

    name: str  # one of domain.deadlines.NAMES
    label: str
    day: date
    days_left: int  # negative: missed

    @property
    def missed(self) -> bool:
        return self.days_left < 0

    def as_json(self) -> dict[str, object]:
        return {
            "name": self.name,
            "label": self.label,
            "date": self.day.isoformat(),
            "days_left": self.days_left,
            "missed": self.missed,
        }


@dataclass(frozen=True)
class MeetingDeadlines:
    meeting: MeetingDTO
    rule: BodyRule
    deadlines: Deadlines

    @property
    def day(self) -> date:
        """The meeting's London date."""
        return self.deadlines.meeting

    def rows(self, on: date) -> list[DeadlineRow]:
        """Each deadline with its days left from `on`, in the stable order of NAMES."""
        return [
            DeadlineRow(name, policy.LABELS[name], day, policy.days_left(day, on))
            for name, day in self.deadlines.items()
        ]

    def as_json(self, on: date) -> dict[str, object]:
        m = self.meeting
        return {
            "meeting": {
                "id": m.id,
                "reference": meeting_ref(m),
                "title": m.title,
                "body": m.body,
                "date": self.day.isoformat(),
                "start": m.start_utc.astimezone(LONDON).isoformat(),
            },
            "on": on.isoformat(),
            "rule": self.rule.as_json(),
            "deadlines": [r.as_json() for r in self.rows(on)],
        }


def _clean_body(body: str) -> str:
    text = " ".join(body.split())
    if not text or len(text) > 60 or "/" in text:
        raise ValidationError(
            "deadline rule: a body is a short name without '/' (HESCB or a sub-board, e.g. JESG)"
        )
    return text


def _from_row(row: RuleRow, names: dict[str, str]) -> BodyRule:
    by = row.updated_by or row.created_by or ""
    rule = DeadlineRule(
        row.body,
        row.despatch_clear_days,
        bool(row.clear_days_are_working_days),
        row.final_working_days,
        row.draft_working_days,
    )
    return BodyRule(rule, False, names.get(by, by), row.updated_at or row.created_at)


def _names(uow: UnitOfWork, rows: list[RuleRow]) -> dict[str, str]:
    """Who set the rules: a person's id on a protected board, the name typed before."""
    ids = {r.updated_by or r.created_by for r in rows} - {None, ""}
    return {
        str(pid): str(name)
        for pid, name in uow.session.execute(
            select(Person.id, Person.name).where(Person.id.in_(ids))
        )
    }


def _spelled(uow: UnitOfWork, body: str) -> str:
    """The body as its meetings spell it ("jesg" typed: JESG), else as typed."""
    if body.casefold() == DEFAULT_BODY.casefold():
        return DEFAULT_BODY
    used = uow.session.scalars(select(Meeting.body).where(Meeting.deleted.is_(False)).distinct())
    return next((b for b in used if b.casefold() == body.casefold()), body)


def _live_row(uow: UnitOfWork, body: str) -> RuleRow | None:
    row = uow.session.get(RuleRow, rule_id(body))
    return None if row is None or row.deleted else row


def _rule_in(uow: UnitOfWork, body: str) -> BodyRule:
    row = _live_row(uow, body)
    if row is None:
        return BodyRule(DeadlineRule(body), True)
    try:
        return _from_row(row, _names(uow, [row]))
    except ValidationError:
        # a value out of bounds (a newer app's limits, a hand-edited file): the defaults, so
        # that a meeting's deadlines are always shown
        return BodyRule(DeadlineRule(body), True)


def rule_for(uow: UnitOfWork, body: str) -> BodyRule:
    """The rule `body` counts its deadlines by: the board's, or the defaults."""
    name = _clean_body(body)
    with uow:
        return _rule_in(uow, name)


def rules(uow: UnitOfWork) -> list[BodyRule]:
    """Every body's rule: HESCB first, then the bodies a meeting or a rule names, by name."""
    with uow:
        used = set(uow.session.scalars(select(Meeting.body).where(Meeting.deleted.is_(False))))
        named = set(uow.session.scalars(select(RuleRow.body).where(RuleRow.deleted.is_(False))))
        bodies: dict[str, str] = {}
        for b in [DEFAULT_BODY, *sorted(used | named, key=str.casefold)]:
            bodies.setdefault(b.casefold(), b)
        return [_rule_in(uow, b) for b in bodies.values()]


def set_rule(
    uow: UnitOfWork,
    body: str,
    *,
    despatch_clear_days: int | None = None,
    clear_days_are_working_days: bool | None = None,
    final_working_days: int | None = None,
    draft_working_days: int | None = None,
) -> Result[BodyRule]:
    """Set how `body` counts its deadlines (the secretariat's): what is not given keeps its
    value (the default's when the body has no rule yet). ValidationError when a number is out
    of bounds (domain.deadlines.LIMITS)."""
    uow.require(Operation.EDIT, Kind.MEETING)
    typed = _clean_body(body)
    with uow:
        name = _spelled(uow, typed)
        current = _rule_in(uow, name).rule
        wanted = DeadlineRule(
            name,
            _given(despatch_clear_days, current.despatch_clear_days),
            _given(clear_days_are_working_days, current.clear_days_are_working_days),
            _given(final_working_days, current.final_working_days),
            _given(draft_working_days, current.draft_working_days),
        )
        values = {
            "despatch_clear_days": wanted.despatch_clear_days,
            "clear_days_are_working_days": wanted.clear_days_are_working_days,
            "final_working_days": wanted.final_working_days,
            "draft_working_days": wanted.draft_working_days,
        }
        row = uow.session.get(RuleRow, rule_id(name))
        if row is None:
            uow.session.add(RuleRow(id=rule_id(name), body=name, **values))
        else:
            for key, value in values.items():
                if getattr(row, key) != value:
                    setattr(row, key, value)
            if row.deleted:
                row.deleted = False
        uow.session.flush()
        done = _rule_in(uow, name)
        uow.commit()
    return Result(done, changes_of(uow, (rule_id(name),)))


def _given(value: T | None, kept: T) -> T:
    return kept if value is None else value


def deadlines_for(uow: UnitOfWork, meeting: MeetingDTO) -> MeetingDeadlines:
    """`meeting`'s deadlines under its body's rule, counted from its London date."""
    found = rule_for(uow, meeting.body)
    day = policy.london_day(meeting.start_utc)
    return MeetingDeadlines(meeting, found, policy.meeting_deadlines(day, found.rule))


def meeting_named(uow: UnitOfWork, text: str, on: date | None = None) -> MeetingDTO:
    """MEETING as the other commands take it: `next` (the next meeting from `on`, today by
    default), a date YYYY-MM-DD, BODY/YYYY-MM-DD, or the start of a meeting's id. NotFoundError
    or ValidationError in words."""
    from hescb_desktop.services.boardpacks import resolve_meeting  # loads the reports: lazily

    return resolve_meeting(uow, text, today=on)
