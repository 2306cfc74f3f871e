"""Open (create, check, migrate) the local database file."""

from __future__ import annotations

import json
import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError

from hescb_desktop.storage.engine import DatabaseError, check_sqlite_file, make_engine

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
        raise DatabaseError(f"{path} cannot be read as a database: {exc}") from exc
    return Peek(revision, len(names))


def open_database(
    path: Path, *, create: bool = True, migrate: bool = True, verify: bool = False
) -> Engine:
    """An engine on `path` after checking the file; creates or upgrades the schema.

    A file that is not SQLite, fails its integrity check or comes from a newer app raises
    DatabaseError and is left exactly as it was. Before an upgrade the file is copied aside.
    The integrity check (a full read: half a second on a large board) is skipped when the file
    is exactly as this app left it at a clean close, unless `verify` asks for it.
    """
    exists = path.exists() and path.stat().st_size > 0
    if not exists and not create:
        raise DatabaseError(f"no database at {path}: run `hescb-desktop init` first")
    if exists:
        found = peek(path)
        if not found.ours and not found.blank:
            raise DatabaseError(f"{path} is not an HESCB Desktop database (another program's file)")
        if found.revision is not None and found.revision not in known_revisions():
            raise DatabaseError(
                f"{path} was written by a newer HESCB Desktop (schema {found.revision}): "
                "update the app"
            )
        if verify or not _closed_cleanly(path):
            _check_integrity(path)
    _forget_clean_close(path)
    engine = make_engine(path)
    rev = current_revision(engine)
    if rev != head_revision() and migrate:
        if rev is not None:
            shutil.copy2(path, path.with_name(f"{path.name}.before-{head_revision()}"))
        upgrade(engine)
    return engine


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
        raise DatabaseError(f"{path} failed its integrity check: {rows[0]}")


def _marker(path: Path) -> Path:
    return path.with_name(path.name + CLEAN_SUFFIX)


def _fingerprint(path: Path) -> dict[str, int]:
    st = path.stat()
    return {"size": st.st_size, "mtime_ns": st.st_mtime_ns}


def _closed_cleanly(path: Path) -> bool:
    wal = path.with_name(path.name + "-wal")
    try:
        saved = json.loads(_marker(path).read_text())
    except (OSError, ValueError):
        return False
    return saved == _fingerprint(path) and not (wal.exists() and wal.stat().st_size > 0)


def _forget_clean_close(path: Path) -> None:
    _marker(path).unlink(missing_ok=True)


def mark_clean_close(path: Path) -> None:
    """Call after the last connection closed: the next open may skip the integrity check."""
    wal = path.with_name(path.name + "-wal")
    if path.exists() and not (wal.exists() and wal.stat().st_size > 0):
        _marker(path).write_text(json.dumps(_fingerprint(path)))
