"""The retention schedule and what it makes due (issue 16, point 5).

- `schedule`: each kind of record (`domain.retention.CLASSES`) with its period: the board's rule
  (a synced `retention_rules` row, one per kind, set by the secretariat) or the default.
- `set_rule`: the secretariat sets a kind's period (whole years, or permanent).
- `due`: the live records whose period has run out by a day, oldest first, each with the date
  its period ran from and the day it fell due. This is what a disposal run lists (`dispose
  --dry-run`).
- `dispose_due`, `dispose_record`: the secretariat's disposal, a certificate applied here at
  once (`apply_disposals`) and on every other PC as it syncs; `certificates` lists them.

A record's clock starts from a date every PC reads alike from the record (`_runs_from`), so every
PC lists the same records on the same day.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime

from dateutil.rrule import rrulestr
from sqlalchemy import select
from sqlalchemy.orm import Session

from hescb_desktop.domain import retention as policy
from hescb_desktop.domain.enums import ActionStatus, MinutesStatus
from hescb_desktop.domain.errors import ValidationError
from hescb_desktop.domain.permissions import Kind, NotAllowedError, Operation
from hescb_desktop.services.context import ServiceContext
from hescb_desktop.services.meetings import LONDON
from hescb_desktop.storage.engine import writer
from hescb_desktop.storage.models import (
    Action,
    Attachment,
    AttachmentBlob,
    Disposal,
    Event,
    Meeting,
    Minute,
    Paper,
    Person,
    RetentionRule,
)
from hescb_desktop.sync import disposal

NAMESPACE = uuid.UUID("5d0b8f5e-2c1a-5e44-9a7b-1f3e6c2d8a90")


def rule_id(kind: str) -> str:
    """One rule per kind, the same id on every PC (two setting it meet in one row)."""
    return str(uuid.uuid5(NAMESPACE, f"retention:{kind}"))


@dataclass(frozen=True)
class Rule:
    kind: str  # RecordClass.key
    label: str
    covers: str
    runs_from: str
    keep_years: int | None  # None: permanent
    default: bool  # the default (no rule set by the board)
    set_by: str = ""
    set_at: datetime | None = None

    @property
    def period(self) -> str:
        return policy.period_text(self.keep_years)

    def as_json(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "label": self.label,
            "covers": self.covers,
            "runs_from": self.runs_from,
            "keep_years": self.keep_years,
            "period": self.period,
            "default": self.default,
            "set_by": self.set_by,
            "set_at": self.set_at.isoformat() if self.set_at else None,
        }


@dataclass(frozen=True)
class DueRecord:
    kind: str  # RecordClass.key
    table: str
    id: str
    reference: str
    title: str  # as this PC shows it (a restricted record's placeholder where it does not read)
    runs_from: date
    due_on: date

    def as_json(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "table": self.table,
            "id": self.id,
            "reference": self.reference,
            "title": self.title,
            "runs_from": self.runs_from.isoformat(),
            "due_on": self.due_on.isoformat(),
        }


def schedule(ctx: ServiceContext) -> list[Rule]:
    with ctx.uow(write=False) as uow:
        rows = {
            r.kind: (r.keep_years, r.updated_by or r.created_by or "", r.updated_at or r.created_at)
            for r in uow.session.scalars(
                select(RetentionRule).where(RetentionRule.deleted.is_(False))
            )
        }
        ids = {by for _, by, _ in rows.values() if by}
        names = {
            str(pid): str(name)
            for pid, name in uow.session.execute(
                select(Person.id, Person.name).where(Person.id.in_(ids))
            )
        }
    # who set it: a person's id on a protected board, the name typed in Settings before
    rows = {k: (y, names.get(by, by), at) for k, (y, by, at) in rows.items()}
    out = []
    for c in policy.CLASSES:
        if c.key not in rows:
            out.append(Rule(c.key, c.label, c.covers, c.runs_from, c.default_years, True))
            continue
        years, by, at = rows[c.key]
        out.append(Rule(c.key, c.label, c.covers, c.runs_from, years, False, by, at))
    return out


def set_rule(ctx: ServiceContext, kind: str, period: str) -> Rule:
    """Set how long `kind` is kept ("6", "6 years" or "permanent"): the secretariat's."""
    found = policy.record_class(kind)
    years = policy.parse_period(period)
    with ctx.uow() as uow:
        uow.require(Operation.EDIT, Kind.RETENTION)
        row = uow.session.get(RetentionRule, rule_id(found.key))
        if row is None:
            uow.session.add(RetentionRule(id=rule_id(found.key), kind=found.key, keep_years=years))
        else:
            row.keep_years = years
            row.deleted = False
        uow.commit()
    return next(r for r in schedule(ctx) if r.kind == found.key)


def today() -> date:
    """Today in London, as the schedule counts days."""
    return datetime.now(LONDON).date()


