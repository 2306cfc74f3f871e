"""Every PDF the app and the command line make, composed once (issue 17).

One function a kind of document: it takes the service context and the document's arguments,
reads what it needs through the services (each read its own read-only unit of work), has the
`reports` builder lay it out and returns a `Document`. The GUI calls these off its thread and
previews the result (ui/widgets/pdf_view.preview_document); the command line writes it. Neither
calls a `reports` builder itself, so the two cannot drift apart again (tests/unit/test_one_path.py).

A refusal (a meeting with no minutes, a paper whose file is damaged) is a DomainError, raised
here: the GUI shows its message, the command line prints it and exits 2.

Each function imports its builder when it is called, as the callers did before.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from hescb_desktop.domain.calendar import week_start
from hescb_desktop.domain.enums import Marking, Part
from hescb_desktop.domain.rules import highest_marking
from hescb_desktop.domain.timezones import LONDON
from hescb_desktop.services import board_report, boardpacks, copies, meetings, papers
from hescb_desktop.services import calendar as cal
from hescb_desktop.services.highlight import highlight_content

if TYPE_CHECKING:
    from hescb_desktop.domain.board import BoardFilter
    from hescb_desktop.services.context import ServiceContext

Progress = Callable[[float, str], None]  # (fraction done, what is being done now)
Cancel = Callable[[], bool]


@dataclass(frozen=True)
class Document:
    """One PDF, ready to preview, print or write."""

    data: bytes
    title: str  # the PDF's own title: the preview's window title
    filename: str  # the name offered when it is saved
    marking: Marking | None  # shown above the preview (None: the report marks each page)
    what: str  # how the command line's summary line names it: "pack (draft)", "minutes (approved)"
    items: int = 0  # the rows it lists, where the command line says so (the board's objectives)

    @property
    def pages(self) -> int:
        from pypdf import PdfReader

        return len(PdfReader(io.BytesIO(self.data)).pages)


def _file_part(text: str) -> str:
    """Text made fit for a file name: no spaces, slashes or colons."""
    return text.replace(" ", "-").replace("/", "-").replace(":", "")


# ------------------------------------------------------------------ a meeting's documents
def pack(
    ctx: ServiceContext,
    meeting_id: str,
    part: Part = Part.PART_I,
    *,
    supplement: int | None = None,
    allowed: Marking | None = None,
    progress: Progress | None = None,
    cancel: Cancel | None = None,
) -> Document:
    """The meeting's board pack (or supplement N): AttachmentError if an attached PDF is
    unusable, BuildCancelledError if `cancel()` turns true."""
    from hescb_desktop.reports.pack import build_pack_pdf, pack_title

    if progress is not None:
        progress(0.01, "Reading the meeting and its papers")
    meeting = ctx.read(meetings.get_meeting, meeting_id)
    content = ctx.read(
        boardpacks.pack_content, meeting_id, part, supplement=supplement, allowed=allowed
    )
    data = build_pack_pdf(content, author=ctx.user, progress=progress, cancel=cancel)
    day = meeting.start_utc.astimezone(LONDON)
    which = f"-supplement-{supplement}" if supplement else ""
    name = f"{meeting.body}-{day:%Y-%m-%d}-pack{'-part2' if part is Part.PART_II else ''}{which}"
    what = f"supplement {supplement}" if supplement else "pack"
    return Document(
        data,
        pack_title(content),
        f"{name}.pdf",
        content.marking,
        what + (" (draft)" if content.draft else ""),
    )


def minutes(ctx: ServiceContext, meeting_id: str, part: Part = Part.PART_I) -> Document:
    """The meeting's minutes, draft or approved (a DomainError if it has none yet)."""
    from hescb_desktop.reports.minutes import build_minutes_pdf, minutes_title

    content = ctx.read(boardpacks.minutes_content, meeting_id, part)
    data = build_minutes_pdf(content, author=ctx.user)
    name = f"{content.board}-minutes{'-part2' if part is Part.PART_II else ''}.pdf"
    state = "draft" if content.approved_on is None else "approved"
    return Document(data, minutes_title(content), name, content.marking, f"minutes ({state})")


def agenda(ctx: ServiceContext, meeting_id: str) -> Document:
    """The meeting's agenda with start times, on its own (no pack)."""
    from hescb_desktop.reports.agenda import agenda_title, build_agenda_pdf

    sheet = ctx.read(meetings.agenda_sheet, meeting_id)
    data = build_agenda_pdf(sheet, author=ctx.user)
    return Document(data, agenda_title(sheet), f"{sheet.board}-agenda.pdf", sheet.marking, "agenda")


