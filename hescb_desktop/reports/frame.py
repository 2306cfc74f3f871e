"""The frame of every board document: marked, numbered pages with the board and meeting in the
footer, a DRAFT watermark until published, attached PDF pages numbered in the same sequence,
and an agenda whose page ranges are read from where each item really starts.

Attached PDFs go in as placeholder pages (`AttachedPage`): ReportLab lays them out and numbers
them like any other page (so "Page N of M", the contents, links and bookmarks count them), then
`stamp_attachments` draws each attached page, scaled to fit between the banners, underneath
the placeholder's banner, footer and watermark (pypdf).

A numbered copy (issue 16, point 3) carries its label ("Copy 3 of 7 – issued to ACC R. Shah")
on a footer line of its own, above the board and meeting, on every restricted page: every page
when the whole document is restricted (a Part II pack), else each page holding anything between
`RestrictedPages(True)` and `RestrictedPages(False)` in the story (an OFFICIAL-SENSITIVE paper
and its attached pages, whose placeholders carry the footer the attached page is drawn under).
The footer is drawn when a page ends, once what it holds is known; on a labelled page the board
and meeting keep to one line (the date and time whole), so the label never reaches the body.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import IO, Any

from pypdf import PageObject, PdfReader, PdfWriter
from pypdf.errors import PdfReadError
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    FloatObject,
    NameObject,
)
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.styles import ParagraphStyle, StyleSheet1
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, KeepTogether, Table, TableStyle
from reportlab.platypus.doctemplate import ActionFlowable, BaseDocTemplate, IndexingFlowable
from reportlab.platypus.flowables import PageBreak, PageBreakIfNotEmpty
from reportlab.platypus.tableofcontents import TableOfContents

from hescb_desktop.domain.enums import Marking
from hescb_desktop.reports.columns import column_widths, keep_together
from hescb_desktop.reports.content import AttachedPdf
from hescb_desktop.reports.document import FOOTER_SIZE, MARKING_INSET, MarkedDocument
from hescb_desktop.reports.document import Contents as DocumentContents
from hescb_desktop.reports.fonts import BOLD, REGULAR
from hescb_desktop.reports.styles import stylesheet
from hescb_desktop.reports.text import Paragraph, draw_line, fit_line, para_text, text_width

# pypdf warns (through logging) about every flaw of a damaged file; without a handler Python
# prints those on stderr. The user gets one message naming the file instead.
logging.getLogger("pypdf").addHandler(logging.NullHandler())

FOOTER_Y = MARKING_INSET + 6 * mm
FOOTER_SIZES = (FOOTER_SIZE, 7.5, 7.0)  # a footer too long for the first is set smaller
FOOTER_LEADING = 1.5  # points between footer lines, besides the type size
# Where an attached page is drawn: clear of the marking banners and the footer.
ATTACH_BOX = (10 * mm, 22 * mm, 10 * mm, 17 * mm)  # left, bottom, right, top insets


class BuildCancelledError(Exception):
    """The user cancelled a build: nothing is written."""


class AttachmentError(Exception):
    """An attached file cannot go in a document (not a PDF, encrypted or corrupt)."""


Progress = Callable[[float, str], None]
Cancel = Callable[[], bool]


def board_styles() -> StyleSheet1:
    sheet = stylesheet()
    base = sheet["Normal"]
    sheet.add(ParagraphStyle("Body", parent=base, fontSize=10, leading=13, spaceAfter=5))
    sheet.add(
        ParagraphStyle("CoverTitle", parent=sheet["Title"], fontSize=22, leading=27, spaceAfter=10)
    )
    sheet.add(ParagraphStyle("Centre", parent=base, alignment=TA_CENTER, fontSize=12, leading=16))
    sheet.add(
        ParagraphStyle("Divider", parent=sheet["Title"], fontSize=20, leading=25, spaceBefore=120)
    )
    sheet.add(ParagraphStyle("CellBold", parent=sheet["Cell"], fontName=BOLD))
    sheet.add(ParagraphStyle("Notice", parent=base, fontName=BOLD, fontSize=11, leading=14))
    sheet.add(
        ParagraphStyle(
            "ItemNote", parent=sheet["Body"], spaceAfter=10, textColor=colors.HexColor("#4a5563")
        )
    )
    for name in ("Heading1", "Heading2", "Heading3", "Divider"):
        sheet[name].keepWithNext = 1  # never left alone at the foot of a page
    return sheet


class KeepHeadingWithNext(KeepTogether):  # type: ignore[misc]  # reportlab has no type hints
    """What a heading (`keepWithNext`) is kept with: the heading moves to the next page unless
    the start of what follows fits under it (two lines of a paragraph, a table's first row);
    a long table or paragraph is not pushed whole to the next page as KeepTogether would."""

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        # nothing measured here (KeepTogether lays out everything it holds): split() decides
        self._wrapInfo = (avail_width, avail_height)
        return avail_width, 0xFFFFFF

    def split(self, avail_width: float, avail_height: float) -> list[Flowable]:
        content = list(self._content)
        *heads, last = content
        frame = getattr(self, "_frame", None)
        if frame is not None and getattr(frame, "_atTop", False):
            # at the top of a page nothing is gained by moving it; the null action lets the
            # frame split a heading taller than the page (ReportLab adds a first piece unsplit)
            return [self.NullActionFlowable(), *content]
        used = 0.0
        for flowable in heads:
            used += flowable.wrapOn(self.canv, avail_width, avail_height)[1]
            used += flowable.getSpaceAfter() + flowable.getSpaceBefore()
        room = avail_height - used - last.getSpaceBefore()
        style = getattr(last, "style", None)
        if isinstance(last, Paragraph) and style is not None:
            # two lines (or the whole of a one-line paragraph) fit: the frame splits the rest
            if room >= 2 * style.leading + 1:
                return content
        elif room > 0:
            height = last.wrapOn(self.canv, avail_width, room)[1]
            if height <= room:
                return content
            parts = last.splitOn(self.canv, avail_width, room)
            if len(parts) >= 2:
                return [*heads, *parts]
        return [self.FrameBreak(), *content]


class BoardDocument(MarkedDocument):
    """A MarkedDocument with the board and meeting in the footer, an optional DRAFT watermark,
    attached-page placeholders and agenda page ranges."""

    def __init__(
        self,
        target: Path | IO[bytes],
        *,
        marking: Marking | str,
        title: str,
        subject: str,
        footer: str,
        author: str,
        footer_tail: str = "",
        draft: bool = False,
        invariant: bool | None = None,
        cancel: Cancel | None = None,
        progress: Progress | None = None,
        copy_label: str = "",
        all_restricted: bool = False,
    ) -> None:
        super().__init__(target, marking=marking, title=title, subject=subject, invariant=invariant)
        self.author = author
        # the canvas's first font; ReportLab's default (Helvetica) would be set, never embedded
        self.initialFontName = REGULAR
        self.footer = " ".join(footer.split())
        self.footer_tail = " ".join(footer_tail.split())
        self._footer_lines: tuple[float, tuple[str, ...]] | None = None
        self._copy_footer: tuple[float, tuple[str, ...]] | None = None
        # a numbered copy: its label, and which pages carry it
        self.copy_label = " ".join(copy_label.split())
        self.all_restricted = all_restricted
        self.restricted_now = False  # inside restricted content (RestrictedPages)
        self.page_restricted = False  # this page holds restricted content
        self.keepTogetherClass = KeepHeadingWithNext
        self.draft = draft
        self.attached: dict[int, tuple[str, int]] = {}
        self._cancel = cancel
        self._progress = progress
        self._pass = 0
        self._item: int | None = None

    def handle_documentBegin(self) -> None:  # noqa: N802  (ReportLab's name)
        if isinstance(self.filename, BytesIO):  # each layout pass writes the whole file again
            self.filename.seek(0)
            self.filename.truncate()
        self.attached = {}
        self._item = None  # the agenda item being laid out
        self.restricted_now = False
        self._pass += 1
        super().handle_documentBegin()

    def afterFlowable(self, flowable: Flowable) -> None:  # noqa: N802  (ReportLab's name)
        if self._cancel is not None and self._cancel():
            raise BuildCancelledError("the build was cancelled")
        item = getattr(flowable, "agenda_index", None)
        if item is not None:
            self._item = item
        elif getattr(flowable, "toc_level", None) == 0:
            self._item = None  # a part of the pack that is no agenda item's (the contents)
        if self._item is not None and not isinstance(flowable, ActionFlowable):
            # (a page's first action flowable belongs to no item)
            self.notify("AgendaPage", (self._item, self.page))
        if isinstance(flowable, AttachedPage):
            self.attached[self.page] = (flowable.key, flowable.index)
        if self.restricted_now and not isinstance(flowable, ActionFlowable | PageBreak):
            self.page_restricted = True
        super().afterFlowable(flowable)

    def beforePage(self) -> None:  # noqa: N802  (ReportLab's name)
        self.page_restricted = False

    def afterPage(self) -> None:  # noqa: N802  (ReportLab's name)
        # the footer is drawn last, when what the page holds (restricted or not) is known
        self._draw_footer(self.canv)
        if self._progress is not None and self.page_total:
            done = min(self.page / self.page_total, 1.0)
            self._progress(done, f"Laying out page {self.page} of {self.page_total}")

    def _decorate(self, canvas: Canvas, doc: Any) -> None:
        width, height = self.pagesize
        canvas.saveState()
        if self.draft:
            canvas.setFillColor(colors.Color(0.55, 0.55, 0.55, alpha=0.22))
            canvas.setFont(BOLD, 110)
            canvas.translate(width / 2, height / 2)
            canvas.rotate(45)
            canvas.drawCentredString(0, -38, "DRAFT")
            canvas.rotate(-45)
            canvas.translate(-width / 2, -height / 2)
        canvas.restoreState()
        super()._decorate(canvas, doc)

    def _draw_footer(self, canvas: Canvas) -> None:
        width = self.pagesize[0]
        labelled = bool(self.copy_label) and (self.all_restricted or self.page_restricted)
        if self._footer_lines is None:  # the same on every page: fitted once a build
            label_room = stringWidth("Page 0000 of 0000", REGULAR, FOOTER_SIZE) + 6 * mm
            room = width - self.leftMargin - self.rightMargin - label_room
            self._footer_lines = fit_footer(self.footer, self.footer_tail, room)
            self._copy_footer = fit_footer(self.footer, self.footer_tail, room, one_line=True)
        size, lines = self._copy_footer if labelled and self._copy_footer else self._footer_lines
        canvas.saveState()
        for n, line in enumerate(reversed(lines)):
            y = FOOTER_Y + n * (size + FOOTER_LEADING)
            draw_line(canvas, self.leftMargin, y, line, REGULAR, size)
        if labelled:
            room = width - self.leftMargin - self.rightMargin
            label_size, label = fit_label(self.copy_label, room)
            y = FOOTER_Y + size + FOOTER_LEADING + 0.5
            draw_line(canvas, self.leftMargin, y, label, BOLD, label_size)
        canvas.restoreState()


def fit_footer(
    head: str, tail: str, room: float, *, one_line: bool = False
) -> tuple[float, tuple[str, ...]]:
    """The footer's font size and lines: `head · tail` on one line (the type a little smaller
    if that makes it fit), else on two lines, `head` (shortened with an ellipsis if it must be)
    above `tail`, which is never shortened (a meeting's date and time). `one_line` (a page
    carrying a copy's label above): `head` is shortened on the line instead."""
    whole = " · ".join(part for part in (head, tail) if part)
    for size in FOOTER_SIZES:
        if text_width(whole, REGULAR, size) <= room:
            return size, (whole,)
    size = FOOTER_SIZES[-1]
    if not head or not tail:
        return size, (fit_line(whole, room, REGULAR, size),)
    if one_line:
        rest = room - text_width(" · " + tail, REGULAR, size)
        if rest >= text_width("HESCB…", REGULAR, size):
            return size, (f"{fit_line(head, rest, REGULAR, size)} · {tail}",)
        return size, (fit_line(whole, room, REGULAR, size),)
    return size, (fit_line(head, room, REGULAR, size), tail)


def fit_label(label: str, room: float) -> tuple[float, str]:
    """A numbered copy's label on one line: in bold, a little smaller if that makes it fit,
    else shortened with an ellipsis (a name of 120 characters at most is never cut at A4)."""
    for size in FOOTER_SIZES:
        if text_width(label, BOLD, size) <= room:
            return size, label
    size = FOOTER_SIZES[-1]
    return size, fit_line(label, room, BOLD, size)


class RestrictedPages(ActionFlowable):  # type: ignore[misc]  # reportlab has no type hints
    """Restricted content starts (`on`) or ends here: a numbered copy prints its label on
    every page holding anything in between. Takes no room; any other document ignores it."""

    def __init__(self, on: bool) -> None:
        super().__init__()
        self.on = on

    def apply(self, doc: BaseDocTemplate) -> None:
        if isinstance(doc, BoardDocument):
            doc.restricted_now = self.on


class AttachedPage(Flowable):  # type: ignore[misc]  # reportlab has no type hints
    """A whole page kept for page `index` of the attached PDF `key` (drawn on by pypdf later).

    With `toc_level` it is also a bookmark and a contents entry (its label); with
    `agenda_index` it is where that agenda item starts."""

    def __init__(
        self,
        key: str,
        index: int,
        label: str = "",
        *,
        toc_level: int | None = None,
        agenda_index: int | None = None,
    ) -> None:
        super().__init__()
        self.key = key
        self.index = index
        self.label = label
        if toc_level is not None:
            self.toc_level = toc_level
        if agenda_index is not None:
            self.agenda_index = agenda_index

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self.width, self.height = avail_width, avail_height
        return avail_width, avail_height

    def draw(self) -> None:
        pass

    def getPlainText(self) -> str:  # noqa: N802  (ReportLab's name, used for bookmarks)
        return self.label


def attached_pages(
    pdf: AttachedPdf,
    pages: int,
    *,
    toc_level: int | None,
    agenda_index: int | None = None,
) -> list[Flowable]:
    """Placeholder pages for a whole attached PDF, starting on a fresh page."""
    story: list[Flowable] = [PageBreakIfNotEmpty()]
    for n in range(pages):
        first = n == 0
        story.append(
            AttachedPage(
                pdf.key,
                n,
                pdf.label,
                toc_level=toc_level if first else None,
                agenda_index=agenda_index if first else None,
            )
        )
    return story


@dataclass(frozen=True)
class AgendaRow:
    number: str
    title: str
    purpose: str
    presenter: str
    indexed: bool  # whether the pack carries pages for it (its range is printed)
    note: str = ""  # shown instead of a page range ("Part II pack")
    start: str = ""  # its start time, "10:25"


AGENDA_HEADERS = ("Item", "Time", "Title", "Purpose", "Presenter", "Pages")
AGENDA_WEIGHTS = (0, 0, 0.62, 0, 0.38, 0)


class AgendaTable(IndexingFlowable):  # type: ignore[misc]
    """The agenda with each item's start time and page range, the range taken from the previous
    layout pass (the pack is laid out until nothing moves, like a table of contents): from the
    page its heading is on to the last page holding anything of it (items without a paper
    share pages)."""

    def __init__(
        self, rows: Sequence[AgendaRow], styles: StyleSheet1, width: float, doc: BaseDocTemplate
    ) -> None:
        super().__init__()
        self.rows = list(rows)
        self.styles = styles
        self.col_width = width
        self.doc = doc
        self._pages: dict[int, tuple[int, int]] = {}
        self._last: dict[int, tuple[int, int]] = {}
        self._table: Table | None = None

    def notify(self, kind: str, stuff: Any) -> None:
        if kind == "AgendaPage":
            index, page = stuff
            first, last = self._pages.get(index, (page, page))
            self._pages[index] = (min(first, page), max(last, page))

    def beforeBuild(self) -> None:  # noqa: N802
        self._last = dict(self._pages)
        self._pages = {}

    def isSatisfied(self) -> bool:  # noqa: N802
        return self._pages == self._last

    def ranges(self) -> dict[int, tuple[int, int]]:
        """Item index -> (first page, last page), as printed."""
        return dict(self._last)

    def _build(self) -> Table:
        cell, bold = self.styles["Cell"], self.styles["CellBold"]
        ranges = self.ranges()
        texts: list[tuple[str, ...]] = []
        for index, row in enumerate(self.rows):
            if row.note:
                pages = row.note
            elif row.indexed and index in ranges:
                first, last = ranges[index]
                pages = f"{first}" if first == last else f"{first}–{last}"
            else:
                pages = "…" if row.indexed else ""
            texts.append(
                (row.number, row.start, row.title, row.purpose, row.presenter, keep_together(pages))
            )
        data: list[list[Any]] = [[Paragraph(h, bold) for h in AGENDA_HEADERS]]
        data += [[Paragraph(para_text(t), cell) for t in row] for row in texts]
        widths = column_widths(
            [(h, *(r[n] for r in texts)) for n, h in enumerate(AGENDA_HEADERS)],
            AGENDA_WEIGHTS,
            self.col_width,
            font=cell.fontName,
            size=cell.fontSize,
            padding=13,
            header_font=bold.fontName,
        )
        table = Table(data, colWidths=widths, repeatRows=1, splitInRow=1)
        table.setStyle(grid_style())
        return table

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self._table = self._build()
        w, h = self._table.wrap(avail_width, avail_height)
        self.width, self.height = w, h
        return w, h

    def split(self, avail_width: float, avail_height: float) -> list[Flowable]:
        table = self._build()
        return list(table.split(avail_width, avail_height))

    def drawOn(self, canvas: Canvas, x: float, y: float, _sW: float = 0) -> None:  # noqa: N802,N803
        assert self._table is not None
        self._table.drawOn(canvas, x, y, _sW)


def grid_style(header: bool = True) -> TableStyle:
    commands: list[tuple[Any, ...]] = [
        ("FONTNAME", (0, 0), (-1, -1), REGULAR),  # not Helvetica, even for empty cells
        ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]
    if header:
        commands.append(("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8ecf2")))
    return TableStyle(commands)


