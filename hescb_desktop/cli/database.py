"""A read-only look at a data dir's database before a command opens it (storage.database.peek)."""

from __future__ import annotations

from pathlib import Path

from hescb_desktop.cli.base import CliError
from hescb_desktop.storage.database import Peek, peek


def refuse_foreign(path: Path) -> Peek:
    """Peek at `path`; an SQLite file that holds tables but not ours is refused."""
    found = peek(path)
    if not found.ours and not found.blank:
        raise CliError(f"{path} is not an HESCB Desktop database; use another --data-dir")
    return found
