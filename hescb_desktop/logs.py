"""The app's log: a rotating file in the user's log folder, and a crash file for native crashes.

`setup_logging()` sends INFO and above to `hescb.log` (1 MB, five old files kept) in
`log_folder()`; `enable_crash_file()` has faulthandler write every thread's stack to `crash.txt`
there if the process dies natively (a SIGSEGV in Qt), and `take_previous_crash()` on the next
start moves such a file aside and says what it held. Standard library and platformdirs only:
no Qt (the CLI logs its unexpected failures here too) and nothing is ever sent anywhere.
"""

from __future__ import annotations

import contextlib
import faulthandler
import logging
import logging.handlers
import os
import sys
import time
from collections import deque
from pathlib import Path
from typing import TextIO

from hescb_desktop import APP_NAME

LOG_DIR_ENV = "HESCB_LOG_DIR"  # tests and scripts point the log elsewhere
LOG_FILENAME = "hescb.log"
CRASH_FILENAME = "crash.txt"
MAX_BYTES = 1_000_000
BACKUP_COUNT = 5
FORMAT = "%(asctime)s %(levelname)s %(threadName)s %(name)s: %(message)s"
# On Windows faulthandler also reports COM's "call was rejected" codes that are not crashes
# (drag and drop, the clipboard): a crash file holding only these is no crash.
_NOT_CRASHES = ("code 0x8001010d", "code 0x80010108")

log = logging.getLogger("hescb_desktop")
_crash_file: TextIO | None = None


def log_folder() -> Path:
    """Where the log lives: $HESCB_LOG_DIR, else the account's log folder for the app."""
    override = os.environ.get(LOG_DIR_ENV)
    if override:
        return Path(override)
    from platformdirs import user_log_dir

    return Path(user_log_dir(APP_NAME, "HESCB"))


def log_file() -> Path:
    return log_folder() / LOG_FILENAME


def _our_handler() -> logging.handlers.RotatingFileHandler | None:
    for handler in logging.getLogger().handlers:
        if getattr(handler, "hescb_log", False):
            return handler  # type: ignore[return-value]
    return None


def setup_logging() -> Path:
    """Log INFO and above to the rotating file (idempotent: a second call changes nothing, or
    moves the file if the log folder changed); the file's path. If the folder cannot be made,
    logging goes nowhere rather than stopping the app."""
    path = log_file()
    root = logging.getLogger()
    old = _our_handler()
    if old is not None and Path(old.baseFilename) == path.absolute():
        return path
    if old is not None:
        root.removeHandler(old)
        old.close()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(
            path, maxBytes=MAX_BYTES, backupCount=BACKUP_COUNT, encoding="utf-8", delay=True
        )
    except OSError:
        return path
    handler.hescb_log = True  # type: ignore[attr-defined]
    handler.setFormatter(logging.Formatter(FORMAT))
    handler.setLevel(logging.INFO)
    root.addHandler(handler)
    if root.level > logging.INFO or root.level == logging.NOTSET:
        root.setLevel(logging.INFO)
    return path


def stop_logging() -> None:
    """Remove and close the file handler (tests; the app keeps it to the end)."""
    handler = _our_handler()
    if handler is not None:
        logging.getLogger().removeHandler(handler)
        handler.close()


def log_tail(lines: int = 200) -> str:
    """The last `lines` lines of the current log file ('' if there is none yet)."""
    handler = _our_handler()
    if handler is not None:
        handler.flush()
    try:
        with log_file().open(encoding="utf-8", errors="replace") as text:
            return "".join(deque(text, maxlen=lines))
    except OSError:
        return ""


def log_unexpected(what: str, exc: BaseException) -> Path:
    """Log an unexpected exception with its traceback (setting the log up if needed); the log
    file's path, for a one-line message that says where the details are."""
    path = setup_logging()
    log.error("%s", what, exc_info=(type(exc), exc, exc.__traceback__))
    return path


# ---------------------------------------------------------------------- native crashes
def is_crash(text: str) -> bool:
    """Whether a crash file's text reports a crash (not only Windows' harmless COM codes)."""
    for line in text.splitlines():
        if line.startswith("Fatal Python error"):
            return True
        if line.startswith("Windows fatal exception") and not line.rstrip().endswith(_NOT_CRASHES):
            return True
    return False


def take_previous_crash() -> Path | None:
    """If the last run died natively, its crash file moved aside (crash-<time>.txt) and logged;
    None if it did not. Call before `enable_crash_file`."""
    path = log_folder() / CRASH_FILENAME
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    if not is_crash(text):
        return None
    kept = path.with_name(time.strftime("crash-%Y%m%d-%H%M%S.txt"))
    try:
        path.replace(kept)
    except OSError:
        kept = path
    log.error("%s closed unexpectedly last time; its stacks (%s):\n%s", APP_NAME, kept, text)
    return kept


def enable_crash_file() -> Path | None:
    """faulthandler writes every thread's stack to crash.txt in the log folder if the process
    dies natively; None if the file cannot be opened (faulthandler then keeps stderr)."""
    global _crash_file
    path = log_folder() / CRASH_FILENAME
    disable_crash_file()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        _crash_file = path.open("w", encoding="utf-8")
    except OSError:
        return None
    faulthandler.enable(file=_crash_file, all_threads=True)
    return path


def disable_crash_file() -> None:
    """At a clean exit: faulthandler back to stderr and the crash file removed if empty."""
    global _crash_file
    if _crash_file is None:
        return
    if sys.__stderr__ is not None:
        faulthandler.enable(file=sys.__stderr__)
    else:
        faulthandler.disable()
    file, _crash_file = _crash_file, None
    file.close()
    with contextlib.suppress(OSError):
        path = Path(file.name)
        if path.stat().st_size == 0:
            path.unlink()