class Contents(DocumentContents):
    """A table of contents whose entries may split across pages (a 5,000-character title)."""

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        size: tuple[float, float] = super().wrap(avail_width, avail_height)
        self._table.splitInRow = 1
        return size


def contents(styles: StyleSheet1) -> TableOfContents:
    toc = Contents(
        dotsMinLevel=0,
        tableStyle=TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), REGULAR),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ]
        ),
    )
    base = styles["Normal"]
    toc.levelStyles = [
        ParagraphStyle("TOC0", parent=base, fontSize=10, leading=14, leftIndent=0),
        ParagraphStyle("TOC1", parent=base, fontSize=9, leading=12, leftIndent=14),
    ]
    return toc


# ------------------------------------------------------------------ attached PDFs
def read_attachment(filename: str, data: bytes) -> PdfReader:
    """The attached file as a PDF, or AttachmentError naming the file and what is wrong."""
    head = data[:1024]
    if b"%PDF-" not in head:
        raise AttachmentError(f"{filename} is not a PDF")
    try:
        reader = PdfReader(BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise AttachmentError(f"{filename} is encrypted (password-protected): save it without")
        count = len(reader.pages)
        for page in reader.pages:
            box = page.mediabox
            if box.width <= 0 or box.height <= 0:
                raise AttachmentError(f"{filename} is corrupt: a page has no size")
            page.get_contents()
    except AttachmentError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, IndexError) as exc:
        raise AttachmentError(f"{filename} is corrupt and cannot be read ({exc})") from exc
    except Exception as exc:  # pypdf raises many kinds on damaged files
        raise AttachmentError(f"{filename} is corrupt and cannot be read ({exc})") from exc
    if count == 0:
        raise AttachmentError(f"{filename} is corrupt: it has no pages")
    return reader


