"""A meeting's agenda on its own (issue 14): items with their start times, purpose, presenter and
paper, in the marked frame, without the pack around it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from io import BytesIO

from reportlab.platypus import Flowable, Spacer, Table

from hescb_desktop.domain.enums import Marking
from hescb_desktop.reports.frame import BoardDocument, anchor_heading, board_styles, grid_style
from hescb_desktop.reports.frame import render as render_document
from hescb_desktop.reports.text import Paragraph, para_text

HEADERS = ("Item", "Time", "Title", "Purpose", "Presenter", "Paper")
WIDTHS = (0.08, 0.08, 0.38, 0.14, 0.17, 0.15)  # no word broken inside "Item", "Discussion"


@dataclass(frozen=True)
class AgendaLine:
    number: int
    start: str  # "10:15"
    title: str
    purpose: str  # "Decision", "Noting"...
    presenter: str
    paper: str  # "HESCB 43/26" or ""
    part_two: bool


@dataclass(frozen=True)
class AgendaSheet:
    board: str  # the body: "HESCB"
    title: str  # the meeting's title
    when: str  # "Thursday 12 March 2026, 10:00 to 12:00"
    venue: str
    marking: Marking
    lines: Sequence[AgendaLine]
    public: bool = False  # the public edition (issue 16)
    grounds: Sequence[str] = ()  # the public edition: "Item 11: <why it is exempt>", in order


def agenda_title(sheet: AgendaSheet) -> str:
    public = " (public edition)" if sheet.public else ""
    return f"{sheet.board}: {sheet.title} — agenda{public}"


def _table(lines: Sequence[AgendaLine], width: float) -> Table:
    styles = board_styles()
    head = [Paragraph(h, styles["CellBold"]) for h in HEADERS]
    rows = [head]
    for line in lines:
        texts = (str(line.number), line.start, line.title, line.purpose, line.presenter, line.paper)
        rows.append([Paragraph(para_text(t), styles["Cell"]) for t in texts])
    table = Table(rows, colWidths=[w * width for w in WIDTHS], repeatRows=1)
    table.setStyle(grid_style())
    return table


def _story(sheet: AgendaSheet, width: float) -> list[Flowable]:
    styles = board_styles()
    story: list[Flowable] = [
        anchor_heading(agenda_title(sheet), styles["Heading2"]),
        Paragraph(para_text(sheet.when), styles["Body"]),
    ]
    if sheet.venue:
        story.append(Paragraph(para_text(sheet.venue), styles["Body"]))
    story.append(Spacer(1, 8))
    part_one = [x for x in sheet.lines if not x.part_two]
    part_two = [x for x in sheet.lines if x.part_two]
    story.append(_table(part_one, width) if part_one else Paragraph("No items.", styles["Body"]))
    if part_two:
        story.append(
            anchor_heading("Part II: exempt items (press and public excluded)", styles["Heading3"])
        )
        story.append(_table(part_two, width))
        story += [Paragraph(para_text(ground), styles["Body"]) for ground in sheet.grounds]
    return story


def build_agenda_pdf(sheet: AgendaSheet, *, author: str, invariant: bool | None = None) -> bytes:
    title = agenda_title(sheet)
    doc = BoardDocument(
        BytesIO(),
        marking=sheet.marking,
        title=title,
        subject=f"{sheet.board} agenda",
        footer=f"{sheet.board} · {sheet.title} · {sheet.when}",
        author=author,
        invariant=invariant,
    )
    return render_document(doc, _story(sheet, doc.width), {})
