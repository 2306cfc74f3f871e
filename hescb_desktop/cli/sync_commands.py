"""`sync`, `sync-status` and `join`: the share from --share, else the one in Settings."""

from __future__ import annotations

import argparse
from pathlib import Path

from hescb_desktop.cli.base import (
    EXIT_FAILED,
    EXIT_OK,
    PROG,
    CliError,
    database_path,
    one_line,
    say,
)
from hescb_desktop.cli.database import refuse_foreign
from hescb_desktop.paths import LOCK_FILENAME, prepare_data_dir
from hescb_desktop.services import sync as sync_service
from hescb_desktop.services.context import ServiceContext, open_context
from hescb_desktop.services.data_dir_keeper import DataDirKeeper
from hescb_desktop.services.settings import load_settings
from hescb_desktop.storage.lock import lock_data_dir


def _open(data_dir: Path) -> ServiceContext:
    path = database_path(data_dir)
    if not path.is_file() or refuse_foreign(path).blank:
        raise CliError(f"no database in {data_dir}: run `{PROG} init` first")
    return open_context(data_dir, create=False)


def _share(args: argparse.Namespace, ctx: ServiceContext) -> Path:
    share: Path | None = getattr(args, "share", None)
    if share is None:
        saved = load_settings(ctx.uow(write=False)).share_folder
        share = Path(saved) if saved else None
    if share is None:
        raise CliError("no share folder: give --share DIR (or set one in Settings)")
    return share


def cmd_sync(args: argparse.Namespace, data_dir: Path) -> int:
    lock = lock_data_dir(data_dir)
    ctx = _open(data_dir)
    try:
        share = _share(args, ctx)
        try:
            report = sync_service.run_sync(ctx, share, getattr(args, "trust_root", None))
        except sync_service.RootNotPinnedError as exc:
            say(f"sync: stopped: {exc}")
            print(exc.root)
            return EXIT_FAILED
        except sync_service.TrustError as exc:  # a --trust-root that is not the board's
            raise CliError(str(exc)) from exc
        except (sync_service.ShareError, sync_service.SegmentError, OSError) as exc:
            say(f"sync: failed, working offline: {exc}")
            return EXIT_FAILED
        print(f"sync: {report.summary()}")
        for line in report.healed + report.renumbered + report.clock + report.problems:
            say(f"sync: {line}")
        if report.needs_restore:
            say(f"sync: this PC must restart from the share's snapshot: run `{PROG} join`")
        if report.send_failed:  # merged what it could, but this PC's changes did not go
            kept = f"; {report.pending} kept here for the next sync" if report.pending else ""
            say(f"sync: not sent: {report.send_failed}{kept}")
            return EXIT_FAILED
        return EXIT_OK
    finally:
        ctx.close()
        lock.release()


def sync_after_write(data_dir: Path, share: Path) -> None:
    """One round after a write command given --share, reported on stderr (its stdout is the
    command's own). The change is saved whatever happens here: if it cannot be sent now it goes
    at the next sync, and the command still succeeds."""
    lock = lock_data_dir(data_dir)
    ctx = _open(data_dir)
    try:
        report = sync_service.run_sync(ctx, share)
    except (
        sync_service.ShareError,
        sync_service.SegmentError,
        sync_service.ValidationError,
        sync_service.FormatTooNewError,
        sync_service.TrustError,  # e.g. a new PC that has not confirmed the share's root yet
        OSError,
    ) as exc:
        say(f"sync: not sent, saved on this PC for the next sync: {one_line(exc)}")
        return
    finally:
        ctx.close()
        lock.release()
    say(f"sync: {report.summary()}")
    for line in report.healed + report.renumbered + report.clock + report.problems:
        say(f"sync: {line}")
    if report.send_failed:
        say(f"sync: not sent, saved on this PC for the next sync: {report.send_failed}")


def cmd_sync_status(args: argparse.Namespace, data_dir: Path) -> int:
    ctx = _open(data_dir)
    try:
        share = getattr(args, "share", None) or load_settings(ctx.uow(write=False)).share_folder
        status = sync_service.sync_status(ctx, str(share or ""))
    finally:
        ctx.close()
    last = f"{status.last_synced:%Y-%m-%d %H:%M:%S %Z}" if status.last_synced else "never"
    print(f"share: {status.share or 'none configured'}")
    print(f"last synced: {last}" + (f" ({status.last_summary})" if status.last_summary else ""))
    print(f"to send: {status.pending}")
    print(f"PCs seen: {status.peers}")
    print(f"open conflicts: {status.open_conflicts}")
    if status.error:
        print(f"problem: {status.error}")
    for problem in status.problems:
        print(f"problem: {problem}")
    return EXIT_OK


def cmd_join(args: argparse.Namespace, data_dir: Path) -> int:
    """Start this PC from the share. A join that fails (share unavailable, newer format, damaged
    snapshot, a first round that could not send...) leaves the data folder exactly as it was:
    every file, byte for byte, including a new PC's empty database, the lock file and the copies
    set aside (`.before-join-*`, the demo)."""
    path = database_path(data_dir)
    if not path.is_file() and getattr(args, "share", None) is None:
        raise CliError("a new PC joins with --share DIR (the shared folder)")
    keeper = DataDirKeeper(data_dir)  # before anything opens the database (even a peek)
    joined = False
    try:
        new_pc = not path.is_file() or refuse_foreign(path).blank
        if new_pc and getattr(args, "share", None) is None:
            raise CliError("a new PC joins with --share DIR (the shared folder)")
        lock = lock_data_dir(prepare_data_dir(data_dir) if new_pc else data_dir)
        try:
            code = _join(args, data_dir, new_pc)
            joined = code == EXIT_OK
        finally:
            if not joined:  # everything but the lock file while this process still holds it
                keeper.restore(but=data_dir / LOCK_FILENAME)
            lock.release()
        return code
    finally:
        if not joined:
            keeper.restore()
        keeper.discard()


def _join(args: argparse.Namespace, data_dir: Path, new_pc: bool) -> int:
    ctx = open_context(data_dir) if new_pc else _open(data_dir)
    try:
        share = _share(args, ctx)
        root = sync_service.check_root(ctx, share, getattr(args, "trust_root", None))
        ctx = sync_service.join_share(ctx, share, discard_demo=args.discard_demo, trust_root=root)
        report = sync_service.run_sync(ctx, share, root)
    except sync_service.RootNotPinnedError as exc:
        say(f"join: stopped: {exc}")
        print(exc.root)
        return EXIT_FAILED
    except sync_service.TrustError as exc:  # a --trust-root that is not the board's
        raise CliError(str(exc)) from exc
    except (sync_service.ShareError, sync_service.SegmentError, OSError) as exc:
        say(f"join: failed: {one_line(exc)}")
        return EXIT_FAILED
    finally:
        ctx.close()
    if report.send_failed:  # a PC that cannot announce itself on the share has not joined it
        say(f"join: failed: {report.send_failed}")
        return EXIT_FAILED
    print(f"join: joined {share}; {report.summary()}")
    for line in report.healed + report.renumbered + report.problems:
        say(f"join: {line}")
    return EXIT_OK
