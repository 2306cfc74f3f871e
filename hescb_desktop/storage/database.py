"""Open (create, check, migrate) the local database file."""

from __future__ import annotations

import json
import shutil
import sqlite3
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError

from hescb_desktop.storage.engine import (
    DamagedDatabaseError,
    DatabaseError,
    check_sqlite_file,
    damage_seen,
    is_corruption,
    make_engine,
    note_damage,
)

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
CLEAN_SUFFIX = ".clean"  # beside the database: written at a clean close, removed at open


def alembic_config() -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def known_revisions() -> list[str]:
    """Revision ids in order, from the migration file names (`0002_sync_state.py`); reading the
    names keeps Alembic out of a normal start. A test checks they agree with Alembic's graph."""
    names = sorted(p.name for p in (MIGRATIONS / "versions").glob("[0-9][0-9][0-9][0-9]_*.py"))
    return [n.split("_", 1)[0] for n in names]


def head_revision() -> str:
    return known_revisions()[-1]


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        has = conn.execute(
            text("SELECT 1 FROM sqlite_master WHERE type='table' AND name='alembic_version'")
        ).first()
        if not has:
            return None
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def upgrade(engine: Engine) -> None:
    """Run the migrations in one transaction, with foreign keys off while they run.

    A migration that changes a constraint makes Alembic copy the table to a new one and drop the
    old one; with foreign keys on, dropping a table that other rows point to (an action with
    its updates) fails. So, as SQLite's own procedure for schema changes says: foreign keys off
    (outside the transaction), migrate, then `PRAGMA foreign_key_check` before the commit; a
    violation rolls the whole upgrade back."""
    from alembic import command

    cfg = alembic_config()
    with engine.connect() as conn:
        raw = conn.connection.driver_connection
        assert raw is not None
        raw.execute("PRAGMA foreign_keys=OFF")  # no transaction is open yet: it takes effect
        try:
            with conn.begin():
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, "head")
                broken = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    table, _, parent, _ = broken[0]
                    raise DatabaseError(
                        f"the upgrade would leave {len(broken)} broken reference(s) "
                        f"({table} -> {parent}); the database is left as it was"
                    )
        except SQLAlchemyError as exc:  # rolled back: SQLite's schema changes are transactional
            reason = " ".join(str(getattr(exc, "orig", None) or exc).split())
            raise DatabaseError(
                f"the upgrade to schema {head_revision()} failed ({reason}); "
                "the database is left as it was"
            ) from exc
        finally:
            raw.execute("PRAGMA foreign_keys=ON")


@dataclass(frozen=True)
class Peek:
    """What a database file holds, read without changing a byte."""

    revision: str | None  # the Alembic revision; None when there is no alembic_version
    tables: int

    @property
    def ours(self) -> bool:
        return self.revision is not None

    @property
    def blank(self) -> bool:
        return self.revision is None and self.tables == 0


def peek(path: Path) -> Peek:
    """Open `path` read-only (SQLite's mode=ro), so a file that is not ours is left alone."""
    check_sqlite_file(path)
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            names = {
                r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")
            }
            revision = None
            if "alembic_version" in names:
                row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
                revision = row[0] if row else None
        finally:
            conn.close()
    except sqlite3.Error as exc:
        if is_corruption(exc):  # an SQLite file (check_sqlite_file passed) that is damaged
            raise DamagedDatabaseError(
                f"{path} is damaged: it cannot be read as a database ({exc}). {LEFT_AS_IT_WAS}"
            ) from exc
        raise DatabaseError(f"{path} cannot be read as a database: {exc}") from exc
    return Peek(revision, len(names))


