"""`pack`, `minutes`, `paper`, `actions-report`, `highlight-report`, `attach` and `publish-pack`:
the board's documents as PDF from the command line, on the same services as the app.

MEETING_REF is `next` (the next meeting from today), a meeting date `YYYY-MM-DD` (London time),
`BODY/YYYY-MM-DD` as `meetings` prints it (`BODY@YYYY-MM-DD` also works), or the first 8+
characters of a meeting id.
PAPER_REF is a paper reference: `HESCB 43/26` or `43/26`.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from hescb_desktop.cli.base import (
    EXIT_OK,
    PROG,
    CliError,
    database_path,
    has_database,
    quoted,
    refuse_file_as_data_dir,
    write_atomic,
)
from hescb_desktop.domain.enums import Marking, Part
from hescb_desktop.paths import LOCK_FILENAME

if TYPE_CHECKING:
    from hescb_desktop.services.context import ServiceContext

NAMES = (
    "pack",
    "minutes",
    "paper",
    "actions-report",
    "highlight-report",
    "attach",
    "publish-pack",
    "public-edition",
)
MEETING_REF_HELP = "next, a date YYYY-MM-DD, BODY/YYYY-MM-DD, or the start of a meeting id"


def add_commands(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:  # type: ignore[type-arg]
    pack = sub.add_parser("pack", parents=[common], help="a meeting's board pack as PDF")
    pack.add_argument("meeting", metavar="MEETING_REF", help=MEETING_REF_HELP)
    _output(pack)
    pack.add_argument("--part", choices=("1", "2"), default="1", help="2: the Part II pack")
    pack.add_argument("--supplement", type=int, metavar="N", help="supplement N (late papers)")
    pack.add_argument("--marking", help="the highest marking the pack may hold (this build)")
    minutes = sub.add_parser("minutes", parents=[common], help="a meeting's minutes as PDF")
    minutes.add_argument("meeting", metavar="MEETING_REF", help=MEETING_REF_HELP)
    _output(minutes)
    minutes.add_argument("--part", choices=("1", "2"), default="1", help="2: Part II minutes")
    paper = sub.add_parser("paper", parents=[common], help="one board paper as PDF")
    paper.add_argument("paper", metavar="PAPER_REF", help="e.g. 'HESCB 43/26' or 43/26")
    _output(paper)
    actions = sub.add_parser("actions-report", parents=[common], help="the action log as PDF")
    _output(actions)
    actions.add_argument("--body", help="only this body's actions (e.g. HESCB)")
    highlight = sub.add_parser(
        "highlight-report", parents=[common], help="the programme highlight report as PDF"
    )
    _output(highlight)
    highlight.add_argument("--since", help="measure change since this date (YYYY-MM-DD)")
    attach = sub.add_parser("attach", parents=[common], help="attach a PDF to a paper")
    attach.add_argument("paper", metavar="PAPER_REF")
    attach.add_argument("file", type=Path, metavar="FILE")
    attach.add_argument("--as-paper", action="store_true", help="the PDF is the paper itself")
    publish = sub.add_parser("publish-pack", parents=[common], help="mark a pack final")
    publish.add_argument("meeting", metavar="MEETING_REF", help=MEETING_REF_HELP)
    publish.add_argument("--part", choices=("1", "2"), default="1")
    publish.add_argument("--supplement", action="store_true", help="issue the late papers")
    public = sub.add_parser(
        "public-edition",
        parents=[common],
        help="the public edition of a meeting's pack, agenda or minutes (PDF and accessible HTML)",
        description=(
            "Part II items become stubs giving their public title and the ground of their"
            " exemption; FILE is the PDF, and the accessible HTML is written beside it"
            " (FILE with .html)."
        ),
    )
    public.add_argument("meeting", metavar="MEETING_REF", help=MEETING_REF_HELP)
    _output(public)
    public.add_argument(
        "--document", choices=("pack", "agenda", "minutes"), default="pack", help="default: pack"
    )


def _output(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-o", "--output", type=Path, metavar="FILE", required=True)


def command(name: str) -> Callable[[argparse.Namespace, Path], int]:
    return {
        "pack": cmd_pack,
        "minutes": cmd_minutes,
        "paper": cmd_paper,
        "actions-report": cmd_actions_report,
        "highlight-report": cmd_highlight_report,
        "attach": cmd_attach,
        "publish-pack": cmd_publish_pack,
        "public-edition": cmd_public_edition,
    }[name]


@contextmanager
def _context(data_dir: Path, *, write: bool = False) -> Iterator[ServiceContext]:
    from hescb_desktop.cli.database import refuse_foreign

    refuse_file_as_data_dir(data_dir)
    path = database_path(data_dir)
    if not has_database(path) or refuse_foreign(path).blank:
        raise CliError(f"no database in {data_dir}: run `{PROG} init` first")
    from hescb_desktop.services.context import open_context

    lock = None
    if write:
        from hescb_desktop.storage.lock import lock_data_dir

        lock = lock_data_dir(data_dir)
    ctx = open_context(data_dir, create=False)
    try:
        yield ctx
    finally:
        ctx.close()
        if lock is not None:
            lock.release()


def _check_output(output: Path, data_dir: Path) -> None:
    if output.is_dir():
        raise CliError(f"{output} is a folder: give a file name")
    if not output.parent.is_dir():
        raise CliError(f"cannot write {output}: the folder {output.parent} does not exist")
    db = database_path(data_dir)
    own = {p.resolve() for p in (db, data_dir / LOCK_FILENAME)}
    if output.resolve() in own or output.resolve().name.startswith(db.name):
        raise CliError(f"{output} is one of the database's own files: choose another name")


def _write(output: Path, data: bytes, what: str) -> int:
    try:
        write_atomic(output, data)
    except OSError as exc:
        raise CliError(f"cannot write {output}: {exc.strerror or exc}") from exc
    from io import BytesIO

    from pypdf import PdfReader

    pages = len(PdfReader(BytesIO(data)).pages)
    print(f"{what}: {output} ({pages} pages)")
    return EXIT_OK


def _part(text: str) -> Part:
    return Part.PART_II if text == "2" else Part.PART_I


def cmd_pack(args: argparse.Namespace, data_dir: Path) -> int:
    from hescb_desktop.domain.rules import parse_marking
    from hescb_desktop.services import boardpacks, documents

    _check_output(args.output, data_dir)
    allowed: Marking | None = parse_marking(args.marking) if args.marking else None
    with _context(data_dir) as ctx:
        meeting = boardpacks.resolve_meeting(ctx.uow(write=False), args.meeting)
        document = documents.pack(
            ctx, meeting.id, _part(args.part), supplement=args.supplement, allowed=allowed
        )
    return _write(args.output, document.data, document.what)


def cmd_minutes(args: argparse.Namespace, data_dir: Path) -> int:
    from hescb_desktop.services import boardpacks, documents

    _check_output(args.output, data_dir)
    with _context(data_dir) as ctx:
        meeting = boardpacks.resolve_meeting(ctx.uow(write=False), args.meeting)
        document = documents.minutes(ctx, meeting.id, _part(args.part))
    return _write(args.output, document.data, document.what)


def cmd_paper(args: argparse.Namespace, data_dir: Path) -> int:
    from hescb_desktop.services import documents, papers

    _check_output(args.output, data_dir)
    with _context(data_dir) as ctx:
        found = papers.find_paper(ctx.uow(write=False), args.paper)
        document = documents.paper(ctx, found.id)
    return _write(args.output, document.data, document.what)


def cmd_actions_report(args: argparse.Namespace, data_dir: Path) -> int:
    from hescb_desktop.services import documents

    _check_output(args.output, data_dir)
    with _context(data_dir) as ctx:
        document = documents.action_log(ctx, args.body)
    return _write(args.output, document.data, document.what)


def cmd_highlight_report(args: argparse.Namespace, data_dir: Path) -> int:
    from hescb_desktop.services import documents

    _check_output(args.output, data_dir)
    since = None
    if args.since:
        try:
            since = date.fromisoformat(args.since)
        except ValueError as exc:
            raise CliError(f"--since {quoted(args.since)} is not a date like 2026-03-12") from exc
    with _context(data_dir) as ctx:
        document = documents.highlight(ctx, since=since)
    return _write(args.output, document.data, document.what)


def cmd_attach(args: argparse.Namespace, data_dir: Path) -> int:
    from hescb_desktop.services import papers

    file: Path = args.file
    if not file.is_file():
        raise CliError(f"{file} is not a file")
    data = file.read_bytes()
    with _context(data_dir, write=True) as ctx:
        found = papers.find_paper(ctx.uow(write=False), args.paper)
        role = "paper" if args.as_paper else "appendix"
        result = papers.attach_file(ctx.uow(), found.id, file.name, data, role=role)
    print(f"attach: {result.value.filename} ({result.value.page_count} pages) to {found.reference}")
    return EXIT_OK


def cmd_publish_pack(args: argparse.Namespace, data_dir: Path) -> int:
    from hescb_desktop.services import boardpacks

    with _context(data_dir, write=True) as ctx:
        meeting = boardpacks.resolve_meeting(ctx.uow(write=False), args.meeting)
        if args.supplement:
            number = boardpacks.publish_supplement(ctx.uow(), meeting.id, _part(args.part)).value
            print(f"publish-pack: supplement {number} published")
        else:
            boardpacks.publish_pack(ctx.uow(), meeting.id, _part(args.part))
            print("publish-pack: pack published")
    return EXIT_OK


def cmd_public_edition(args: argparse.Namespace, data_dir: Path) -> int:
    import sys

    from hescb_desktop.services import boardpacks, public_edition

    _check_output(args.output, data_dir)
    page = args.output.with_suffix(".html")
    if page.resolve() == args.output.resolve():
        raise CliError(
            f"{args.output} ends in .html: give the PDF's name (the HTML goes beside it)"
        )
    _check_output(page, data_dir)
    with _context(data_dir) as ctx:
        meeting = boardpacks.resolve_meeting(ctx.uow(write=False), args.meeting)
        edition = public_edition.build(ctx.uow(write=False), meeting.id, args.document)
        data = public_edition.render_pdf(edition)
        text = public_edition.render_html(edition)
    for warning in edition.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    try:
        write_atomic(page, text.encode("utf-8"))
    except OSError as exc:
        raise CliError(f"cannot write {page}: {exc.strerror or exc}") from exc
    status = _write(args.output, data, f"public edition ({args.document})")
    print(f"accessible HTML: {page}")
    return status
