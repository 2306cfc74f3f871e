"""Screening peers' records before they are merged: what a file on the share may not do (issue 13).

Every PC decides the same way on the same records (the rules depend only on the record and this
app's schema), so a refused record changes nothing anywhere: it is not applied and not stored in
change_log (it cannot move a field's clock), and the round reports it once, per PC and reason
("PC 1a2b3c4d sent 3 changes to tables that never sync (sync_peers): ignored").

Refused: a table this PC keeps to itself (sync_peers, conflicts, local_state, change_log,
sync_notices, alembic_version, sqlite_*), a record setting `id`, a table or column name no app
would use, a row id that is not an id, a value that is not JSON, or a value of the wrong JSON type
for a column this app knows (text for a number, a list for a title, null for a required field, a
date that is not a date). A table or column this app does not know but a newer app might add
is not refused: the merger keeps it in change_log, as before.

The checks run a field at a time over the whole batch (set, map and zip run in C); the record by
record pass runs only when one of those finds something to refuse.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import date, datetime
from functools import cache
from itertools import compress
from typing import Any

import orjson
from sqlalchemy import Boolean, Column, Date, Float, Integer, String
from sqlalchemy.sql.type_api import TypeEngine

from hescb_desktop.storage import models  # noqa: F401  (the synced tables' column types)
from hescb_desktop.storage.base import Base, UTCDateTime
from hescb_desktop.storage.synced_columns import NAME, SYNCED_COLUMNS, never_syncs
from hescb_desktop.sync.segments import Record

ROW_ID = re.compile(r"[0-9A-Za-z][0-9A-Za-z-]{0,35}")  # a UUID, or an id of that shape
MAX_INT = 2**63 - 1  # SQLite's largest integer: a larger one would fail the insert
_AWARE_TIME = re.compile(r"\d{4}-\d\d-\d\dT[0-9:.]+(Z|[+-]\d\d:\d\d)")  # as the app writes them
MAX_USER = 1000
MAX_VALUE = 40 * 1024 * 1024  # a 25 MB attachment, base64 in a JSON string, fits
_INT = frozenset({int})
_INT_OR_NONE = frozenset({int, type(None)})
_STR = frozenset({str})

# reasons, as the report says them after "sent N changes"; a detail goes in brackets
NEVER_SYNCS = "to tables that never sync"
NOT_A_FIELD = "to fields that never sync"
BAD_NAME = "with a table or field name no version of the app uses"
BAD_ROW = "naming a record by something that is not an id"
MALFORMED = "with malformed fields (not as this app writes them)"
NOT_JSON = "whose value is not valid JSON"
WRONG_TYPE = "whose value does not fit its field"

Reason = tuple[str, str]  # (reason, detail)


def screen(records: Sequence[Record]) -> tuple[list[Record], Counter[Reason]]:
    """The records that may be merged, and how many were refused for which reason."""
    if not records or _all_fit(records):
        return list(records), Counter()
    kept: list[Record] = []
    refused: Counter[Reason] = Counter()
    for rec in records:
        problem = _record_problem(rec)
        if problem is None:
            kept.append(rec)
        else:
            refused[problem] += 1
    return kept, refused


def _all_fit(records: Sequence[Record]) -> bool:
    """Whether every record passes, decided a field at a time over the whole batch. A field of
    the wrong type makes a check below raise TypeError (a list is not hashable, an int has no
    len): the batch then goes record by record."""
    _, _, txs, hlcs, tables, rows, cols, values, prevs, users = zip(*records, strict=True)
    for numbers in (txs, hlcs):
        if set(map(type, numbers)) != _INT or min(numbers) < 0 or max(numbers) > MAX_INT:
            return False
    if not set(map(type, prevs)) <= _INT_OR_NONE:
        return False
    given = list(filter(None, prevs))  # not None (nor 0)
    if given and (min(given) < 0 or max(given) > MAX_INT):
        return False
    if set(map(type, users)) != _STR or max(map(len, users)) > MAX_USER:
        return False
    try:
        pairs = set(zip(tables, cols, strict=True))
        if not set(map(type, itertools.chain.from_iterable(pairs))) <= _STR:
            return False
        if any(_name_problem(t, c) for t, c in pairs):
            return False
        if not all(map(ROW_ID.fullmatch, set(rows))):
            return False
        if max(map(len, values)) > MAX_VALUE:
            return False
        decoded = list(map(orjson.loads, values))  # a list or dict raises JSONDecodeError
    except (TypeError, orjson.JSONDecodeError):
        return False
    return _values_fit(tables, cols, pairs, decoded)


def describe(device: str, refused: Counter[Reason]) -> list[str]:
    """One line per reason: "PC 1a2b3c4d sent 3 changes to tables that never sync (x): ignored"."""
    who = f"PC {device.replace('-', '')[-8:]}"
    by_reason: dict[str, tuple[int, list[str]]] = {}
    for (reason, detail), count in sorted(refused.items()):
        total, details = by_reason.get(reason, (0, []))
        by_reason[reason] = (total + count, [*details, detail] if detail else details)
    lines = []
    for reason, (count, details) in by_reason.items():
        shown = (
            f" ({', '.join(details[:5])}{', ...' if len(details) > 5 else ''})" if details else ""
        )
        noun = "change" if count == 1 else "changes"
        lines.append(f"{who} sent {count} {noun} {reason}{shown}: ignored")
    return lines


# ---------------------------------------------------------------------- the rules
def _name_problem(table: str, col: str) -> Reason | None:
    if never_syncs(table):
        return NEVER_SYNCS, table[:64]
    if not NAME.fullmatch(table) or not NAME.fullmatch(col):
        return BAD_NAME, ""
    if col == "id":
        return NOT_A_FIELD, f"{table}.{col}"
    return None


def _record_problem(rec: Record) -> Reason | None:
    if not _well_formed(rec):
        return MALFORMED, ""
    problem = _name_problem(rec.table, rec.col)
    if problem is not None:
        return problem
    if not ROW_ID.fullmatch(rec.row):
        return BAD_ROW, ""
    try:
        value = orjson.loads(rec.value)
    except orjson.JSONDecodeError:
        return NOT_JSON, ""
    check = _checker(rec.table, rec.col)
    if check is not None and not check(value):
        return WRONG_TYPE, f"{rec.table}.{rec.col}"
    return None


def _well_formed(rec: Record) -> bool:
    """The types and sizes this app writes: whole numbers in SQLite's range, texts of sane size
    (anything else would fail a sort, a comparison or an insert later)."""
    _, _, tx, hlc, table, row, col, value, prev, user = rec
    numbers = (tx, hlc) if prev is None else (tx, hlc, prev)
    texts = (table, row, col, user, value)
    return (
        all(type(n) is int and 0 <= n <= MAX_INT for n in numbers)
        and all(type(t) is str for t in texts)
        and len(user) <= MAX_USER
        and len(value) <= MAX_VALUE
    )


def _values_fit(
    tables: Sequence[str], cols: Sequence[str], pairs: set[tuple[str, str]], decoded: list[object]
) -> bool:
    """Every decoded value has a JSON type its column takes (one pass in C over the types), and
    the values of columns whose text must parse (times, dates) or whose numbers have a range do.
    Never True where `_record_problem` would refuse one (it decides when this says False)."""
    for table, col, json_type in set(zip(tables, cols, map(type, decoded), strict=True)):
        allowed = _types(table, col)
        if allowed is not None and json_type not in allowed:
            return False
    kind_of = {key: kind for key in pairs if (kind := _value_kind(*key)) is not None}
    if not kind_of:
        return True
    given: dict[str, set[Any]] = {"time": set(), "date": set(), "int": set()}
    wanted = map(kind_of.__contains__, zip(tables, cols, strict=True))
    chosen = compress(zip(tables, cols, decoded, strict=True), wanted)
    for table, col, value in chosen:  # a quarter of the records: the dates and times
        if value is not None:
            given[kind_of[table, col]].add(value)  # the same stamp is in many records
    try:
        if not all(map(_AWARE_TIME.fullmatch, given["time"])):
            return False
        list(map(datetime.fromisoformat, given["time"]))
        list(map(date.fromisoformat, given["date"]))
    except ValueError:
        return False
    return max(map(abs, given["int"]), default=0) <= MAX_INT


@cache
def _types(table: str, col: str) -> frozenset[type] | None:
    """The JSON types a column this app knows takes (None: a column it does not know)."""
    column = _column(table, col)
    if column is None:
        return None
    kinds = _json_types(column.type)
    return kinds | {type(None)} if column.nullable else kinds


@cache
def _value_kind(table: str, col: str) -> str | None:
    """Which values of a column need more than their JSON type checked."""
    column = _column(table, col)
    if column is None:
        return None
    if isinstance(column.type, UTCDateTime):
        return "time"
    if isinstance(column.type, Date):
        return "date"
    return "int" if isinstance(column.type, Integer) else None


@cache
def _checker(table: str, col: str) -> Callable[[object], bool] | None:
    column = _column(table, col)
    if column is None:
        return None
    allowed = _types(table, col) or frozenset()
    parse = _value_check(column.type)

    def check(value: object) -> bool:
        return type(value) in allowed and (value is None or parse(value))

    return check


def _column(table: str, col: str) -> Column[Any] | None:
    if col not in SYNCED_COLUMNS.get(table, ()):
        return None
    return Base.metadata.tables[table].c[col]


def _json_types(column_type: TypeEngine[object]) -> frozenset[type]:
    if isinstance(column_type, Boolean):
        return frozenset({bool})
    if isinstance(column_type, Integer):
        return frozenset({int})
    if isinstance(column_type, Float):
        return frozenset({int, float})
    if isinstance(column_type, (UTCDateTime, Date, String)):  # Enum and Text are Strings
        return frozenset({str})
    return frozenset({str, int, float, bool, list, dict})


def _value_check(column_type: TypeEngine[object]) -> Callable[[object], bool]:
    if isinstance(column_type, UTCDateTime):
        return _aware_datetime
    if isinstance(column_type, Date):
        return _date
    if isinstance(column_type, Integer):
        return lambda v: -MAX_INT - 1 <= v <= MAX_INT  # type: ignore[operator]
    return lambda v: True


def _aware_datetime(value: object) -> bool:
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return False
    return parsed.tzinfo is not None


def _date(value: object) -> bool:
    try:
        date.fromisoformat(str(value))
    except ValueError:
        return False
    return True
