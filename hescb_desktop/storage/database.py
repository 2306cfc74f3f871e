"""Open (create, check, migrate) the local database file."""

from __future__ import annotations

import shutil
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from hescb_desktop.storage.engine import (
    DatabaseError,
    check_sqlite_file,
    integrity_problems,
    make_engine,
)

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


def open_database(path: Path, *, create: bool = True, migrate: bool = True) -> Engine:
    """An engine on `path` after checking the file; creates or upgrades the schema.

    A file that is not SQLite, fails its integrity check or comes from a newer app raises
    DatabaseError and is left exactly as it was. Before an upgrade the file is copied aside.
    """
    exists = path.exists() and path.stat().st_size > 0
    if not exists and not create:
        raise DatabaseError(f"no database at {path}: run `hescb-desktop init` first")
    if exists:
        check_sqlite_file(path)
    engine = make_engine(path)
    if exists:
        _check_existing(engine, path)
    rev = current_revision(engine)
    if rev != head_revision() and migrate:
        if rev is not None:
            shutil.copy2(path, path.with_name(f"{path.name}.before-{head_revision()}"))
        upgrade(engine)
    return engine


def _check_existing(engine: Engine, path: Path) -> None:
    problems = integrity_problems(engine)
    if problems:
        engine.dispose()
        raise DatabaseError(f"{path} failed its integrity check: {problems[0]}")
    rev = current_revision(engine)
    if rev is not None and rev not in known_revisions():
        engine.dispose()
        raise DatabaseError(
            f"{path} was written by a newer HESCB Desktop (schema {rev}): update the app"
        )
