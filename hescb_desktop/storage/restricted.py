"""Restricted records in the database (issue 16, point 2): which rows are restricted, the
content keys this PC holds, a field sealed as it is logged, opened as it is merged, and what a
PC whose person is not a reader shows instead.

- **On capture** (`seal_fields`, called by `storage.capture` for every flush): a content field
  (`domain.restriction.CONTENT_COLUMNS`) of a restricted row is logged sealed under its
  readership's current key, so it reaches the share only encrypted. A PC that does not hold that
  key cannot write the field: `NotReaderError`, and nothing is written.
- **On merge** (`Opener`, used by `sync.merger` where it turns logged values into stored ones):
  a sealed value is opened with the key this PC holds; without it the row keeps a placeholder
  (`domain.restriction.PLACEHOLDER`), never the text.
- **The view** (`refresh`): every restricted row's content set from its winning logged value,
  opened where this PC holds the key, else the placeholder naming the readership and the
  record's public title. Run after a merge, a restore and a key arriving.

The keys are in the local table `content_keys` (never synced, never in a snapshot); the board's
identity for the values' associated data is its root fingerprint (`local_state.trust_root`).
"""

from __future__ import annotations

import base64
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import orjson

from hescb_desktop.domain.errors import DomainError
from hescb_desktop.domain.restriction import (
    CONTENT_COLUMNS,
    RESTRICTED_WITH,
    content_columns,
    placeholder,
)
from hescb_desktop.storage.disposed_values import SHOWN_JSON, is_disposed
from hescb_desktop.storage.sealed_values import (
    FieldContext,
    SealError,
    is_sealed,
    open_json,
    seal_json,
    sealed_parts,
)

PLACEHOLDER_JSON = orjson.dumps("Restricted item").decode()
_TEXT_LIMIT = 300  # the shortest content column (a title) takes the placeholder whole


class NotReaderError(DomainError):
    """A change to a restricted record's content by a PC that is not one of its readers."""


@dataclass(frozen=True)
class Restricted:
    record_table: str  # the restricted record's (a child row's parent's)
    record_id: str
    readership_id: str
    key_id: str  # the readership's current key
    label: str
    public_title: str


def _cursor(conn: Any) -> sqlite3.Cursor:
    """A raw sqlite3 cursor on `conn` (a SQLAlchemy Connection or a sqlite3 one)."""
    if isinstance(conn, sqlite3.Cursor):
        return conn
    if isinstance(conn, sqlite3.Connection):
        return conn.cursor()
    raw = conn.connection.driver_connection
    assert isinstance(raw, sqlite3.Connection)
    return raw.cursor()


def any_restricted(conn: Any) -> bool:
    """Whether the board restricts anything (else nothing below need look)."""
    cur = _cursor(conn)
    return (
        cur.execute("SELECT 1 FROM restrictions WHERE deleted = 0 LIMIT 1").fetchone() is not None
    )


def board_id(conn: Any) -> str:
    row = _cursor(conn).execute("SELECT value FROM local_state WHERE key = 'trust_root'").fetchone()
    return str(row[0]) if row and row[0] else ""


def held_keys(conn: Any) -> dict[str, bytes]:
    """key id -> the content key, for every key this PC reads with (not those it holds in
    escrow, only to seal them to the readers' PCs)."""
    rows = _cursor(conn).execute("SELECT key_id, key FROM content_keys WHERE escrow = 0")
    return {str(k): base64.b64decode(v) for k, v in rows}


def restrictions_of(conn: Any, table: str, ids: Sequence[str]) -> dict[str, Restricted]:
    """row id -> its restriction, for rows of `table` (a child row: its parent's)."""
    if not ids:
        return {}
    cur = _cursor(conn)
    parents: dict[str, str] = {}
    record_table = table
    if table in RESTRICTED_WITH:
        column, record_table = RESTRICTED_WITH[table]
        for chunk in _chunks(ids):
            marks = ",".join("?" * len(chunk))
            for rid, parent in cur.execute(
                f'SELECT id, "{column}" FROM "{table}" WHERE id IN ({marks})', chunk
            ):
                if parent:
                    parents[str(rid)] = str(parent)
    else:
        parents = {rid: rid for rid in ids}
    found: dict[str, Restricted] = {}
    wanted = sorted(set(parents.values()))
    by_record: dict[str, Restricted] = {}
    for chunk in _chunks(wanted):
        marks = ",".join("?" * len(chunk))
        for record, readership, key_id, label, public in cur.execute(
            "SELECT r.record_id, r.readership_id, s.key_id, s.label, r.public_title"
            " FROM restrictions r JOIN readerships s ON s.id = r.readership_id"
            f" WHERE r.deleted = 0 AND r.table_name = ? AND r.record_id IN ({marks})",
            (record_table, *chunk),
        ):
            by_record[str(record)] = Restricted(
                record_table, str(record), str(readership), str(key_id), str(label), str(public)
            )
    for rid, record in parents.items():
        if record in by_record:
            found[rid] = by_record[record]
    return found


