"""The `hescb-desktop` command: the GUI by default, headless sub-commands on the same services.

Every anticipated problem (a bad argument, a data dir that is a file, a database that is not
ours or is newer, the GUI holding the data dir) is one line on stderr and exit status 2, and
changes nothing. `selftest` exits 1 with its reason when a check fails.

Only argparse and the paths are imported up front: the GUI starts without loading the
commands' dependencies (ReportLab, pypdf), and each command loads its module when run.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn

from hescb_desktop import __version__
from hescb_desktop.cli.base import (
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_USAGE,
    PROG,
    CliError,
    one_line,
    printable_output,
    say,
)
from hescb_desktop.paths import DataDirError, default_data_dir

Command = Callable[[argparse.Namespace, Path], int]
_SYNC_COMMANDS = ("sync", "sync-status", "join")
_SHARE_MAY_BE_MISSING = (*_SYNC_COMMANDS, "recover")  # they report it themselves
# Commands that change the board: with --share they send the change at once (one sync round).
_WRITE_COMMANDS = ("import-ics", "attach", "publish-pack", "undo")
# Commands whose writes are not a user's edit to undo (a merge, the demo board, a rebuild):
# every other command's transactions are recorded for `undo` (storage.undo_journal).
_NOT_UNDOABLE = ("init", "selftest", "recover", *_SYNC_COMMANDS)
_WRITE_VERBS = {
    "actions": ("add", "update"),
    "conflicts": ("resolve",),
    "copies": ("issue", "return", "destroy"),
    "deadlines": ("set-rule",),
}


class _Parser(argparse.ArgumentParser):
    """argparse with its usage errors as one line (our own format) instead of usage + message."""

    def error(self, message: str) -> NoReturn:
        raise CliError(message)


def build_parser(*, commands: bool = True) -> argparse.ArgumentParser:
    parser = _Parser(prog=PROG, description="HESCB Desktop: the collaboration board's app.")
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    _add_location_options(parser, default=None)
    if commands:
        _add_commands(parser)
    return parser


def _add_location_options(parser: argparse.ArgumentParser, default: object) -> None:
    """--data-dir and --share, accepted before or after the command."""
    parser.add_argument(
        "--data-dir", type=Path, metavar="DIR", default=default, help="the data folder to use"
    )
    parser.add_argument(
        "--share", type=Path, metavar="DIR", default=default, help="the shared sync folder"
    )


def _add_commands(parser: argparse.ArgumentParser) -> None:
    common = _Parser(add_help=False)
    _add_location_options(common, default=argparse.SUPPRESS)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    selftest = sub.add_parser("selftest", parents=[common], help="check the install and database")
    selftest.add_argument("--qt", action="store_true", help="also start Qt (offscreen if headless)")
    init = sub.add_parser("init", parents=[common], help="create the database (empty or demo)")
    init.add_argument("--demo", action="store_true", help="fill it with the demo board")
    init.add_argument("--scale", choices=("small", "large"), help="demo size (large: 5 years)")
    export = sub.add_parser("export-json", parents=[common], help="the whole database as JSON")
    export.add_argument("-o", "--output", type=Path, metavar="FILE", help="write to FILE")
    sync = sub.add_parser("sync", parents=[common], help="one sync round with the share")
    sub.add_parser("sync-status", parents=[common], help="when this PC last synced, what waits")
    join = sub.add_parser("join", parents=[common], help="start this PC from the share")
    join.add_argument("--discard-demo", action="store_true", help="set the demo board aside")
    for first_round in (sync, join):
        first_round.add_argument(
            "--trust-root",
            metavar="FINGERPRINT",
            help="the board's root fingerprint, checked with the secretariat (first sync)",
        )
    recover = sub.add_parser(
        "recover", parents=[common], help="rebuild a damaged database from the share or a copy"
    )
    recover.add_argument(
        "--from-copy", type=Path, metavar="FILE", help="from this copy (hescb.sqlite.before-*)"
    )
    from hescb_desktop.cli.conflicts_args import add_parsers as add_conflicts_parsers

    add_conflicts_parsers(sub, common)
    from hescb_desktop.cli.actions_args import add_parsers as add_action_parsers

    add_action_parsers(sub, common)
    from hescb_desktop.cli import calendar_commands  # issue 5: import-ics, export-ics, events

    calendar_commands.add_parsers(sub, common)
    from hescb_desktop.cli.board_commands import add_board_commands

    add_board_commands(sub, common)
    from hescb_desktop.cli.document_commands import add_commands as add_document_commands

    add_document_commands(sub, common)
    from hescb_desktop.cli.copies_args import add_parsers as add_copies_parsers

    add_copies_parsers(sub, common)
    from hescb_desktop.cli.trust_args import add_parsers as add_trust_parsers

    add_trust_parsers(sub, common)
    from hescb_desktop.cli.restrict_commands import add_parsers as add_restrict_parsers

    add_restrict_parsers(sub, common)
    from hescb_desktop.cli.retention_commands import add_parsers as add_retention_parsers

    add_retention_parsers(sub, common)
    from hescb_desktop.cli.audit_command import add_parser as add_audit_parser

    add_audit_parser(sub, common)
    from hescb_desktop.cli.undo_command import add_parser as add_undo_parser

    add_undo_parser(sub, common)
    from hescb_desktop.cli.deadlines_command import add_parser as add_deadlines_parser

    add_deadlines_parser(sub, common)

    from hescb_desktop.cli.chase_command import add_parser as add_chase_parser

    add_chase_parser(sub, common)


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    words = list(sys.argv[1:] if argv is None else argv)
    with printable_output():
        return _guarded(lambda: _dispatch(build_parser().parse_args(words), _label(words)))


def gui_main() -> int:
    """The `hescb-desktop-gui` entry point: the global options only, always the GUI."""
    return _guarded(lambda: _dispatch(build_parser(commands=False).parse_args(sys.argv[1:])))


def _guarded(run: Callable[[], int]) -> int:
    try:
        return run()
    except SystemExit as exc:  # --help and --version
        return exc.code if isinstance(exc.code, int) else EXIT_OK
    except KeyboardInterrupt:
        say(f"{PROG}: interrupted")
        return EXIT_INTERRUPTED
    except Exception as exc:
        if not isinstance(exc, _anticipated()):
            return _unexpected(exc)
        say(f"{PROG}: error: {one_line(exc)}")
        return EXIT_USAGE


def _unexpected(exc: Exception) -> int:
    """A bug: its traceback to the log, one line on stderr, exit status 2."""
    from hescb_desktop.logs import log_unexpected

    path = log_unexpected(f"{PROG} stopped on an unexpected error", exc)
    what = f"{type(exc).__name__}: {one_line(exc)}"
    say(f"{PROG}: unexpected error: {what} (the details are in {path})")
    return EXIT_USAGE


def _anticipated() -> tuple[type[Exception], ...]:
    """The errors that are the user's to fix (imported only once one happens)."""
    from hescb_desktop.domain.errors import DomainError
    from hescb_desktop.storage.engine import DatabaseError
    from hescb_desktop.storage.lock import AlreadyOpenError

    return (CliError, DataDirError, DatabaseError, AlreadyOpenError, DomainError, OSError)


