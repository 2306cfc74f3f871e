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

from sqlalchemy import inspect
from sqlalchemy.orm import Session

from hescb_desktop.domain.permissions import (
    KIND_OF_TABLE,
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
    for obj, new, columns in changed:
        table = inspect(type(obj)).local_table.name
        owners = owners_of(table, _before(obj), lambda t, i: _row(session, t, i))
        operations = {operation_of(table, c, not new) for c in columns}
        for operation in sorted(operations):
            refuse_unless(identity, operation, KIND_OF_TABLE[table], owners)


def check_new_rows(
    identity: Identity, session: Session, table: str, rows: Iterable[Mapping[str, Any]]
) -> None:
    """The same for new rows written in bulk (storage.bulk: an .ics import), before they are."""
    if not identity.protected:
        return
    for row in rows:
        owners = owners_of(table, row, lambda t, i: _row(session, t, i))
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


def _row(session: Session, table: str, row_id: str) -> Mapping[str, Any] | None:
    """A parent row's values before this flush, wherever it is: pending in this session or in
    the database."""
    model = _model(table)
    obj = next((o for o in session.new if isinstance(o, model) and o.id == row_id), None)
    if obj is None:
        with session.no_autoflush:
            obj = session.get(model, row_id)
    return _before(obj) if obj is not None else None


def _model(table: str) -> type[Synced]:
    for mapper in Base.registry.mappers:
        if getattr(mapper.class_, "__tablename__", None) == table:
            model: type[Synced] = mapper.class_
            return model
    raise KeyError(table)
