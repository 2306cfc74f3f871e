"""Merging peers' change records into the local database.

Per field, the highest (hlc, device id) wins. A change whose prev_hlc is not the hlc of the value
this PC holds was made without seeing that value: if the two values differ, the loser is kept in
`conflicts` for a user to look at. Edits to a row another PC deleted leave it deleted and are kept
as a "deleted" conflict (offering restore). Records are stored in change_log under their own
(device id, seq), so a record read twice changes nothing. Columns or tables this app does not
know (a newer PC's additive schema change) are kept in change_log, not dropped.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import Connection, Table, insert, select, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from hescb_desktop.storage.base import Base, new_id
from hescb_desktop.storage.codec import decode
from hescb_desktop.storage.journal import ChangeLog, Conflict, FieldClock, LocalState
from hescb_desktop.sync.segments import Record

NO_CONFLICT = frozenset(
    {"created_at", "created_by", "updated_at", "updated_by", "deleted_at", "deleted_by"}
)


@dataclass
class MergeStats:
    merged: int = 0  # records new to this PC
    applied: int = 0  # fields that changed a local value
    conflicts: int = 0
    kept_unknown: int = 0  # records for tables/columns this app does not know yet
    max_hlc: int = 0
    tables: set[str] = field(default_factory=set)


def merge_records(
    conn: Connection, records: Iterable[Record], *, published: bool = True
) -> MergeStats:
    """Apply records inside the caller's transaction (which also moves cursors and the clock).

    `published=False` is for this PC's own changes carried into a restored snapshot.
    """
    conn.exec_driver_sql("PRAGMA defer_foreign_keys=ON")
    stats = MergeStats()
    ordered = sorted(records, key=lambda r: (r.hlc, r.device_id, r.seq))
    for _, group in itertools.groupby(ordered, key=lambda r: (r.device_id, r.tx, r.table, r.row)):
        _merge_row(conn, [r for r in group if _log(conn, r, published)], stats)
    return stats


def _log(conn: Connection, rec: Record, published: bool = True) -> bool:
    """Store the record in change_log; False when it was already there (idempotent delivery)."""
    stmt = (
        sqlite_insert(ChangeLog)
        .values(
            device_id=rec.device_id,
            seq=rec.seq,
            tx=rec.tx,
            hlc=rec.hlc,
            table_name=rec.table,
            row_id=rec.row,
            column_name=rec.col,
            value=rec.value,
            prev_hlc=rec.prev_hlc,
            user=rec.user,
            published=published,
        )
        .on_conflict_do_nothing()
    )
    return conn.execute(stmt).rowcount == 1


def _merge_row(conn: Connection, recs: list[Record], stats: MergeStats) -> None:
    if not recs:
        return
    stats.merged += len(recs)
    stats.max_hlc = max(stats.max_hlc, recs[-1].hlc)
    table = Base.metadata.tables.get(recs[0].table)
    known = [r for r in recs if table is not None and r.col in table.c]
    stats.kept_unknown += len(recs) - len(known)
    if table is None or not known:
        return
    clocks = _clocks(conn, table.name, recs[0].row)
    current = conn.execute(select(table).where(table.c.id == recs[0].row)).mappings().first()
    winners = [r for r in known if _wins(r, clocks.get(r.col))]
    for rec in known:
        _maybe_conflict(conn, rec, clocks.get(rec.col), current, rec in winners, stats)
    _deleted_conflict(conn, table, known, clocks, current, stats)
    if winners:
        _apply(conn, table, recs[0].row, winners, current is None)
        stats.applied += len(winners)
        stats.tables.add(table.name)


def _clocks(conn: Connection, table: str, row: str) -> dict[str, tuple[int, str]]:
    stmt = select(FieldClock.column_name, FieldClock.hlc, FieldClock.device_id).where(
        FieldClock.table_name == table, FieldClock.row_id == row
    )
    return {c: (h, d) for c, h, d in conn.execute(stmt)}


def _wins(rec: Record, clock: tuple[int, str] | None) -> bool:
    return clock is None or (rec.hlc, rec.device_id) > clock


def _apply(conn: Connection, table: Table, row: str, winners: list[Record], new: bool) -> None:
    values = {r.col: decode(r.value, table.c[r.col].type) for r in winners}
    if new:
        conn.execute(insert(table).values(id=row, **values))
    else:
        conn.execute(update(table).where(table.c.id == row).values(**values))
    clock_rows = [
        {
            "table_name": table.name,
            "row_id": row,
            "column_name": r.col,
            "hlc": r.hlc,
            "device_id": r.device_id,
        }
        for r in winners
    ]
    stmt = sqlite_insert(FieldClock)
    conn.execute(
        stmt.on_conflict_do_update(
            index_elements=["table_name", "row_id", "column_name"],
            set_={"hlc": stmt.excluded.hlc, "device_id": stmt.excluded.device_id},
        ),
        clock_rows,
    )


def _maybe_conflict(
    conn: Connection,
    rec: Record,
    clock: tuple[int, str] | None,
    current: Any,
    won: bool,
    stats: MergeStats,
) -> None:
    """Concurrent edits with different values: keep the losing value."""
    if clock is None or current is None or rec.col in NO_CONFLICT or rec.prev_hlc == clock[0]:
        return
    local_json = _local_json(conn, rec.table, rec.row, rec.col, clock)
    if local_json is None or local_json[0] == rec.value:
        return
    mine = {"value": local_json[0], "hlc": clock[0], "device": clock[1], "user": local_json[1]}
    theirs = _side(rec)
    kept, lost = (theirs, mine) if won else (mine, theirs)
    _add_conflict(conn, "field", rec, kept, lost)
    stats.conflicts += 1


def _deleted_conflict(
    conn: Connection,
    table: Table,
    recs: list[Record],
    clocks: dict[str, tuple[int, str]],
    current: Any,
    stats: MergeStats,
) -> None:
    """Edits and a deletion of the same row made apart: the row stays deleted, the edits are kept.

    The app never edits a deleted row, so an incoming edit to a row deleted here was made without
    seeing the deletion; and local edits stamped after an incoming deletion were made without the
    deleting PC seeing them.
    """
    if current is None or "deleted" not in clocks:
        return
    deleting = next((r for r in recs if r.col == "deleted" and r.value == "true"), None)
    if deleting is None and current.get("deleted"):
        for rec in recs:
            if rec.col not in NO_CONFLICT and rec.col != "deleted":
                _add_conflict(conn, "deleted", rec, _deletion(clocks, current), _side(rec))
                stats.conflicts += 1
    elif deleting is not None and not current.get("deleted"):
        for col, (hlc, device) in clocks.items():
            if col in NO_CONFLICT or col == "deleted" or hlc <= deleting.hlc:
                continue
            local = _local_json(conn, table.name, deleting.row, col, (hlc, device))
            if local is not None:
                mine = {"value": local[0], "hlc": hlc, "device": device, "user": local[1]}
                kept = {
                    "value": "true",
                    "hlc": deleting.hlc,
                    "device": deleting.device_id,
                    "user": deleting.user,
                }
                _add_conflict(conn, "deleted", replace(deleting, col=col), kept, mine)
                stats.conflicts += 1


def _side(rec: Record) -> dict[str, Any]:
    return {"value": rec.value, "hlc": rec.hlc, "device": rec.device_id, "user": rec.user}


def _deletion(clocks: dict[str, tuple[int, str]], current: Any) -> dict[str, Any]:
    hlc, device = clocks["deleted"]
    return {
        "value": "true",
        "hlc": hlc,
        "device": device,
        "user": str(current.get("deleted_by") or ""),
    }


def _local_json(
    conn: Connection, table: str, row: str, col: str, clock: tuple[int, str]
) -> tuple[str, str] | None:
    stmt = select(ChangeLog.value, ChangeLog.user).where(
        ChangeLog.table_name == table,
        ChangeLog.row_id == row,
        ChangeLog.column_name == col,
        ChangeLog.hlc == clock[0],
        ChangeLog.device_id == clock[1],
    )
    found = conn.execute(stmt).first()
    return (found[0], found[1]) if found else None


def _add_conflict(
    conn: Connection, kind: str, rec: Record, kept: dict[str, Any], lost: dict[str, Any]
) -> None:
    conn.execute(
        insert(Conflict).values(
            id=new_id(),
            kind=kind,
            table_name=rec.table,
            row_id=rec.row,
            column_name=rec.col,
            kept_value=kept["value"],
            kept_hlc=kept["hlc"],
            kept_device=kept["device"],
            kept_user=kept["user"],
            lost_value=lost["value"],
            lost_hlc=lost["hlc"],
            lost_device=lost["device"],
            lost_user=lost["user"],
            resolved="",
        )
    )


def put_state(conn: Connection, key: str, value: str) -> None:
    stmt = sqlite_insert(LocalState).values(key=key, value=value)
    conn.execute(stmt.on_conflict_do_update(index_elements=["key"], set_={"value": value}))
