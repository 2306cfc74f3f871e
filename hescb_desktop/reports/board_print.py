"""The planning board and its roadmap as a landscape PDF, the marking on every page.

The board: one column per stage, a card per objective (lead colour down the left, RAG in words
on its colour, partners, SRO, next milestone, open and overdue actions, the marking when
sensitive), split across pages row by row with the stage names repeated. The roadmap: quarters
across, a bar per objective from start to target in its RAG colour, milestones as diamonds, a
today line and the dependencies drawn (those between rows on the same page).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    Frame,
    PageBreak,
    PageTemplate,
    Spacer,
    Table,
    TableStyle,
)

from hescb_desktop.domain import labels
from hescb_desktop.domain.board import BoardCard
from hescb_desktop.domain.colours import NEUTRAL, PARTNER_COLOURS, RAG_COLOURS, RAG_INK
from hescb_desktop.domain.roadmap import BoardPrint, Roadmap
from hescb_desktop.reports.document import FOOTER_SIZE, MARKING_INSET, MarkedDocument, heading
from hescb_desktop.reports.fonts import BOLD, REGULAR
from hescb_desktop.reports.styles import stylesheet
from hescb_desktop.reports.text import Paragraph, draw_line, fit_line, para_text

TITLE = "HESCB planning board"
PARTNER = PARTNER_COLOURS
RAG = RAG_COLOURS  # as on screen
OVERDUE = "#b3261e"
ROADMAP_ROWS = 22  # objectives per roadmap page


class LandscapeDocument(MarkedDocument):
    """The shared marked page frame, turned to A4 landscape, with `footer` (the title and
    date) on the left of "Page N of M"."""

    def __init__(self, target: Path | IO[bytes], footer: str = "", **kwargs: Any) -> None:
        super().__init__(target, **kwargs)
        self.footer = " ".join(footer.split())
        self.pagesize = landscape(A4)
        self._calc()  # width and height of the frame from the new page size
        frame = Frame(self.leftMargin, self.bottomMargin, self.width, self.height, id="body")
        self.pageTemplates: list[PageTemplate] = []
        self.addPageTemplates(
            [
                PageTemplate(
                    id="marked", frames=[frame], onPage=self._decorate, pagesize=self.pagesize
                )
            ]
        )

    def _decorate(self, canvas: Canvas, doc: Any) -> None:
        super()._decorate(canvas, doc)
        if not self.footer:
            return
        room = self.width - stringWidth("Page 0000 of 0000", REGULAR, FOOTER_SIZE) - 6 * mm
        canvas.saveState()
        text = fit_line(self.footer, room, REGULAR, FOOTER_SIZE)
        draw_line(canvas, self.leftMargin, MARKING_INSET + 6 * mm, text, REGULAR, FOOTER_SIZE)
        canvas.restoreState()


def write_board_pdf(data: BoardPrint, target: Path | IO[bytes]) -> int:
    """Board then roadmap; returns the number of pages."""
    doc = LandscapeDocument(
        target,
        footer=board_footer(data),
        marking=data.marking,
        title=TITLE,
        subject="Board and roadmap",
    )
    return doc.render(_story(data, doc.width))


def board_footer(data: BoardPrint) -> str:
    return f"{TITLE} and roadmap · as at {data.today.day} {data.today:%B %Y}"


def _story(data: BoardPrint, width: float) -> list[Flowable]:
    st = _styles()
    intro = f"As at {data.today:%d %B %Y} · {len(data.cards)} objectives"
    if data.note:
        intro += f" · {data.note}"
    story: list[Flowable] = [
        heading("Planning board", st["h1"]),
        Paragraph(para_text(intro), st["meta"]),
        Spacer(1, 3 * mm),
        _board_table(data, width, st),
        PageBreak(),
        heading("Roadmap", st["h1"]),
        Paragraph(para_text(_roadmap_intro(data)), st["meta"]),
        Spacer(1, 3 * mm),
    ]
    rows = data.roadmap.rows
    if not rows:
        story.append(Paragraph("No objective has a start or target date yet.", st["text"]))
    for n, (first, count) in enumerate(roadmap_pages(data.roadmap)):
        if n:
            story.append(PageBreak())
        story.append(RoadmapChart(data.roadmap, first, count, width))
    return story


def roadmap_pages(roadmap: Roadmap) -> list[tuple[int, int]]:
    """(first row, rows) of each roadmap page: as many rows as fit ROADMAP_ROWS plain rows'
    height (a title on two or three lines makes its row taller)."""
    budget = ROADMAP_ROWS * RoadmapChart.ROW_H
    pages: list[tuple[int, int]] = []
    first, used = 0, 0.0
    for n, row in enumerate(roadmap.rows):
        height = RoadmapChart.row_height(row.card.title)
        if n > first and used + height > budget:
            pages.append((first, n - first))
            first, used = n, 0.0
        used += height
    if first < len(roadmap.rows):
        pages.append((first, len(roadmap.rows) - first))
    return pages


def _roadmap_intro(data: BoardPrint) -> str:
    return (
        "Bars run from start to target date in the objective's overall RAG colour; "
        "diamonds are milestones (filled: done); arrows are dependencies; the red line is today "
        f"({data.today:%d %b %Y}). Quarters are financial (Q1 = April to June)."
    )


def _styles() -> dict[str, ParagraphStyle]:
    base = stylesheet()
    normal = base["Normal"]
    return {
        "h1": ParagraphStyle("BoardH1", parent=base["Heading1"], fontSize=16, spaceAfter=2),
        "meta": ParagraphStyle("BoardMeta", parent=normal, fontSize=9, textColor="#4a5362"),
        "text": ParagraphStyle("BoardText", parent=normal, fontSize=9),
        "col": ParagraphStyle(
            "BoardCol", parent=normal, fontName=BOLD, fontSize=10, textColor=colors.white
        ),
        "title": ParagraphStyle(
            "CardTitle", parent=normal, fontName=BOLD, fontSize=8.5, leading=10.2
        ),
        "line": ParagraphStyle(
            "CardLine", parent=normal, fontSize=7.3, leading=9, textColor="#333b47"
        ),
    }


# ------------------------------------------------------------------ the board
def _board_table(data: BoardPrint, width: float, st: dict[str, ParagraphStyle]) -> Table:
    columns = {
        s: sorted((c for c in data.cards if c.stage == s), key=BoardCard.sort_key)
        for s in data.stages
    }
    col_w = width / max(len(data.stages), 1)
    header = [Paragraph(para_text(f"{s} ({len(columns[s])})"), st["col"]) for s in data.stages]
    depth = max((len(v) for v in columns.values()), default=0)
    rows: list[list[Any]] = [header]
    for n in range(depth):
        rows.append(
            [
                _card(columns[s][n], col_w - 4, data, st) if n < len(columns[s]) else ""
                for s in data.stages
            ]
        )
    if depth == 0:
        rows.append(["" for _ in data.stages])
    table = Table(rows, colWidths=[col_w] * len(data.stages), repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#2b3442")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 2),
                ("RIGHTPADDING", (0, 0), (-1, -1), 2),
                ("TOPPADDING", (0, 1), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 1), (-1, -1), 2),
                ("BACKGROUND", (0, 1), (-1, -1), colors.HexColor("#eef1f5")),
                ("LINEAFTER", (0, 0), (-2, -1), 0.5, colors.white),
            ]
        )
    )
    return table


def _card(card: BoardCard, width: float, data: BoardPrint, st: dict[str, ParagraphStyle]) -> Any:
    lead = colors.HexColor(PARTNER.get(card.lead_code, card.lead_colour or NEUTRAL))
    rag_ink = RAG_INK[card.rag]
    rag_word = labels.rag_label(card.rag).upper() + (" (override)" if card.overridden else "")
    who = " · ".join(x for x in (card.lead_code, ", ".join(card.partner_codes)) if x)
    lines: list[Any] = [
        [Paragraph(para_text(card.title), st["title"])],
        [_rag_line(rag_word, rag_ink, who, st)],
        [Paragraph(para_text(_who(card)), st["line"])],
        [_milestone_line(card, data, st)],
        [_actions_line(card, st)],
    ]
    if card.sensitive:
        lines.append(
            [
                Paragraph(
                    f'<font color="#8a1c1c"><b>{para_text(card.marking.value)}</b></font>',
                    st["line"],
                )
            ]
        )
    inner = Table(lines, colWidths=[width - 6])
    inner.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, -1), colors.white),
                ("LINEBEFORE", (0, 0), (0, -1), 4, lead),
                ("BOX", (0, 0), (-1, -1), 0.4, colors.HexColor("#c9cfd8")),
                ("BACKGROUND", (0, 1), (0, 1), colors.HexColor(RAG[card.rag])),
                ("LEFTPADDING", (0, 0), (-1, -1), 5),
                ("TOPPADDING", (0, 0), (-1, -1), 1.2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1.2),
            ]
        )
    )
    return inner


def _who(card: BoardCard) -> str:
    sro = f"SRO: {card.sro}" if card.sro else "No SRO"
    if card.is_workstream:
        return f"Workstream of {card.workstream_of or 'an objective'} · {sro}"
    return sro


def _rag_line(word: str, ink: str, who: str, st: dict[str, ParagraphStyle]) -> Paragraph:
    text = f'<font color="{ink}"><b>{para_text(word)}</b>'
    if who:
        text += f"   {para_text(who)}"
    return Paragraph(text + "</font>", st["line"])


def _milestone_line(card: BoardCard, data: BoardPrint, st: dict[str, ParagraphStyle]) -> Any:
    if not card.next_milestone:
        return Paragraph("No milestone due", st["line"])
    when = card.next_milestone_date
    text = para_text(f"Next: {card.next_milestone}")
    if when is not None:
        text = f"<b>{when:%d %b %Y}</b> · {text}"
        if when < data.today:
            text = f'<font color="{OVERDUE}">{text} (late)</font>'
    return Paragraph(text, st["line"])


def _actions_line(card: BoardCard, st: dict[str, ParagraphStyle]) -> Paragraph:
    text = f"Actions: {card.open_actions} open"
    if card.overdue_actions:
        text += f', <font color="{OVERDUE}"><b>{card.overdue_actions} overdue</b></font>'
    return Paragraph(text, st["line"])


# ------------------------------------------------------------------ the roadmap
class RoadmapChart(Flowable):  # type: ignore[misc]  # reportlab has no type hints
    """Rows `first` to `first + count` of the roadmap, drawn on one page with the axis."""

    LABEL_W = 62 * mm
    HEAD_H = 9 * mm
    ROW_H = 6.6 * mm
    LABEL_SIZE = 7.5
    LABEL_LEADING = 8.6
    LABEL_LINES = 4  # a longer title (hundreds of letters) ends with an ellipsis

    def __init__(self, roadmap: Roadmap, first: int, count: int, width: float) -> None:
        super().__init__()
        self.roadmap = roadmap
        self.rows = roadmap.rows[first : first + count]
        self.first = first
        self.width = width
        self.labels = [self.label_lines(row.card.title) for row in self.rows]
        self.tops: list[float] = []  # each row's top, down from the axis
        top = 0.0
        for lines in self.labels:
            self.tops.append(top)
            top += self._height(len(lines))
        self.rows_h = top
        self.height = self.HEAD_H + top + 2

    @classmethod
    def label_lines(cls, title: str) -> list[str]:
        """The title wrapped to the label column (whole, up to LABEL_LINES lines)."""
        room = cls.LABEL_W - 5 * mm
        text = " ".join(title.split())
        lines = simpleSplit(text, REGULAR, cls.LABEL_SIZE, room) or [""]
        if len(lines) > cls.LABEL_LINES:
            rest = " ".join(lines[cls.LABEL_LINES - 1 :])
            lines = [*lines[: cls.LABEL_LINES - 1], rest]
        return [fit_line(line, room, REGULAR, cls.LABEL_SIZE) for line in lines]

    @classmethod
    def _height(cls, lines: int) -> float:
        return float(max(cls.ROW_H, lines * cls.LABEL_LEADING + 4))

    @classmethod
    def row_height(cls, title: str) -> float:
        return cls._height(len(cls.label_lines(title)))

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        return self.width, self.height

    def _x(self, fraction: float) -> float:
        return float(self.LABEL_W + fraction * (self.width - self.LABEL_W))

    def _y(self, n: int) -> float:  # centre of row n (0 = top row of this page)
        return float(self.height - self.HEAD_H - self.tops[n] - self._row_h(n) / 2)

    def _row_h(self, n: int) -> float:
        return self._height(len(self.labels[n]))

    def draw(self) -> None:
        c = self.canv
        self._axis(c)
        for n, row in enumerate(self.rows):
            self._row(c, n, row)
        self._links(c)
        self._today(c)

    def _axis(self, c: Any) -> None:
        quarters = self.roadmap.quarters
        span = self.width - self.LABEL_W
        for n, q in enumerate(quarters):
            x = self.LABEL_W + span * n / len(quarters)
            w = span / len(quarters)
            if n % 2:
                c.setFillColor(colors.HexColor("#f1f3f6"))
                c.rect(x, 0, w, self.height - self.HEAD_H, stroke=0, fill=1)
            c.setStrokeColor(colors.HexColor("#c9cfd8"))
            c.line(x, 0, x, self.height)
            c.setFillColor(colors.HexColor("#1d2430"))
            c.setFont(BOLD, 8)
            top = self.height - self.HEAD_H
            if c.stringWidth(q.label, BOLD, 8) < w - 2:
                c.drawCentredString(x + w / 2, top + 3 * mm, q.label)
            else:  # narrow quarters: "Q2" over "24/25"
                quarter, year = q.label.split(" ")
                c.drawCentredString(x + w / 2, top + 5 * mm, quarter)
                c.setFont(REGULAR, 6.5)
                c.drawCentredString(x + w / 2, top + 1.8 * mm, year)

    def _row(self, c: Any, n: int, row: Any) -> None:
        y = self._y(n)
        card: BoardCard = row.card
        h = self._row_h(n)
        c.setFillColor(colors.HexColor(PARTNER.get(card.lead_code, card.lead_colour or NEUTRAL)))
        c.rect(0, y - h / 2 + 1, 1.6 * mm, h - 2, stroke=0, fill=1)
        c.setFillColor(colors.HexColor("#1d2430"))
        lines = self.labels[n]
        first = y + (len(lines) - 1) * self.LABEL_LEADING / 2 - 2.6
        for k, line in enumerate(lines):
            draw_line(c, 3 * mm, first - k * self.LABEL_LEADING, line, REGULAR, self.LABEL_SIZE)
        x0 = self._x(self.roadmap.fraction(row.start))
        x1 = max(self._x(self.roadmap.fraction(row.end)), x0 + 2)
        c.setFillColor(colors.HexColor(RAG[card.rag]))
        c.roundRect(x0, y - 2 * mm, x1 - x0, 4 * mm, 1.2 * mm, stroke=0, fill=1)
        for m in row.milestones:
            self._diamond(c, self._x(self.roadmap.fraction(m.due_date)), y, m.done)
        c.setStrokeColor(colors.HexColor("#e1e5eb"))
        c.line(0, y - h / 2, self.width, y - h / 2)

    def _diamond(self, c: Any, x: float, y: float, done: bool) -> None:
        r = 1.8 * mm
        path = c.beginPath()
        path.moveTo(x, y + r)
        path.lineTo(x + r, y)
        path.lineTo(x, y - r)
        path.lineTo(x - r, y)
        path.close()
        c.setStrokeColor(colors.HexColor("#1d2430"))
        c.setFillColor(colors.HexColor("#1d2430") if done else colors.white)
        c.drawPath(path, stroke=1, fill=1)

    def _links(self, c: Any) -> None:
        here = range(self.first, self.first + len(self.rows))
        c.setStrokeColor(colors.HexColor("#3d4654"))
        c.setLineWidth(0.8)
        for src, dst in self.roadmap.links:
            if src not in here or dst not in here:
                continue
            a, b = self.roadmap.rows[src], self.roadmap.rows[dst]
            x0, y0 = self._x(self.roadmap.fraction(a.end)), self._y(src - self.first)
            x1, y1 = self._x(self.roadmap.fraction(b.start)), self._y(dst - self.first)
            bend = max(6 * mm, abs(x1 - x0) / 2)
            path = c.beginPath()
            path.moveTo(x0, y0)
            path.curveTo(x0 + bend, y0, x1 - bend, y1, x1, y1)
            c.drawPath(path, stroke=1, fill=0)
            head = c.beginPath()
            head.moveTo(x1, y1)
            head.lineTo(x1 - 1.8 * mm, y1 + 1.1 * mm)
            head.lineTo(x1 - 1.8 * mm, y1 - 1.1 * mm)
            head.close()
            c.setFillColor(colors.HexColor("#3d4654"))
            c.drawPath(head, stroke=0, fill=1)

    def _today(self, c: Any) -> None:
        x = self._x(self.roadmap.fraction(self.roadmap.today))
        c.setStrokeColor(colors.HexColor("#c8102e"))
        c.setLineWidth(1.2)
        c.setDash(3, 2)
        c.line(x, 0, x, self.height - self.HEAD_H + 1 * mm)
        c.setDash()
        c.setFillColor(colors.HexColor("#c8102e"))
        c.setFont(BOLD, 7)
        c.drawString(x + 1 * mm, self.height - self.HEAD_H - 3 * mm, "Today")


__all__: Sequence[str] = ("TITLE", "write_board_pdf")
