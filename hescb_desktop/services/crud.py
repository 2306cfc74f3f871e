"""Create, update, tombstone and list any synced entity, with input checked on the way in.

Entity services (actions, minutes, objectives, ...) build on these and add their own rules.
"""

from __future__ import annotations

import dataclasses
import enum
import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Generic, TypeVar

from sqlalchemy import ForeignKey, Table, inspect, select
from sqlalchemy.orm import Mapper, Session
from sqlalchemy.sql.elements import ColumnElement

from hescb_desktop.domain.enums import Marking
from hescb_desktop.domain.errors import NotFoundError, ValidationError
from hescb_desktop.domain.printable import control_problem, shorten
from hescb_desktop.domain.rules import parse_marking
from hescb_desktop.services.results import Result, changes_of
from hescb_desktop.storage.base import Base, Synced, new_id
from hescb_desktop.storage.uow import UnitOfWork

M = TypeVar("M", bound=Synced)
D = TypeVar("D")

_READ_ONLY = frozenset(
    {
        "id",
        "created_at",
        "created_by",
        "updated_at",
        "updated_by",
        "deleted",
        "deleted_at",
        "deleted_by",
    }
)


@dataclass(frozen=True)
class EntitySpec(Generic[M, D]):
    """How one synced table is exposed: its model, its DTO, its required fields and its name."""

    model: type[M]
    dto: type[D]
    label: str
    required: tuple[str, ...] = ()

    @property
    def table(self) -> str:
        return str(self.model.__tablename__)  # type: ignore[attr-defined]

    def to_dto(self, obj: M) -> D:
        return self.dto(**{f.name: getattr(obj, f.name) for f in dataclasses.fields(self.dto)})  # type: ignore[arg-type]


# ---------------------------------------------------------------------- input checking
def clean(
    session: Session, spec: EntitySpec[M, D], values: Mapping[str, Any], *, creating: bool
) -> dict[str, Any]:
    """Values coerced to their column types; anything unknown, missing or wrong is refused."""
    columns = {a.key: a.columns[0] for a in inspect(spec.model).column_attrs}
    out: dict[str, Any] = {}
    for key, value in values.items():
        if key not in columns or key in _READ_ONLY:
            raise ValidationError(f"{spec.label} has no field {key!r} that can be set")
        out[key] = _coerce(spec.label, key, columns[key], value)
    for key in spec.required:
        if (creating or key in out) and not _present(out.get(key)):
            raise ValidationError(f"{spec.label}: {key.replace('_', ' ')} is required")
    for key, value in out.items():
        _check_reference(session, spec.label, key, columns[key], value)
    return out


def _present(value: Any) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


def _coerce(label: str, key: str, column: Any, value: Any) -> Any:
    if value is None:
        if not column.nullable and column.default is None:
            raise ValidationError(f"{label}: {key.replace('_', ' ')} cannot be empty")
        return None
    enum_cls = getattr(column.type, "enum_class", None)
    try:
        if enum_cls is Marking:
            return value if isinstance(value, Marking) else parse_marking(str(value))
        if enum_cls is not None:
            return value if isinstance(value, enum_cls) else enum_cls(str(value))
        coerced = _coerce_plain(column.type.python_type, value)
    except (ValueError, TypeError) as exc:
        if isinstance(exc, ValidationError):
            raise
        raise ValidationError(
            f"{label}: {shorten(str(value))!r} is not a valid {key.replace('_', ' ')}"
        ) from exc
    problem = control_problem(coerced) if isinstance(coerced, str) else ""
    if problem:  # an ESC or BEL typed or pasted in would reach terminals and calendar clients
        raise ValidationError(f"{label}: the {key.replace('_', ' ')} holds {problem}")
    return coerced


def _coerce_plain(kind: type, value: Any) -> Any:
    if kind is datetime:
        parsed = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
        if parsed.tzinfo is None:
            raise ValueError("a date and time needs a time zone")
        return parsed
    if kind is date:
        if isinstance(value, datetime):
            raise TypeError("a date, not a date and time")
        return value if isinstance(value, date) else date.fromisoformat(str(value))
    if kind is bool:
        if not isinstance(value, bool):
            raise TypeError("yes or no")
        return value
    if kind in (int, float) and isinstance(value, bool):
        raise TypeError("a number")
    if kind is str and not isinstance(value, str):
        raise TypeError("text")
    return kind(value)


def _check_reference(session: Session, label: str, key: str, column: Any, value: Any) -> None:
    fks: list[ForeignKey] = list(column.foreign_keys)
    if value is None or not fks:
        return
    table = fks[0].column.table
    if not _live(session, table, value):
        noun = key.removesuffix("_id").replace("_", " ")
        raise ValidationError(f"{label}: the {noun} ({table.name} {value}) does not exist")


def _live(session: Session, table: Table, row_id: Any) -> bool:
    """Whether `row_id` is a live row of `table` as this session sees it, pending changes
    included. A row the session holds is judged by its in-memory tombstone, with no flush, so
    rows added with `add(..., flush=False)` can be referenced before they are written."""
    held = _held(session, table, row_id)
    if held is not None:
        return not held.deleted
    stmt = select(table.c.deleted).where(table.c.id == row_id)
    with session.no_autoflush:
        row = session.execute(stmt).first()
    if row is None and session.new:  # pending but added some other way: flush, look again
        row = session.execute(stmt).first()
    return row is not None and not row[0]


