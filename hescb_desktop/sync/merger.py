"""Merging peers' change records into the local database.

Per field, the highest (hlc, device id) wins. A change whose prev_hlc is not the hlc of the value
this PC holds was made without seeing that value: the field's history then has more than one
head (a change nobody built on), and every head other than the winner is kept in `conflicts` for
a user to look at (`_field_heads`). Edits to a row another PC deleted leave it deleted and are
kept as a "deleted" conflict, offering restore (`_deleted_heads`; whether an edit and a deletion
were made apart is read from what each commit had seen, its updated_at's prev_hlc). Conflicts
belong to the board: which ones stand is settled from the history in change_log once the merge
is decided, never from the order changes arrived in, and each has the id every PC gives it
(`conflict_id`, from the losing change), so PCs that meet the same changes in any order keep
the same conflicts; how one was settled syncs as a `conflict_resolutions` row.
Records are stored in change_log under their own
(device id, seq), so a record read twice changes nothing. Only the tables and columns of the
allow-list (`storage/synced_columns.py`) are written, never a local table; records the screen
refused (`screen.py`) never get here. Columns or tables this app does not know (a newer PC's
additive schema change) are kept in change_log, not dropped; so is a list value it does not know
(it wins its field's clock but is not written), and a marking it does not know holds the row back
(`hold_unknown_markings`).

For speed (100,000 incoming fields in about a second) the merge works on the raw sqlite3
connection of the caller's transaction: it reads what it needs in a few batched queries, decides
in memory in (hlc, device, seq) order, and writes with executemany.
"""

from __future__ import annotations

import functools
import gc
import itertools
import sqlite3
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from operator import attrgetter
from typing import Any

import orjson
from sqlalchemy import Boolean, Connection, Float, Integer, String, Table
from sqlalchemy import Enum as SAEnum
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from hescb_desktop.domain.enums import Marking
from hescb_desktop.domain.rules import highest_marking
from hescb_desktop.storage.base import Base
from hescb_desktop.storage.codec import decode_many, encode
from hescb_desktop.storage.journal import LocalState
from hescb_desktop.storage.restricted import Opener
from hescb_desktop.storage.synced_columns import (
    MARKED_RECORD_NAMES,
    MARKED_TABLES,
    MARKING_COLUMN,
    SYNCED_COLUMNS,
)
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
    held: list[Held] = field(default_factory=list)  # rows newly held back (unknown marking)
    released: int = 0  # rows brought back: a marking this app knows arrived
    disposed: int = 0  # values and rows disposed of after the merge (sync.disposal)


@dataclass(frozen=True)
class Held:
    """A row held back: the marking that won its field is one this app does not know."""

    table: str
    row: str
    marking: str  # as logged (JSON)
    device: str  # the PC that set it


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
    merge.fill_orphans()
    merge.hold_unknown_markings()
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


