"""Where things live on disk: the data dir and bundled resources. Standard library only."""

from __future__ import annotations

import os
import sys
from pathlib import Path

DB_FILENAME = "hescb.sqlite"
LOCK_FILENAME = "hescb.lock"
SETTINGS_FILENAME = "window.ini"


def resource_root() -> Path:
    """The `resources/` folder: frozen (PyInstaller's _MEIPASS), a source checkout (also an
    editable install), or a wheel install's <prefix>/share/hescb-desktop/resources."""
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen is not None:
        return Path(frozen) / "resources"
    checkout = Path(__file__).resolve().parent.parent / "resources"
    if checkout.is_dir():
        return checkout
    return Path(sys.prefix) / "share" / "hescb-desktop" / "resources"


def resource_path(*parts: str) -> Path:
    return resource_root().joinpath(*parts)


def default_data_dir() -> Path:
    """The per-user data dir (platformdirs); `HESCB_DATA_DIR` overrides it for tests and scripts."""
    override = os.environ.get("HESCB_DATA_DIR")
    if override:
        return Path(override)
    from platformdirs import user_data_dir

    return Path(user_data_dir("HESCB Desktop", "HESCB", roaming=False))


class DataDirError(Exception):
    """The data dir cannot be used (it is a file, or it is not writable)."""


def prepare_data_dir(path: Path) -> Path:
    """Create the data dir if needed and check it is a writable folder; never touches its files."""
    if path.exists() and not path.is_dir():
        raise DataDirError(f"data dir {path} is a file, not a folder")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DataDirError(f"cannot create data dir {path}: {exc.strerror or exc}") from exc
    probe = path / f".write-test-{os.getpid()}"
    try:
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise DataDirError(f"data dir {path} is not writable: {exc.strerror or exc}") from exc
    return path
