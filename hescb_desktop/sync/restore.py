"""Restoring a snapshot by copying rows, never by adopting its file (issue 13).

A snapshot on the share is a whole SQLite file anyone with write access to the share could have
made: it may hold triggers (which would run on every later write), views, extra tables or
indexes, local tables (sync_peers, conflicts ...), or rows the app would never write. So:

1. The snapshot is downloaded to a scratch folder beside the database and checked against its
   manifest (as before).
2. In that scratch copy every trigger and view is dropped before anything writes to it. A
   snapshot from an older app is then upgraded there, by this app's migrations (some migrations
   compute new columns from old ones, so copying only the columns both schemas have would not
   do). A snapshot from a newer app, or a file that is not this app's, is refused.
3. A new database is made by this app's migrations (`open_database` on a new file), and the
   scratch copy is attached read-only (`mode=ro`): only the synced tables and columns of the
   allow-list, and change_log (without records naming a table that never syncs), are copied,
   in one transaction. Nothing else of the snapshot's making (trigger, view, index, table,
   local state) reaches the PC's database. SQLite runs triggers only on writes to their own
   tables, and nothing writes to the attached copy.
4. Rows that break the new database's rules are refused with a clear message and nothing is
   kept: a marking its CHECK refuses, a required field missing (NOT NULL), a broken reference
   (checked before the commit), a change-log row or a field of a type the app never writes, a
   list value this app does not know, a date that is not a date.
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import Boolean, Date, DateTime, Float, Integer, String, Table
from sqlalchemy import Enum as SAEnum

from hescb_desktop.storage.base import Base
from hescb_desktop.storage.database import known_revisions, open_database, peek
from hescb_desktop.storage.engine import DatabaseError
from hescb_desktop.storage.synced_columns import LOCAL_ONLY_TABLES, SYNCED_COLUMNS
from hescb_desktop.sync.share import ShareError
from hescb_desktop.sync.snapshot import SnapshotInfo, fetch_snapshot

CHANGE_LOG_COLUMNS = (
    "device_id",
    "seq",
    "tx",
    "hlc",
    "table_name",
    "row_id",
    "column_name",
    "value",
    "prev_hlc",
    "user",
    "stamped_hlc",  # the author's own stamp of a re-dated record (clockguard)
)


NOT_RESTORED = (
    "it was not restored and this PC is unchanged (the file on the share may have been tampered"
    " with: tell whoever looks after the share; the next snapshot a PC makes replaces it)"
)


class SnapshotError(ShareError):
    """The share's snapshot cannot be restored; the PC's database is left as it was."""


def restore_rows(info: SnapshotInfo, target: Path) -> None:
    """Make `target` (which must not exist) a database of this app's schema holding the
    snapshot's synced rows and change log. Raises SnapshotError; `target` may then be left
    behind, for the caller to remove."""
    scratch_dir = target.with_name(f".{target.name}.snapshot")
    shutil.rmtree(scratch_dir, ignore_errors=True)
    scratch_dir.mkdir(parents=True)
    try:
        scratch = scratch_dir / "snapshot.sqlite"
        fetch_snapshot(info, scratch)
        what = f"the snapshot {info.path.name}"
        _defuse(scratch, what)
        _upgrade(scratch, what)
        open_database(target).dispose()  # a new, empty database made by this app's migrations
        _copy(scratch, target, what)
    finally:
        shutil.rmtree(scratch_dir, ignore_errors=True)


def _defuse(scratch: Path, what: str) -> None:
    """Drop every trigger and view of the scratch copy before anything writes to it."""
    try:
        conn = sqlite3.connect(scratch, isolation_level=None)
        try:
            conn.execute("PRAGMA trusted_schema=OFF")
            found = conn.execute(
                "SELECT type, name FROM sqlite_master WHERE type IN ('trigger', 'view')"
            ).fetchall()
            for kind, name in found:
                quoted = str(name).replace('"', '""')
                conn.execute(f'DROP {"TRIGGER" if kind == "trigger" else "VIEW"} "{quoted}"')
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise SnapshotError(f"{what} cannot be read as a database ({exc})") from exc


def _upgrade(scratch: Path, what: str) -> None:
    """Bring the scratch copy to this app's schema (a newer or foreign file is refused)."""
    try:
        found = peek(scratch)
        if found.revision is None:
            raise SnapshotError(f"{what} is not an HESCB Desktop database: {NOT_RESTORED}")
        if found.revision not in known_revisions():
            raise SnapshotError(
                f"{what} was made by a newer HESCB Desktop (schema {found.revision}): "
                "update the app"
            )
        open_database(scratch, verify=True).dispose()  # checks it, upgrades an older one
    except DatabaseError as exc:
        raise SnapshotError(f"{what} cannot be restored: {exc}") from exc


