"""The `hescb-desktop` command: the GUI by default, headless sub-commands on the same services.

Every anticipated problem (a bad argument, a data dir that is a file, a database that is not
ours or is newer, the GUI holding the data dir) is one line on stderr and exit status 2, and
changes nothing. `selftest` exits 1 with its reason when a check fails.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import replace
from pathlib import Path
from typing import NoReturn

from hescb_desktop import __version__
from hescb_desktop.domain.errors import DomainError
from hescb_desktop.paths import DB_FILENAME, DataDirError, default_data_dir, prepare_data_dir
from hescb_desktop.reports.selftest import SAMPLE_TEXT, TITLE, build_selftest_pdf
from hescb_desktop.services.context import ServiceContext, memory_context, open_context
from hescb_desktop.services.export import export_all
from hescb_desktop.services.settings import load_settings, save_settings
from hescb_desktop.storage.database import current_revision, head_revision, open_database
from hescb_desktop.storage.device import last_hlc, read_state
from hescb_desktop.storage.engine import DatabaseError, integrity_problems
from hescb_desktop.storage.lock import AlreadyOpenError, lock_data_dir

PROG = "hescb-desktop"
EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


class CliError(Exception):
    """An anticipated problem with the arguments or files: one line, exit status 2."""


class SelftestError(Exception):
    """A self-test check did not pass: exit status 1."""


ANTICIPATED = (CliError, DataDirError, DatabaseError, AlreadyOpenError, DomainError, OSError)

# ---------------------------------------------------------------- arguments


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


# ---------------------------------------------------------------- entry points


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    return _guarded(lambda: _dispatch(build_parser().parse_args(argv)))


def gui_main() -> int:
    """The `hescb-desktop-gui` entry point: the global options only, always the GUI."""
    return _guarded(lambda: _dispatch(build_parser(commands=False).parse_args(sys.argv[1:])))


def _guarded(run: Callable[[], int]) -> int:
    try:
        return run()
    except SystemExit as exc:  # --help and --version
        return exc.code if isinstance(exc.code, int) else EXIT_OK
    except ANTICIPATED as exc:
        _say(f"{PROG}: error: {_one_line(exc)}")
        return EXIT_USAGE
    except KeyboardInterrupt:
        _say(f"{PROG}: interrupted")
        return EXIT_INTERRUPTED


def _one_line(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        where = f"{exc.filename}: " if exc.filename else ""
        return f"{where}{exc.strerror}"
    return " ".join(str(exc).split()) or type(exc).__name__


def _say(line: str) -> None:
    if sys.stderr is not None:  # None under pythonw (the GUI entry point on Windows)
        print(line, file=sys.stderr, flush=True)


def _dispatch(args: argparse.Namespace) -> int:
    share = _checked_share(args.share)
    data_dir: Path = args.data_dir or default_data_dir()
    command = getattr(args, "command", None)
    if command is None:
        return _run_gui(data_dir, share)
    return COMMANDS[command](args, data_dir)


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


# ---------------------------------------------------------------- selftest


def cmd_selftest(args: argparse.Namespace, data_dir: Path) -> int:
    _refuse_file_as_data_dir(data_dir)
    try:
        details = [_check_database(data_dir)]
        details.append(_check_pdf({"version": __version__, "database": details[0]}))
        if args.qt:
            details.append(_check_qt())
    except Exception as exc:  # any failure is the self-test's verdict, not a crash
        _say(f"selftest: FAILED: {_one_line(exc)}")
        return EXIT_FAILED
    print(f"selftest: ok ({'; '.join(details)})")
    return EXIT_OK


def _check_database(data_dir: Path) -> str:
    """Full integrity check of the data dir's database (read only), or of a fresh in-memory one."""
    path = data_dir / DB_FILENAME
    if _has_database(path):
        where, engine = str(path), open_database(path, create=False, migrate=False)
    else:
        where, engine = "in-memory database", memory_context().engine
    try:
        problems = integrity_problems(engine, quick=False)
        revision = current_revision(engine)
    finally:
        engine.dispose()
    if problems:
        raise SelftestError(f"{where} failed its integrity check: {problems[0]}")
    upgrade = "" if revision == head_revision() else f", upgraded to {head_revision()} on open"
    return f"{where}: schema {revision}{upgrade}, integrity ok"