_OFFICE_PREFIX = re.compile(r"^(microsoft\s+\w+\s*-\s*)", re.IGNORECASE)
_WORD_JOIN = re.compile(r"_|(?<=[^\W\d])-(?=[^\W\d])")  # "drone_unit-costs", not "2026-03"
_FILE_NAME = re.compile(r"\.(pdf|docx?|xlsx?|pptx?|odt|rtf)$", re.IGNORECASE)


def attachment_title(filename: str, data: bytes) -> str:
    """What an attached PDF is called: the title it carries (its document properties), else
    its file name made readable ("drone_unit-costs.pdf": "Drone unit costs")."""
    try:
        meta = PdfReader(BytesIO(data), strict=False).metadata
        title = " ".join(str(meta.title or "").split()) if meta is not None else ""
    except Exception:  # a damaged file is named by read_attachment; its title is a nicety
        title = ""
    title = _OFFICE_PREFIX.sub("", title)  # "Microsoft Word - costs.docx"
    if title and not _FILE_NAME.search(title) and title.casefold() != "untitled":
        return title
    stem = _FILE_NAME.sub("", Path(filename.replace("\\", "/")).name)
    words = " ".join(_WORD_JOIN.sub(" ", stem).split()) or filename
    return words[:1].upper() + words[1:]