def _copy(scratch: Path, target: Path, what: str) -> None:
    conn = sqlite3.connect(target.resolve().as_uri(), uri=True, isolation_level=None)
    try:
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("PRAGMA trusted_schema=OFF")
        conn.execute("ATTACH DATABASE ? AS snap", (f"{scratch.resolve().as_uri()}?mode=ro",))
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.execute("PRAGMA defer_foreign_keys=ON")
            for name in sorted(SYNCED_COLUMNS):
                _copy_table(conn, Base.metadata.tables[name], what)
            _copy_change_log(conn, what)
            _copy_conflicts(conn, what)
            _copy_kept_digests(conn, what)
            broken = conn.execute("PRAGMA main.foreign_key_check").fetchall()
            if broken:
                table, _, parent, _ = broken[0]
                raise SnapshotError(
                    f"{what} holds {len(broken)} broken reference(s) ({table} -> {parent}): "
                    + NOT_RESTORED
                )
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    except sqlite3.Error as exc:
        reason = " ".join(str(exc).split())
        message = f"{what} holds rows this app refuses ({reason}): {NOT_RESTORED}"
        raise SnapshotError(message) from exc
    finally:
        conn.close()


def _copy_table(conn: sqlite3.Connection, table: Table, what: str) -> None:
    name = table.name
    kind = conn.execute(
        "SELECT type FROM snap.sqlite_master WHERE name = ? AND type = 'table'", (name,)
    ).fetchone()
    if kind is None:
        return  # none of these in the snapshot
    have = {str(r[1]) for r in conn.execute(f'PRAGMA snap.table_info("{name}")')}
    if "id" not in have:
        raise SnapshotError(f"{what}: its table {name} has no id: {NOT_RESTORED}")
    columns = ["id", *sorted(SYNCED_COLUMNS[name] & have)]
    quoted = ", ".join(f'"{c}"' for c in columns)
    conn.execute(f'DELETE FROM main."{name}"')  # rows a migration seeds: the snapshot has them
    conn.execute(f'INSERT INTO main."{name}" ({quoted}) SELECT {quoted} FROM snap."{name}"')
    checks = " OR ".join(
        f"({cond})" for c in columns if (cond := _bad_value(table.c[c], f'"{c}"')) is not None
    )
    bad = conn.execute(f'SELECT count(*) FROM main."{name}" WHERE {checks}').fetchone()[0]
    if bad:
        raise SnapshotError(
            f"{what} holds {bad} row(s) of {name} with values this app never writes: "
            + NOT_RESTORED
        )


def _bad_value(column: Any, ref: str) -> str | None:
    """An SQL condition true for a stored value this app would not have written there."""
    col_type = column.type
    if column.name == "id":
        return f"typeof({ref}) != 'text' OR length({ref}) > 36"
    if isinstance(col_type, SAEnum):
        allowed = ", ".join("'" + str(v).replace("'", "''") + "'" for v in _enum_texts(col_type))
        return f"{ref} IS NOT NULL AND (typeof({ref}) != 'text' OR {ref} NOT IN ({allowed}))"
    if isinstance(col_type, Boolean):
        return f"{ref} IS NOT NULL AND {ref} NOT IN (0, 1)"
    if isinstance(col_type, Integer):
        return f"typeof({ref}) NOT IN ('integer', 'null')"
    if isinstance(col_type, Float):
        return f"typeof({ref}) NOT IN ('integer', 'real', 'null')"
    if isinstance(col_type, Date):
        return f"{ref} IS NOT NULL AND (typeof({ref}) != 'text' OR date({ref}) IS NULL)"
    if isinstance(getattr(col_type, "impl", col_type), DateTime):
        return f"{ref} IS NOT NULL AND (typeof({ref}) != 'text' OR datetime({ref}) IS NULL)"
    if isinstance(col_type, String):
        return f"typeof({ref}) NOT IN ('text', 'null')"
    return None


def _enum_texts(col_type: SAEnum) -> list[str]:
    enum_class = col_type.enum_class
    if enum_class is None:
        return [str(v) for v in col_type.enums]
    return [str(getattr(m, "value", m)) for m in enum_class]


