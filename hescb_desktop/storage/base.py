"""Declarative base, column types and the mixins every synced table shares."""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Boolean, DateTime, Enum, ForeignKey, MetaData, String, Text, TypeDecorator
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from uuid6 import uuid7

from hescb_desktop.domain.enums import Marking

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def new_id() -> str:
    """A time-ordered UUID (version 7) made on this PC: never an autoincrement."""
    return str(uuid7())


class UTCDateTime(TypeDecorator[datetime]):
    """An aware datetime stored as UTC; naive datetimes are refused (they are ambiguous)."""

    impl = DateTime
    cache_ok = True

    @property
    def python_type(self) -> type[datetime]:
        return datetime

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: give a time zone")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


def enum_type(enum_cls: type[enum.Enum], name: str | None = None, *, check: bool = False) -> Enum:
    """Store an enum's *value* as text. Only `check=True` adds a CHECK constraint: a newer PC may
    add values (additive schema changes), but the protective marking is a hard limit."""
    return Enum(
        enum_cls,
        native_enum=False,
        create_constraint=check,
        values_callable=lambda cls: [m.value for m in cls],
        validate_strings=True,
        length=32,
        name=name or enum_cls.__name__.lower(),
    )


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UTCDateTime()}  # noqa: RUF012


class Synced:
    """Columns of every row that syncs: a UUIDv7 key, who/when, and a tombstone."""

    __synced__ = True

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    created_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_by: Mapped[str | None] = mapped_column(String(120))
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    updated_by: Mapped[str | None] = mapped_column(String(120))
    deleted: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0", index=True)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    deleted_by: Mapped[str | None] = mapped_column(String(120))


class Marked:
    """A protective marking: OFFICIAL or OFFICIAL-SENSITIVE; the CHECK refuses anything else."""

    marking: Mapped[Marking] = mapped_column(
        enum_type(Marking, check=True),
        default=Marking.OFFICIAL,
        server_default=Marking.OFFICIAL.value,
    )


def fk(target: str, *, nullable: bool = True, index: bool = True) -> Any:
    """A reference to another synced row (a UUID)."""
    return mapped_column(String(36), ForeignKey(f"{target}.id"), nullable=nullable, index=index)


def text_col(nullable: bool = False) -> Any:
    return mapped_column(Text, nullable=nullable, default="", server_default="")