def restricted_rows(conn: Any) -> dict[tuple[str, str], Restricted]:
    """Every restricted row this PC holds, children included: (table, id) -> restriction."""
    cur = _cursor(conn)
    out: dict[tuple[str, str], Restricted] = {}
    records: dict[str, list[str]] = {}
    for table, record in cur.execute(
        "SELECT table_name, record_id FROM restrictions WHERE deleted = 0"
    ):
        records.setdefault(str(table), []).append(str(record))
    for table, ids in records.items():
        if table not in CONTENT_COLUMNS:
            continue
        for rid, found in restrictions_of(conn, table, ids).items():
            out[(table, rid)] = found
    for child, (column, parent) in RESTRICTED_WITH.items():
        ids = records.get(parent, [])
        for chunk in _chunks(ids):
            marks = ",".join("?" * len(chunk))
            rows = [
                str(r)
                for (r,) in cur.execute(
                    f'SELECT id FROM "{child}" WHERE "{column}" IN ({marks})', chunk
                )
            ]
            out.update({(child, rid): f for rid, f in restrictions_of(conn, child, rows).items()})
    return out


# ------------------------------------------------------------------ capture
def seal_fields(
    conn: Any,
    fields: Sequence[tuple[str, str, str]],
    texts: list[str],
    new_values: Mapping[tuple[str, str], Mapping[str, Any]],
) -> list[str]:
    """`texts` (the JSON text of each field (table, row id, column)) with the content fields of
    restricted rows sealed. `new_values`: the fields of rows new in this flush, by (table, row)
    (a new child row names its parent there). Raises NotReaderError for a restricted row whose
    key this PC does not hold."""
    wanted = {(t, r) for t, r, c in fields if c in content_columns(t)}
    if not wanted or not any_restricted(conn):
        return texts
    by_table: dict[str, list[str]] = {}
    for table, rid in wanted:
        by_table.setdefault(table, []).append(rid)
    restricted: dict[tuple[str, str], Restricted] = {}
    for table, ids in by_table.items():
        found = restrictions_of(conn, table, ids)
        if table in RESTRICTED_WITH:  # a new child row: its parent is in this flush's fields
            column, parent_table = RESTRICTED_WITH[table]
            missing = [rid for rid in ids if rid not in found]
            parents = {
                rid: str(new_values.get((table, rid), {}).get(column) or "") for rid in missing
            }
            of_parents = restrictions_of(conn, parent_table, [p for p in parents.values() if p])
            found.update({rid: of_parents[p] for rid, p in parents.items() if p in of_parents})
        restricted.update({(table, rid): f for rid, f in found.items()})
    if not restricted:
        return texts
    keys = held_keys(conn)
    board = board_id(conn)
    out = list(texts)
    for i, (table, rid, column) in enumerate(fields):
        found_restriction = restricted.get((table, rid))
        if found_restriction is None or column not in content_columns(table):
            continue
        if is_sealed(out[i]):
            continue  # already sealed (a value carried over as it was)
        key = keys.get(found_restriction.key_id)
        if key is None:
            raise NotReaderError(
                f"this {found_restriction.record_table.rstrip('s').replace('_', ' ')} is"
                f" restricted to {found_restriction.label or 'its readership'}, and this PC"
                " does not hold its key: only its readers change its text"
            )
        where = FieldContext(
            board, table, rid, column, found_restriction.readership_id, found_restriction.key_id
        )
        out[i] = seal_json(key, out[i], where)
    return out


