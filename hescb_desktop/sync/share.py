"""The share's folder layout, its FORMAT gate and its identity (the board id).

    <share>/hescb-sync/FORMAT                                   format, lowest app, board id
    <share>/hescb-sync/BOARD                                    board id of a share founded
                                                                before FORMAT carried one
    <share>/hescb-sync/devices/<device-id>/segments/<first>-<last>.jsonl   immutable once written
    <share>/hescb-sync/devices/<device-id>/device.json         who this PC is (name, user, app)
    <share>/hescb-sync/devices/<device-id>/ack.json            what it has merged from each peer
    <share>/hescb-sync/snapshots/<device-id>-<hlc>.sqlite (+ .json manifest)

Only the owning PC writes in its own folder. Every file is written to a temporary name, flushed,
fsynced and renamed to its final name without replacing anything; a write that fails removes its
temporary file. Nothing here creates a folder above the one it writes in: only founding a share
makes `hescb-sync/` and `devices/`, so an empty mount point (a share not mounted, or moved away
mid-round) is never taken for a new share and written into.
"""

from __future__ import annotations

import errno
import json
import os
import secrets
import sys
import time
import uuid
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol, TypeVar

from hescb_desktop import __version__

FORMAT_VERSION = 2  # the highest format this app reads: 2 = signed segments (issue 15)
FOUNDING_FORMAT = 1  # what a new share's FORMAT says: apps of format 1 may still read its files
MIN_APP_VERSION = "0.1.0"
TEMP_MAX_AGE_S = 3600  # a temporary file older than this in our own folder was left by a crash


class ShareError(Exception):
    """The share cannot be used now (missing, unreadable, written by a newer format)."""


class FormatTooNewError(ShareError):
    """The share (or one PC's journal) uses a newer format: this app must be updated."""


def version_tuple(text: str) -> tuple[int, ...]:
    return tuple(int(p) for p in text.split(".") if p.isdigit())


class Seal(Protocol):
    """Signs and checks a protected board's small files (snapshot manifests, acks: issue 15).
    A share without one (a board not protected) reads and writes them plain, as before."""

    def seal(self, purpose: str, body: dict[str, Any]) -> dict[str, Any]:
        """`body` with this PC's signature added (`signer`, `sig`)."""
        ...

    def opened(self, purpose: str, device: str, obj: dict[str, Any]) -> dict[str, Any] | None:
        """`obj` without its signature if `device`'s enrolled key signed it, else None."""
        ...

    def may_snapshot(self) -> bool:
        """Whether this PC's snapshots will be trusted (only the secretariat's are)."""
        ...


