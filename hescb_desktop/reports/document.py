"""The page frame every report shares: the protective marking at the top and bottom of each page,
"Page N of M", PDF bookmarks and table-of-contents entries for headings."""

from __future__ import annotations

from ast import literal_eval
from pathlib import Path
from typing import IO, Any

from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    PageTemplate,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.tableofcontents import TableOfContents, drawPageNumbers

from hescb_desktop import APP_NAME
from hescb_desktop.domain.enums import Marking
from hescb_desktop.domain.rules import parse_marking
from hescb_desktop.reports.fonts import BOLD, REGULAR, register_fonts
from hescb_desktop.reports.styles import stylesheet
from hescb_desktop.reports.text import Paragraph, para_text

MARGIN = 20 * mm
MARKING_INSET = 9 * mm  # baseline of the marking from the top and bottom edges
MARKING_SIZE = 11
FOOTER_SIZE = 8


class MarkedDocument(BaseDocTemplate):  # type: ignore[misc]  # reportlab has no type hints
    """A4 pages with the marking in capitals, centred, top and bottom, and "Page N of M".

    Build with `render(story)`: it runs `multiBuild` until the page count (and any table of
    contents) is settled, so M is right on every page. Headings made with `heading()` become
    PDF bookmarks and `TOCEntry` notifications for a `TableOfContents` in the story.
    """

    def __init__(
        self,
        target: Path | IO[bytes],
        *,
        marking: Marking | str,
        title: str,
        subject: str = "",
        invariant: bool | None = None,
    ) -> None:
        register_fonts()
        self.marking = parse_marking(str(marking))
        self.page_total: int | None = None
        self._heading_seq = 0
        super().__init__(
            str(target) if isinstance(target, Path) else target,
            pagesize=A4,
            leftMargin=MARGIN,
            rightMargin=MARGIN,
            topMargin=MARGIN,
            bottomMargin=MARGIN,
            title=title,
            subject=subject,
            author=APP_NAME,
            creator=APP_NAME,
            invariant=invariant,
        )
        # the canvas's first font; ReportLab's default (Helvetica) would be set, never embedded
        self.initialFontName = REGULAR
        frame = Frame(self.leftMargin, self.bottomMargin, self.width, self.height, id="body")
        self.addPageTemplates([PageTemplate(id="marked", frames=[frame], onPage=self._decorate)])

    def render(self, story: list[Flowable]) -> int:
        """Lay out and write `story`; returns the number of pages."""
        self.multiBuild(story)
        assert self.page_total is not None
        return self.page_total

    def handle_documentBegin(self) -> None:  # noqa: N802  (ReportLab's name)
        self._heading_seq = 0  # each multiBuild pass makes the same bookmark keys
        super().handle_documentBegin()

    def afterFlowable(self, flowable: Flowable) -> None:  # noqa: N802  (ReportLab's name)
        level = getattr(flowable, "toc_level", None)
        if level is None:
            return
        # the text as typed (getPlainText() has Arabic in its joined forms): viewers lay out
        # bookmarks themselves
        text = getattr(flowable, "toc_text", None) or flowable.getPlainText()
        key = f"h{self._heading_seq}"
        self._heading_seq += 1
        self.canv.bookmarkPage(key)
        self.canv.addOutlineEntry(text, key, level=level, closed=level > 0)
        self.canv.showOutline()  # the reader opens with the bookmarks shown (UseOutlines)
        if not getattr(flowable, "toc_listed", True):  # a bookmark only (the contents itself)
            return
        # the contents entry is Paragraph markup: escape the text (the bookmark takes it plain)
        self.notify("TOCEntry", (level, para_text(text), self.page, key))

    def _allSatisfied(self) -> bool:  # noqa: N802  (ReportLab's name)
        """One more pass whenever the page count changed, so "of M" is never a guess."""
        if self.page_total != self.page:
            self.page_total = self.page
            return False
        return bool(super()._allSatisfied())

    def _decorate(self, canvas: Canvas, doc: Any) -> None:
        width, height = self.pagesize
        marking = self.marking.value.upper()
        canvas.saveState()
        canvas.setFont(BOLD, MARKING_SIZE)
        canvas.drawCentredString(width / 2, height - MARKING_INSET - MARKING_SIZE, marking)
        canvas.drawCentredString(width / 2, MARKING_INSET, marking)
        canvas.setFont(REGULAR, FOOTER_SIZE)
        canvas.drawRightString(width - self.rightMargin, MARKING_INSET + 6 * mm, self._page_label())
        canvas.restoreState()

    def _page_label(self) -> str:
        page = self.page
        return f"Page {page} of {self.page_total}" if self.page_total else f"Page {page}"


def heading(text: str, style: ParagraphStyle, level: int = 0) -> Paragraph:
    """A heading of user text that goes into the bookmarks and any table of contents."""
    para = Paragraph(para_text(text), style)
    para.toc_text = text
    para.toc_level = level
    return para


class Contents(TableOfContents):  # type: ignore[misc]  # reportlab has no type hints
    """ReportLab's TableOfContents with its entries as `reports.text.Paragraph`: a right-to-left
    title prints in display order (its words wrapped in logical order), and every row keeps
    the left-to-right layout of the contents: title, dots, page number.

    `wrap` is ReportLab's (4.x-5.x) with only the entry paragraph's class changed."""

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        entries = self._lastEntries or [(0, "Placeholder for table of contents", 0, None)]

        def draw_entry_end(canvas: Canvas, kind: str, label: str) -> None:
            page_text, level_text, key_text = label.split(",")
            level = int(level_text)
            style = self.getLevelStyle(level)
            dot = " . " if 0 <= self.dotsMinLevel <= level else ""
            page: Any = int(page_text)
            if self.formatter:
                page = self.formatter(page)
            key = literal_eval(key_text)
            drawPageNumbers(canvas, style, [(page, key)], avail_width, avail_height, dot)

        self.canv.setNamedCB("drawTOCEntryEnd", draw_entry_end)
        rows: list[list[Flowable]] = []
        for level, text, page, key in entries:
            style = self.getLevelStyle(level)
            key_label = None
            if key:
                text = f'<a href="#{key}">{text}</a>'
                key_label = repr(key).replace(",", "\\x2c").replace('"', "\\x2c")
            label = f"{page},{level},{key_label}"
            markup = f'{text}<onDraw name="drawTOCEntryEnd" label="{label}"/>'
            if style.spaceBefore:
                rows.append([Spacer(1, style.spaceBefore)])
            rows.append([Paragraph(markup, style, direction="LTR")])
        self._table = Table(rows, colWidths=(avail_width,), style=self.tableStyle)
        self.width, self.height = self._table.wrapOn(self.canv, avail_width, avail_height)
        return self.width, self.height


def table_of_contents(levels: int = 2) -> TableOfContents:
    """A table of contents (in DejaVu Sans) that `heading()`s fill in with their page numbers."""
    base = stylesheet()["Normal"]
    # the contents table's own cells (dots, page numbers) in DejaVu too, not Helvetica
    toc = Contents(tableStyle=TableStyle([("FONTNAME", (0, 0), (-1, -1), REGULAR)]))
    toc.levelStyles = [
        ParagraphStyle(f"TOC{n}", parent=base, leftIndent=12 * n, firstLineIndent=0)
        for n in range(levels)
    ]
    return toc
