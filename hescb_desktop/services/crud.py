"""Create, update, tombstone and list any synced entity, with input checked on the way in.

Entity services (actions, minutes, objectives, ...) build on these and add their own rules.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Generic, TypeVar

from sqlalchemy import ForeignKey, inspect, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from hescb_desktop.domain.enums import Marking
from hescb_desktop.domain.errors import NotFoundError, ValidationError
from hescb_desktop.domain.rules import parse_marking
from hescb_desktop.services.results import Changes, Result
from hescb_desktop.storage.base import Synced
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
        return _coerce_plain(column.type.python_type, value)
    except (ValueError, TypeError) as exc:
        if isinstance(exc, ValidationError):
            raise
        raise ValidationError(f"{label}: {value!r} is not a valid {key.replace('_', ' ')}") from exc


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
    row = session.execute(select(table.c.deleted).where(table.c.id == value)).first()
    if row is None or row[0]:
        noun = key.removesuffix("_id").replace("_", " ")
        raise ValidationError(f"{label}: the {noun} ({table.name} {value}) does not exist")


# ---------------------------------------------------------------------- operations
def load(session: Session, spec: EntitySpec[M, D], row_id: str) -> M:
    obj = session.get(spec.model, row_id)
    if obj is None or obj.deleted:
        raise NotFoundError(f"no {spec.label} with id {row_id}")
    return obj


def add(uow: UnitOfWork, spec: EntitySpec[M, D], values: Mapping[str, Any]) -> M:
    """Add a row inside an open unit of work (for services that do more in the same action)."""
    obj = spec.model(**clean(uow.session, spec, values, creating=True))
    uow.session.add(obj)
    uow.session.flush()
    return obj


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
    return Result(dto, Changes(uow.tables_changed, (obj.id,)))


def update(
    uow: UnitOfWork, spec: EntitySpec[M, D], row_id: str, values: Mapping[str, Any]
) -> Result[D]:
    with uow:
        obj = change(uow, spec, row_id, values)
        dto = spec.to_dto(obj)
        uow.commit()
    return Result(dto, Changes(uow.tables_changed, (row_id,)))


def delete(uow: UnitOfWork, spec: EntitySpec[M, D], row_id: str) -> Result[None]:
    """Tombstone: the row stays, flagged deleted with who and when."""
    with uow:
        load(uow.session, spec, row_id).deleted = True
        uow.commit()
    return Result(None, Changes(uow.tables_changed, (row_id,)))


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