@dataclass(frozen=True)
class Share:
    folder: Path
    board_id: str | None = None  # the board this folder was identified as (see `identify`)
    seal: Seal | None = field(default=None, compare=False)

    @property
    def root(self) -> Path:
        return self.folder / "hescb-sync"

    @property
    def snapshots_dir(self) -> Path:
        return self.root / "snapshots"

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
        """Mid-round: the share must still be there. A share that vanished must fail the round,
        not read as "no peers", nor be re-created by our writes."""
        self.check_board()

    # ------------------------------------------------------------------ identity
    def identify(self, remembered: str | None, *, any_board: bool = False) -> Share:
        """Check that the folder holds this board's sync folder; returns it with its board id.

        `remembered` is the board id this PC belongs to (None: it belongs to none yet). Only a
        PC that belongs to no board may found a share in a folder without FORMAT; to any other
        such a folder is an unmounted share, never a new one. A share with another board id is
        refused, unless `any_board` (joining a share is the act of choosing its board).
        """
        self.check_reachable()
        if not (self.root / "FORMAT").exists():
            if remembered is not None:
                raise ShareError(self._not_this_board("it holds no hescb-sync/FORMAT"))
            self._found()
        board = self.board_on_share(assign=remembered is None or any_board)
        if remembered is not None and board != remembered and not any_board:
            raise ShareError(
                f"share folder {self.folder} holds another board's sync folder"
                f" (board {(board or 'without an id')[:8]}; this PC's is {remembered[:8]}):"
                " check the share folder in Settings; this PC works offline until then"
            )
        # a share founded by an older app may lack it (FORMAT says the folder is a share); a
        # read-only share may not get it: this PC can still read it
        with suppress(OSError):
            (self.root / "devices").mkdir(exist_ok=True)
        return replace(self, board_id=board)

    def ensure_format(self) -> dict[str, Any]:
        """FORMAT of a share this PC may found (tests, benchmarks: no board remembered)."""
        self.identify(None)
        return read_json(self.root / "FORMAT")

    def check_board(self) -> None:
        """Before each write: the folder still holds this board's sync folder (FORMAT readable,
        with the board id found when the round began)."""
        if not (self.root / "FORMAT").is_file():
            raise ShareError(self._not_this_board("hescb-sync/FORMAT is gone"))
        board = self.board_on_share(assign=False)
        if self.board_id is not None and board != self.board_id:
            raise ShareError(self._not_this_board("its board id changed"))

    def board_on_share(self, *, assign: bool) -> str | None:
        """The board id in FORMAT, else in BOARD (a share founded before FORMAT carried one).

        With `assign`, a share with neither is given one in BOARD, race-safely: the file is
        created without replacing (a hard link), and everyone reads back the one that won.
        """
        info = read_json(self.root / "FORMAT")
        check_format(info, "the share")
        board = info.get("board_id")
        if isinstance(board, str) and board:
            return board
        path = self.root / "BOARD"
        if not path.exists():
            if not assign:
                return None
            body = json.dumps({"board_id": str(uuid.uuid4())}, sort_keys=True) + "\n"
            try:
                write_new_file(path, body.encode())
            except OSError:  # a read-only share: read it unnamed, name it when it can be written
                return None
        board = read_json(path).get("board_id")
        if not isinstance(board, str) or not board:
            raise ShareError(f"{path} holds no board id")
        return board

    def _found(self) -> None:
        """A new share: hescb-sync/, its FORMAT with a new board id, devices/. Two PCs founding
        at once end with one board: FORMAT is created without replacing."""
        body = {
            "format": FOUNDING_FORMAT,
            "min_app_version": MIN_APP_VERSION,
            "board_id": str(uuid.uuid4()),
        }
        try:
            self.root.mkdir(exist_ok=True)
            write_new_file(self.root / "FORMAT", (json.dumps(body, sort_keys=True) + "\n").encode())
            (self.root / "devices").mkdir(exist_ok=True)
        except OSError as exc:
            raise ShareError(f"cannot set up a sync folder in {self.folder}: {exc}") from exc

    def _not_this_board(self, why: str) -> str:
        return (
            f"share folder {self.folder} does not hold this board's sync folder ({why}): "
            "is the share mounted? This PC works offline until it is back"
        )

    # ------------------------------------------------------------------ this PC's folders
    def own_segments_dir(self, device_id: str) -> Path:
        """This PC's segments folder, made if needed, but never above it: `devices/` must be
        there (a share that vanished fails here instead of being re-created)."""
        self.check_board()
        for folder in (self.device_dir(device_id), self.segments_dir(device_id)):
            try:
                folder.mkdir(exist_ok=True)
            except FileNotFoundError as exc:
                raise ShareError(self._not_this_board("hescb-sync/devices is gone")) from exc
        return self.segments_dir(device_id)

    def own_snapshots_dir(self) -> Path:
        """`snapshots/`, made only under this board's identified `hescb-sync/`."""
        self.check_board()
        try:
            self.snapshots_dir.mkdir(exist_ok=True)
        except FileNotFoundError as exc:
            raise ShareError(self._not_this_board("hescb-sync is gone")) from exc
        return self.snapshots_dir

    def sweep_own_temps(self, device_id: str, max_age_s: float = TEMP_MAX_AGE_S) -> int:
        """Remove temporary files a crash left in this PC's own folder, and its own snapshot
        temporaries, once older than `max_age_s` (a write in progress is younger). Another
        PC's are never touched. Returns how many went; a failure is left for the next round."""
        cutoff = time.time() - max_age_s
        places = (
            (self.device_dir(device_id), "."),
            (self.segments_dir(device_id), "."),
            (self.snapshots_dir, f".{device_id}-"),
        )
        removed = 0
        for folder, prefix in places:
            with suppress(OSError):
                for path in list(folder.iterdir()) if folder.is_dir() else []:
                    if not (path.name.startswith(prefix) and path.name.endswith(".tmp")):
                        continue
                    with suppress(OSError):
                        if path.is_file() and path.stat().st_mtime < cutoff:
                            path.unlink()
                            removed += 1
        return removed


