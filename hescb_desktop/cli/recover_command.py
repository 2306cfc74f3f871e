"""`hescb-desktop recover [--share DIR] [--from-copy FILE]`: rebuild a damaged database.

Exit 0 with a summary; 1 when no source can be used (nothing changed) or when the board was
recovered but the sync round after it failed; 2 for usage problems (no database, a sound one, a
copy that cannot be used, the data dir in use)."""

from __future__ import annotations

import argparse
from pathlib import Path

from hescb_desktop.cli.base import (
    EXIT_FAILED,
    EXIT_OK,
    PROG,
    CliError,
    database_path,
    has_database,
    refuse_file_as_data_dir,
    say,
)
from hescb_desktop.services import recovery
from hescb_desktop.storage.lock import lock_data_dir


def cmd_recover(args: argparse.Namespace, data_dir: Path) -> int:
    refuse_file_as_data_dir(data_dir)
    if not has_database(database_path(data_dir)):
        raise CliError(f"no database in {data_dir}: there is nothing to recover")
    lock = lock_data_dir(data_dir)
    try:
        done = recovery.recover(data_dir, getattr(args, "share", None), args.from_copy)
    except recovery.NoSourceError as exc:
        say(f"recover: {exc}")
        return EXIT_FAILED
    finally:
        lock.release()
    print(f"recover: {done.summary()}")
    for why in done.not_used:
        say(f"recover: not used: {why}")
    if done.sync_error:
        say(
            "recover: the board is recovered, but the sync round failed, working offline: "
            f"{done.sync_error}; run `{PROG} sync` when the share is back"
        )
        return EXIT_FAILED
    return EXIT_OK
