"""`hescb-desktop init` and `export-json`: the same services as the GUI, no Qt."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import replace
from pathlib import Path

from hescb_desktop.cli.base import (
    EXIT_OK,
    PROG,
    CliError,
    database_path,
    has_database,
    json_text,
    refuse_file_as_data_dir,
    say,
    wal_files,
    write_atomic,
)
from hescb_desktop.cli.database import refuse_foreign
from hescb_desktop.paths import LOCK_FILENAME, prepare_data_dir
from hescb_desktop.services.context import ServiceContext, open_context
from hescb_desktop.services.export import export_all
from hescb_desktop.services.settings import load_settings, save_settings
from hescb_desktop.storage.database import open_database
from hescb_desktop.storage.device import last_hlc, read_state
from hescb_desktop.storage.lock import lock_data_dir

# ---------------------------------------------------------------- init


def cmd_init(args: argparse.Namespace, data_dir: Path) -> int:
    if args.scale and not args.demo:
        raise CliError("--scale needs --demo")
    data_dir = prepare_data_dir(data_dir)
    lock = lock_data_dir(data_dir)
    try:
        path = database_path(data_dir)
        _refuse_database_with_data(path)
        with _removed_on_failure(path):
            _fill(data_dir, demo=args.demo, scale=args.scale or "small")
    finally:
        lock.release()
    what = f"demo board ({args.scale or 'small'})" if args.demo else "empty"
    print(f"init: {path} ready, {what}")
    return EXIT_OK


def _refuse_database_with_data(path: Path) -> None:
    """Init never overwrites: refuse a database that is not ours or already holds anything."""
    if not has_database(path) or refuse_foreign(path).blank:
        return
    engine = open_database(path, create=False, migrate=False)  # damaged / newer: refused
    try:
        used = last_hlc(engine) > 0 or bool(read_state(engine).get("first_run_choice"))
    finally:
        engine.dispose()
    if used:
        raise CliError(
            f"{path} already holds data and init never overwrites it; use another --data-dir"
        )


@contextmanager
def _removed_on_failure(path: Path) -> Iterator[None]:
    """If `path` is new and the block fails, delete it (and its WAL files): nothing left behind."""
    existed = path.exists()
    try:
        yield
    except BaseException:
        if not existed:
            for leftover in (path, *wal_files(path)):
                with suppress(OSError):
                    leftover.unlink()
        raise


def _fill(data_dir: Path, *, demo: bool, scale: str) -> None:
    ctx = open_context(data_dir)
    try:
        if demo:
            _build_demo(ctx, scale)
        else:  # this PC is the new board's root; the OS account its first secretariat member
            from hescb_desktop.services.trust import found_board

            found_board(ctx)
        settings = load_settings(ctx.uow(write=False))
        choice = "demo" if demo else "empty"
        save_settings(ctx.uow(), replace(settings, first_run_choice=choice))
    finally:
        ctx.close()


def _build_demo(ctx: ServiceContext, scale: str) -> None:
    """The demo, protected: this PC its root, this OS account its programme manager
    (secretariat), as the app's first-run demo (issue 15)."""
    from hescb_desktop.services.demo import build_demo

    build_demo(ctx, scale, progress=_print_progress, protect=True)
    me = ctx.identity
    say(f"init: you ({me.account}) are {me.name}, {me.role.value}, on the demo board")


def _print_progress(percent: int, message: str) -> None:
    say(f"init: {percent:3d}% {message}")


# ---------------------------------------------------------------- export-json


def cmd_export_json(args: argparse.Namespace, data_dir: Path) -> int:
    refuse_file_as_data_dir(data_dir)
    path = database_path(data_dir)
    if not has_database(path) or refuse_foreign(path).blank:
        raise CliError(f"no database in {data_dir}: run `{PROG} init` first")
    output: Path | None = args.output
    if output is not None:
        _check_output(output, data_dir)
    text = json_text(_export(data_dir), indent=2, sort_keys=True) + "\n"
    if output is None:
        _write_stdout(text)
        return EXIT_OK
    try:
        write_atomic(output, text.encode("utf-8"))
    except OSError as exc:
        raise CliError(f"cannot write {output}: {exc.strerror or exc}") from exc
    return EXIT_OK


def _export(data_dir: Path) -> dict[str, object]:
    ctx = open_context(data_dir, create=False)
    try:
        return export_all(ctx.uow(write=False))
    finally:
        ctx.close()


def _check_output(output: Path, data_dir: Path) -> None:
    if output.is_dir():
        raise CliError(f"{output} is a folder: give a file name")
    db = database_path(data_dir)
    own = {p.resolve() for p in (db, data_dir / LOCK_FILENAME, *wal_files(db))}
    if output.resolve() in own:
        raise CliError(f"{output} is one of the database's own files: choose another name")


def _write_stdout(text: str) -> None:
    """UTF-8 whatever the console's code page (JSON is UTF-8); a closed pipe is not an error."""
    try:
        sys.stdout.buffer.write(text.encode("utf-8"))
        sys.stdout.flush()
    except BrokenPipeError:
        with suppress(OSError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
