"""The rules checked on every change this PC makes, field by field, as the merge checks them.

Every write a user reaches goes through a unit of work, and every flush of a synced row passes
here before its change-log rows are written: each changed field is classified with
`domain.permissions.operation_of` and the row's owners found with `owners_of` (the row's values
before the change, its parent's for a child row), exactly as every other PC will classify the
record on merge (issue 15, point 5). So this PC never applies a change the others would refuse.
The services also ask `uow.require` up front, in the words of what the person set out to do;
this is the backstop that no write path can miss. An unprotected board (and every in-memory
database) is never checked: there everyone may still do everything.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from hescb_desktop.domain.permissions import (
    KIND_OF_TABLE,
    OWNER_COLUMNS,
    PARENT_OF,
    Identity,
    Kind,
    NotAllowedError,
    Operation,
    Owners,
    operation_of,
    owners_of,
)
from hescb_desktop.storage.base import Base, Synced

Changed = tuple[Synced, bool, Iterable[str]]  # a row, whether it is new, the columns it changes


def refuse_unless(identity: Identity, operation: Operation, kind: Kind, owners: Owners) -> None:
    """Raise NotAllowedError, its message the refusal in words, unless `identity` may."""
    why = identity.why_not(operation, kind, owners)
    if why:
        raise NotAllowedError(why[0].upper() + why[1:] + ".")


def check_flush(identity: Identity, session: Session, changed: Iterable[Changed]) -> None:
    """Refuse the flush if any field of it is beyond the person at the keyboard."""
    if not identity.protected:
        return
    parent = _Parents(session)
    for obj, new, columns in changed:
        table = _table(obj)
        owners = owners_of(table, _before(obj), parent)
        operations = {operation_of(table, c, not new) for c in columns}
        for operation in sorted(operations):
            refuse_unless(identity, operation, KIND_OF_TABLE[table], owners)


def check_new_rows(
    identity: Identity, session: Session, table: str, rows: Iterable[Mapping[str, Any]]
) -> None:
    """The same for new rows written in bulk (storage.bulk: an .ics import), before they are."""
    if not identity.protected:
        return
    parent = _Parents(session)
    rows = list(rows)
    if table in PARENT_OF:
        column, parent_table = PARENT_OF[table]
        parent.prefetch(parent_table, {str(r[column]) for r in rows if r.get(column)})
    for row in rows:
        owners = owners_of(table, row, parent)
        refuse_unless(identity, Operation.CREATE, KIND_OF_TABLE[table], owners)


def _before(obj: Synced) -> dict[str, Any]:
    """The row's values before this flush (a new row's values as they are)."""
    state = inspect(obj)
    values: dict[str, Any] = {}
    for attr in state.mapper.column_attrs:
        history = state.attrs[attr.key].history
        old = history.deleted or history.unchanged
        values[attr.key] = old[0] if old and state.persistent else getattr(obj, attr.key)
    return values


class _Parents:
    """Parent rows by (table, id), each read once per check (an import's thousand attendees
    share their events): pending in this session, else from the database."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.seen: dict[tuple[str, str], Mapping[str, Any] | None] = {}
        self.pending: dict[tuple[str, str], Synced] | None = None

    def __call__(self, table: str, row_id: str) -> Mapping[str, Any] | None:
        if (table, row_id) not in self.seen:
            if self.pending is None:
                new = self.session.new
                self.pending = {(_table(o), o.id): o for o in new if isinstance(o, Synced)}
            obj = self.pending.get((table, row_id))
            if obj is None:
                with self.session.no_autoflush:
                    obj = self.session.get(_model(table), row_id)
            self.seen[table, row_id] = _before(obj) if obj is not None else None
        return self.seen[table, row_id]

    def prefetch(self, table: str, ids: set[str]) -> None:
        """Read the rows `ids` of `table` (the columns that say whose they are) in a few
        queries, for rows written in bulk whose parents are already in the database."""
        model = _model(table)
        columns = ["id", *OWNER_COLUMNS.get(table, ()), *PARENT_OF.get(table, ())[:1]]
        wanted = sorted(ids)
        with self.session.no_autoflush:
            for n in range(0, len(wanted), 500):
                chunk = wanted[n : n + 500]
                stmt = select(*(getattr(model, c) for c in columns)).where(model.id.in_(chunk))
                for values in self.session.execute(stmt):
                    self.seen[table, values[0]] = dict(zip(columns, values, strict=True))


def _table(obj: Synced) -> str:
    return str(getattr(type(obj), "__tablename__", ""))


def _model(table: str) -> type[Synced]:
    for mapper in Base.registry.mappers:
        if getattr(mapper.class_, "__tablename__", None) == table:
            model: type[Synced] = mapper.class_
            return model
    raise KeyError(table)
