"""The share's folder layout and its FORMAT gate.

    <share>/hescb-sync/FORMAT                                   format version, lowest app version
    <share>/hescb-sync/devices/<device-id>/segments/<first>-<last>.jsonl   immutable once written
    <share>/hescb-sync/devices/<device-id>/device.json         who this PC is (name, user, app)
    <share>/hescb-sync/devices/<device-id>/ack.json            what it has merged from each peer
    <share>/hescb-sync/snapshots/<device-id>-<hlc>.sqlite (+ .json manifest)

Only the owning PC writes in its own folder. Every file is written to a temporary name, flushed,
fsynced and renamed to its final name without replacing anything.
"""

from __future__ import annotations

import errno
import json
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from hescb_desktop import __version__

FORMAT_VERSION = 1
MIN_APP_VERSION = "0.1.0"


class ShareError(Exception):
    """The share cannot be used now (missing, unreadable, written by a newer format)."""


class FormatTooNewError(ShareError):
    """The share (or one PC's journal) uses a newer format: this app must be updated."""


def version_tuple(text: str) -> tuple[int, ...]:
    return tuple(int(p) for p in text.split(".") if p.isdigit())


@dataclass(frozen=True)
class Share:
    folder: Path

    @property
    def root(self) -> Path:
        return self.folder / "hescb-sync"

    def device_dir(self, device_id: str) -> Path:
        return self.root / "devices" / device_id

    def segments_dir(self, device_id: str) -> Path:
        return self.device_dir(device_id) / "segments"

    def devices(self) -> list[str]:
        base = self.root / "devices"
        return sorted(p.name for p in base.iterdir() if p.is_dir()) if base.is_dir() else []

    def check_reachable(self) -> None:
        if not self.folder.is_dir():
            raise ShareError(f"share folder {self.folder} is not available")

    def check_still_there(self) -> None:
        """Mid-round: the share (and its hescb-sync folder) must still be there. A share that
        vanished must fail the round, not read as "no peers", nor be re-created by our writes."""
        if not (self.root / "devices").is_dir():
            raise ShareError(f"share folder {self.folder} is no longer available")

    def ensure_format(self) -> dict[str, Any]:
        """Create FORMAT on a new share; refuse a share whose format is newer than this app."""
        self.check_reachable()
        path = self.root / "FORMAT"
        if not path.exists():
            self.root.mkdir(exist_ok=True)
            body = {"format": FORMAT_VERSION, "min_app_version": MIN_APP_VERSION}
            write_new_file(path, (json.dumps(body, sort_keys=True) + "\n").encode())
        info = read_json(path)
        check_format(info, "the share")
        return info


def check_format(info: dict[str, Any], what: str) -> None:
    fmt = int(info.get("format", 0))
    min_app = str(info.get("min_app_version", "0"))
    if fmt > FORMAT_VERSION or version_tuple(min_app) > version_tuple(__version__):
        raise FormatTooNewError(
            f"{what} uses sync format {fmt} (needs HESCB Desktop {min_app} or later): "
            "update the app"
        )


TRANSIENT_ERRNOS = {errno.EACCES, errno.EBUSY, errno.EAGAIN, errno.ETIMEDOUT}
T = TypeVar("T")


def with_retries(action: Callable[[], T], attempts: int = 4, first_delay: float = 0.1) -> T:
    """Run a share operation, retrying transient failures with back-off (0.1, 0.2, 0.4 s).

    On Windows an antivirus scanner or the SMB client briefly holds files (WinError 32, sharing
    violation; WinError 5, access denied): those and their POSIX cousins are retried. A missing
    file is not retried here: callers never take a missing file as deleted, they wait.
    """
    delay = first_delay
    for attempt in range(attempts):
        try:
            return action()
        except OSError as exc:
            if attempt == attempts - 1 or not _transient(exc):
                raise
        time.sleep(delay)
        delay *= 2
    raise AssertionError("unreachable")


def _transient(exc: OSError) -> bool:
    winerror = getattr(exc, "winerror", None)
    return winerror in (5, 32, 33) or exc.errno in TRANSIENT_ERRNOS


def read_bytes(path: Path) -> bytes:
    return with_retries(path.read_bytes)


def read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(read_bytes(path).decode("utf-8"))
    except (OSError, ValueError) as exc:
        raise ShareError(f"cannot read {path}: {exc}") from exc
    if not isinstance(data, dict):
        raise ShareError(f"{path} is not a JSON object")
    return data


def write_new_file(path: Path, data: bytes) -> bool:
    """Write `path` only if it does not exist (temp, fsync, rename without replacing).

    Returns False when a file of that name already exists (it is left alone).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with tmp.open("wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    try:
        with_retries(lambda: _rename_no_replace(tmp, path))
    except FileExistsError:
        return False
    finally:
        tmp.unlink(missing_ok=True)
    _fsync_dir(path.parent)
    return True


def replace_file(path: Path, data: bytes) -> None:
    """For the few files that change (ack.json, device.json): temp, fsync, atomic replace."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with tmp.open("wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    _fsync_dir(path.parent)


def _rename_no_replace(src: Path, dst: Path) -> None:
    if sys.platform == "win32":
        os.rename(src, dst)  # raises FileExistsError rather than replacing
        return
    try:
        os.link(src, dst)  # POSIX rename would replace; a hard link fails if dst exists
    except FileExistsError:
        raise
    except OSError:  # a share mounted without hard links: only this PC writes its folder
        if dst.exists():
            raise FileExistsError(str(dst)) from None
        os.rename(src, dst)


def _fsync_dir(folder: Path) -> None:
    if sys.platform == "win32":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
