"""A read-only look at a data dir's database before a command opens it (storage.database.peek)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from hescb_desktop.cli.base import PROG, CliError, database_path
from hescb_desktop.storage.database import Peek, peek

if TYPE_CHECKING:
    from hescb_desktop.services.context import ServiceContext


def refuse_foreign(path: Path) -> Peek:
    """Peek at `path`; an SQLite file that holds tables but not ours is refused."""
    found = peek(path)
    if not found.ours and not found.blank:
        raise CliError(f"{path} is not an HESCB Desktop database; use another --data-dir")
    return found


def open_existing(data_dir: Path) -> ServiceContext:
    """The board in `data_dir`, for a command that needs one: none there (or not ours) is one
    line on stderr, exit 2."""
    from hescb_desktop.services.context import open_context

    path = database_path(data_dir)
    if not path.is_file() or refuse_foreign(path).blank:
        raise CliError(f"no database in {data_dir}: run `{PROG} init` first")
    return open_context(data_dir, create=False)
