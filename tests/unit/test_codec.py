"""The change-log codec: `decode_many` (a merge's bulk path) agrees with `decode` value by value."""

from __future__ import annotations

import enum
from datetime import UTC, date, datetime
from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import BigInteger, Boolean, Date, Float, Integer, String, Text
from sqlalchemy import Enum as SAEnum
from sqlalchemy.sql.type_api import TypeEngine

import hescb_desktop.storage.models  # noqa: F401  (every table in the metadata)
from hescb_desktop.storage.base import Base, UTCDateTime
from hescb_desktop.storage.codec import decode, decode_many, encode


class Colour(enum.Enum):
    RED = "red"
    GREEN = "green"


TEXTS = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=30)
VALUES: dict[type, st.SearchStrategy[Any]] = {  # subclasses first: Enum is a String
    SAEnum: st.sampled_from(list(Colour)),
    String: TEXTS,
    Text: TEXTS,
    Integer: st.integers(min_value=-(2**53), max_value=2**53),
    Float: st.floats(allow_nan=False, allow_infinity=False),
    Boolean: st.booleans(),
    Date: st.dates(),
    UTCDateTime: st.datetimes(timezones=st.just(UTC)),
}
TYPES: list[TypeEngine[Any]] = [
    String(),
    Text(),
    Integer(),
    BigInteger(),
    Float(),
    Boolean(),
    Date(),
    UTCDateTime(),
    SAEnum(Colour),
]


def _strategy(column_type: TypeEngine[Any]) -> st.SearchStrategy[Any]:
    for kind, strategy in VALUES.items():
        if isinstance(column_type, kind):
            return strategy
    raise AssertionError(f"no strategy for {column_type!r}")


@settings(max_examples=60, deadline=None)
@given(data=st.data(), column_type=st.sampled_from(TYPES))
def test_decode_many_equals_decode_one_by_one(data: st.DataObject, column_type: Any) -> None:
    values = data.draw(st.lists(st.one_of(st.none(), _strategy(column_type)), max_size=20))
    texts = [encode(v) for v in values]
    assert decode_many(texts, column_type) == [decode(t, column_type) for t in texts]
    assert decode_many(texts, column_type) == values


def test_every_column_type_in_the_schema_has_a_case_here() -> None:
    """A new column type must be added to TYPES above (and checked against decode)."""
    kinds = {type(c.type) for t in Base.metadata.tables.values() for c in t.c}
    assert kinds <= {type(t) for t in TYPES}, kinds - {type(t) for t in TYPES}


def test_each_value_is_parsed_on_its_own() -> None:
    # texts that would make a valid array if joined ("1,2"; '"a' + 'b"') are still refused
    with pytest.raises(orjson.JSONDecodeError):
        decode_many(["1", "1,2", "3"], Integer())
    with pytest.raises(orjson.JSONDecodeError):
        decode_many(['"a"', "{not json"], String())
    with pytest.raises(orjson.JSONDecodeError):
        decode_many(['"a', 'b"', "1"], String())
    assert decode_many([], Date()) == []
    assert decode_many(['"2026-02-29"'.replace("29", "28")], Date()) == [date(2026, 2, 28)]
    assert decode_many(['"2026-11-25T10:42:00Z"'], UTCDateTime()) == [
        datetime(2026, 11, 25, 10, 42, tzinfo=UTC)
    ]