def _label(words: list[str]) -> str:
    """The command as typed, without where it ran (--data-dir, --share): `undo` names it."""
    kept: list[str] = []
    skip = False
    for word in words:
        if skip:
            skip = False
        elif word in ("--data-dir", "--share"):
            skip = True
        elif not word.startswith(("--data-dir=", "--share=")):
            kept.append(word)
    return " ".join(kept)[:300]


def _dispatch(args: argparse.Namespace, label: str = "") -> int:
    command = getattr(args, "command", None)
    args.share = _absolute(args.share)
    # a share that is not there is the sync commands' to report (exit 1: working offline)
    share = args.share if command in _SHARE_MAY_BE_MISSING else _checked_share(args.share)
    data_dir: Path = args.data_dir or default_data_dir()
    if command is None:
        return _run_gui(data_dir, share)
    status = _run(command, args, data_dir, label)
    if status == EXIT_OK and share is not None and _writes(args):
        from hescb_desktop.cli.sync_commands import sync_after_write

        sync_after_write(data_dir, share)
    return status


def _run(command: str, args: argparse.Namespace, data_dir: Path, label: str) -> int:
    """Run one command; what it writes is recorded for `undo`, but for _NOT_UNDOABLE."""
    if command in _NOT_UNDOABLE:
        return _command(command)(args, data_dir)
    from hescb_desktop.storage.undo_journal import origin_set

    with origin_set("cli", label):
        return _command(command)(args, data_dir)