def stamp_attachments(
    laid_out: bytes,
    placements: Mapping[int, tuple[str, int]],
    sources: Mapping[str, PdfReader],
    *,
    progress: Progress | None = None,
    cancel: Cancel | None = None,
) -> bytes:
    """Draw each attached page under its placeholder page's banner, footer and watermark."""
    if not placements:
        return laid_out
    writer = PdfWriter(clone_from=PdfReader(BytesIO(laid_out)))
    if writer.outline:
        writer.page_mode = "/UseOutlines"  # kept as ReportLab set it: open with the bookmarks
    total = len(placements)
    for n, (page_no, (key, index)) in enumerate(sorted(placements.items()), 1):
        if cancel is not None and cancel():
            raise BuildCancelledError("the build was cancelled")
        target = writer.pages[page_no - 1]
        src = sources[key].pages[index]
        if src.get("/Rotate", 0):
            src.transfer_rotation_to_content()
        _draw_under(writer, target, src, f"/HescbAttached{n}", _placement(src, target))
        if progress is not None:
            progress(n / total, f"Numbering attached page {n} of {total}")
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def _draw_under(
    writer: PdfWriter,
    target: PageObject,
    src: PageObject,
    name: str,
    placement: tuple[float, float, float, float, float, float],
) -> None:
    """Draw `src` under `target`'s own content, scaled and moved by `placement`.

    The attached page becomes a form XObject (its content stream as it is, with its resources),
    drawn by a short stream put before the target's content: nothing is parsed or rewritten, so
    a page costs the same whatever the attached PDF holds."""
    _own_resources(target)
    contents = src.get_contents()
    form = DecodedStreamObject()
    form.set_data(contents.get_data() if contents is not None else b"")
    box = src.cropbox
    form[NameObject("/Type")] = NameObject("/XObject")
    form[NameObject("/Subtype")] = NameObject("/Form")
    form[NameObject("/BBox")] = ArrayObject(
        [FloatObject(v) for v in (box.left, box.bottom, box.right, box.top)]
    )
    resources = src.get("/Resources")
    if resources is not None:
        form[NameObject("/Resources")] = resources.get_object().clone(writer)
    form_ref = writer._add_object(form.flate_encode())  # pypdf has no public add
    res = target["/Resources"].get_object()
    assert isinstance(res, DictionaryObject)
    xobjects = res.get("/XObject")
    xobjects = (
        DictionaryObject(xobjects.get_object()) if xobjects is not None else DictionaryObject()
    )
    xobjects[NameObject(name)] = form_ref
    res[NameObject("/XObject")] = xobjects
    matrix = " ".join(f"{v:.6f}" for v in placement)
    draw = DecodedStreamObject()
    draw.set_data(f"q {matrix} cm {name} Do Q\n".encode())
    draw_ref = writer._add_object(draw)
    old = target.get("/Contents")
    held = old.get_object() if old is not None else None
    parts = list(held) if isinstance(held, ArrayObject) else ([old] if old is not None else [])
    target[NameObject("/Contents")] = ArrayObject([draw_ref, *parts])