class OwnWrites:
    """This PC's writes in a round (device file, segments, ack, snapshot). One that fails with
    an OSError (a read-only or full share) is noted, not raised, so the round still reads and
    merges the other PCs; `failed` says why nothing (or not everything) was sent. A share that
    is no longer this board's is not a failed write but an unavailable share: ShareError."""

    def __init__(self, share: Share) -> None:
        self.share = share
        self.what: list[str] = []
        self.reason = ""

    @property
    def failed(self) -> str:
        """ "this PC could not write its device file, its changes to the share: Read-only file
        system" ("" when every write went through)."""
        if not self.what:
            return ""
        return f"this PC could not write {', '.join(self.what)} to the share: {self.reason}"

    def run(self, what: str, action: Callable[[], T], default: T) -> T:
        try:
            return action()
        except OSError as exc:
            self.share.check_board()  # vanished, or moved away: ShareError
            self.what.append(what)
            self.reason = self.reason or exc.strerror or str(exc) or type(exc).__name__
            return default


def check_format(info: dict[str, Any], what: str) -> None:
    """Refuse what a newer app wrote: a format above ours, or a lowest app version above us.
    The message says what this app reads and what the share needs."""
    fmt = int(info.get("format", 0))
    min_app = str(info.get("min_app_version", "0"))
    app_too_old = version_tuple(min_app) > version_tuple(__version__)
    if fmt > FORMAT_VERSION:
        needs = f"HESCB Desktop {min_app} or later" if app_too_old else "a newer HESCB Desktop"
        raise FormatTooNewError(
            f"{what} uses sync format {fmt}, and this HESCB Desktop ({__version__}) reads sync "
            f"format {FORMAT_VERSION} at most: it needs {needs}. Please update the app"
        )
    if app_too_old:
        raise FormatTooNewError(
            f"{what} needs HESCB Desktop {min_app} or later, and this is {__version__}: "
            "please update the app"
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

    Returns False when a file of that name already exists (it is left alone). The folder must
    exist: it is never created here. The temporary file never outlives a failed write.
    """
    tmp = _write_temp(path, data)
    try:
        with_retries(lambda: _rename_no_replace(tmp, path))
    except FileExistsError:
        return False
    finally:
        with suppress(OSError):
            tmp.unlink(missing_ok=True)
    _fsync_dir(path.parent)
    return True


def replace_file(path: Path, data: bytes) -> None:
    """For the few files that change (ack.json, device.json): temp, fsync, atomic replace."""
    tmp = _write_temp(path, data)
    try:
        os.replace(tmp, path)
    except BaseException:
        with suppress(OSError):
            tmp.unlink(missing_ok=True)
        raise
    _fsync_dir(path.parent)


def temp_name(path: Path) -> Path:
    """A name no other writer uses: the process id (for people) and a random part. A fixed name
    per process was shared by threads, and by a later process given a crashed one's id: opening
    it again would truncate a leftover that a crash left hard-linked to a final file."""
    return path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")


def _write_temp(path: Path, data: bytes) -> Path:
    """`data` in a temporary file beside `path`, flushed and fsynced; removed again if any step
    fails (a full share fails at the write or at fsync)."""
    tmp = temp_name(path)
    try:
        with tmp.open("xb") as fh:  # never an existing file
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
    except BaseException:
        with suppress(OSError):
            tmp.unlink(missing_ok=True)
        raise
    return tmp


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
