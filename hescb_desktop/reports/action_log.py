"""The action log as a table (on its own, or in a board pack)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from io import BytesIO

from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle, StyleSheet1
from reportlab.platypus import Flowable

from hescb_desktop.domain.enums import Marking
from hescb_desktop.domain.rules import highest_marking
from hescb_desktop.reports.columns import WholeRowsTable, column_widths, keep_together
from hescb_desktop.reports.content import ActionRow
from hescb_desktop.reports.frame import (
    BoardDocument,
    anchor_heading,
    board_styles,
    grid_style,
    render,
)
from hescb_desktop.reports.text import Paragraph, para_text

HEADERS = ("Ref", "Raised", "Source", "Action", "Owner", "Due", "Status", "Latest update")
# how the width left once every column holds its longest word is shared: running text only
WEIGHTS = (0, 0, 0.14, 0.36, 0.1, 0.12, 0.0, 0.28)
CHUNK = 40  # rows per table: one huge table lays out slower than linearly (PLATFORM-NOTES)
SIZE = 7.5
PADDING = 3  # each side of a cell


def _d(day: date | None) -> str:
    return keep_together(f"{day:%d %b %Y}") if day else ""


def _cells(a: ActionRow) -> tuple[str, ...]:
    due = _d(a.due)
    if a.revised_due:
        due += f"\nrevised {_d(a.revised_due)}"
        if a.revision_reason:
            due += f" ({a.revision_reason})"
    status = keep_together(a.status) if len(a.status) <= 12 else a.status
    status += f"\n{_d(a.completed_on)}" if a.completed_on else ""
    return (
        a.reference,
        _d(a.raised_on),
        a.source,
        a.description,
        a.owner,
        due,
        status,
        a.latest_update,
    )


def action_table_story(
    actions: Sequence[ActionRow], styles: StyleSheet1, width: float
) -> list[Flowable]:
    """The actions as tables of CHUNK rows: the columns as wide as their longest word (a
    reference, a date, "progress" is never broken inside), a row never cut across pages."""
    if not actions:
        return [Paragraph("There are no open actions.", styles["Body"])]
    cell = ParagraphStyle("ActionCell", parent=styles["Cell"], fontSize=SIZE, leading=9)
    bold = ParagraphStyle("ActionHead", parent=styles["CellBold"], fontSize=SIZE, leading=9)
    header = [Paragraph(h, bold) for h in HEADERS]
    rows = [_cells(a) for a in actions]
    widths = column_widths(
        [(h, *(r[n] for r in rows)) for n, h in enumerate(HEADERS)],
        WEIGHTS,
        width,
        font=cell.fontName,
        size=SIZE,
        padding=2 * PADDING + 1,
        header_font=bold.fontName,
    )
    story: list[Flowable] = []
    for start in range(0, len(rows), CHUNK):
        data = [header]
        data += [[Paragraph(para_text(t), cell) for t in r] for r in rows[start : start + CHUNK]]
        table = WholeRowsTable(data, colWidths=widths, repeatRows=1)
        style = grid_style()
        style.add("LEFTPADDING", (0, 0), (-1, -1), PADDING)
        style.add("RIGHTPADDING", (0, 0), (-1, -1), PADDING)
        table.setStyle(style)
        story.append(table)
    return story


def build_action_log_pdf(
    actions: Sequence[ActionRow],
    *,
    board: str,
    title: str,
    author: str,
    invariant: bool | None = None,
) -> bytes:
    return landscape_report(
        title=title,
        subject=f"{board} action log",
        board=board,
        marking=highest_marking(a.marking for a in actions),
        author=author,
        invariant=invariant,
        story=lambda styles, width: action_table_story(actions, styles, width),
    )


def landscape_report(
    *,
    title: str,
    subject: str,
    board: str,
    marking: Marking,
    author: str,
    invariant: bool | None,
    story: Callable[[StyleSheet1, float], list[Flowable]],
) -> bytes:
    """A stand-alone landscape A4 document (the action log, the highlight report): the marked
    frame, the title as its first heading, then `story(styles, width)`."""
    out = BytesIO()
    doc = BoardDocument(
        out,
        marking=marking,
        title=title,
        subject=subject,
        footer=f"{board} · {title}",
        author=author,
        invariant=invariant,
    )
    doc.pagesize = landscape(A4)
    _landscape(doc)
    styles = board_styles()
    flowables = [anchor_heading(title, styles["Heading2"]), *story(styles, doc.width)]
    return render(doc, flowables, {})


def _landscape(doc: BoardDocument) -> None:
    """Re-make the page frame for landscape A4 (the action log is wide)."""
    from reportlab.platypus import Frame, PageTemplate

    doc.width = doc.pagesize[0] - doc.leftMargin - doc.rightMargin
    doc.height = doc.pagesize[1] - doc.topMargin - doc.bottomMargin
    frame = Frame(doc.leftMargin, doc.bottomMargin, doc.width, doc.height, id="body")
    doc.pageTemplates = []
    doc.addPageTemplates([PageTemplate(id="marked", frames=[frame], onPage=doc._decorate)])