def log_only(conn: Connection, records: list[Record], *, published: bool = True) -> None:
    """Store records in change_log without applying them (this PC's own changes carried into a
    restore that cannot apply yet: the row they change has not arrived; `fill_orphans` writes
    them when it does)."""
    raw = conn.connection.driver_connection
    assert isinstance(raw, sqlite3.Connection)
    _log(raw.cursor(), records, published)


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
        self.opener = Opener(conn)  # a restricted record's sealed content (issue 16)

    def column(self, table: Table, column: str, texts: list[str], ids: Sequence[str]) -> list[Any]:
        texts = self.opener.open_many(table.fullname, column, ids, texts)
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
        self.contested: set[tuple[str, str, str]] = set()  # fields edited apart: (table, row, col)
        self.deletion_contested: set[Key] = set()  # rows edited and deleted apart
        self.orphans: set[Key] = set()
        self.column_names: dict[str, frozenset[str]] = {}
        self.choices: dict[str, dict[str, frozenset[str]]] = {}
        self.marked: set[Key] = set()  # rows of tables with a marking met in this merge
        self.held_before: set[Key] = set()  # of those, the ones held back before it

    # ---------------------------------------------------------------- reading, in batches
    def load(self, keys: set[Key]) -> None:
        by_table: dict[str, list[str]] = defaultdict(list)
        for table, row in keys:
            by_table[table].append(row)
        for table, ids in by_table.items():
            known = synced_table(table)
            for chunk in _chunks(ids):
                self._load_rows(known, table, chunk)
                self._load_clocks(table, chunk)
            if known is not None and table in MARKED_TABLES:
                self._load_held(known, table, ids)
        # rows this PC does not have, whose fields it already holds in change_log: changes made
        # on top of a row that arrived (or were carried into a restore) before the row did
        self.orphans = {key for key, row in self.rows.items() if row.fields and not row.exists}

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

    def _load_held(self, table: Table, name: str, ids: list[str]) -> None:
        """Rows whose winning marking this app does not know: held back (a hidden placeholder
        in the table). Their `deleted` is the change log's, not the placeholder's."""
        known = self._choices(table)[MARKING_COLUMN]
        for rid in ids:
            row = self.rows[(name, rid)]
            marking = row.fields.get(MARKING_COLUMN)
            if marking is not None and marking.value not in known:
                self.held_before.add((name, rid))
                deleted = row.fields.get("deleted")
                row.deleted = deleted is not None and deleted.value == "true"

    # ---------------------------------------------------------------- deciding, in memory
    def apply(self, recs: list[Record]) -> None:
        """One commit's fields of one row, from one PC. Values are taken as their JSON text and
        converted a column at a time in `write` (per-record calls cost more than the insert).

        A list (enum) value this app does not know wins its field's clock like any other (so
        every PC decides the same whatever the order records arrive in) but is not written: the
        row keeps the value it had (a new row: a stand-in). An unknown marking holds the whole
        row back (`hold_unknown_markings`)."""
        first = recs[0]
        name = first.table
        table = synced_table(name)
        columns = SYNCED_COLUMNS.get(name, frozenset())
        known = [r for r in recs if r.col in columns]
        self.stats.kept_unknown += len(recs) - len(known)
        if table is None or not known:
            return
        choices = self._choices(table)
        row = self.rows[(name, first.row)]
        fields = row.fields
        wins = [
            (held := fields.get(r.col)) is None or (r.hlc, r.device_id) > held.clock for r in known
        ]
        if fields:  # a row this PC held before, or met earlier in this merge
            for rec in known:
                self._field_conflict(rec)
            self._deleted_conflicts(known, row)
        target = row.update if row.exists else row.insert
        taken = 0
        unknown: set[str] = set()
        for rec, won in zip(known, wins, strict=True):
            col = rec.col
            if choices and (ok := choices.get(col)) is not None and rec.value not in ok:
                self.stats.kept_unknown += 1  # kept in change_log and on the clock, not written
                if won:
                    fields[col] = _Field((rec.hlc, rec.device_id), rec.value, rec.user)
                    unknown.add(col)
            elif won:
                fields[col] = _Field((rec.hlc, rec.device_id), rec.value, rec.user)
                target[col] = rec.value
                if col == "deleted":
                    row.deleted = rec.value == "true"
                taken += 1
        if unknown and not row.exists:
            self._stand_ins(table, row, unknown - {MARKING_COLUMN} - row.insert.keys())
        if name in MARKED_TABLES:
            self.marked.add((name, first.row))
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

    def _field_conflict(self, rec: Record) -> None:
        """An edit made without seeing the value this PC holds: the field's history has more
        than one head. Which heads lost is settled from the whole history once the merge is
        decided (`_field_heads`), not from the order the edits arrived in."""
        held = self.rows[(rec.table, rec.row)].fields.get(rec.col)
        if held is None or rec.col in NO_CONFLICT or rec.prev_hlc == held.clock[0]:
            return
        row = self.rows[(rec.table, rec.row)]
        if (not row.exists and not row.insert) or rec.table in NO_CONFLICT_TABLES:
            return
        self.contested.add((rec.table, rec.row, rec.col))

    def _deleted_conflicts(self, recs: list[Record], row: _Row) -> None:
        """Edits and a deletion of the same row made apart: the row stays deleted, edits kept.

        Met here when an edit arrives on a deleted row, or a deletion on a row with changes
        newer than what the deleting PC had seen; which edits lost is then settled from the
        row's whole history (`_deleted_heads`), the same on every PC whatever the order.
        """
        if "deleted" not in row.fields or not (row.exists or row.insert):
            return
        if recs[0].table in NO_CONFLICT_TABLES:
            return
        key = (recs[0].table, recs[0].row)
        deleting = next((r for r in recs if r.col == "deleted" and r.value == "true"), None)
        if deleting is None and row.deleted:
            if any(r.col == "deleted" for r in recs):  # a restore: made after the deletion
                return
            deletion = row.fields["deleted"]
            edit_saw = _seen_upto(recs)
            if edit_saw is not None and edit_saw >= deletion.clock[0]:
                return
            self.deletion_contested.add(key)
        elif deleting is not None and not row.deleted:
            saw = _seen_upto(recs)
            upto = deleting.hlc if saw is None else saw
            if any(
                col not in NO_CONFLICT and col != "deleted" and held.clock[0] > upto
                for col, held in row.fields.items()
            ):
                self.deletion_contested.add(key)

    def _deleted_heads(self) -> tuple[list[tuple[Any, ...]], list[tuple[str]], int]:
        """For each row deleted apart from an edit in this merge, its "deleted" conflicts from
        its history in change_log: against the row's latest deletion, one per field whose
        current value (its highest change) neither the deleting PC had seen nor was made after
        seeing the deletion. A field's other edits lost to that value: they are field
        conflicts, not listed twice. Returns (rows to insert, ids no longer standing, new)."""
        rows: list[tuple[Any, ...]] = []
        stale: list[tuple[str]] = []
        new = 0
        for table, rid in sorted(self.deletion_contested):
            history = self.cur.execute(
                "SELECT hlc, device_id, tx, column_name, value, user, prev_hlc FROM change_log"
                " WHERE table_name = ? AND row_id = ?",
                (table, rid),
            ).fetchall()
            saw = {(h[1], h[2]): h[6] or 0 for h in history if h[3] == "updated_at"}
            deletions = [h for h in history if h[3] == "deleted" and h[4] == "true"]
            wanted: dict[str, tuple[Any, ...]] = {}
            if deletions:
                deletion = max(deletions, key=lambda h: (h[0], h[1]))
                deletion_saw = saw.get((deletion[1], deletion[2]), deletion[0])
                current: dict[str, tuple[Any, ...]] = {}
                for h in history:
                    if h[3] in NO_CONFLICT or h[3] == "deleted":
                        continue
                    held = current.get(h[3])
                    if held is None or (h[0], h[1]) > (held[0], held[1]):
                        current[h[3]] = h
                kept = ("true", deletion[0], deletion[1], deletion[5])
                for col, h in sorted(current.items()):
                    edit_saw = saw.get((h[1], h[2]))
                    if h[0] <= deletion_saw or (edit_saw is not None and edit_saw >= deletion[0]):
                        continue
                    ident = conflict_id("deleted", table, rid, col, h[0], h[1])
                    wanted[ident] = (ident, "deleted", table, rid, col, *kept)
                    wanted[ident] += (h[4], h[0], h[1], h[5], "")
            stored = {
                str(i)
                for (i,) in self.cur.execute(
                    "SELECT id FROM conflicts WHERE kind = 'deleted' AND table_name = ?"
                    " AND row_id = ?",
                    (table, rid),
                )
            }
            stale.extend((i,) for i in sorted(stored - wanted.keys()))
            fresh = [r for i, r in wanted.items() if i not in stored]
            rows.extend(fresh)
            new += len(fresh)
        return rows, stale, new

    def fill_orphans(self) -> None:
        """A row created now whose later fields this PC already held in change_log goes in with
        them: the held value wins its field (its clock is the field's highest), so without it
        the row would be written without the value that won, or refused for a required field
        the creation lost, and every later merge of that PC would wait for ever."""
        for key in self.orphans:
            row = self.rows[key]
            if row.exists or not row.insert:
                continue
            name = key[0]
            table = Base.metadata.tables[name]
            allowed = SYNCED_COLUMNS.get(name, frozenset())
            choices = self._choices(table)
            for col, held in row.fields.items():
                if col in row.insert or col not in allowed or held.value is None:
                    continue
                if (ok := choices.get(col)) is not None and held.value not in ok:
                    continue
                row.insert[col] = held.value
                if col == "deleted":
                    row.deleted = held.value == "true"

    # ---------------------------------------------------------------- unknown markings
    def hold_unknown_markings(self) -> None:
        """A row whose winning marking this app does not know (a newer app's, or a crafted one)
        is never shown at a lower one. It is held back: in the table only as a hidden
        placeholder (deleted, marked with the highest marking this app knows; a new row gets no
        text of its own, only what it needs to exist, so rows pointing to it still can), and no
        conflict of it is listed. Nothing is logged: every record stays in change_log, so when a
        marking this app knows wins, the row is rebuilt from change_log with all its fields.
        Rows are decided from change_log alone: the same on every PC, in any order."""
        held_now: set[Key] = set()
        for key in self.marked:
            name, rid = key
            row = self.rows[key]
            table = Base.metadata.tables[name]
            marking = row.fields.get(MARKING_COLUMN)
            if marking is not None and marking.value not in self._choices(table)[MARKING_COLUMN]:
                held_now.add(key)
                self._placeholder(table, row)
                if key not in self.held_before:
                    self.stats.held.append(Held(name, rid, marking.value or "", marking.clock[1]))
            elif key in self.held_before:
                self._rebuild(table, row)
                self.stats.released += 1
                self.stats.tables.add(name)
        if held_now:
            self.contested = {f for f in self.contested if f[:2] not in held_now}
            self.deletion_contested -= held_now

    def _placeholder(self, table: Table, row: _Row) -> None:
        hidden = {"deleted": "true", MARKING_COLUMN: encode(highest_marking(Marking))}
        if row.exists:  # keeps what it held, hidden
            row.update.clear()
            row.update.update(hidden)
            return
        row.insert.clear()
        for col, held in row.fields.items():
            column = table.c[col]
            if col in hidden or column.nullable or column.server_default is not None:
                continue
            row.insert[col] = held.value if column.foreign_keys else _blank(column, held.value)
        row.insert.update(hidden)

    def _rebuild(self, table: Table, row: _Row) -> None:
        """Every field as change_log has it (list values this app knows), and the row shown
        again unless it was deleted."""
        choices = self._choices(table)
        values = {"deleted": "false"}
        for col, held in row.fields.items():
            if col in SYNCED_COLUMNS[table.name] and (
                (ok := choices.get(col)) is None or held.value in ok
            ):
                values[col] = held.value or "null"
        row.deleted = values["deleted"] == "true"
        target = row.update if row.exists else row.insert
        target.clear()
        target.update(values)

    def _field_heads(self) -> tuple[list[tuple[Any, ...]], list[tuple[str]], int]:
        """For each field edited apart in this merge, its conflicts from its whole history in
        change_log: one per head (a change nobody built on) other than the one that wins, kept
        whatever its value (whether it is still open is read against the field's value at the
        time: `services.sync.list_conflicts`). A pure function of the changes held, so PCs that
        met three or more edits in different orders keep the same conflicts (order-based
        detection missed a head whose value equalled the one it met first).

        Returns (rows to insert, ids of this kind no longer standing, new ones that differ from
        the value that won)."""
        rows: list[tuple[Any, ...]] = []
        stale: list[tuple[str]] = []
        differing = 0
        for table, row, col in sorted(self.contested):
            history = self.cur.execute(
                "SELECT hlc, device_id, value, user, prev_hlc FROM change_log"
                " WHERE table_name = ? AND row_id = ? AND column_name = ?",
                (table, row, col),
            ).fetchall()
            built_on = {h[4] for h in history if h[4] is not None}
            winner = max(history, key=lambda h: (h[0], h[1]))
            wanted = {
                conflict_id("field", table, row, col, h[0], h[1]): h
                for h in history
                if h is not winner and h[0] not in built_on
            }
            stored = {
                str(i)
                for (i,) in self.cur.execute(
                    "SELECT id FROM conflicts WHERE kind = 'field' AND table_name = ?"
                    " AND row_id = ? AND column_name = ?",
                    (table, row, col),
                )
            }
            stale.extend((i,) for i in sorted(stored - wanted.keys()))
            for ident, h in wanted.items():
                if ident in stored:
                    continue
                kept = (winner[2], winner[0], winner[1], winner[3])
                rows.append((ident, "field", table, row, col, *kept, h[2], h[0], h[1], h[3], ""))
                differing += h[2] != winner[2]
        return rows, stale, differing

    def _write_conflicts(self) -> None:
        """The conflicts of the fields and rows met apart in this merge, settled from their
        history: new ones in, ones no longer standing (a change was built on the one that lost)
        out. Every PC ends with the same rows whatever the order of arrival."""
        fields, stale_fields, differing = self._field_heads()
        deleted, stale_deleted, new = self._deleted_heads()
        self.cur.executemany(
            "INSERT OR IGNORE INTO conflicts (id, kind, table_name, row_id, column_name,"
            " kept_value, kept_hlc, kept_device, kept_user, lost_value, lost_hlc, lost_device,"
            " lost_user, resolved) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            fields + deleted,
        )
        self.cur.executemany("DELETE FROM conflicts WHERE id = ?", stale_fields + stale_deleted)
        self.stats.conflicts = differing + new  # new ones only

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
            values = self._convert(table, cols, insert_values[(table, cols)], ids)
            quoted = ", ".join(f'"{c}"' for c in ("id", *cols))
            marks = ",".join("?" * (len(cols) + 1))
            self.cur.executemany(
                f'INSERT INTO "{table}" ({quoted}) VALUES ({marks})', zip(ids, *values, strict=True)
            )
        for (table, cols), ids in updates.items():
            values = self._convert(table, cols, update_values[(table, cols)], ids)
            sets = ", ".join(f'"{c}" = ?' for c in cols)
            self.cur.executemany(
                f'UPDATE "{table}" SET {sets} WHERE id = ?', zip(*values, ids, strict=True)
            )
        self._write_conflicts()

    def _convert(
        self, name: str, cols: tuple[str, ...], rows: list[tuple[str, ...]], ids: Sequence[str]
    ) -> list[list[Any]]:
        """Per column, the values to store for these rows' JSON texts."""
        table = Base.metadata.tables[name]
        return [
            self.convert.column(table, col, list(texts), ids)
            for col, texts in zip(cols, zip(*rows, strict=True), strict=True)
        ]