def _writes(args: argparse.Namespace) -> bool:
    command = getattr(args, "command", None)
    return command in _WRITE_COMMANDS or getattr(args, "verb", None) in _WRITE_VERBS.get(
        str(command), ()
    )


def _absolute(share: Path | None) -> Path | None:
    """A relative --share made absolute from the folder the command runs in: it is remembered
    (join) and a later run from another folder must find the same share. An absolute path (a
    UNC path, a mapped drive) is kept as typed."""
    if share is None or share.is_absolute():
        return share
    return share.resolve()


def _checked_share(share: Path | None) -> Path | None:
    if share is not None and not share.is_dir():
        state = "is not a folder" if share.exists() else "does not exist"
        raise CliError(f"share folder {share} {state}")
    return share


def _run_gui(data_dir: Path, share: Path | None) -> int:
    try:
        from hescb_desktop.app import run_gui
    except ModuleNotFoundError as exc:
        raise CliError(f"the GUI cannot start: {exc}") from exc
    return run_gui(data_dir, share)


def _command(name: str) -> Command:
    if name == "selftest":
        from hescb_desktop.cli.selftest import cmd_selftest

        return cmd_selftest
    if name == "audit":
        from hescb_desktop.cli.audit_command import cmd_audit

        return cmd_audit
    if name == "undo":
        from hescb_desktop.cli.undo_command import cmd_undo

        return cmd_undo
    if name == "deadlines":
        from hescb_desktop.cli.deadlines_command import cmd_deadlines

        return cmd_deadlines
    if name == "chase":
        from hescb_desktop.cli.chase_command import cmd_chase

        return cmd_chase
    if name == "recover":
        from hescb_desktop.cli.recover_command import cmd_recover

        return cmd_recover
    if name in _SYNC_COMMANDS:
        from hescb_desktop.cli.sync_commands import cmd_join, cmd_sync, cmd_sync_status

        return {"sync": cmd_sync, "sync-status": cmd_sync_status, "join": cmd_join}[name]
    if name == "conflicts":
        from hescb_desktop.cli.conflicts_commands import cmd_conflicts

        return cmd_conflicts
    if name in ("actions", "meetings"):
        from hescb_desktop.cli.actions_commands import cmd_actions, cmd_meetings

        return cmd_actions if name == "actions" else cmd_meetings
    if name in ("import-ics", "export-ics", "events"):
        from hescb_desktop.cli.calendar_commands import command as calendar_command

        return calendar_command(name)
    if name == "copies":
        from hescb_desktop.cli.copies_commands import cmd_copies

        return cmd_copies
    if name in ("board", "board-pdf"):
        from hescb_desktop.cli.board_commands import cmd_board, cmd_board_pdf

        return cmd_board if name == "board" else cmd_board_pdf
    from hescb_desktop.cli.trust_args import NAMES as TRUST_COMMANDS

    if name in TRUST_COMMANDS:
        from hescb_desktop.cli.trust_commands import command as trust_command

        return trust_command(name)  # type: ignore[no-any-return]
    from hescb_desktop.cli.restrict_commands import NAMES as RESTRICT_COMMANDS

    if name in RESTRICT_COMMANDS:
        from hescb_desktop.cli.restrict_commands import command as restrict_command

        return restrict_command(name)  # type: ignore[no-any-return]
    from hescb_desktop.cli.retention_commands import NAMES as RETENTION_COMMANDS

    if name in RETENTION_COMMANDS:
        from hescb_desktop.cli.retention_commands import command as retention_command

        return retention_command(name)  # type: ignore[no-any-return]
    from hescb_desktop.cli.document_commands import NAMES as DOCUMENT_COMMANDS

    if name in DOCUMENT_COMMANDS:
        from hescb_desktop.cli.document_commands import command as document_command

        return document_command(name)
    from hescb_desktop.cli.commands import cmd_export_json, cmd_init

    commands: dict[str, Command] = {"init": cmd_init, "export-json": cmd_export_json}
    return commands[name]
