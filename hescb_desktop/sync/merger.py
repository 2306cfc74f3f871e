"""Merging peers' change records into the local database.

Per field, the highest (hlc, device id) wins. A change whose prev_hlc is not the hlc of the value
this PC holds was made without seeing that value: if the two values differ, the loser is kept in
`conflicts` for a user to look at. Edits to a row another PC deleted leave it deleted and are kept
as a "deleted" conflict (offering restore). Conflicts belong to the board: each has the id every
PC gives it (`conflict_id`, from the losing change), only a change nobody built on can lose
(`_replaced`, `_supersede`), and whether an edit and a deletion were made apart is read from
what each commit had seen (`_seen_upto`), so PCs that meet the same changes in different
orders keep the same conflicts; how one was settled syncs as a `conflict_resolutions` row.
Records are stored in change_log under their own
(device id, seq), so a record read twice changes nothing. Columns or tables this app does not
know (a newer PC's additive schema change) are kept in change_log, not dropped.

For speed (100,000 incoming fields in about a second) the merge works on the raw sqlite3
connection of the caller's transaction: it reads what it needs in a few batched queries, decides
in memory in (hlc, device, seq) order, and writes with executemany.
"""

from __future__ import annotations

import gc
import itertools
import sqlite3
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from operator import attrgetter
from typing import Any

from sqlalchemy import Connection, Table
from sqlalchemy import Enum as SAEnum
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from hescb_desktop.storage.base import Base
from hescb_desktop.storage.codec import decode_many, encode
from hescb_desktop.storage.journal import LocalState
from hescb_desktop.sync.segments import Record

NO_CONFLICT = frozenset(
    {"created_at", "created_by", "updated_at", "updated_by", "deleted_at", "deleted_by"}
)
# Tables whose concurrent edits are never conflicts: a conflict's resolution is settled by the
# later resolution (last writer wins), not listed as a conflict about a conflict.
NO_CONFLICT_TABLES = frozenset({"conflict_resolutions"})
CONFLICT_NAMESPACE = uuid.UUID("6b1f3c2e-8f0e-5b7a-9c4d-2a61d0e4c713")
CHUNK = 500  # ids per IN (...) query, well under SQLite's variable limit

Key = tuple[str, str]  # (table, row id)
Clock = tuple[int, str]  # (hlc, device id)


@dataclass
class MergeStats:
    merged: int = 0  # records new to this PC
    applied: int = 0  # fields that changed a local value
    conflicts: int = 0
    kept_unknown: int = 0  # records for tables, columns or list values this app does not know
    max_hlc: int = 0
    tables: set[str] = field(default_factory=set)


@dataclass
class _Field:
    """What this PC holds for one field: its clock, and (when known) its JSON value and writer."""

    clock: Clock
    value: str | None = None
    user: str = ""


@dataclass
class _Row:
    exists: bool
    deleted: bool
    fields: dict[str, _Field] = field(default_factory=dict)
    insert: dict[str, Any] = field(default_factory=dict)  # a new row's values
    update: dict[str, Any] = field(default_factory=dict)  # an existing row's changed values


def merge_records(
    conn: Connection, records: Iterable[Record], *, published: bool = True
) -> MergeStats:
    """Apply records inside the caller's transaction (which also moves cursors and the clock).

    `published=False` is for this PC's own changes carried into a restored snapshot.
    """
    raw = conn.connection.driver_connection
    assert isinstance(raw, sqlite3.Connection)
    cur = raw.cursor()
    cur.execute("PRAGMA defer_foreign_keys=ON")
    gc_was_on = gc.isenabled()
    gc.disable()  # hundreds of thousands of short-lived objects, no cycles: a second saved
    try:
        return _merge(conn, cur, records, published)
    finally:
        if gc_was_on:
            gc.enable()


def _merge(
    conn: Connection, cur: sqlite3.Cursor, records: Iterable[Record], published: bool
) -> MergeStats:
    stats = MergeStats()
    fresh = _new_only(cur, records)
    if not fresh:
        return stats
    stats.merged = len(fresh)
    stats.max_hlc = max(r.hlc for r in fresh)
    merge = _Merge(cur, stats, _Converters(conn))
    merge.load({(r.table, r.row) for r in fresh})  # what this PC held before these records
    _log(cur, fresh, published)
    for _, group in itertools.groupby(fresh, key=attrgetter("device_id", "tx", "table", "row")):
        merge.apply(list(group))
    merge.write()
    return stats