def rebuild_fields(conn: Connection, fields: set[tuple[str, str, str]]) -> set[str]:
    """Fields whose change was taken out of change_log (refused when judged again, sync.judge):
    each set back to the value its highest remaining change holds, as a merge of the remaining
    history would have left it, and its conflicts settled again from that history (the ones the
    taken change lost or won no longer stand; those it kept name the new winner). A row left
    with no change at all was only ever made by what was taken back: it is removed. Returns the
    tables changed."""
    raw = conn.connection.driver_connection
    assert isinstance(raw, sqlite3.Connection)
    cur = raw.cursor()
    cur.execute("PRAGMA defer_foreign_keys=ON")
    merge = _Merge(cur, MergeStats(), _Converters(conn))
    merge.load({(t, r) for t, r, _ in fields})
    gone: list[Key] = []
    winners: list[tuple[Any, ...]] = []
    for table, rid, col in sorted(fields):
        row = merge.rows[(table, rid)]
        known = synced_table(table)
        if known is None or col not in SYNCED_COLUMNS.get(table, frozenset()):
            continue
        if not row.fields:
            if row.exists and (table, rid) not in gone:
                gone.append((table, rid))
            continue
        held = row.fields.get(col)
        if not row.exists:
            continue
        if held is None or held.value is None:  # nothing else ever set it: back to empty
            if known.c[col].nullable:
                row.update[col] = "null"
                merge.stats.tables.add(table)
            continue
        ok = merge._choices(known).get(col)
        if ok is None or held.value in ok:
            row.update[col] = held.value
            if col == "deleted":
                row.deleted = held.value == "true"
            merge.stats.tables.add(table)
        if col not in NO_CONFLICT and table not in NO_CONFLICT_TABLES:
            merge.contested.add((table, rid, col))
            winners.append((held.value, held.clock[0], held.clock[1], held.user, table, rid, col))
        merge.deletion_contested.add((table, rid))
    merge.write()
    cur.executemany(
        "UPDATE conflicts SET kept_value = ?, kept_hlc = ?, kept_device = ?, kept_user = ?"
        " WHERE kind = 'field' AND table_name = ? AND row_id = ? AND column_name = ?",
        winners,
    )
    for table, rid in gone:
        if is_named(cur, table, rid):  # by a change of this PC not yet published (sync.cascade)
            cur.execute(f'UPDATE "{table}" SET deleted = 1 WHERE id = ?', (rid,))
            merge.stats.tables.add(table)
            continue
        cur.execute(f'DELETE FROM "{table}" WHERE id = ?', (rid,))
        cur.execute("DELETE FROM conflicts WHERE table_name = ? AND row_id = ?", (table, rid))
        merge.stats.tables.add(table)
    return merge.stats.tables