def paper(ctx: ServiceContext, paper_id: str) -> Document:
    """One board paper on its own, with its attached files (a DomainError if one is bad)."""
    from hescb_desktop.reports.paper import build_paper_pdf, paper_label

    content = ctx.read(boardpacks.paper_content, paper_id)
    data = build_paper_pdf(content, board=papers.BODY_PREFIX, author=ctx.user)
    name = _file_part(content.reference) or "paper"
    return Document(
        data, paper_label(content), f"{name}.pdf", content.marking, f"paper {content.reference}"
    )


# ------------------------------------------------------------------ the board's reports
def action_log_title(board: str, day: date) -> str:
    return f"{board} action log: open actions at {day:%d %B %Y}"


def action_log(
    ctx: ServiceContext, body: str | None = None, *, today: date | None = None
) -> Document:
    """Every action not closed (only `body`'s when given), oldest first."""
    from hescb_desktop.reports.action_log import build_action_log_pdf

    rows = ctx.read(boardpacks.open_actions, body)
    board = body or meetings.DEFAULT_BODY
    title = action_log_title(board, today or date.today())
    data = build_action_log_pdf(rows, board=board, title=title, author=ctx.user)
    marking = highest_marking(a.marking for a in rows)
    what = f"action log ({len(rows)} open actions)"
    return Document(data, title, f"{board}-action-log.pdf", marking, what, len(rows))


def highlight(ctx: ServiceContext, *, since: date | None = None) -> Document:
    """The programme highlight report (change measured since `since` when given)."""
    from hescb_desktop.reports.highlight import build_highlight_pdf, highlight_title

    content = ctx.read(highlight_content, since=since)
    data = build_highlight_pdf(content, author=ctx.user)
    n = len(content.rows)
    return Document(
        data,
        highlight_title(content),
        f"{content.board}-highlight.pdf",
        highest_marking(r.marking for r in content.rows),
        f"highlight report ({n} objectives)",
        n,
    )


def copies_register(ctx: ServiceContext, meeting_id: str | None = None) -> Document:
    """The register of numbered copies (one meeting's, or every meeting's)."""
    from hescb_desktop.reports.copies_register import build_copies_register_pdf

    content = ctx.read(copies.register_content, meeting_id)
    data = build_copies_register_pdf(content, author=ctx.user)
    marking = highest_marking(p.marking for p in content.packs)
    name = _file_part(content.title) + ".pdf"
    return Document(data, content.title, name, marking, "copies register")


def board(
    ctx: ServiceContext,
    today: date,
    board_filter: BoardFilter | None = None,
    *,
    note: str = "",
) -> Document:
    """The planning board (the cards the filter keeps) and its roadmap, landscape."""
    from hescb_desktop.reports.board_print import TITLE, write_board_pdf

    shown = ctx.read(board_report.print_data, today, board_filter, note=note)
    out = io.BytesIO()
    write_board_pdf(shown, out)
    n = len(shown.cards)
    return Document(out.getvalue(), TITLE, "board.pdf", shown.marking, "board and roadmap", n)


# ------------------------------------------------------------------ the calendar
def calendar_week(
    ctx: ServiceContext,
    day: date,
    *,
    viewer: cal.Viewer = cal.EVERYTHING,
    calendars: list[str] | None = None,
) -> Document:
    """The week (Monday to Sunday) holding `day` as a paper diary; `calendars` limits it to
    those calendars, `viewer` is who it is printed for (private events as busy)."""
    from hescb_desktop.reports.calendar_print import print_week, week_title

    monday = week_start(day)
    window = cal.window_of_days(monday, monday + timedelta(days=6))
    occs = ctx.read(cal.occurrences, *window, viewer=viewer, calendars=calendars)
    out = io.BytesIO()
    print_week(out, monday, occs)
    name = f"calendar-week-{monday:%Y-%m-%d}.pdf"
    return Document(out.getvalue(), week_title(monday), name, None, "calendar week")


def calendar_month(
    ctx: ServiceContext,
    day: date,
    *,
    viewer: cal.Viewer = cal.EVERYTHING,
    calendars: list[str] | None = None,
) -> Document:
    """The month holding `day` as a paper diary: six weeks of boxes, Monday first."""
    from hescb_desktop.reports.calendar_print import month_title, print_month

    first = week_start(day.replace(day=1))
    window = cal.window_of_days(first, first + timedelta(days=41))
    occs = ctx.read(cal.occurrences, *window, viewer=viewer, calendars=calendars)
    out = io.BytesIO()
    print_month(out, day, occs)
    name = f"calendar-{day:%Y-%m}.pdf"
    return Document(out.getvalue(), month_title(day), name, None, "calendar month")
