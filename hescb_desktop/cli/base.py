"""What every command shares: the exit statuses, the one-line error, and file checks."""

from __future__ import annotations

import os
import sys
import tempfile
from contextlib import suppress
from pathlib import Path

from hescb_desktop.paths import DB_FILENAME, DataDirError

PROG = "hescb-desktop"
EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


class CliError(Exception):
    """An anticipated problem with the arguments or files: one line, exit status 2."""


def say(line: str) -> None:
    """One line on stderr (there is no stderr under pythonw, the GUI entry point on Windows)."""
    if sys.stderr is not None:
        print(line, file=sys.stderr, flush=True)


def one_line(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        where = f"{exc.filename}: " if exc.filename else ""
        return f"{where}{exc.strerror}"
    return " ".join(str(exc).split()) or type(exc).__name__


def database_path(data_dir: Path) -> Path:
    return data_dir / DB_FILENAME


def has_database(path: Path) -> bool:
    """A non-empty database file exists (an empty file is what SQLite makes of nothing)."""
    return path.is_file() and path.stat().st_size > 0


def wal_files(db: Path) -> tuple[Path, Path]:
    return db.with_name(f"{db.name}-wal"), db.with_name(f"{db.name}-shm")


def refuse_file_as_data_dir(data_dir: Path) -> None:
    if data_dir.exists() and not data_dir.is_dir():
        raise DataDirError(f"data dir {data_dir} is a file, not a folder")


def write_atomic(path: Path, data: bytes) -> None:
    """Write `path` through a temp file in the same folder and a rename: never half a file."""
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with suppress(OSError):
            tmp.unlink()
        raise