def due(ctx: ServiceContext, on: date | None = None) -> list[DueRecord]:
    """The live records due for disposal on `on` (today in London by default)."""
    day = on or today()
    rules = {r.kind: r.keep_years for r in schedule(ctx)}
    out: list[DueRecord] = []
    with ctx.uow(write=False) as uow:
        s = uow.session
        meetings = {
            m.id: m.start_utc.astimezone(LONDON).date()
            for m in s.scalars(select(Meeting).where(Meeting.deleted.is_(False)))
        }
        for c in policy.CLASSES:
            years = rules[c.key]
            if years is None:
                continue
            for table, rid, ref, title, start in _candidates(s, c.key, meetings):
                when = policy.due_on(start, years)
                if when is not None and when <= day:
                    out.append(DueRecord(c.key, table, rid, ref, title, start, when))
    return sorted(out, key=lambda d: (d.due_on, d.kind, d.reference, d.id))


def _candidates(
    s: Session, kind: str, meetings: dict[str, date]
) -> Iterable[tuple[str, str, str, str, date]]:
    if kind == "approved-minutes":
        for m in s.scalars(
            select(Minute).where(Minute.deleted.is_(False), Minute.status == MinutesStatus.APPROVED)
        ):
            start = m.approved_on or meetings.get(m.meeting_id) or _day(m.updated_at)
            yield "minutes", m.id, m.reference, _first_line(m.summary), start
    elif kind == "papers":
        for p in s.scalars(select(Paper).where(Paper.deleted.is_(False))):
            start = (meetings.get(p.meeting_id) if p.meeting_id else None) or _day(p.created_at)
            yield "papers", p.id, p.reference, _first_line(p.title), start
    elif kind == "closed-actions":
        for a in s.scalars(
            select(Action).where(Action.deleted.is_(False), Action.status == ActionStatus.CLOSED)
        ):
            start = a.completed_on or _day(a.updated_at or a.created_at)
            yield "actions", a.id, a.reference, _first_line(a.description), start
    elif kind == "calendar-items":
        for e in s.scalars(select(Event).where(Event.deleted.is_(False))):
            end = _event_end(e)
            if end is not None:
                yield "events", e.id, "", _first_line(e.summary), end


def _event_end(e: Event) -> date | None:
    """The day a calendar item ended: its end, or a repeating one's last occurrence's (None
    while it repeats without end)."""
    end = e.end_utc
    if e.rrule.strip():
        try:
            rule = rrulestr(e.rrule, dtstart=_aware(e.start_utc))
        except (ValueError, TypeError):
            return None  # a rule this app cannot read is never taken as over
        if not getattr(rule, "_count", None) and not getattr(rule, "_until", None):
            return None
        occurrences = list(rule)  # bounded: COUNT or UNTIL
        if not occurrences:
            return None
        last = occurrences[-1]
        end = last + (_aware(e.end_utc) - _aware(e.start_utc))
    return _aware(end).astimezone(LONDON).date()


def _aware(when: datetime) -> datetime:
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


def _day(when: datetime | None) -> date:
    if when is None:
        return date.min
    return _aware(when).astimezone(LONDON).date()


def _first_line(text: str) -> str:
    line = (text or "").strip().splitlines()[0] if (text or "").strip() else ""
    return line[:200]


# ------------------------------------------------------------------ disposal
class DueChangedError(ValidationError):
    """What is due for disposal is not what the person confirmed (a sync brought changes)."""


@dataclass(frozen=True)
class Certificate:
    """A disposal certificate, as kept for ever (the disposed text is not)."""

    id: str
    made_at: datetime
    made_by: str
    rule: str
    reason: str
    counts: dict[str, int]
    records: int

    def as_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "made_at": self.made_at.isoformat(),
            "made_by": self.made_by,
            "rule": self.rule,
            "reason": self.reason,
            "counts": self.counts,
            "records": self.records,
        }


def dispose_due(
    ctx: ServiceContext,
    on: date | None = None,
    reason: str = "",
    expected: Iterable[tuple[str, str]] | None = None,
) -> Certificate:
    """Dispose of everything the schedule makes due on `on` (the secretariat's, confirmed by
    them): one certificate naming every record; applied here at once, and on every other PC as
    it syncs. ValidationError when nothing is due, or when `expected` (the [table, id] pairs
    the person confirmed) is given and what is due now differs."""
    _require_secretariat(ctx)
    found = due(ctx, on)
    if not found:
        raise ValidationError(f"nothing is due for disposal on {(on or today()).isoformat()}")
    if expected is not None and {(d.table, d.id) for d in found} != set(expected):
        raise DueChangedError(
            "what is due for disposal changed since it was listed (a sync brought changes):"
            " look at the list again; nothing was disposed of"
        )
    labels = {c.key: c.label for c in policy.CLASSES}
    periods = {r.kind: r.period for r in schedule(ctx)}
    kinds = sorted({d.kind for d in found})
    rule = "; ".join(f"{labels[k].lower()}: {periods[k]}" for k in kinds)
    counts = {labels[k].lower(): sum(1 for d in found if d.kind == k) for k in kinds}
    records = [(d.table, d.id) for d in found]
    why = reason.strip() or "the retention schedule"
    return _dispose(ctx, records, rule, why, counts)


