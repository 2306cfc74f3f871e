"""Starting a PC from the share's newest snapshot, keeping everything it had not published.

Used when a PC joins a share that already holds data, and when a PC has been away longer than
the share keeps journal segments. The old database is kept beside the new one. The snapshot's
file itself never becomes the PC's database: its rows are copied (`restore.py`).
"""

from __future__ import annotations

import itertools
import json
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from operator import attrgetter
from pathlib import Path

from sqlalchemy import Connection, Engine, delete, select, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError

from hescb_desktop.storage.database import open_database
from hescb_desktop.storage.engine import writer
from hescb_desktop.storage.journal import ChangeLog, LocalState, SyncPeer
from hescb_desktop.sync.hlc import ceiling, wall_ms
from hescb_desktop.sync.merger import log_only, merge_records, put_state
from hescb_desktop.sync.restore import restore_rows
from hescb_desktop.sync.segments import Record
from hescb_desktop.sync.snapshot import SnapshotInfo


@dataclass(frozen=True)
class Carried:
    """What a PC takes with it into the restored database."""

    state: dict[str, str]
    records: list[Record]  # its own changes the snapshot does not contain
    unpublished: set[int]  # their seqs that were never published


def read_carried(db_path: Path, snapshot_cursor: int) -> Carried:
    if not db_path.exists():
        return Carried({}, [], set())
    conn = sqlite3.connect(db_path)
    try:
        state = dict(conn.execute("SELECT key, value FROM local_state").fetchall())
        device = state.get("device_id", "")
        rows = conn.execute(
            "SELECT device_id, seq, tx, hlc, table_name, row_id, column_name, value, prev_hlc,"
            " user, published FROM change_log WHERE device_id = ? AND seq > ? ORDER BY seq",
            (device, snapshot_cursor),
        ).fetchall()
    finally:
        conn.close()
    records = [Record(*r[:10]) for r in rows]
    return Carried(state, records, {r[1] for r in rows if not r[10]})


def bootstrap(db_path: Path, info: SnapshotInfo) -> int:
    """Replace `db_path` with the snapshot plus this PC's own later changes; returns how many
    of those were carried. The caller must have closed every connection to `db_path`.

    The snapshot file is never adopted: a new database is made by this app's migrations and the
    snapshot's rows of the synced tables (and its change log) are copied into it (see
    `restore_rows`). A snapshot that cannot be restored raises SnapshotError and leaves
    `db_path` as it was."""
    device = _device_of(db_path)
    carried = read_carried(db_path, info.cursors.get(device, 0))
    incoming = db_path.with_name(db_path.name + ".restoring")
    incoming.parent.mkdir(parents=True, exist_ok=True)
    _remove_database(incoming)  # what an earlier failed restore left
    try:
        restore_rows(info, incoming)
        engine = open_database(incoming)
        try:
            with writer(engine).begin() as conn:
                for key, value in carried.state.items():
                    put_state(conn, key, value)
                for peer, cursor in info.cursors.items():
                    if peer != device:
                        conn.execute(
                            sqlite_insert(SyncPeer).values(
                                device_id=peer, cursor=cursor, user="", last_seen_hlc=0, problem=""
                            )
                        )
                waiting = carry(conn, carried.records)
                put_state(conn, WAITING_KEY, json.dumps(waiting))
                _mark_unpublished(conn, device, carried.unpublished)
                _restart_clock_past(conn, carried.state)
        finally:
            engine.dispose()
        _settle(incoming)
    except BaseException:
        _remove_database(incoming)
        raise
    _settle(db_path)
    if db_path.exists():
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        db_path.replace(db_path.with_name(f"{db_path.name}.before-join-{stamp}"))
    incoming.replace(db_path)
    return len(carried.records)


def _device_of(db_path: Path) -> str:
    if not db_path.exists():
        return ""
    conn = sqlite3.connect(db_path)
    try:
        row = conn.execute("SELECT value FROM local_state WHERE key = 'device_id'").fetchone()
    finally:
        conn.close()
    return str(row[0]) if row else ""


def _mark_unpublished(conn: Connection, device: str, seqs: set[int]) -> None:
    if seqs:
        stmt = update(ChangeLog).where(
            ChangeLog.device_id == device, ChangeLog.seq.in_(sorted(seqs))
        )
        conn.execute(stmt.values(published=False))