def _new_only(cur: sqlite3.Cursor, records: Iterable[Record]) -> list[Record]:
    """The records this PC has not stored before, in merge order."""
    by_device: dict[str, list[Record]] = defaultdict(list)
    for rec in records:
        by_device[rec.device_id].append(rec)
    fresh: list[Record] = []
    for device, recs in by_device.items():
        lo, hi = min(r.seq for r in recs), max(r.seq for r in recs)
        seen = {
            s
            for (s,) in cur.execute(
                "SELECT seq FROM change_log WHERE device_id = ? AND seq BETWEEN ? AND ?",
                (device, lo, hi),
            )
        }
        unique = {r.seq: r for r in recs if r.seq not in seen}
        fresh.extend(unique.values())
    return sorted(fresh, key=attrgetter("hlc", "device_id", "seq"))


def _log(cur: sqlite3.Cursor, fresh: list[Record], published: bool) -> None:
    """Store the records in change_log, under their own (device id, seq): the audit trail, and
    where each field's current clock is read from (its highest (hlc, device)). A Record's fields
    are change_log's columns in order, so the tuples go to SQLite as they are."""
    flag = 1 if published else 0
    cur.executemany(
        "INSERT OR IGNORE INTO change_log (device_id, seq, tx, hlc, table_name, row_id,"
        f" column_name, value, prev_hlc, user, published) VALUES (?,?,?,?,?,?,?,?,?,?,{flag})",
        fresh,
    )


class _Converters:
    """JSON values in the change log -> the values SQLite stores, a column at a time."""

    def __init__(self, conn: Connection) -> None:
        self.dialect = conn.dialect
        self._binds: dict[tuple[str, str], Callable[[Any], Any] | None] = {}

    def column(self, table: Table, column: str, texts: list[str]) -> list[Any]:
        col_type = table.c[column].type
        key = (table.fullname, column)
        if key not in self._binds:
            self._binds[key] = col_type.bind_processor(self.dialect)
        values = decode_many(texts, col_type)
        bind = self._binds[key]
        if bind is None:
            return values
        return [None if v is None else bind(v) for v in values]


