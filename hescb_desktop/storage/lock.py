"""One writer per data dir: a second app (or a write command) on the same folder is refused."""

from __future__ import annotations

from pathlib import Path

from filelock import FileLock, Timeout

from hescb_desktop.paths import LOCK_FILENAME


class AlreadyOpenError(Exception):
    """Another HESCB Desktop holds this data dir."""


def lock_data_dir(data_dir: Path) -> FileLock:
    """Hold the data dir's lock until `.release()`; raises AlreadyOpenError at once if taken."""
    lock = FileLock(str(data_dir / LOCK_FILENAME), timeout=0)
    try:
        lock.acquire()
    except Timeout as exc:
        raise AlreadyOpenError(
            f"HESCB Desktop is already open on {data_dir}: switch to that window "
            "(or close it) first"
        ) from exc
    return lock