def _check_pdf(info: dict[str, str]) -> str:
    """Build the one-page PDF in a temp dir and read it back."""
    from pypdf import PdfReader

    info = {**info, "python": platform.python_version(), "platform": platform.platform()}
    with tempfile.TemporaryDirectory(prefix="hescb-selftest-") as tmp:
        pdf = Path(tmp) / "selftest.pdf"
        build_selftest_pdf(pdf, info)
        size = pdf.stat().st_size
        reader = PdfReader(pdf)
        pages = len(reader.pages)
        text = reader.pages[0].extract_text() if pages else ""
    if pages != 1:
        raise SelftestError(f"the self-test PDF has {pages} pages, not 1")
    for expected in (TITLE, "OFFICIAL", "Page 1 of 1", SAMPLE_TEXT.split()[-1]):
        if expected not in text:
            raise SelftestError(f"the self-test PDF does not read back {expected!r}")
    return f"PDF 1 page, {size} bytes, text readable"


def _check_qt() -> str:
    """Start Qt (offscreen when there is no display) and check it finds fonts."""
    headless = sys.platform.startswith("linux") and not (
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    )
    if headless:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import qVersion
    from PySide6.QtGui import QFontDatabase, QGuiApplication

    app = QGuiApplication.instance() or QGuiApplication([PROG])
    app.processEvents()
    families = len(QFontDatabase.families())
    if not families:
        raise SelftestError("Qt finds no fonts: install some (e.g. fonts-dejavu-core)")
    return f"Qt {qVersion()} on {QGuiApplication.platformName()}, {families} font families"


# ---------------------------------------------------------------- init


def cmd_init(args: argparse.Namespace, data_dir: Path) -> int:
    if args.scale and not args.demo:
        raise CliError("--scale needs --demo")
    data_dir = prepare_data_dir(data_dir)
    lock = lock_data_dir(data_dir)
    try:
        path = data_dir / DB_FILENAME
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
    if not _has_database(path):
        return
    engine = open_database(path, create=False, migrate=False)  # not SQLite / newer: refused
    try:
        ours = current_revision(engine) is not None
        used = ours and (last_hlc(engine) > 0 or bool(read_state(engine).get("first_run_choice")))
    finally:
        engine.dispose()
    if not ours:
        raise CliError(f"{path} is not an HESCB Desktop database; use another --data-dir")
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
            for leftover in (path, *(path.with_name(path.name + s) for s in ("-wal", "-shm"))):
                with suppress(OSError):
                    leftover.unlink()
        raise


def _fill(data_dir: Path, *, demo: bool, scale: str) -> None:
    ctx = open_context(data_dir)
    try:
        if demo:
            _build_demo(ctx, scale)
        settings = load_settings(ctx.uow(write=False))
        choice = "demo" if demo else "empty"
        save_settings(ctx.uow(), replace(settings, first_run_choice=choice))
    finally:
        ctx.close()


def _build_demo(ctx: ServiceContext, scale: str) -> None:
    from hescb_desktop.services.demo import build_demo

    build_demo(ctx, scale, progress=_print_progress)


def _print_progress(percent: int, message: str) -> None:
    _say(f"init: {percent:3d}% {message}")


# ---------------------------------------------------------------- export-json


def cmd_export_json(args: argparse.Namespace, data_dir: Path) -> int:
    _refuse_file_as_data_dir(data_dir)
    if not _has_database(data_dir / DB_FILENAME):
        raise CliError(f"no database in {data_dir}: run `{PROG} init` first")
    output: Path | None = args.output
    if output is not None and output.is_dir():
        raise CliError(f"{output} is a folder: give a file name")
    ctx = open_context(data_dir, create=False)
    try:
        data = export_all(ctx.uow(write=False))
    finally:
        ctx.close()
    text = json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
    if output is None:
        _write_stdout(text)
        return EXIT_OK
    try:
        write_atomic(output, text.encode("utf-8"))
    except OSError as exc:
        raise CliError(f"cannot write {output}: {exc.strerror or exc}") from exc
    return EXIT_OK


def _write_stdout(text: str) -> None:
    """UTF-8 whatever the console's code page (JSON is UTF-8); a closed pipe is not an error."""
    try:
        sys.stdout.buffer.write(text.encode("utf-8"))
        sys.stdout.flush()
    except BrokenPipeError:
        with suppress(OSError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def write_atomic(path: Path, data: bytes) -> None:
    """Write `path` through a temp file in the same folder and a rename: never half a file."""
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with suppress(OSError):
            tmp.unlink()
        raise


# ---------------------------------------------------------------- shared checks


def _has_database(path: Path) -> bool:
    """A non-empty database file exists (an empty file is what SQLite makes of nothing)."""
    return path.is_file() and path.stat().st_size > 0


def _refuse_file_as_data_dir(data_dir: Path) -> None:
    if data_dir.exists() and not data_dir.is_dir():
        raise DataDirError(f"data dir {data_dir} is a file, not a folder")


COMMANDS: dict[str, Callable[[argparse.Namespace, Path], int]] = {
    "selftest": cmd_selftest,
    "init": cmd_init,
    "export-json": cmd_export_json,
}