class _Merge:
    def __init__(self, cur: sqlite3.Cursor, stats: MergeStats, convert: _Converters) -> None:
        self.cur = cur
        self.stats = stats
        self.convert = convert
        self.rows: dict[Key, _Row] = {}
        self.conflicts: list[tuple[Any, ...]] = []
        self.superseded: set[tuple[str, str, str, int]] = set()  # (table, row, col, lost hlc)
        self.column_names: dict[str, frozenset[str]] = {}
        self.choices: dict[str, dict[str, frozenset[str]]] = {}

    # ---------------------------------------------------------------- reading, in batches
    def load(self, keys: set[Key]) -> None:
        by_table: dict[str, list[str]] = defaultdict(list)
        for table, row in keys:
            by_table[table].append(row)
        for table, ids in by_table.items():
            known = Base.metadata.tables.get(table)
            for chunk in _chunks(ids):
                self._load_rows(known, table, chunk)
                self._load_clocks(table, chunk)

    def _load_rows(self, table: Table | None, name: str, ids: Sequence[str]) -> None:
        marks = ",".join("?" * len(ids))
        found: dict[str, bool] = {}
        if table is not None:
            found = {
                rid: bool(d)
                for rid, d in self.cur.execute(
                    f'SELECT id, deleted FROM "{name}" WHERE id IN ({marks})', ids
                )
            }
        for rid in ids:
            self.rows[(name, rid)] = _Row(rid in found, found.get(rid, False))

    def _load_clocks(self, table: str, ids: Sequence[str]) -> None:
        marks = ",".join("?" * len(ids))
        query = (
            "SELECT row_id, column_name, hlc, device_id, value, user FROM change_log"
            f" WHERE table_name = ? AND row_id IN ({marks})"
        )
        for rid, col, hlc, device, value, user in self.cur.execute(query, (table, *ids)):
            fields = self.rows[(table, rid)].fields
            held = fields.get(col)
            if held is None or (hlc, device) > held.clock:
                fields[col] = _Field((hlc, device), value, user)

    def _local_value(self, table: str, row: str, col: str, held: _Field) -> tuple[str, str] | None:
        if held.value is not None:
            return held.value, held.user
        found = self.cur.execute(
            "SELECT value, user FROM change_log WHERE table_name = ? AND row_id = ?"
            " AND column_name = ? AND hlc = ? AND device_id = ?",
            (table, row, col, *held.clock),
        ).fetchone()
        return (str(found[0]), str(found[1])) if found else None

    # ---------------------------------------------------------------- deciding, in memory
    def apply(self, recs: list[Record]) -> None:
        """One commit's fields of one row, from one PC. Values are taken as their JSON text and
        converted a column at a time in `write` (per-record calls cost more than the insert)."""
        first = recs[0]
        name = first.table
        table = Base.metadata.tables.get(name)
        columns = self._columns(table)
        known = [r for r in recs if r.col in columns]
        if known and table is not None and (choices := self._choices(table)):
            # a value a newer app added to a list (an enum) is kept in change_log, not applied
            known = [r for r in known if (ok := choices.get(r.col)) is None or r.value in ok]
        self.stats.kept_unknown += len(recs) - len(known)
        if table is None or not known:
            return
        row = self.rows[(name, first.row)]
        if not row.exists and not row.insert and len(known) < len(recs):
            self._stand_ins(table, row, {r.col for r in recs} - {r.col for r in known})
        fields = row.fields
        wins = [
            (held := fields.get(r.col)) is None or (r.hlc, r.device_id) > held.clock for r in known
        ]
        if fields:  # a row this PC held before, or met earlier in this merge
            for rec, won in zip(known, wins, strict=True):
                self._field_conflict(rec, row, won)
            self._deleted_conflicts(known, row)
        target = row.update if row.exists else row.insert
        taken = 0
        for rec, won in zip(known, wins, strict=True):
            if won:
                col = rec.col
                target[col] = rec.value
                fields[col] = _Field((rec.hlc, rec.device_id), rec.value, rec.user)
                if col == "deleted":
                    row.deleted = rec.value == "true"
                taken += 1
        if taken:
            self.stats.applied += taken
            self.stats.tables.add(name)

    def _choices(self, table: Table) -> dict[str, frozenset[str]]:
        """For each list-valued (enum) column, the JSON texts of the values this app knows."""
        found = self.choices.get(table.fullname)
        if found is None:
            found = self.choices[table.fullname] = {
                c.key: frozenset({"null", *(encode(v) for v in _enum_values(c.type))})
                for c in table.c
                if isinstance(c.type, SAEnum)
            }
        return found

    def _stand_ins(self, table: Table, row: _Row, refused: set[str]) -> None:
        """A new row whose required list value this app does not know yet gets the column's
        default (else the list's first value) so it can exist here; the real value stays in
        change_log, and a later value this app knows replaces the stand-in."""
        for col in refused:
            column = table.c[col]
            if column.nullable or column.server_default is not None:
                continue
            default = column.default
            value = getattr(default, "arg", None) if default is not None else None
            if value is None or callable(value):
                value = next(iter(_enum_values(column.type)), None)
            if value is not None:
                row.insert[col] = encode(value)

    def _columns(self, table: Table | None) -> frozenset[str]:
        if table is None:
            return frozenset()
        found = self.column_names.get(table.fullname)
        if found is None:
            found = self.column_names[table.fullname] = frozenset(table.c.keys())
        return found

    def _field_conflict(self, rec: Record, row: _Row, won: bool) -> None:
        """Concurrent edits with different values: keep the losing value."""
        held = row.fields.get(rec.col)
        if held is None or rec.col in NO_CONFLICT or rec.prev_hlc == held.clock[0]:
            return
        if (not row.exists and not row.insert) or rec.table in NO_CONFLICT_TABLES:
            return
        self._supersede(rec)
        local = self._local_value(rec.table, rec.row, rec.col, held)
        if local is None or local[0] == rec.value:
            return
        mine = (local[0], held.clock[0], held.clock[1], local[1])
        theirs = (rec.value, rec.hlc, rec.device_id, rec.user)
        kept, lost = (theirs, mine) if won else (mine, theirs)
        self._conflict("field", rec.table, rec.row, rec.col, kept, lost)

    def _deleted_conflicts(self, recs: list[Record], row: _Row) -> None:
        """Edits and a deletion of the same row made apart: the row stays deleted, edits kept.

        An edit and a deletion were made apart when neither saw the other: every commit logs
        `updated_at`, whose prev_hlc is the newest change to the row its PC had seen (see
        `_seen_upto`). Every PC decides this alike, whichever of the two it met first.
        """
        if "deleted" not in row.fields or not (row.exists or row.insert):
            return
        if recs[0].table in NO_CONFLICT_TABLES:
            return
        deleting = next((r for r in recs if r.col == "deleted" and r.value == "true"), None)
        if deleting is None and row.deleted:
            deletion = row.fields["deleted"]
            if any(r.col == "deleted" for r in recs):  # a restore: made after the deletion
                return
            edit_saw = _seen_upto(recs)
            if edit_saw is not None and edit_saw >= deletion.clock[0]:
                return
            deletion_saw = self._deletion_seen_upto(recs[0].table, recs[0].row, deletion.clock)
            kept = ("true", deletion.clock[0], deletion.clock[1], deletion.user)
            for rec in recs:
                if rec.col not in NO_CONFLICT and rec.col != "deleted":
                    self._supersede(rec)
                    if deletion_saw is not None and rec.hlc <= deletion_saw:
                        continue  # the deleting PC had seen this edit
                    lost = (rec.value, rec.hlc, rec.device_id, rec.user)
                    self._conflict("deleted", rec.table, rec.row, rec.col, kept, lost)
        elif deleting is not None and not row.deleted:
            kept = ("true", deleting.hlc, deleting.device_id, deleting.user)
            saw = _seen_upto(recs)
            upto = deleting.hlc if saw is None else saw
            for col, held in list(row.fields.items()):
                if col in NO_CONFLICT or col == "deleted" or held.clock[0] <= upto:
                    continue
                local = self._local_value(deleting.table, deleting.row, col, held)
                if local is not None:
                    mine = (local[0], held.clock[0], held.clock[1], local[1])
                    self._conflict("deleted", deleting.table, deleting.row, col, kept, mine)

    def _deletion_seen_upto(self, table: str, row: str, deletion: Clock) -> int | None:
        """The newest change to the row the deleting PC had seen (its commit's updated_at
        prev_hlc), or None when the deletion logged no updated_at (then: its own stamp)."""
        found = self.cur.execute(
            "SELECT prev_hlc FROM change_log WHERE table_name = ? AND row_id = ?"
            " AND column_name = 'updated_at' AND hlc = ? AND device_id = ?",
            (table, row, *deletion),
        ).fetchone()
        if found is None:
            return deletion[0]
        return int(found[0]) if found[0] is not None else 0

    def _conflict(
        self,
        kind: str,
        table: str,
        row: str,
        col: str,
        kept: tuple[Any, ...],
        lost: tuple[Any, ...],
    ) -> None:
        """Keep the losing change as a conflict, under the id every PC gives it; unless a later
        change was made on top of it (it was knowingly replaced: only the newest of one line of
        edits can lose)."""
        if self._replaced(table, row, col, lost[1]):
            return
        ident = conflict_id(kind, table, row, col, lost[1], lost[2])
        self.conflicts.append((ident, kind, table, row, col, *kept, *lost, ""))
        self.stats.conflicts += 1

    def _replaced(self, table: str, row: str, col: str, hlc: int) -> bool:
        """A change to this field was made on top of the change stamped `hlc` (in this merge
        or before): that change is not a head of the field's history."""
        found = self.cur.execute(
            "SELECT 1 FROM change_log WHERE table_name = ? AND row_id = ? AND column_name = ?"
            " AND prev_hlc = ? LIMIT 1",
            (table, row, col, hlc),
        ).fetchone()
        return found is not None

    def _supersede(self, rec: Record) -> None:
        """`rec` was made on top of its prev_hlc: a conflict that kept that change as the losing
        one (met here before `rec`, in an earlier merge or this one) no longer stands."""
        if rec.prev_hlc is not None:
            self.superseded.add((rec.table, rec.row, rec.col, rec.prev_hlc))

    def _write_conflicts(self) -> None:
        """New conflicts (a conflict met again, by id, is left as it is) and superseded ones
        dropped: every PC ends with one row per head that lost, whatever the order of arrival."""
        gone = self.superseded
        fresh = [c for c in self.conflicts if (c[2], c[3], c[4], c[10]) not in gone]
        self.cur.executemany(
            "INSERT OR IGNORE INTO conflicts (id, kind, table_name, row_id, column_name,"
            " kept_value, kept_hlc, kept_device, kept_user, lost_value, lost_hlc, lost_device,"
            " lost_user, resolved) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            fresh,
        )
        self.stats.conflicts = max(self.cur.rowcount, 0) if fresh else 0  # new ones only
        if gone:
            self.cur.executemany(
                "DELETE FROM conflicts WHERE table_name = ? AND row_id = ? AND column_name = ?"
                " AND lost_hlc = ?",
                sorted(gone),
            )

    # ---------------------------------------------------------------- writing, in batches
    def write(self) -> None:
        """Rows with the same columns go in one executemany: new rows first, then changes.
        Each column's JSON texts are converted together, in one parse."""
        inserts: dict[tuple[str, tuple[str, ...]], list[str]] = defaultdict(list)
        updates: dict[tuple[str, tuple[str, ...]], list[str]] = defaultdict(list)
        insert_values: dict[tuple[str, tuple[str, ...]], list[tuple[str, ...]]] = defaultdict(list)
        update_values: dict[tuple[str, tuple[str, ...]], list[tuple[str, ...]]] = defaultdict(list)
        for (table, rid), row in self.rows.items():
            if row.insert:
                key = (table, tuple(row.insert))
                inserts[key].append(rid)
                insert_values[key].append(tuple(row.insert.values()))
            if row.update:
                key = (table, tuple(row.update))
                updates[key].append(rid)
                update_values[key].append(tuple(row.update.values()))
        for (table, cols), ids in inserts.items():
            values = self._convert(table, cols, insert_values[(table, cols)])
            quoted = ", ".join(f'"{c}"' for c in ("id", *cols))
            marks = ",".join("?" * (len(cols) + 1))
            self.cur.executemany(
                f'INSERT INTO "{table}" ({quoted}) VALUES ({marks})', zip(ids, *values, strict=True)
            )
        for (table, cols), ids in updates.items():
            values = self._convert(table, cols, update_values[(table, cols)])
            sets = ", ".join(f'"{c}" = ?' for c in cols)
            self.cur.executemany(
                f'UPDATE "{table}" SET {sets} WHERE id = ?', zip(*values, ids, strict=True)
            )
        self._write_conflicts()

    def _convert(
        self, name: str, cols: tuple[str, ...], rows: list[tuple[str, ...]]
    ) -> list[list[Any]]:
        """Per column, the values to store for these rows' JSON texts."""
        table = Base.metadata.tables[name]
        return [
            self.convert.column(table, col, list(texts))
            for col, texts in zip(cols, zip(*rows, strict=True), strict=True)
        ]


