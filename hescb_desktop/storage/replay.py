"""The synced tables as the change log says they should be, against what they hold (issue 15).

Every synced field's value is decided by the merge's rule (`sync/merger.py`): the change with
the highest (hlc, device) in `change_log` wins. Replaying the log that way and comparing with
the tables finds a direct edit of the SQLite file: a title changed without a journal entry, a
row added or removed by hand. It does not find a row and its journal entry rewritten together:
that is the signed ranges' check (`services/audit.py`).

What the merge itself leaves as the log does not say, and so is not a disagreement:
- a winning value of a list (enum) this app does not know is not written (the field keeps what
  it had, or a stand-in): the field is not compared;
- a row whose winning marking this app does not know is held back as a hidden placeholder
  (deleted, marked with the highest marking this app knows): only that is checked;
- tables and columns off the allow-list (`synced_columns.py`: a newer PC's) are kept in the log
  only;
- a row whose creation has not arrived yet (its later changes are held in the log, waiting for
  it) is not in its table;
- rows a migration seeded (the default board stages) and fields a migration added to rows
  written before it (their server default or NULL; the derived span columns of events) have no
  journal entries.
"""

from __future__ import annotations

import enum
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, Engine, Table
from sqlalchemy import Enum as SAEnum

from hescb_desktop.domain.enums import Marking
from hescb_desktop.domain.printable import shorten
from hescb_desktop.domain.rules import highest_marking
from hescb_desktop.storage import models  # noqa: F401  (the synced tables, in Base.metadata)
from hescb_desktop.storage.base import Base
from hescb_desktop.storage.codec import decode_many, encode
from hescb_desktop.storage.synced_columns import MARKED_TABLES, MARKING_COLUMN, SYNCED_COLUMNS

# Rows a migration seeded (0005: the default board stages), with no journal entries.
SEEDED_PREFIX = {"board_stages": "00000000-0000-7000-8000-5741"}
# Columns a migration derived for rows written before it, without logging (0007, 0010).
DERIVED = frozenset({("events", "long_span"), ("events", "until_utc")})
_NOT_WRITTEN = object()  # a winning value the merge does not write (a list value unknown here)


@dataclass(frozen=True)
class Disagreement:
    """A table that does not hold what its journal says."""

    table: str
    row_id: str
    column: str  # "" when the whole row is at issue
    held: str  # what the table holds (JSON, shortened), "" for a missing row
    journal: str  # what the journal says (JSON, shortened), "" for a row it has no entry for

    def line(self) -> str:
        where = f"{self.table} row {self.row_id}"
        if not self.column:
            if not self.held:
                return f"{where} is in the change log but missing from the table"
            return f"{where} is in the table but the change log never created it"
        return (
            f"{where}, field {self.column}: the table holds {self.held} but the change log "
            f"says {self.journal}"
        )


Winner = tuple[int, str, str]  # (hlc, device, JSON value): a tuple, a big board has a million
Fields = dict[str, Winner]


def journal_state(cur: sqlite3.Cursor, table: str) -> dict[str, Fields]:
    """Per row of `table`, per field, the change that wins (the highest (hlc, device))."""
    rows: dict[str, Fields] = {}
    query = "SELECT row_id, column_name, hlc, device_id, value FROM change_log WHERE table_name = ?"
    for rid, col, hlc, device, value in cur.execute(query, (table,)):
        fields = rows.get(rid)
        if fields is None:
            rows[rid] = {col: (hlc, device, value)}
            continue
        held = fields.get(col)
        if held is None or (hlc, device) > held[:2]:
            fields[col] = (hlc, device, value)
    return rows


def disagreements(engine: Engine, limit: int = 0) -> list[Disagreement]:
    """Every synced table against the change log (read only); `limit` stops early (0: all)."""
    found: list[Disagreement] = []
    with engine.connect() as conn:
        for table in _synced_tables():
            for item in _table_disagreements(conn, table):
                found.append(item)
                if limit and len(found) >= limit:
                    return found
    return found


def _synced_tables() -> list[Table]:
    return [Base.metadata.tables[name] for name in sorted(SYNCED_COLUMNS)]


def _table_disagreements(conn: Connection, table: Table) -> Iterator[Disagreement]:
    raw = conn.connection.driver_connection
    assert isinstance(raw, sqlite3.Connection)
    cur = raw.cursor()
    name = table.name
    columns = sorted(SYNCED_COLUMNS[name] & set(table.c.keys()))
    journal = journal_state(cur, name)
    convert = _Expected(conn, table)
    quoted = ", ".join(f'"{c}"' for c in ("id", *columns))
    held_ids: set[str] = set()
    for row in cur.execute(f'SELECT {quoted} FROM "{name}"'):
        rid = row[0]
        held_ids.add(rid)
        fields = journal.get(rid)
        if fields is None or "created_at" not in fields:
            if not _seeded(name, rid) and fields is None:
                yield Disagreement(name, rid, "", _short(encode("present")), "")
                continue
            fields = fields or {}
            yield from convert.compare(rid, dict(zip(columns, row[1:], strict=True)), fields, True)
            continue
        yield from convert.compare(rid, dict(zip(columns, row[1:], strict=True)), fields, False)
    for rid, fields in journal.items():
        if rid not in held_ids and "created_at" in fields:
            yield Disagreement(name, rid, "", "", _short(fields["created_at"][2]))