def _held(session: Session, table: Table, row_id: Any) -> Synced | None:
    pending: dict[tuple[str, Any], Synced] = session.info.get(_PENDING, {})
    if (table.name, row_id) in pending:
        return pending[(table.name, row_id)]
    mapper = _synced_mappers().get(table.name)
    if mapper is None:
        return None
    held: Synced | None = session.identity_map.get(mapper.identity_key_from_primary_key((row_id,)))
    return held


@functools.cache
def _synced_mappers() -> dict[str, Mapper[Any]]:
    return {
        str(m.persist_selectable.name): m  # type: ignore[attr-defined]
        for m in Base.registry.mappers
        if issubclass(m.class_, Synced)
    }


_PENDING = "hescb.crud.pending"  # session.info: rows add(flush=False) has not flushed yet


# ---------------------------------------------------------------------- operations
def load(session: Session, spec: EntitySpec[M, D], row_id: str) -> M:
    obj = session.get(spec.model, row_id)
    if obj is None or obj.deleted:
        raise NotFoundError(f"no {spec.label} with id {row_id}")
    return obj


def add(
    uow: UnitOfWork, spec: EntitySpec[M, D], values: Mapping[str, Any], *, flush: bool = True
) -> M:
    """Add a row inside an open unit of work (for services that do more in the same action).

    `flush=False` is for adding many rows in one action (the demo board): the row gets its id at
    once and waits for the next flush (a query, the commit, or the caller's), which writes it and
    its change_log rows together with the others. Later rows may reference it before then: a row
    that references a pending row of another table flushes first (a flush orders the INSERTs of
    one table as added, but not of different tables).
    """
    session = uow.session
    obj = spec.model(**clean(session, spec, values, creating=True))
    if flush:
        session.add(obj)
        session.flush()
        return obj
    if _refers_to_pending(session, spec, obj):
        session.flush()
    obj.id = new_id()
    session.add(obj)
    session.info.setdefault(_PENDING, {})[(spec.table, obj.id)] = obj
    return obj


def _refers_to_pending(session: Session, spec: EntitySpec[M, D], obj: M) -> bool:
    pending: dict[tuple[str, Any], Synced] = session.info.get(_PENDING, {})
    if not pending:
        return False
    for column in inspect(spec.model).columns:
        for fk in column.foreign_keys:
            table = fk.column.table.name
            target = pending.get((table, getattr(obj, column.key)))
            if target is not None and table != spec.table and inspect(target).pending:
                return True
    return False


def change(uow: UnitOfWork, spec: EntitySpec[M, D], row_id: str, values: Mapping[str, Any]) -> M:
    obj = load(uow.session, spec, row_id)
    for key, value in clean(uow.session, spec, values, creating=False).items():
        if getattr(obj, key) != value:
            setattr(obj, key, value)
    uow.session.flush()
    return obj


def create(uow: UnitOfWork, spec: EntitySpec[M, D], values: Mapping[str, Any]) -> Result[D]:
    with uow:
        obj = add(uow, spec, values)
        dto = spec.to_dto(obj)
        uow.commit()
    return Result(dto, changes_of(uow, (obj.id,)))


def create_all(
    uow: UnitOfWork, spec: EntitySpec[M, D], rows: Iterable[Mapping[str, Any]]
) -> Result[list[D]]:
    """Several rows of one kind in one action (one transaction)."""
    with uow:
        objs = [add(uow, spec, values) for values in rows]
        dtos = [spec.to_dto(obj) for obj in objs]
        uow.commit()
    return Result(dtos, changes_of(uow, tuple(obj.id for obj in objs)))


def update(
    uow: UnitOfWork, spec: EntitySpec[M, D], row_id: str, values: Mapping[str, Any]
) -> Result[D]:
    with uow:
        obj = change(uow, spec, row_id, values)
        dto = spec.to_dto(obj)
        uow.commit()
    return Result(dto, changes_of(uow, (row_id,)))


def delete(uow: UnitOfWork, spec: EntitySpec[M, D], row_id: str) -> Result[None]:
    """Tombstone: the row stays, flagged deleted with who and when."""
    with uow:
        load(uow.session, spec, row_id).deleted = True
        uow.commit()
    return Result(None, changes_of(uow, (row_id,)))


def get(uow: UnitOfWork, spec: EntitySpec[M, D], row_id: str) -> D:
    with uow:
        return spec.to_dto(load(uow.session, spec, row_id))


def list_all(
    uow: UnitOfWork,
    spec: EntitySpec[M, D],
    *,
    include_deleted: bool = False,
    where: ColumnElement[bool] | None = None,
    order_by: Any = None,
) -> list[D]:
    with uow:
        stmt = select(spec.model)
        if not include_deleted:
            stmt = stmt.where(spec.model.deleted.is_(False))
        if where is not None:
            stmt = stmt.where(where)
        stmt = stmt.order_by(order_by if order_by is not None else spec.model.id)
        return [spec.to_dto(o) for o in uow.session.scalars(stmt)]


def enum_value(value: Any) -> Any:
    return value.value if isinstance(value, enum.Enum) else value
