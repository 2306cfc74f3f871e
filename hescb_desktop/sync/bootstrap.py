"""Starting a PC from the share's newest snapshot, keeping everything it had not published.

Used when a PC joins a share that already holds data, and when a PC has been away longer than
the share keeps journal segments. The old database is kept beside the new one. The snapshot's
file itself never becomes the PC's database: its rows are copied (`restore.py`).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Connection, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from hescb_desktop.storage.database import open_database
from hescb_desktop.storage.engine import writer
from hescb_desktop.storage.journal import ChangeLog, SyncPeer
from hescb_desktop.sync.hlc import ceiling, wall_ms
from hescb_desktop.sync.merger import merge_records, put_state
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
                merge_records(conn, carried.records, published=True)
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