def _restart_clock_past(conn: Connection, state: dict[str, str]) -> None:
    """The clock restarts past everything in the snapshot and everything this PC had seen, but
    never beyond its wall clock + the bound (a board stamped far ahead before the bound existed
    must not drag a joining PC's clock there)."""
    logged = conn.exec_driver_sql("SELECT max(hlc) FROM change_log").scalar() or 0
    logged = min(int(logged), ceiling(wall_ms()))
    put_state(conn, "hlc_last", str(max(int(logged), int(state.get("hlc_last", "0")))))


def _remove_database(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", ".clean"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)


def _settle(path: Path) -> None:
    """Fold the WAL into the file and drop it, so the file can be moved on its own."""
    if not path.exists():
        return
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA journal_mode=DELETE")
    finally:
        conn.close()


WAITING_KEY = "carried_waiting"  # this PC's own carried changes that could not apply yet (seqs)
REFUSED = (IntegrityError, sqlite3.IntegrityError)


def carry(conn: Connection, records: list[Record]) -> list[int]:
    """Apply this PC's own changes the snapshot lacks; returns the seqs of those that cannot
    apply yet. A change may build on a row another PC made after the snapshot (an edit of it, a
    row pointing to it): the database refuses it until that row arrives by the journal. Such a
    commit is kept in change_log unapplied (published as it was), and applied when the row
    arrives (`merger.fill_orphans`, and `retry_waiting` after each round's merge). Nothing this
    PC wrote is lost, and the rest of the restore goes on."""
    if _try(conn, records):
        return []
    waiting: list[int] = []
    for _, group in itertools.groupby(records, key=attrgetter("tx")):
        recs = list(group)
        if not _try(conn, recs):
            log_only(conn, recs, published=True)
            waiting += [r.seq for r in recs]
    return waiting


def _try(conn: Connection, records: list[Record]) -> bool:
    """Merge `records` in a savepoint; undone (False) when the database refuses them."""
    savepoint = conn.begin_nested()
    try:
        merge_records(conn, records, published=True)
        for table in sorted({r.table for r in records}):  # references are checked at commit
            found = conn.exec_driver_sql(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
            ).first()
            if found and conn.exec_driver_sql(f'PRAGMA foreign_key_check("{table}")').first():
                raise sqlite3.IntegrityError(f"a reference of {table} is not there yet")
    except REFUSED:
        savepoint.rollback()
        return False
    savepoint.commit()
    return True


def retry_waiting(engine: Engine, device: str) -> int:
    """After a round's merge: this PC's own carried changes that could not apply at the
    restore are applied now if the rows they need have arrived. Returns how many applied."""
    with writer(engine).begin() as conn:
        text = conn.execute(select(LocalState.value).where(LocalState.key == WAITING_KEY)).scalar()
        seqs = sorted(set(json.loads(text or "[]")))
        if not seqs:
            return 0
        marks = ",".join("?" * len(seqs))
        rows = conn.exec_driver_sql(
            "SELECT device_id, seq, tx, hlc, table_name, row_id, column_name, value, prev_hlc,"
            f" user, published FROM change_log WHERE device_id = ? AND seq IN ({marks})",
            (device, *seqs),
        ).fetchall()
        held = [(Record(*r[:10]), bool(r[10])) for r in rows]
        still: list[int] = []
        applied = 0
        for _, group in itertools.groupby(
            sorted(held, key=lambda h: h[0].seq), key=lambda h: h[0].tx
        ):
            pairs = list(group)
            recs = [rec for rec, _ in pairs]
            numbers = [rec.seq for rec in recs]
            savepoint = conn.begin_nested()
            conn.execute(
                delete(ChangeLog).where(ChangeLog.device_id == device, ChangeLog.seq.in_(numbers))
            )
            if _try(conn, recs):
                _mark_unpublished(conn, device, {rec.seq for rec, pub in pairs if not pub})
                savepoint.commit()
                applied += len(recs)
            else:
                savepoint.rollback()
                still += numbers
        put_state(conn, WAITING_KEY, json.dumps(still))
    return applied
