"""Disposal that really removes a record's text (issue 16, point 5), on every PC alike.

A disposal is a synced certificate (`disposals`: who, when, under which rule, why, how many of
each kind, and the [table, id] pairs it names), made by the secretariat. Every PC applies every
certificate (`apply`, after each sync round, after a disposal and after a restore), so a PC that
was offline disposes when it comes back:

- **The rows** (`disposed_rows`): those a certificate names, and their children (a minute's
  resolutions, an action's updates, a paper's attached files: `RESTRICTED_WITH`), found again
  each time, so a child that arrives later goes too.
- **The change log** (and `refused_changes`): each logged value of a disposed row's text
  (`DISPOSED_COLUMNS`) is replaced by a marker naming the certificate, the same on every PC.
  Before that, the record's digest is kept (`kept_digests`): segments chain by the digest of
  the record before them (`prev`), signed before the disposal, and `sync.verify.held_digest`
  checks against the kept one, so a PC that disposed early and one that disposed late still
  agree with every segment's chain.
- **Conflicts** of a disposed row are removed; **the table's row** keeps its references, dates
  and links, and loses its text ("") and is deleted.
- **The files**: the caller checkpoints the WAL and VACUUMs (`purge`), with SQLite's
  `secure_delete` on, so no page of the database or of its WAL keeps the text.

A change to a disposed row that arrives later (a PC that was offline edited it) is merged, then
disposed by the next `apply` in the same round. Segments on the share are rewritten by their
owners (`sync.disposal_segments`); snapshots are rebuilt by the PCs that make them.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import Connection, Engine
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from hescb_desktop.domain.restriction import CONTENT_COLUMNS, RESTRICTED_WITH
from hescb_desktop.storage.base import new_id
from hescb_desktop.storage.disposed_values import MARKER_JSON_PREFIX, marker
from hescb_desktop.storage.journal import SyncNotice
from hescb_desktop.sync.segments import record_digest
from hescb_desktop.sync.verify import range_records

PURGE_KEY = "disposal_purge_due"  # local_state: pages of the file may still hold disposed text
SNAPSHOT_KEY = "disposed_since_snapshot"  # local_state: this PC's snapshots may hold such text

# the text of a record: its content (what a person wrote, as restriction seals it) and, for a
# paper, the names of its author and of the officer it is a report of
DISPOSED_COLUMNS: dict[str, tuple[str, ...]] = {
    **CONTENT_COLUMNS,
    "papers": (*CONTENT_COLUMNS["papers"], "author", "report_of"),
}


@dataclass
class Applied:
    rows: int = 0  # rows newly disposed of
    values: int = 0  # logged values replaced by the marker
    tables: set[str] = field(default_factory=set)

    @property
    def changed(self) -> bool:
        return bool(self.rows or self.values or self.tables)


def _raw(conn: Connection) -> sqlite3.Cursor:
    raw = conn.connection.driver_connection
    assert isinstance(raw, sqlite3.Connection)
    return raw.cursor()


def certificate_records(text: str) -> list[tuple[str, str]]:
    """The [table, id] pairs of a certificate's `records` (anything malformed is left out: a
    certificate never names a table that holds no text)."""
    try:
        found = orjson.loads(text or "[]")
    except orjson.JSONDecodeError:
        return []
    out = []
    for pair in found if isinstance(found, list) else []:
        if (
            isinstance(pair, list)
            and len(pair) == 2
            and all(isinstance(v, str) for v in pair)
            and pair[0] in DISPOSED_COLUMNS
        ):
            out.append((pair[0], pair[1]))
    return out


def apply(conn: Connection) -> Applied:
    """Apply every certificate this PC holds (inside the caller's transaction)."""
    cur = _raw(conn)
    done = Applied()
    held = cur.execute("SELECT id, records FROM disposals WHERE deleted = 0").fetchall()
    if not held:
        return done
    before = cur.execute("SELECT count(*) FROM disposed_rows").fetchone()[0]
    for disposal_id, records in held:
        cur.executemany(
            "INSERT OR IGNORE INTO disposed_rows (table_name, row_id, disposal_id)"
            " VALUES (?, ?, ?)",
            [(t, r, disposal_id) for t, r in certificate_records(records)],
        )
    for child, (column, parent) in RESTRICTED_WITH.items():
        cur.execute(
            "INSERT OR IGNORE INTO disposed_rows (table_name, row_id, disposal_id)"
            f' SELECT ?, c.id, d.disposal_id FROM "{child}" c JOIN disposed_rows d'
            f' ON d.table_name = ? AND d.row_id = c."{column}"',
            (child, parent),
        )
    done.rows = cur.execute("SELECT count(*) FROM disposed_rows").fetchone()[0] - before
    for table, columns in DISPOSED_COLUMNS.items():
        done.values += _blank_log(conn, cur, table, columns)
        if _blank_rows(cur, table, columns):
            done.tables.add(table)
    gone = cur.execute(
        "DELETE FROM conflicts WHERE EXISTS (SELECT 1 FROM disposed_rows d"
        " WHERE d.table_name = conflicts.table_name AND d.row_id = conflicts.row_id)"
    ).rowcount
    if gone:
        done.tables.add("conflicts")
    if done.values:  # the file's pages, and a snapshot this PC made, may hold what went
        cur.executemany(
            "INSERT INTO local_state (key, value) VALUES (?, '1')"
            " ON CONFLICT (key) DO UPDATE SET value = '1'",
            [(SNAPSHOT_KEY,), (PURGE_KEY,)],
        )
    return done


def _blank_log(conn: Connection, cur: sqlite3.Cursor, table: str, columns: tuple[str, ...]) -> int:
    marks = ",".join("?" * len(columns))
    count = 0
    for log in ("change_log", "refused_changes"):
        found = cur.execute(
            f"SELECT l.device_id, l.seq, d.disposal_id FROM {log} l JOIN disposed_rows d"
            " ON d.table_name = l.table_name AND d.row_id = l.row_id"
            f" WHERE l.table_name = ? AND l.column_name IN ({marks})"
            " AND substr(l.value, 1, ?) != ?",
            (table, *columns, len(MARKER_JSON_PREFIX), MARKER_JSON_PREFIX),
        ).fetchall()
        for device, seq, disposal_id in found:
            records = range_records(conn, device, seq, seq)
            if records:  # the digest the chain was signed over, kept before the value goes
                cur.execute(
                    "INSERT OR IGNORE INTO kept_digests (device_id, seq, digest) VALUES (?, ?, ?)",
                    (device, seq, record_digest(records[0])),
                )
            cur.execute(
                f"UPDATE {log} SET value = ? WHERE device_id = ? AND seq = ?",
                (marker(disposal_id), device, seq),
            )
            count += 1
    return count


def _blank_rows(cur: sqlite3.Cursor, table: str, columns: tuple[str, ...]) -> int:
    sets = ", ".join(f"\"{c}\" = ''" for c in columns)
    differs = " OR ".join(f"\"{c}\" != ''" for c in columns)
    return cur.execute(
        f'UPDATE "{table}" SET {sets}, deleted = 1 WHERE ({differs} OR deleted = 0)'
        " AND id IN (SELECT row_id FROM disposed_rows WHERE table_name = ?)",
        (table,),
    ).rowcount


# copies of the database the app sets aside beside it (storage.database before an upgrade,
# sync.bootstrap before a join, services.recovery a damaged file): they hold the text too
SET_ASIDE = (".before-*", ".damaged-*")


def purge_due(engine: Engine) -> bool:
    with engine.connect() as conn:
        found = (
            _raw(conn)
            .execute("SELECT value FROM local_state WHERE key = ?", (PURGE_KEY,))
            .fetchone()
        )
    return found is not None


def purge(engine: Engine) -> list[str]:
    """No page of the database or its WAL keeps what was removed: the WAL checkpointed and
    truncated, the file rebuilt. The copies set aside beside it (before an upgrade or a join, a
    damaged file) hold what was removed too: they are deleted. Returns their names. Raises
    sqlite3.OperationalError when the database is busy (another PC's merge, a long read): the
    purge stays due (`purge_due`) and the next round does it."""
    with engine.connect() as conn:
        raw = conn.connection.driver_connection
        assert isinstance(raw, sqlite3.Connection)
        raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        raw.execute("VACUUM")
        raw.execute("DELETE FROM local_state WHERE key = ?", (PURGE_KEY,))
        raw.commit()
        raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db = engine.url.database
    if not db or db == ":memory:":
        return []
    path = Path(db)
    removed = []
    for pattern in SET_ASIDE:
        for copy in sorted(path.parent.glob(path.name + pattern)):
            if copy.is_file():
                copy.unlink(missing_ok=True)
                removed.append(copy.name)
    return removed


def held(conn: Any) -> bool:
    """Whether this PC holds any certificate (else nothing above need run)."""
    return (
        _raw(conn).execute("SELECT 1 FROM disposals WHERE deleted = 0 LIMIT 1").fetchone()
        is not None
    )


def tell(engine: Engine, hlc: int, removed: list[str]) -> None:
    """Keep, among the sync notices, which set-aside copies a disposal deleted."""
    if not removed:
        return
    with engine.begin() as conn:
        conn.execute(
            sqlite_insert(SyncNotice).values(
                id=new_id(),
                hlc=hlc,
                kind="disposal",
                message=(
                    "copies of this PC's database set aside earlier held text since disposed of,"
                    f" and were deleted: {', '.join(removed)}"
                ),
            )
        )
