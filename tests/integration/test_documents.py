"""services.documents: every kind of PDF the app and the command line make, each made once on
the demo board and read back (pypdf): its title in the PDF's metadata and on its pages, pages,
its marking, and the file name and summary it is offered under."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import date
from io import BytesIO

import pytest
from pypdf import PdfReader

from hescb_desktop.domain.enums import Marking, Part
from hescb_desktop.domain.errors import DomainError
from hescb_desktop.services import boardpacks, crud, documents, papers
from hescb_desktop.services import entities as E
from hescb_desktop.services.context import ServiceContext, open_context
from hescb_desktop.services.demo import build_demo
from hescb_desktop.services.documents import Document

TODAY = date(2026, 12, 2)  # the next HESCB meeting is Thursday 10 December 2026
Make = Callable[[ServiceContext], Document]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServiceContext]:
    context = open_context(tmp_path_factory.mktemp("demo"))
    build_demo(context, "small", lambda pct, msg: None, today=TODAY)
    yield context
    context.close()


def _next(ctx: ServiceContext) -> str:
    return boardpacks.resolve_meeting(ctx.uow(write=False), "next", today=TODAY).id


def _minuted(ctx: ServiceContext) -> str:
    """A meeting that has minutes."""
    return crud.list_all(ctx.uow(write=False), E.MINUTES)[0].meeting_id


def _paper(ctx: ServiceContext) -> str:
    return papers.find_paper(ctx.uow(write=False), "HESCB 1/26").id


KINDS: dict[str, Make] = {
    "pack": lambda ctx: documents.pack(ctx, _next(ctx)),
    "pack part 2": lambda ctx: documents.pack(ctx, _next(ctx), Part.PART_II),
    "minutes": lambda ctx: documents.minutes(ctx, _minuted(ctx)),
    "agenda": lambda ctx: documents.agenda(ctx, _next(ctx)),
    "paper": lambda ctx: documents.paper(ctx, _paper(ctx)),
    "action log": lambda ctx: documents.action_log(ctx, today=TODAY),
    "highlight": lambda ctx: documents.highlight(ctx),
    "copies register": lambda ctx: documents.copies_register(ctx),
    "board": lambda ctx: documents.board(ctx, TODAY),
    "calendar week": lambda ctx: documents.calendar_week(ctx, TODAY),
    "calendar month": lambda ctx: documents.calendar_month(ctx, TODAY),
}


def flat(text: str) -> str:
    return " ".join(text.split())


def shown(title: str) -> list[str]:
    """What of the title its pages print: the whole of it, except a pack's cover (its parts on
    lines of their own) and a diary's heading (without "Calendar: ")."""
    if title.startswith("Calendar: "):
        return [title.removeprefix("Calendar: ")]
    if title.endswith(("Board pack", "Board pack – Part II")):
        return [p for p in re.split(r", |: | – ", title.removeprefix("HESCB ")) if p != "Part II"]
    return [title]


@pytest.mark.parametrize("kind", list(KINDS))
def test_each_document_is_made_once_and_reads_back(demo: ServiceContext, kind: str) -> None:
    document = KINDS[kind](demo)
    reader = PdfReader(BytesIO(document.data))
    assert reader.metadata is not None and reader.metadata.title == document.title
    assert document.pages == len(reader.pages) > 0
    text = flat(" ".join(page.extract_text() for page in reader.pages))
    for part in shown(document.title):
        assert flat(part) in text, (kind, part)
    assert document.filename.endswith(".pdf") and " " not in document.filename
    assert "/" not in document.filename and ":" not in document.filename
    if document.marking is not None:
        assert document.marking.value in text  # top and bottom of every page
    assert document.what


def test_the_command_lines_summaries(demo: ServiceContext) -> None:
    """What the command line prints after `WHAT: FILE (N pages)` comes from the document."""
    assert KINDS["pack"](demo).what == "pack (draft)"
    assert KINDS["minutes"](demo).what in ("minutes (draft)", "minutes (approved)")
    assert KINDS["paper"](demo).what == "paper HESCB 1/26"
    log = KINDS["action log"](demo)
    assert log.what == f"action log ({log.items} open actions)" and log.items > 0
    assert log.title == "HESCB action log: open actions at 02 December 2026"
    assert log.filename == "HESCB-action-log.pdf"
    highlight = KINDS["highlight"](demo)
    assert highlight.what == f"highlight report ({highlight.items} objectives)"
    assert KINDS["copies register"](demo).what == "copies register"
    board = KINDS["board"](demo)
    assert board.items > 0 and board.marking in (Marking.OFFICIAL, Marking.OFFICIAL_SENSITIVE)


def test_a_body_names_its_own_action_log(demo: ServiceContext) -> None:
    jesg = documents.action_log(demo, "JESG", today=TODAY)
    assert jesg.title == "JESG action log: open actions at 02 December 2026"
    assert jesg.filename == "JESG-action-log.pdf"
    assert jesg.items < KINDS["action log"](demo).items


def test_a_refusal_is_a_domain_error(demo: ServiceContext) -> None:
    """The GUI shows its message; the command line prints it and exits 2."""
    with pytest.raises(DomainError, match="no minutes yet"):
        documents.minutes(demo, _next(demo))