# ------------------------------------------------------------------ merge
class Opener:
    """Opens sealed values as a merge writes them (`sync.merger`): the keys and the board are
    read once, on first need."""

    def __init__(self, conn: Any) -> None:
        self._conn = conn
        self._keys: dict[str, bytes] | None = None
        self._board = ""
        self.opened = 0
        self.withheld = 0

    def open_many(self, table: str, column: str, ids: Sequence[str], texts: list[str]) -> list[str]:
        """`texts` with each sealed value replaced by its plain JSON text, or by the
        placeholder where this PC does not hold the key (or the value does not open)."""
        if column not in content_columns(table):
            return texts
        out: list[str] | None = None
        for i, text in enumerate(texts):
            if not is_sealed(text):
                continue
            if out is None:
                out = list(texts)
            out[i] = self.open_one(table, ids[i], column, text)
        return texts if out is None else out

    def open_one(self, table: str, row_id: str, column: str, text: str) -> str:
        if self._keys is None:
            self._keys = held_keys(self._conn)
            self._board = board_id(self._conn)
        try:
            readership, key_id, _ = sealed_parts(text)
            key = self._keys.get(key_id)
            if key is None:
                self.withheld += 1
                return PLACEHOLDER_JSON
            where = FieldContext(self._board, table, row_id, column, readership, key_id)
            plain = open_json(key, text, where)
        except SealError:
            self.withheld += 1
            return PLACEHOLDER_JSON
        self.opened += 1
        return plain


def opened(conn: Any, table: str, row_id: str, column: str, json_text: str) -> str:
    """A logged value as this PC may show it: a sealed one opened where it holds the key, else
    the placeholder; any other value as it is. For the History view, conflicts, and a value
    brought back from a conflict."""
    if is_disposed(json_text):  # its text was disposed of (sync.disposal)
        return SHOWN_JSON
    if not is_sealed(json_text):
        return json_text
    return Opener(conn).open_one(table, row_id, column, json_text)


# ------------------------------------------------------------------ the view
def refresh(conn: Any, rows: Iterable[tuple[str, str]] | None = None) -> set[str]:
    """Set every restricted row's content (or those of `rows` that are restricted) from its
    winning logged value: opened where this PC holds the key, else the placeholder naming the
    readership and the public title. Returns the tables changed."""
    if not any_restricted(conn):
        return set()
    cur = _cursor(conn)
    restricted = restricted_rows(conn)
    if rows is not None:
        wanted = set(rows)
        restricted = {k: v for k, v in restricted.items() if k in wanted}
    opener = Opener(conn)
    changed: set[str] = set()
    by_table: dict[str, list[str]] = {}
    for table, rid in restricted:
        by_table.setdefault(table, []).append(rid)
    for table, ids in by_table.items():
        columns = content_columns(table)
        for chunk in _chunks(sorted(ids)):
            marks = ",".join("?" * len(chunk))
            best: dict[tuple[str, str], tuple[int, str, str]] = {}
            for rid, column, hlc, device, value in cur.execute(
                "SELECT row_id, column_name, hlc, device_id, value FROM change_log"
                f" WHERE table_name = ? AND row_id IN ({marks})"
                f" AND column_name IN ({','.join('?' * len(columns))})",
                (table, *chunk, *columns),
            ):
                held = best.get((rid, column))
                if held is None or (hlc, device) > held[:2]:
                    best[(rid, column)] = (hlc, device, value)
            current = {
                str(r[0]): r[1:]
                for r in cur.execute(
                    f"SELECT id, {', '.join(f'{chr(34)}{c}{chr(34)}' for c in columns)}"
                    f' FROM "{table}" WHERE id IN ({marks})',
                    chunk,
                )
            }
            for rid in chunk:
                if rid not in current:
                    continue
                found = restricted[(table, rid)]
                values: dict[str, str] = {}
                for n, column in enumerate(columns):
                    logged = best.get((rid, column))
                    if logged is None or not is_sealed(logged[2]):
                        continue  # never sealed: the table has it as merged
                    plain = opener.open_one(table, rid, column, logged[2])
                    if plain == PLACEHOLDER_JSON:
                        text = (
                            placeholder(found.label, found.public_title)[:_TEXT_LIMIT]
                            if n == 0
                            else ""
                        )
                    else:
                        loaded = orjson.loads(plain)
                        text = "" if loaded is None else str(loaded)
                    if current[rid][n] != text:
                        values[column] = text
                if values:
                    sets = ", ".join(f'"{c}" = ?' for c in values)
                    cur.execute(
                        f'UPDATE "{table}" SET {sets} WHERE id = ?', (*values.values(), rid)
                    )
                    changed.add(table)
    return changed


def _chunks(items: Sequence[str], size: int = 500) -> Iterable[Sequence[str]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]
