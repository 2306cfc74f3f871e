"""The SQLite engine: pragmas, write transactions, and opening a database file safely."""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import ExceptionContext
from sqlalchemy.pool import NullPool, QueuePool, StaticPool

SQLITE_MAGIC = b"SQLite format 3\x00"


class DatabaseError(Exception):
    """The database file cannot be used; the message says why and what to do."""


class DamagedDatabaseError(DatabaseError):
    """The file is ours (or was) but its bytes are damaged: it is refused and left as it was, and
    the board can be recovered from the share or the copy set aside (services.recovery)."""


SQLITE_CORRUPT, SQLITE_NOTADB = 11, 26
_DAMAGE_SEEN: set[str] = set()  # database files a connection found damaged in this process


def is_corruption(exc: BaseException) -> bool:
    """SQLite reported a damaged file (SQLITE_CORRUPT or SQLITE_NOTADB, extended codes too)."""
    code = getattr(exc, "sqlite_errorcode", None)
    return isinstance(code, int) and code & 0xFF in (SQLITE_CORRUPT, SQLITE_NOTADB)


def damage_seen(path: Path) -> bool:
    """A connection of this process met damage in `path` since it was last checked sound."""
    return str(path.resolve()) in _DAMAGE_SEEN


def note_damage(path: Path, seen: bool = True) -> None:
    key = str(path.resolve())
    if seen:
        _DAMAGE_SEEN.add(key)
    else:
        _DAMAGE_SEEN.discard(key)


def make_engine(path: Path | None) -> Engine:
    """An engine on a local SQLite file (or in memory when `path` is None)."""
    if path is None:
        engine = create_engine(
            "sqlite://", poolclass=StaticPool, connect_args={"check_same_thread": False}
        )
    else:
        engine = create_engine(f"sqlite:///{path}", poolclass=NullPool)
    _listen(engine, path)
    return engine


def _listen(engine: Engine, path: Path | None) -> None:
    event.listen(engine, "connect", _on_connect)
    event.listen(engine, "begin", _on_begin)
    if path is not None:
        event.listen(engine, "handle_error", functools.partial(_on_error, path))


@contextmanager
def pooled(engine: Engine) -> Iterator[Engine]:
    """The same database, with one connection kept open between uses until the block ends.

    The app's engine opens a connection for each use (NullPool: nothing stays open on a file
    that joining or recovery may replace). Opening one costs about a millisecond (SQLite parses
    the whole schema again), and a sync round makes a dozen short uses: a round runs on this
    instead (nested uses still get connections of their own, closed when returned)."""
    database = engine.url.database
    if not database or database == ":memory:":
        yield engine
        return
    held = create_engine(
        engine.url,
        poolclass=QueuePool,
        pool_size=1,
        max_overflow=-1,
        connect_args={"check_same_thread": False},
    )
    _listen(held, Path(database))
    try:
        yield held
    finally:
        held.dispose()


def writer(engine: Engine) -> Engine:
    """The same engine, but its transactions start with BEGIN IMMEDIATE (one writer at a time)."""
    return engine.execution_options(immediate=True)


# How long a connection waits for another's write lock (a merge) before "database is locked":
# the GUI's operations wait on the writer thread, so the window keeps working meanwhile.
BUSY_TIMEOUT_MS = 10_000


def _on_connect(dbapi_conn: sqlite3.Connection, record: Any) -> None:
    dbapi_conn.isolation_level = None  # we issue BEGIN ourselves (see _on_begin)
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_MS)}")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def _on_error(path: Path, context: ExceptionContext) -> None:
    """Remember a damaged page met mid-session: such a file is never marked as closed cleanly."""
    if is_corruption(context.original_exception):
        note_damage(path)


def _on_begin(conn: Any) -> None:
    immediate = conn.get_execution_options().get("immediate", False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def check_sqlite_file(path: Path) -> None:
    """Refuse a file that is not an SQLite database, before SQLAlchemy touches it."""
    try:
        with path.open("rb") as fh:
            head = fh.read(len(SQLITE_MAGIC))
    except OSError as exc:
        raise DatabaseError(f"cannot read {path}: {exc.strerror or exc}") from exc
    if head and head != SQLITE_MAGIC:
        raise DatabaseError(f"{path} is not an HESCB Desktop database (not an SQLite file)")


def integrity_problems(engine: Engine, quick: bool = True) -> list[str]:
    """What SQLite's integrity check reports; empty when the file is sound."""
    pragma = "PRAGMA quick_check" if quick else "PRAGMA integrity_check"
    try:
        with engine.connect() as conn:
            rows = [str(r[0]) for r in conn.exec_driver_sql(pragma)]
    except Exception as exc:  # sqlite3.DatabaseError and friends, wrapped by SQLAlchemy
        return [str(getattr(exc, "orig", exc))]
    return [] if rows == ["ok"] else rows