def _copy_change_log(conn: sqlite3.Connection, what: str) -> None:
    """The audit trail and the fields' clocks, but no record naming a table that never syncs
    (a merge refuses those too). A row of a type the app never writes refuses the restore."""
    ints = " OR ".join(f"typeof({c}) != 'integer' OR {c} < 0" for c in ("seq", "tx", "hlc"))
    texts = " OR ".join(
        f"typeof({c}) != 'text'"
        for c in ("device_id", "table_name", "row_id", "column_name", "value", "user")
    )
    bad = conn.execute(
        f"SELECT count(*) FROM snap.change_log WHERE {ints} OR {texts}"
        " OR typeof(prev_hlc) NOT IN ('integer', 'null')"
        " OR typeof(stamped_hlc) NOT IN ('integer', 'null') OR json_valid(value) = 0"
    ).fetchone()[0]
    if bad:
        raise SnapshotError(
            f"{what} holds {bad} change-log row(s) this app never writes: {NOT_RESTORED}"
        )
    local = ", ".join(f"'{t}'" for t in sorted(LOCAL_ONLY_TABLES))
    cols = ", ".join(CHANGE_LOG_COLUMNS)
    conn.execute(
        f"INSERT INTO main.change_log ({cols}, published) SELECT {cols}, 1 FROM snap.change_log"
        f" WHERE table_name NOT IN ({local}) AND substr(table_name, 1, 7) != 'sqlite_'"
        " AND column_name != 'id'"
    )


CONFLICT_COLUMNS = (
    "id",
    "kind",
    "table_name",
    "row_id",
    "column_name",
    "kept_value",
    "kept_hlc",
    "kept_device",
    "kept_user",
    "lost_value",
    "lost_hlc",
    "lost_device",
    "lost_user",
)


def _copy_kept_digests(conn: sqlite3.Connection, what: str) -> None:
    """The digests disposed changes had (issue 16, point 5): the segments after them chain by
    these (`sync.verify.held_digest`). A row of a type the app never writes refuses the
    restore."""
    found = conn.execute(
        "SELECT 1 FROM snap.sqlite_master WHERE name = 'kept_digests' AND type = 'table'"
    ).fetchone()
    if found is None:
        return
    bad = conn.execute(
        "SELECT count(*) FROM snap.kept_digests WHERE typeof(device_id) != 'text'"
        " OR typeof(seq) != 'integer' OR seq < 0 OR typeof(digest) != 'text'"
        " OR length(digest) != 64"
    ).fetchone()[0]
    if bad:
        raise SnapshotError(
            f"{what} holds {bad} kept digest(s) this app never writes: {NOT_RESTORED}"
        )
    conn.execute(
        "INSERT INTO main.kept_digests (device_id, seq, digest)"
        " SELECT device_id, seq, digest FROM snap.kept_digests"
    )


def _copy_conflicts(conn: sqlite3.Connection, what: str) -> None:
    """The board's open conflicts (snapshots carry them: every PC lists the same ones, and their
    ids are the same everywhere). Only conflicts of fields sync may write come in; how one was
    settled travels in `conflict_resolutions`, so this PC's own `resolved` starts empty."""
    found = conn.execute(
        "SELECT 1 FROM snap.sqlite_master WHERE name = 'conflicts' AND type = 'table'"
    ).fetchone()
    if found is None:
        return
    texts = " OR ".join(
        f"typeof({c}) != 'text'" for c in CONFLICT_COLUMNS if c not in ("kept_hlc", "lost_hlc")
    )
    bad = conn.execute(
        f"SELECT count(*) FROM snap.conflicts WHERE {texts}"
        " OR typeof(kept_hlc) != 'integer' OR typeof(lost_hlc) != 'integer'"
        " OR kind NOT IN ('field', 'deleted') OR length(id) > 36"
        " OR json_valid(kept_value) = 0 OR json_valid(lost_value) = 0"
    ).fetchone()[0]
    if bad:
        raise SnapshotError(
            f"{what} holds {bad} conflict row(s) this app never writes: {NOT_RESTORED}"
        )
    pairs = [(t, c) for t, cols in SYNCED_COLUMNS.items() for c in cols]
    conn.execute("CREATE TEMP TABLE mergeable (table_name TEXT, column_name TEXT)")
    try:
        conn.executemany("INSERT INTO temp.mergeable VALUES (?, ?)", pairs)
        cols = ", ".join(CONFLICT_COLUMNS)
        conn.execute(
            f"INSERT OR IGNORE INTO main.conflicts ({cols}, resolved) SELECT {cols}, ''"
            " FROM snap.conflicts WHERE (table_name, column_name) IN"
            " (SELECT table_name, column_name FROM temp.mergeable)"
        )
    finally:
        conn.execute("DROP TABLE temp.mergeable")
