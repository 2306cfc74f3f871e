"""The audit trail for a date range as a PDF, for the board's auditors (issue 15, point 6).

Landscape A4 in the board's marked frame (`action_log.landscape_report`): the range, who
produced it and where, what each "verified" status means and how many changes have each, then
one section per day (a bookmark each) of tables of CHUNK changes (one huge table lays out slower
than linearly: PLATFORM-NOTES). Every user string goes through `para_text` (escaped). The
document is marked with the highest marking of the records it names.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from itertools import groupby

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle, StyleSheet1
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable

from hescb_desktop.domain.audit import FAILED, NOT_SIGNED, UNPUBLISHED, VERIFIED, AuditEntry
from hescb_desktop.domain.printable import strip_controls
from hescb_desktop.domain.rules import highest_marking
from hescb_desktop.reports.action_log import landscape_report
from hescb_desktop.reports.columns import WholeRowsTable
from hescb_desktop.reports.fonts import REGULAR
from hescb_desktop.reports.frame import anchor_heading, grid_style, key_value_table
from hescb_desktop.reports.text import Paragraph, para_text

HEADERS = ("Time (UTC)", "Person", "Role", "PC", "Record", "Field", "New value", "Verified")
SHARES = (0.07, 0.13, 0.08, 0.12, 0.23, 0.12, 0.17, 0.08)
CHUNK = 14  # about a page: a table that fits is laid out once, not split and wrapped again
SIZE = 7.5
MEANINGS = (
    (VERIFIED, "its PC's signed journal still matches the change log"),
    (NOT_SIGNED, "sent before the board's journal was signed"),
    (UNPUBLISHED, "made on this PC and not yet sent"),
    (FAILED, "the change log no longer matches what its PC signed: investigate"),
)


def audit_title(start: date, end: date) -> str:
    if start == end:
        return f"Audit trail, {start:%d %B %Y}"
    return f"Audit trail, {start:%d %B %Y} to {end:%d %B %Y}"


def _record(e: AuditEntry) -> str:
    name = f"{e.table} {e.row_id.replace('-', '')[-8:]}"
    return f"{name}: {e.title}" if e.title else name


# A cell is a plain table string when it is ASCII on one line that fits its column (a time, a
# role, a PC, a column name, a status, most values and names), else a Paragraph (escaped, wrapped,
# right to left where it must be). A Paragraph is wrapped about eight times in the two-pass build
# and a long trail has hundreds of thousands of cells: plain strings cut its time by half or more.
PADDING = 12  # a table cell's left and right padding (ReportLab's default, 6 + 6)


def _cells(e: AuditEntry) -> tuple[str, ...]:
    return (
        f"{e.at:%H:%M:%S}",
        e.person,
        e.role,
        e.pc,
        _record(e),
        e.field,
        e.value,
        e.verified,
    )


def _row(e: AuditEntry, cell: ParagraphStyle, widths: Sequence[float]) -> list[object]:
    return [_cell(t, w, cell) for t, w in zip(_cells(e), widths, strict=True)]


def _cell(text: str, width: float, style: ParagraphStyle) -> object:
    text = strip_controls(text)
    if text.isascii() and stringWidth(text, REGULAR, SIZE) <= width - PADDING:
        return text
    return Paragraph(para_text(text), style)


def audit_story(
    entries: Sequence[AuditEntry],
    styles: StyleSheet1,
    width: float,
    *,
    facts: Sequence[tuple[str, str]],
) -> list[Flowable]:
    story: list[Flowable] = [key_value_table(facts, styles, width)]
    counted = {status: sum(e.verified == status for e in entries) for status, _ in MEANINGS}
    story.append(Paragraph("", styles["Body"]))
    story.append(
        key_value_table(
            [(f"{s}: {counted[s]:,}", meaning) for s, meaning in MEANINGS], styles, width
        )
    )
    if not entries:
        story.append(Paragraph("No changes are recorded in this range.", styles["Body"]))
        return story
    cell = ParagraphStyle("AuditCell", parent=styles["Cell"], fontSize=SIZE, leading=9)
    bold = ParagraphStyle("AuditHead", parent=styles["CellBold"], fontSize=SIZE, leading=9)
    widths = [share * width for share in SHARES]
    for day, group in groupby(entries, key=lambda e: e.at.date()):
        rows = list(group)
        heading = f"{day:%A %d %B %Y}: {len(rows):,} change{'s' if len(rows) != 1 else ''}"
        story.append(anchor_heading(heading, styles["Heading3"], level=1))
        for start in range(0, len(rows), CHUNK):
            chunk = rows[start : start + CHUNK]
            data: list[list[object]] = [[Paragraph(h, bold) for h in HEADERS]]
            data += [_row(e, cell, widths) for e in chunk]
            table = WholeRowsTable(data, colWidths=widths, repeatRows=1)
            style = grid_style()
            style.add("FONTSIZE", (0, 1), (-1, -1), SIZE)
            style.add("LEADING", (0, 1), (-1, -1), 9)
            for n, e in enumerate(chunk, start=1):
                if e.verified == FAILED:
                    style.add("BACKGROUND", (0, n), (-1, n), colors.HexColor("#fde2e1"))
            table.setStyle(style)
            story.append(table)
    return story


def build_audit_pdf(
    entries: Sequence[AuditEntry],
    *,
    board: str,
    start: date,
    end: date,
    produced: datetime,
    pc: str,
    author: str,
    invariant: bool | None = None,
) -> bytes:
    """The trail of `entries` (changes dated from `start` to `end`, whole UTC days)."""
    title = audit_title(start, end)
    facts = [
        ("Changes", f"{len(entries):,}, dated {start:%d %B %Y} to {end:%d %B %Y} (UTC days)"),
        ("Order", "as the board decides with: the change's clock, then its PC"),
        ("Produced", f"{produced:%d %B %Y %H:%M} UTC on {pc} by {author}"),
    ]
    return landscape_report(
        title=title,
        subject=f"{board} audit trail",
        board=board,
        marking=highest_marking(e.marking for e in entries),
        author=author,
        invariant=invariant,
        story=lambda styles, width: audit_story(entries, styles, width, facts=facts),
    )
