"""Undo and redo (issue 17, point 3): one user action is one transaction in the change log; its
undo is a new transaction that sets back exactly the fields that transaction changed.

The rule, field by field, for a transaction `ref` (this PC's device id and tx):
- a field that still holds the value `ref` gave it (its winning change, highest (hlc, device) as
  the merge decides, has that value: `ref`'s own, or a later one that set it again, such as the
  redo of an undo) gets the value it had before: the winning change that precedes `ref`'s
  (none: NULL);
- a field changed since, by another PC or by a later change here, is left as it is and named
  in the outcome, with who changed it and when;
- a row `ref` created is undone by its tombstone (`deleted`); the bookkeeping columns
  (created_at/by, updated_at/by) are never restored: they say who last touched the row, and the
  undo did;
- a restricted record's text is opened with this PC's key and sealed again as it is written
  (storage.capture); without the key, or once disposed of, that field is left, saying why.
Everything goes through the ORM in the caller's unit of work, so capture logs it and the
guard refuses what the person may not change. Redo is the undo of the undo (the same rule).

Settings (services.settings) live in the local `local_state`, not in the change log: they are
not undone here; the GUI undoes a settings change by saving the values it replaced.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from hescb_desktop.domain.errors import DomainError
from hescb_desktop.domain.undo import TxRef
from hescb_desktop.services.context import ServiceContext
from hescb_desktop.services.results import Result, changes_of
from hescb_desktop.services.user_names import user_names
from hescb_desktop.storage.base import Base, Synced
from hescb_desktop.storage.capture import implied_null
from hescb_desktop.storage.codec import decode
from hescb_desktop.storage.disposed_values import is_disposed
from hescb_desktop.storage.journal import ChangeLog
from hescb_desktop.storage.restricted import PLACEHOLDER_JSON, Opener
from hescb_desktop.storage.sealed_values import is_sealed
from hescb_desktop.storage.undo_journal import JournalNote, entries, next_redo, next_undo
from hescb_desktop.storage.uow import UnitOfWork
from hescb_desktop.sync.hlc import to_datetime

_ORIGINS = {"cli": "command line", "gui": "app"}
BOOKKEEPING = frozenset({"created_at", "created_by", "updated_at", "updated_by"})


class NothingToUndoError(DomainError):
    """Nothing of a transaction can be undone (or there is no transaction to undo)."""


@dataclass(frozen=True)
class FieldLeft:
    """A field the undo left as it is, and why."""

    table: str
    row_id: str
    column: str
    reason: str  # "changed since by A. Person on 3 Dec 14:05; left as it is"
    by: str = ""  # who changed it since (a name), if that is the reason
    at: datetime | None = None  # when (local time)

    @property
    def message(self) -> str:
        return f"{_record_name(self.table)} {self.row_id} {self.column}: {self.reason}"


@dataclass(frozen=True)
class UndoOutcome:
    """What an undo did: the transaction it took back, the one it made, and field by field."""

    label: str
    undone: TxRef  # the transaction taken back
    tx: TxRef | None  # the undo's own transaction: redo is `undo(uow, outcome.tx, ...)`
    restored: tuple[tuple[str, str, str], ...]  # (table, row id, column) set back
    removed: tuple[tuple[str, str], ...]  # (table, row id) created by it, now tombstoned
    left: tuple[FieldLeft, ...]


@dataclass(frozen=True)
class _Change:
    device_id: str
    seq: int
    hlc: int
    table: str
    row_id: str
    column: str
    value: str
    user: str

    @property
    def clock(self) -> tuple[int, str]:
        return (self.hlc, self.device_id)


def undo(uow: UnitOfWork, ref: TxRef, *, label: str) -> Result[UndoOutcome]:
    """Take back the transaction `ref` as a new transaction (see the module's rule). Raises
    NothingToUndoError, saying why, when no field of it can be set back."""
    with uow:
        if uow.journal is not None:
            uow.journal = JournalNote(uow.journal.origin, label, undoes=ref.tx)
        mine = _changes_of(uow.session, ref)
        if not mine:
            raise NothingToUndoError(f"nothing to undo: {label} changed nothing on this board")
        plan = _Plan(uow.session, mine)
        plan.apply()
        if not plan.restored and not plan.removed:
            reasons = "; ".join(f.message for f in plan.left[:3]) or "nothing changed"
            raise NothingToUndoError(f"{label} cannot be undone: {reasons}")
        uow.commit()
    outcome = UndoOutcome(
        label, ref, uow.tx, tuple(plan.restored), tuple(plan.removed), tuple(plan.left)
    )
    return Result(outcome, changes_of(uow, tuple(sorted({r for _, r, _ in plan.touched}))))


def _changes_of(session: Session, ref: TxRef) -> list[_Change]:
    """The change-log rows of one transaction (its seqs run on from its tx)."""
    stmt = (
        select(ChangeLog)
        .where(
            ChangeLog.device_id == ref.device_id, ChangeLog.seq >= ref.tx, ChangeLog.tx == ref.tx
        )
        .order_by(ChangeLog.seq)
    )
    return [_change(c) for c in session.scalars(stmt)]


def _change(c: ChangeLog) -> _Change:
    return _Change(
        c.device_id, c.seq, c.hlc, c.table_name, c.row_id, c.column_name, c.value, c.user
    )


def _history(
    session: Session, rows: Iterable[tuple[str, str]]
) -> dict[tuple[str, ...], list[_Change]]:
    """Every logged change of these rows, by (table, row id, column)."""
    found: dict[tuple[str, ...], list[_Change]] = defaultdict(list)
    for table, row_id in rows:
        stmt = select(ChangeLog).where(ChangeLog.table_name == table, ChangeLog.row_id == row_id)
        for c in session.scalars(stmt):
            found[(table, row_id, c.column_name)].append(_change(c))
    return found


class _Plan:
    """The undo of one transaction's changes, field by field."""

    def __init__(self, session: Session, mine: list[_Change]) -> None:
        self.session = session
        self.mine = mine
        self.created = {(c.table, c.row_id) for c in mine if c.column == "created_at"}
        self.history = _history(session, dict.fromkeys((c.table, c.row_id) for c in mine))
        self.names = user_names(session)
        self.opener = Opener(session.connection())
        self.restored: list[tuple[str, str, str]] = []
        self.removed: list[tuple[str, str]] = []
        self.left: list[FieldLeft] = []
        self.touched: list[tuple[str, str, str]] = []

    def apply(self) -> None:
        # a field the transaction wrote more than once (two flushes: a RAG's dimensions, then
        # its override) is judged by its last value and set back to its value before the first
        last: dict[tuple[str, str, str], _Change] = {}
        first: dict[tuple[str, str, str], _Change] = {}
        for change in self.mine:
            field_key = (change.table, change.row_id, change.column)
            last[field_key] = change
            first.setdefault(field_key, change)
        for field_key, change in last.items():
            if change.column in BOOKKEEPING:
                continue
            key = (change.table, change.row_id)
            if key in self.created and change.column != "deleted":
                continue  # a row it created goes by its tombstone
            self._undo_field(change, first[field_key], created=key in self.created)
        self.session.flush()

    def _undo_field(self, change: _Change, earliest: _Change, *, created: bool) -> None:
        history = self.history[(change.table, change.row_id, change.column)]
        winner = max(history, key=lambda h: h.clock)
        if winner.value != change.value:  # it no longer holds this transaction's value
            return self._leave_changed(change, winner)
        obj = self._row(change)
        if obj is None:
            return self._leave(change, "the record is no longer on this PC; left as it is")
        if created:
            obj.deleted = True
            self.removed.append((change.table, change.row_id))
            self.touched.append((change.table, change.row_id, "deleted"))
            return None
        before = max(
            (h for h in history if h.clock < earliest.clock), key=lambda h: h.clock, default=None
        )
        value, why = self._earlier_value(obj, change, before)
        if why:
            return self._leave(change, why)
        setattr(obj, change.column, value)
        self.restored.append((change.table, change.row_id, change.column))
        self.touched.append((change.table, change.row_id, change.column))
        return None

    def _earlier_value(
        self, obj: Synced, change: _Change, before: _Change | None
    ) -> tuple[Any, str]:
        """The value the field had before `change` (decoded), or why it cannot be set back."""
        column = inspect(type(obj)).columns[change.column]
        if before is None:
            if implied_null(column):
                return None, ""
            return None, "its earlier value is not in the change log; left as it is"
        text = before.value
        if is_disposed(text):
            return None, "its earlier text was disposed of; left as it is"
        if is_sealed(text):
            text = self.opener.open_one(change.table, change.row_id, change.column, text)
            if text == PLACEHOLDER_JSON:
                return None, "restricted, and this PC does not hold its key; left as it is"
        return decode(text, column.type), ""

    def _row(self, change: _Change) -> Synced | None:
        model = _models().get(change.table)
        return None if model is None else self.session.get(model, change.row_id)

    def _leave_changed(self, change: _Change, winner: _Change) -> None:
        by = self.names(winner.user) or winner.user
        at = to_datetime(winner.hlc).astimezone()
        when = f"{at.day} {at:%b %H:%M}"
        reason = f"changed since by {by} on {when}; left as it is"
        self.left.append(FieldLeft(change.table, change.row_id, change.column, reason, by, at))

    def _leave(self, change: _Change, reason: str) -> None:
        self.left.append(FieldLeft(change.table, change.row_id, change.column, reason))


@functools.cache
def _models() -> dict[str, type[Synced]]:
    return {
        str(m.class_.__tablename__): m.class_  # type: ignore[attr-defined]
        for m in Base.registry.mappers
        if issubclass(m.class_, Synced)
    }


def _record_name(table: str) -> str:
    return table.removesuffix("s").replace("_", " ")


def undo_last(
    ctx: ServiceContext, *, origin: str = "cli", redo: bool = False
) -> Result[UndoOutcome]:
    """Undo (or redo) the newest transaction of `origin` on this PC's undo stack
    (storage.undo_journal). Raises NothingToUndoError when there is none."""
    with ctx.uow(write=False) as reading:
        found = entries(reading.session, ctx.device_id, origin)
        entry = next_redo(found) if redo else next_undo(found)
        if entry is None:
            what = "redo" if redo else "undo"
            raise NothingToUndoError(
                f"nothing to {what}: no change made from the {_ORIGINS[origin]} on this PC"
                f" waits to be {what}ne"
            )
        ref, label = TxRef(entry.device_id, entry.tx), entry.label
    return undo(ctx.uow(), ref, label=label)