def _placement(
    src: PageObject, target: PageObject
) -> tuple[float, float, float, float, float, float]:
    """The matrix that fits `src` in the target's area between the banners, centred; a
    landscape page on a portrait one is turned a quarter (so it prints as large as it can)."""
    left, bottom, right, top = ATTACH_BOX
    box = src.cropbox
    x0, y0, x1, y1 = (float(v) for v in (box.left, box.bottom, box.right, box.top))
    sw, sh = x1 - x0, y1 - y0
    tw, th = float(target.mediabox.width), float(target.mediabox.height)
    aw, ah = tw - left - right, th - bottom - top
    if sw > sh and aw < ah:  # turn it: (x, y) -> (-y, x), scaled
        s = min(aw / sh, ah / sw)
        e = left + (aw - s * sh) / 2 + s * y1
        f = bottom + (ah - s * sw) / 2 - s * x0
        return (0.0, s, -s, 0.0, e, f)
    s = min(aw / sw, ah / sh)
    return (s, 0.0, 0.0, s, left + (aw - s * sw) / 2 - s * x0, bottom + (ah - s * sh) / 2 - s * y0)


def _own_resources(page: PageObject) -> None:
    """Give a page its own resource dictionaries: ReportLab shares one between all pages, and
    merging an attached page into it would list that page's fonts on every page."""
    shared = page["/Resources"].get_object()
    assert isinstance(shared, DictionaryObject)
    own = DictionaryObject()
    for name, value in shared.items():
        value = value.get_object()
        own[NameObject(name)] = (
            DictionaryObject(value) if isinstance(value, DictionaryObject) else value
        )
    page[NameObject("/Resources")] = own