@functools.cache
def references() -> dict[str, tuple[tuple[str, str], ...]]:
    """Per synced table: the (column, table it names) of each reference a record may set."""
    found: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for name, columns in SYNCED_COLUMNS.items():
        for col in sorted(columns):
            column = Base.metadata.tables[name].c.get(col)
            for fk in column.foreign_keys if column is not None else ():
                target = fk.column.table.name
                if target in SYNCED_COLUMNS:
                    found[name].append((col, target))
    return {name: tuple(refs) for name, refs in found.items()}


def is_named(cur: object, table: str, row: str) -> bool:
    """Whether a row of any synced table names this row through a reference."""
    for child, refs in references().items():
        for col, target in refs:
            if (
                target == table
                and cur.execute(  # type: ignore[attr-defined]
                    f'SELECT 1 FROM "{child}" WHERE "{col}" = ? LIMIT 1', (row,)
                ).fetchone()
            ):
                return True
    return False


def synced_table(name: str) -> Table | None:
    """The table a record may write: one on the allow-list (never a local table), else None."""
    return Base.metadata.tables[name] if name in SYNCED_COLUMNS else None


def _blank(column: Any, given: str | None) -> str | None:
    """A held-back new row's stand-in for a required field: nothing of the row's own text."""
    col_type = column.type
    if isinstance(col_type, SAEnum):
        values = _enum_values(col_type)
        default = getattr(column.default, "arg", None)
        return encode(default if default is not None and not callable(default) else values[0])
    if isinstance(col_type, String):
        return '""'
    if isinstance(col_type, Boolean):
        return "false"
    if isinstance(col_type, (Integer, Float)):
        return "0"
    return given  # a date or time: the row's own (it says nothing)


def held_back_lines(stats: MergeStats) -> list[str]:
    """For the user: "PC 1a2b3c4d: a meeting paper marked 'SECRET' is held back: ..."."""
    lines = []
    for held in stats.held:
        try:
            marking = orjson.loads(held.marking)
        except orjson.JSONDecodeError:
            marking = held.marking
        shown = str(marking)[:40]
        what = MARKED_RECORD_NAMES.get(held.table, f"a record of {held.table}")
        lines.append(
            f"PC {held.device.replace('-', '')[-8:]}: {what} marked '{shown}' is held back: this "
            "version of the app does not know that marking (update the app to see it)"
        )
    return lines


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
