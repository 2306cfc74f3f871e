"""The copies register (issue 16, point 3): who has which numbered copy of each pack with
restricted items, when it was issued, and when it was returned or destroyed. One table a pack,
in the board's document frame, marked like the most restricted pack it lists."""

from __future__ import annotations

from io import BytesIO

from reportlab.lib.styles import ParagraphStyle, StyleSheet1
from reportlab.platypus import Flowable

from hescb_desktop.domain.rules import highest_marking
from hescb_desktop.reports.columns import WholeRowsTable, column_widths, keep_together
from hescb_desktop.reports.content import CopyLine, CopyRegisterContent, CopyRegisterPack
from hescb_desktop.reports.frame import (
    BoardDocument,
    anchor_heading,
    board_styles,
    grid_style,
    render,
)
from hescb_desktop.reports.text import Paragraph, para_text

HEADERS = ("Copy", "Issued to", "Issued", "Returned", "Destroyed", "State")
WEIGHTS = (0, 1.0, 0, 0, 0, 0)  # the name takes what the dates leave
CHUNK = 40  # rows per table (PLATFORM-NOTES: one huge table lays out slower than linearly)
SIZE = 8
WIDEST_STAMP = "28 Sep 2026 23:59"


def build_copies_register_pdf(
    register: CopyRegisterContent, *, author: str, invariant: bool | None = None
) -> bytes:
    out = BytesIO()
    doc = BoardDocument(
        out,
        marking=highest_marking(p.marking for p in register.packs),
        title=register.title,
        subject=f"{register.board} numbered copies of restricted packs",
        footer=register.title,
        footer_tail=f"as at {register.as_at}",
        author=author,
        invariant=invariant,
    )
    styles = board_styles()
    story: list[Flowable] = [
        anchor_heading(register.title, styles["Heading1"]),
        Paragraph(para_text(f"As at {register.as_at}."), styles["Body"]),
    ]
    if not register.packs:
        story.append(Paragraph("No numbered copies have been issued.", styles["Body"]))
    for pack in register.packs:
        story += pack_story(pack, styles, doc.width)
    return render(doc, story, {})


def pack_story(pack: CopyRegisterPack, styles: StyleSheet1, width: float) -> list[Flowable]:
    """One pack's heading, its marking and counts, and its copies as tables of CHUNK rows."""
    held = sum(1 for c in pack.copies if c.state == "issued")
    issued = f"{len(pack.copies)} {'copy' if len(pack.copies) == 1 else 'copies'} issued"
    story: list[Flowable] = [
        anchor_heading(pack.title, styles["Heading2"], level=1),
        Paragraph(para_text(f"{pack.when} · marked {pack.marking.value}"), styles["Body"]),
        Paragraph(para_text(f"{issued}, {held} still held."), styles["Body"]),
    ]
    cell = ParagraphStyle("CopyCell", parent=styles["Cell"], fontSize=SIZE, leading=10)
    bold = ParagraphStyle("CopyHead", parent=styles["CellBold"], fontSize=SIZE, leading=10)
    rows = [_cells(c) for c in pack.copies]
    # every pack's table alike: the date columns as wide as the widest date could be
    wide = WIDEST_STAMP
    sample = _cells(CopyLine(99, 99, "", wide, wide, wide, "destroyed"))
    widths = column_widths(
        [(h, sample[n], *(r[n] for r in rows)) for n, h in enumerate(HEADERS)],
        WEIGHTS,
        width,
        font=cell.fontName,
        size=SIZE,
        padding=13,
        header_font=bold.fontName,
    )
    for start in range(0, len(rows), CHUNK):
        data: list[list[Flowable]] = [[Paragraph(h, bold) for h in HEADERS]]
        data += [[Paragraph(para_text(t), cell) for t in r] for r in rows[start : start + CHUNK]]
        table = WholeRowsTable(data, colWidths=widths, repeatRows=1)
        table.setStyle(grid_style())
        story.append(table)
    return story


def _cells(c: CopyLine) -> tuple[str, ...]:
    return (
        keep_together(f"{c.number} of {c.of_total}"),
        c.issued_to,
        keep_together(c.issued),
        keep_together(c.returned),
        keep_together(c.destroyed),
        c.state,
    )
