"""The chase list (issue 18, point 6): for the secretariat, one page (or as few as needed) of
who is chased for what, whether their draft e-mail was written and whether they have an address
to send it to, and the meeting invitations written. In the board's document frame, marked like
the most sensitive item it lists. Restricted items appear by reference only (the secretariat
chases by reference; the text stays with the readers)."""

from __future__ import annotations

from dataclasses import dataclass
from io import BytesIO

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle, StyleSheet1
from reportlab.platypus import Flowable

from hescb_desktop.domain.enums import Marking
from hescb_desktop.reports.columns import WholeRowsTable, column_widths, keep_together
from hescb_desktop.reports.frame import (
    BoardDocument,
    anchor_heading,
    board_styles,
    grid_style,
    render,
)
from hescb_desktop.reports.text import Paragraph, para_text

HEADERS = ("Person", "Reference", "Item", "Due", "State")
WEIGHTS = (0.8, 0, 1.4, 0, 0)
MEETING_HEADERS = ("Meeting", "When", "Invited", "Without an address")
MEETING_WEIGHTS = (1.0, 0, 0, 1.0)
CHUNK = 40  # rows per table (PLATFORM-NOTES: one huge table lays out slower than linearly)
SIZE = 8


@dataclass(frozen=True)
class ChaseLine:
    reference: str
    text: str  # "" for a restricted item
    due: str  # "Fri 4 Dec 2026"
    state: str  # "3 days late", "due in 2 days"
    overdue: bool


@dataclass(frozen=True)
class ChasePersonBlock:
    name: str
    email: str  # "" when none
    draft: str  # "draft written", "draft written (no address: To is empty)"
    lines: tuple[ChaseLine, ...]


@dataclass(frozen=True)
class ChaseMeetingLine:
    meeting: str
    when: str
    invited: int
    without_address: str  # names, "" when everyone has one
    written: str  # "invitation written" or why not


@dataclass(frozen=True)
class ChaseListContent:
    board: str
    title: str  # "HESCB chase list"
    as_at: str  # "Mon 7 December 2026"
    summary: str  # "3 actions overdue, 2 due this week"
    marking: Marking
    people: tuple[ChasePersonBlock, ...]
    meetings: tuple[ChaseMeetingLine, ...]
    notes: tuple[str, ...] = ()


def build_chase_list_pdf(
    content: ChaseListContent, *, author: str, invariant: bool | None = None
) -> bytes:
    out = BytesIO()
    doc = BoardDocument(
        out,
        marking=content.marking,
        title=content.title,
        subject=f"{content.board} chase list: {content.summary}",
        footer=content.title,
        footer_tail=f"as at {content.as_at}",
        author=author,
        invariant=invariant,
    )
    styles = board_styles()
    summary = content.summary[:1].upper() + content.summary[1:]
    story: list[Flowable] = [
        anchor_heading(content.title, styles["Heading1"]),
        Paragraph(para_text(f"As at {content.as_at}: {summary}."), styles["Body"]),
    ]
    if content.people:
        story += people_story(content.people, styles, doc.width)
    else:
        story.append(Paragraph("Nobody has anything due this week.", styles["Body"]))
    story.append(anchor_heading("Meeting invitations", styles["Heading2"], level=1))
    if content.meetings:
        story += meetings_story(content.meetings, styles, doc.width)
    else:
        story.append(Paragraph("No meeting in the period.", styles["Body"]))
    for note in content.notes:
        story.append(Paragraph(para_text(note), styles["ItemNote"]))
    return render(doc, story, {})


def _cell_styles(styles: StyleSheet1) -> tuple[ParagraphStyle, ParagraphStyle]:
    cell = ParagraphStyle("ChaseCell", parent=styles["Cell"], fontSize=SIZE, leading=10)
    bold = ParagraphStyle("ChaseHead", parent=styles["CellBold"], fontSize=SIZE, leading=10)
    return cell, bold


def _person_cell(p: ChasePersonBlock) -> str:
    address = p.email or "no e-mail address"
    return f"{p.name}\n{address}\n{p.draft}"


def people_story(
    people: tuple[ChasePersonBlock, ...], styles: StyleSheet1, width: float
) -> list[Flowable]:
    """Everyone's items, a person's name, address and draft on their first row; tables of at
    most CHUNK rows, never splitting a person between two tables."""
    cell, bold = _cell_styles(styles)
    rows: list[tuple[tuple[str, ...], bool, bool]] = []  # (cells, first of a person, overdue)
    for p in people:
        for n, line in enumerate(p.lines):
            text = line.text or "Restricted: by reference only"
            first = _person_cell(p) if n == 0 else ""
            cells = (
                first,
                line.reference,
                text,
                keep_together(line.due),
                keep_together(line.state),
            )
            rows.append((cells, n == 0, line.overdue))
    widths = column_widths(
        [(h, *(r[0][n] for r in rows)) for n, h in enumerate(HEADERS)],
        WEIGHTS,
        width,
        font=cell.fontName,
        size=SIZE,
        padding=13,
        header_font=bold.fontName,
    )
    story: list[Flowable] = []
    chunk: list[tuple[tuple[str, ...], bool, bool]] = []
    for row in rows:
        if row[1] and len(chunk) >= CHUNK:
            story.append(_table(chunk, widths, cell, bold))
            chunk = []
        chunk.append(row)
    if chunk:
        story.append(_table(chunk, widths, cell, bold))
    return story


def _table(
    rows: list[tuple[tuple[str, ...], bool, bool]],
    widths: list[float],
    cell: ParagraphStyle,
    bold: ParagraphStyle,
) -> WholeRowsTable:
    late = ParagraphStyle("ChaseLate", parent=cell, textColor=colors.HexColor("#a4161a"))
    data: list[list[Flowable]] = [[Paragraph(h, bold) for h in HEADERS]]
    for cells, _first, overdue in rows:
        *head, state = cells
        data.append(
            [Paragraph(para_text(t), cell) for t in head]
            + [Paragraph(para_text(state), late if overdue else cell)]
        )
    table = WholeRowsTable(data, colWidths=widths, repeatRows=1)
    style = grid_style()
    for n, (_cells, first, _overdue) in enumerate(rows, start=1):
        if first and n > 1:
            style.add("LINEABOVE", (0, n), (-1, n), 1.2, colors.black)
    table.setStyle(style)
    return table


def meetings_story(
    meetings: tuple[ChaseMeetingLine, ...], styles: StyleSheet1, width: float
) -> list[Flowable]:
    cell, bold = _cell_styles(styles)
    rows = [
        (
            f"{m.meeting}\n{m.written}",
            keep_together(m.when),
            str(m.invited),
            m.without_address or "none",
        )
        for m in meetings
    ]
    widths = column_widths(
        [(h, *(r[n] for r in rows)) for n, h in enumerate(MEETING_HEADERS)],
        MEETING_WEIGHTS,
        width,
        font=cell.fontName,
        size=SIZE,
        padding=13,
        header_font=bold.fontName,
    )
    data: list[list[Flowable]] = [[Paragraph(h, bold) for h in MEETING_HEADERS]]
    data += [[Paragraph(para_text(t), cell) for t in r] for r in rows]
    table = WholeRowsTable(data, colWidths=widths, repeatRows=1)
    table.setStyle(grid_style())
    return [table]