def dispose_record(ctx: ServiceContext, record_text: str, reason: str) -> Certificate:
    """Dispose of one record now, whatever the schedule says (a secretariat decision, e.g.
    personal data entered by mistake): the reason is required and kept on the certificate."""
    from hescb_desktop.domain.restriction import RESTRICTABLE
    from hescb_desktop.services.restrict import find_record

    _require_secretariat(ctx)
    why = " ".join(reason.split())
    if not why:
        raise ValidationError("say why this record is disposed of now: the reason is required")
    record = find_record(ctx, record_text)
    counts = {RESTRICTABLE[record.table] + "s": 1}  # plural, as the schedule's kinds
    return _dispose(ctx, [(record.table, record.id)], f"one record: {record.label}", why, counts)


def _require_secretariat(ctx: ServiceContext) -> None:
    why = ctx.identity.why_not(Operation.CREATE, Kind.RETENTION)
    if why:
        known = ctx.identity.person_id
        raise NotAllowedError("only the secretariat disposes of records" if known else why)


def _dispose(
    ctx: ServiceContext,
    records: list[tuple[str, str]],
    rule: str,
    reason: str,
    counts: dict[str, int],
) -> Certificate:
    with ctx.uow() as uow:
        uow.require(Operation.CREATE, Kind.RETENTION)
        s = uow.session
        named = list(records) + _files_only_they_hold(s, records)
        row = Disposal(
            made_at=datetime.now(UTC),
            made_by=ctx.identity.name or ctx.user,
            rule=rule,
            reason=reason,
            counts=json.dumps(counts, sort_keys=True),
            records=json.dumps([list(p) for p in named]),
        )
        s.add(row)
        uow.commit()
        made = _certificate(row)
    apply_disposals(ctx)
    return made


def _files_only_they_hold(s: Session, records: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The shared blobs (bytes kept once per content hash) of the disposed papers' files that
    no other paper attaches: named on the certificate, so every PC disposes of the same ones."""
    papers = [rid for table, rid in records if table == "papers"]
    if not papers:
        return []
    shas = set(s.scalars(select(Attachment.sha256).where(Attachment.paper_id.in_(papers))).all())
    out = []
    for sha in sorted(shas):
        elsewhere = s.scalar(
            select(Attachment.id)
            .where(
                Attachment.sha256 == sha,
                Attachment.paper_id.not_in(papers),
                Attachment.deleted.is_(False),
            )
            .limit(1)
        )
        if elsewhere is None:
            out += [
                ("attachment_blobs", b)
                for b in s.scalars(
                    select(AttachmentBlob.id).where(
                        AttachmentBlob.sha256 == sha, AttachmentBlob.paper_id.is_(None)
                    )
                )
            ]
    return out


def certificates(ctx: ServiceContext) -> list[Certificate]:
    """Every disposal certificate, newest first."""
    with ctx.uow(write=False) as uow:
        rows = uow.session.scalars(
            select(Disposal).where(Disposal.deleted.is_(False)).order_by(Disposal.made_at.desc())
        ).all()
        return [_certificate(r) for r in rows]


def _certificate(row: Disposal) -> Certificate:
    try:
        counts = {str(k): int(v) for k, v in json.loads(row.counts or "{}").items()}
    except (ValueError, AttributeError, TypeError):
        counts = {}
    return Certificate(
        row.id,
        row.made_at,
        row.made_by,
        row.rule,
        row.reason,
        counts,
        len(disposal.certificate_records(row.records)),
    )


def apply_disposals(ctx: ServiceContext) -> disposal.Applied:
    """Apply every certificate this PC holds (after each sync round, after a disposal): the
    text goes from the tables, the change log and the conflicts, then from the file itself."""
    if not _holds_certificates(ctx):
        return disposal.Applied()
    with writer(ctx.engine).begin() as conn:
        done = disposal.apply(conn)
    if done.values or done.rows or disposal.purge_due(ctx.engine):
        # busy (a sync round): the next round does it (purge_due)
        with contextlib.suppress(sqlite3.OperationalError):
            disposal.tell(ctx.engine, ctx.clock.now(), disposal.purge(ctx.engine))
    return done


def _holds_certificates(ctx: ServiceContext) -> bool:
    with ctx.engine.connect() as conn:
        return disposal.held(conn) or disposal.purge_due(ctx.engine)
