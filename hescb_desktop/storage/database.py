"""Open (create, check, migrate) the local database file."""

from __future__ import annotations

import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from hescb_desktop.storage.engine import DatabaseError, check_sqlite_file, make_engine

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def known_revisions() -> set[str]:
    return {s.revision for s in ScriptDirectory.from_config(alembic_config()).walk_revisions()}


def upgrade(engine: Engine) -> None:
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


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


def open_database(path: Path, *, create: bool = True, migrate: bool = True) -> Engine:
    """An engine on `path` after checking the file; creates or upgrades the schema.

    A file that is not SQLite, fails its integrity check or comes from a newer app raises
    DatabaseError and is left exactly as it was. Before an upgrade the file is copied aside.
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
        _check_integrity(path)
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
