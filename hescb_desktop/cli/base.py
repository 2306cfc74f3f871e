"""What every command shares: the exit statuses, the one-line error, and file checks."""

from __future__ import annotations

import json
import os
import re
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from hescb_desktop.domain.printable import shorten, strip_controls
from hescb_desktop.paths import DB_FILENAME, DataDirError

PROG = "hescb-desktop"
EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


class CliError(Exception):
    """An anticipated problem with the arguments or files: one line, exit status 2."""


def say(line: str) -> None:
    """One line on stderr (there is no stderr under pythonw, the GUI entry point on Windows)."""
    if sys.stderr is not None:
        print(line, file=sys.stderr, flush=True)


class _PrintableBytes:
    """A binary stream that drops control characters from the UTF-8 written to it."""

    def __init__(self, raw: Any) -> None:
        self._raw = raw

    def write(self, data: bytes) -> int:
        text = bytes(data).decode("utf-8", errors="surrogateescape")
        self._raw.write(strip_controls(text).encode("utf-8", errors="surrogateescape"))
        return len(data)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._raw, name)


class _Printable:
    """A text stream (stdout, stderr) that drops control characters: text stored by another
    PC or imported with an ESC or BEL in it never reaches the terminal raw."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream
        raw = getattr(stream, "buffer", None)
        self.buffer = _PrintableBytes(raw) if raw is not None else None

    def write(self, text: str) -> int:
        self._stream.write(strip_controls(text))
        return len(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


@contextmanager
def printable_output() -> Iterator[None]:
    """Standard output and error without control characters while a command runs."""
    saved = sys.stdout, sys.stderr
    if sys.stdout is not None:
        sys.stdout = _Printable(sys.stdout)
    if sys.stderr is not None:
        sys.stderr = _Printable(sys.stderr)
    try:
        yield
    finally:
        sys.stdout, sys.stderr = saved


_RAW_IN_JSON = re.compile("[\x7f-\x9f]")  # json.dumps escapes only U+0000 to U+001F


def json_text(value: Any, **options: Any) -> str:
    """JSON for standard output: DEL and the C1 controls escaped (\\u0085), as json.dumps
    already does for the others, so the output filter drops nothing from the data."""
    text = json.dumps(value, ensure_ascii=False, **options)
    return _RAW_IN_JSON.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def quoted(text: str) -> str:
    """User text quoted in a message, shortened (80 characters and an ellipsis)."""
    return repr(shorten(text))


MESSAGE_LIMIT = 400  # a message quoting a huge text keeps its start and its reason


def one_line(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        where = f"{exc.filename}: " if exc.filename else ""
        return f"{where}{exc.strerror}"
    line = " ".join(str(exc).split()) or type(exc).__name__
    if len(line) <= MESSAGE_LIMIT:
        return line
    return f"{line[: MESSAGE_LIMIT // 2]}…{line[-MESSAGE_LIMIT // 2 :]}"


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