def open_database(
    path: Path, *, create: bool = True, migrate: bool = True, verify: bool = False
) -> Engine:
    """An engine on `path` after checking the file; creates or upgrades the schema.

    A file that is not SQLite, is damaged or comes from a newer app raises DatabaseError
    (DamagedDatabaseError when damaged) and is left exactly as it was. Before an upgrade the file
    is copied aside. The integrity check (a full read: a third of a second on a large board) is
    skipped when the file is exactly as this app left it at a clean close, checked by its CRC-32
    (a tenth of a second), unless `verify` asks for it.
    """
    exists = path.exists() and path.stat().st_size > 0
    if not exists and not create:
        raise DatabaseError(f"no database at {path}: run `hescb-desktop init` first")
    if exists:
        check_file(path, verify=verify)
    _forget_clean_close(path)
    note_damage(path, seen=False)  # checked sound (or new) just now
    engine = make_engine(path)
    rev = current_revision(engine)
    if rev != head_revision() and migrate:
        if rev is not None:
            shutil.copy2(path, path.with_name(f"{path.name}.before-{head_revision()}"))
        upgrade(engine)
    return engine


def check_file(path: Path, *, verify: bool = False) -> Peek:
    """Everything open_database checks before it writes a byte: ours, not newer, not damaged.
    Reads only; raises DatabaseError (DamagedDatabaseError for damage)."""
    found = peek(path)
    if not found.ours and not found.blank:
        raise DatabaseError(f"{path} is not an HESCB Desktop database (another program's file)")
    if found.revision is not None and found.revision not in known_revisions():
        raise DatabaseError(
            f"{path} was written by a newer HESCB Desktop (schema {found.revision}): update the app"
        )
    clean = _closed_cleanly(path)
    if clean is None:
        raise DamagedDatabaseError(
            f"{path} is damaged: its contents changed since HESCB Desktop last closed it, "
            f"although its size and time did not. {LEFT_AS_IT_WAS}"
        )
    if verify or not clean:
        _check_integrity(path)
    return found


LEFT_AS_IT_WAS = (
    "It is left as it was: recover the board from the share or the copy kept before the last "
    "upgrade (Recover… in the app, or `hescb-desktop recover`)."
)


def _check_integrity(path: Path) -> None:
    """SQLite's quick check on a read-only connection: a damaged file is never written to."""
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            rows = [str(r[0]) for r in conn.execute("PRAGMA quick_check")]
        finally:
            conn.close()
    except sqlite3.Error as exc:
        rows = [str(exc)]
    if rows != ["ok"]:
        raise DamagedDatabaseError(
            f"{path} is damaged: it failed its integrity check ({rows[0]}). {LEFT_AS_IT_WAS}"
        )


def _marker(path: Path) -> Path:
    return path.with_name(path.name + CLEAN_SUFFIX)


def _stat(path: Path) -> dict[str, int]:
    st = path.stat()
    return {"size": st.st_size, "mtime_ns": st.st_mtime_ns}


def file_crc32(path: Path) -> int:
    """CRC-32 of the whole file: 0.1 s for 300 MB here, a third of SQLite's quick check. It is
    there to catch damage (bit rot, a bad sector), not tampering: whoever can write the file can
    write the marker beside it."""
    crc = 0
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            crc = zlib.crc32(chunk, crc)
    return crc


def _closed_cleanly(path: Path) -> bool | None:
    """True: exactly as a clean close left it (size, time and CRC-32). False: no marker, or the
    file was changed since (by this app after a crash, or another program): check it. None: same
    size and time but other bytes, which only damage does."""
    wal = path.with_name(path.name + "-wal")
    try:
        saved = json.loads(_marker(path).read_text())
    except (OSError, ValueError):
        return False
    if not isinstance(saved, dict) or "crc32" not in saved:
        return False  # a marker from before the CRC: check once
    if {k: saved.get(k) for k in ("size", "mtime_ns")} != _stat(path):
        return False
    if wal.exists() and wal.stat().st_size > 0:
        return False
    return True if file_crc32(path) == saved["crc32"] else None


def _forget_clean_close(path: Path) -> None:
    _marker(path).unlink(missing_ok=True)


def mark_clean_close(path: Path) -> None:
    """Call after the last connection closed: the next open may skip the integrity check. A file
    a connection found damaged in this process is never marked."""
    wal = path.with_name(path.name + "-wal")
    if not path.exists() or (wal.exists() and wal.stat().st_size > 0) or damage_seen(path):
        return
    before = _stat(path)
    crc = file_crc32(path)
    if _stat(path) == before:  # not written to while it was read
        _marker(path).write_text(json.dumps({**before, "crc32": crc}))
