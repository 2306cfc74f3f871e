"""How a field's value is written into the change log (JSON) and read back for a column."""

from __future__ import annotations

import enum
import json
from datetime import UTC, date, datetime
from typing import Any

import orjson
from sqlalchemy import Boolean, Date, Float, Integer
from sqlalchemy import Enum as SAEnum
from sqlalchemy.sql.type_api import TypeEngine

from hescb_desktop.storage.base import UTCDateTime


def to_jsonable(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r} cannot be logged")
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    return value


def encode(value: Any) -> str:
    return json.dumps(to_jsonable(value), ensure_ascii=False, separators=(",", ":"))


def decode(text: str, column_type: TypeEngine[Any]) -> Any:
    """The Python value for a column of this type from its change-log JSON."""
    # orjson: 2-3x the standard library's speed (merges decode every value)
    return from_jsonable(orjson.loads(text), column_type)


def decode_many(texts: list[str], column_type: TypeEngine[Any]) -> list[Any]:
    """`decode` of many values of one column (a merge decodes 100,000): orjson mapped over them
    from C, then the per-type conversion only for the types that need one. Each text is parsed
    on its own, so a malformed one fails exactly as `decode` would."""
    raws = list(map(orjson.loads, texts))
    if not needs_conversion(column_type):
        return raws
    return [None if raw is None else from_jsonable(raw, column_type) for raw in raws]


def needs_conversion(column_type: TypeEngine[Any]) -> bool:
    """Whether a JSON value must be converted for this column (strings and JSON need not)."""
    return isinstance(column_type, (UTCDateTime, Date, SAEnum, Boolean, Integer, Float))


def from_jsonable(raw: Any, column_type: TypeEngine[Any]) -> Any:
    """The inverse of `to_jsonable` for a column of this type."""
    if raw is None:
        return None
    if isinstance(column_type, UTCDateTime):
        return datetime.fromisoformat(raw.replace("Z", "+00:00"))
    if isinstance(column_type, Date):
        return date.fromisoformat(raw)
    if isinstance(column_type, SAEnum) and column_type.enum_class is not None:
        return column_type.enum_class(raw)
    if isinstance(column_type, Boolean):
        return bool(raw)
    if isinstance(column_type, Integer):
        return int(raw)
    if isinstance(column_type, Float):
        return float(raw)
    return raw