def _seen_upto(recs: list[Record]) -> int | None:
    """The newest change to this row the commit's PC had seen: its updated_at's prev_hlc."""
    found = next((r for r in recs if r.col == "updated_at"), None)
    if found is None:
        return None
    return found.prev_hlc or 0


def conflict_id(kind: str, table: str, row: str, col: str, lost_hlc: int, lost_device: str) -> str:
    """A conflict's id, the same on every PC that meets it: a UUIDv5 over what identifies it
    (its kind, the field, and the losing change's clock). Which change lost does not depend on
    the order the changes arrived in: it is never the field's highest (hlc, device)."""
    name = f"{kind}\x1f{table}\x1f{row}\x1f{col}\x1f{lost_hlc}\x1f{lost_device}"
    return str(uuid.uuid5(CONFLICT_NAMESPACE, name))


def _enum_values(column_type: Any) -> list[Any]:
    """The values an Enum column stores (its enum class's members, or its strings)."""
    enum_class = getattr(column_type, "enum_class", None)
    return list(enum_class) if enum_class is not None else list(column_type.enums)


def _chunks(items: Sequence[str], size: int = CHUNK) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def put_state(conn: Connection, key: str, value: str) -> None:
    stmt = sqlite_insert(LocalState).values(key=key, value=value)
    conn.execute(stmt.on_conflict_do_update(index_elements=["key"], set_={"value": value}))
