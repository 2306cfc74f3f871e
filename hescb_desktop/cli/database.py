"""A read-only look at a data dir's database before anything opens it through SQLAlchemy.

Opening a file with the app's engine switches it to WAL mode and may add the schema, so a
file that is not ours must be recognised first, with SQLite's read-only mode, and left as it is.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from hescb_desktop.cli.base import CliError
from hescb_desktop.storage.engine import DatabaseError, check_sqlite_file


@dataclass(frozen=True)
class Peek:
    revision: str | None  # the Alembic revision, None when the file has no alembic_version
    tables: int

    @property
    def ours(self) -> bool:
        return self.revision is not None

    @property
    def blank(self) -> bool:
        """An SQLite file with nothing in it yet: safe to create the schema in."""
        return self.revision is None and self.tables == 0


def peek(path: Path) -> Peek:
    """The schema revision and table count of `path`, read without changing a byte."""
    check_sqlite_file(path)
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            return _read(conn)
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise DatabaseError(f"{path} cannot be read as a database: {exc}") from exc


def _read(conn: sqlite3.Connection) -> Peek:
    names = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    revision = None
    if "alembic_version" in names:
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        revision = row[0] if row else None
    return Peek(revision, len(names))


def refuse_foreign(path: Path) -> Peek:
    """Peek at `path`; an SQLite file that holds tables but not ours is refused."""
    found = peek(path)
    if not found.ours and not found.blank:
        raise CliError(f"{path} is not an HESCB Desktop database; use another --data-dir")
    return found