def render(
    doc: BoardDocument,
    story: list[Flowable],
    sources: Mapping[str, PdfReader],
    *,
    progress: Progress | None = None,
    cancel: Cancel | None = None,
) -> bytes:
    """Lay out `story` in `doc` (whose target must be a BytesIO) and stamp attached pages."""
    doc.render(story)
    target = doc.filename
    assert isinstance(target, BytesIO)
    return stamp_attachments(
        target.getvalue(), doc.attached, sources, progress=progress, cancel=cancel
    )


def anchor_heading(
    text: str,
    style: ParagraphStyle,
    *,
    level: int | None = 0,
    agenda_index: int | None = None,
    listed: bool = True,
    bookmark: str = "",
) -> Paragraph:
    """A heading of user text: a bookmark (titled `bookmark` or the text) and, if `listed`, a
    contents entry (at `level`), and where agenda item `agenda_index` starts."""
    para = Paragraph(para_text(text), style)
    # the bookmark takes the text as typed (viewers do their own bidi)
    para.toc_text = bookmark or text
    if level is not None:
        para.toc_level = level
        if not listed:
            para.toc_listed = False
    if agenda_index is not None:
        para.agenda_index = agenda_index
    return para


def meeting_name(board: str, board_name: str, meeting_title: str) -> str:
    """The meeting's title unless it only repeats the board's name or code ("" then)."""
    title = " ".join(meeting_title.split()).casefold()
    same = {" ".join(board_name.split()).casefold(), board.casefold(), ""}
    return "" if title in same else meeting_title


def key_value_table(rows: Sequence[tuple[str, str]], styles: StyleSheet1, width: float) -> Table:
    """A two-column table of labels (bold) and user text."""
    data = [
        [Paragraph(para_text(k), styles["CellBold"]), Paragraph(para_text(v), styles["Cell"])]
        for k, v in rows
    ]
    table = Table(data, colWidths=[0.3 * width, 0.7 * width], splitInRow=1)
    style = grid_style(header=False)
    style.add("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#f2f4f7"))
    table.setStyle(style)
    return table