def _seeded(table: str, rid: str) -> bool:
    prefix = SEEDED_PREFIX.get(table)
    return prefix is not None and rid.startswith(prefix)


class _Expected:
    """The stored form of a table's journal values (as the merge writes them), compared."""

    def __init__(self, conn: Connection, table: Table) -> None:
        self.table = table
        self.dialect = conn.dialect
        self.known: dict[str, frozenset[str]] = {
            c.key: frozenset({"null", *(encode(v) for v in _enum_values(c.type))})
            for c in table.c
            if isinstance(c.type, SAEnum)
        }
        # per column, JSON text -> stored value: most values repeat (markings, flags, people)
        self.memo: dict[str, dict[str, Any]] = {c.key: {} for c in table.c}

    def stored(self, column: str, text: str) -> Any:
        """What the merge writes into `column` for the JSON `text` (or _NOT_WRITTEN)."""
        memo = self.memo[column]
        found = memo.get(text, memo)
        if found is memo:
            found = memo[text] = self._convert(column, text)
        return found

    def _convert(self, column: str, text: str) -> Any:
        known = self.known.get(column)
        if known is not None and text not in known:
            return _NOT_WRITTEN
        col_type = self.table.c[column].type
        (value,) = decode_many([text], col_type)
        bind = col_type.bind_processor(self.dialect)
        return value if bind is None or value is None else bind(value)

    def compare(
        self, rid: str, held: dict[str, Any], fields: Fields, partial: bool
    ) -> Iterator[Disagreement]:
        """One row: each field against its winning change. `partial`: the log does not hold the
        row's creation (a seeded row), so only the fields it has changes for are compared."""
        name = self.table.name
        marking = fields.get(MARKING_COLUMN) if name in MARKED_TABLES else None
        if marking is not None and self.stored(MARKING_COLUMN, marking[2]) is _NOT_WRITTEN:
            yield from self._held_back(rid, held)
            return
        for column, value in held.items():
            winner = fields.get(column)
            if winner is None:
                if partial or self._unlogged_ok(column, value):
                    continue
                yield Disagreement(name, rid, column, self.shown(column, value), "no value")
                continue
            expected = self.stored(column, winner[2])
            if expected is _NOT_WRITTEN or expected == value or _same(expected, value):
                continue
            yield Disagreement(name, rid, column, self.shown(column, value), _short(winner[2]))

    def _held_back(self, rid: str, held: dict[str, Any]) -> Iterator[Disagreement]:
        placeholder = {"deleted": True, MARKING_COLUMN: highest_marking(Marking).value}
        for column, value in placeholder.items():
            stored = self.stored(column, encode(value))
            if not _same(stored, held[column]):
                journal = f"{encode(value)} (held back: a marking this app does not know)"
                shown = self.shown(column, held[column])
                yield Disagreement(self.table.name, rid, column, shown, journal)

    def shown(self, column: str, value: Any) -> str:
        """A stored value as the change log would write it (0 as false), for the message."""
        process = self.table.c[column].type.result_processor(self.dialect, None)
        try:
            return _short(_as_json(process(value) if process is not None else value))
        except (TypeError, ValueError):
            return _short(repr(value))

    def _unlogged_ok(self, column: str, value: Any) -> bool:
        """A field with no journal entry: NULL (a new row logs every other value), the server
        default a migration gave older rows, or a column a migration derived."""
        if value is None or (self.table.name, column) in DERIVED:
            return True
        default = self.table.c[column].server_default
        arg = getattr(default, "arg", None)
        return arg is not None and str(arg) == str(value)


def _same(expected: Any, held: Any) -> bool:
    """The merge's value against the stored one. Dates and times are stored as text, with
    microseconds by the ORM and without them (when 0) by the sqlite3 driver: read, then compared."""
    if expected == held:
        return True
    if isinstance(held, str) and isinstance(expected, (datetime, date)):
        try:
            parsed = (datetime if isinstance(expected, datetime) else date).fromisoformat(held)
        except ValueError:
            return False
        return bool(parsed == expected)
    return isinstance(expected, float) and isinstance(held, int) and float(held) == expected


def _as_json(value: Any) -> str:
    try:
        return encode(value)
    except (TypeError, ValueError):
        return repr(value)


def _short(text: str) -> str:
    return shorten(text, 60)


def _enum_values(column_type: Any) -> list[Any]:
    enum_class = getattr(column_type, "enum_class", None)
    if enum_class is not None and issubclass(enum_class, enum.Enum):
        return list(enum_class)
    return list(column_type.enums)
