"""The small markup a paper's text is written in, turned into ReportLab flowables.

One line at a time; everything not listed here prints exactly as typed (escaped):

- `# Heading` (or a line like `3. Background`): a section heading;
- `- item` or `* item`: a bullet (consecutive bullets make one list);
- `| a | b | c |`: a table row (consecutive rows make one table, the first row is its header);
- any other line: a paragraph (a blank line is just space);
- inside any line: `**bold**` and `_italic_` (a marker without its partner stays literal).

No other character means anything: `<b>`, `&nbsp;` or `&` are printed as written.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle, StyleSheet1
from reportlab.platypus import (
    Flowable,
    ListFlowable,
    ListItem,
    Spacer,
    Table,
    TableStyle,
)

from hescb_desktop.reports.text import Paragraph, para_text

_HEADING = re.compile(r"^(?:#+\s*(?P<hash>.*)|(?P<num>\d{1,3}\.\s+\S.*))$")
_BULLET = re.compile(r"^\s*[-*]\s+(?P<text>.*)$")
_INLINE = re.compile(r"\*\*(?P<b>[^*\n]+?)\*\*|(?<![\w])_(?P<i>[^_\n]+?)_(?![\w])")
INLINE_MARKUP = _INLINE  # **bold** and _italic_, for the public edition's HTML too


def inline(text: str) -> str:
    """Paragraph markup for one line: `**bold**` and `_italic_`, everything else escaped."""
    out: list[str] = []
    pos = 0
    for m in _INLINE.finditer(text):
        out.append(para_text(text[pos : m.start()]))
        if m.group("b") is not None:
            out.append(f"<b>{para_text(m.group('b'))}</b>")
        else:
            out.append(f"<i>{para_text(m.group('i'))}</i>")
        pos = m.end()
    out.append(para_text(text[pos:]))
    return "".join(out)


@dataclass(frozen=True)
class Block:
    """One piece of a paper's text as the markup reads it (the PDF and the public edition's HTML
    both render these)."""

    kind: str  # "heading" | "paragraph" | "bullets" | "table" | "space"
    text: str = ""  # a heading's or paragraph's line (inline markup still in it)
    items: tuple[str, ...] = ()  # bullets
    rows: tuple[tuple[str, ...], ...] = ()  # a table's cells, the first row its header


def blocks(text: str) -> list[Block]:
    """A block of paper text read as the module docstring says."""
    out: list[Block] = []
    bullets: list[str] = []
    rows: list[tuple[str, ...]] = []

    def flush() -> None:
        if bullets:
            out.append(Block("bullets", items=tuple(bullets)))
            bullets.clear()
        if rows:
            out.append(Block("table", rows=tuple(rows)))
            rows.clear()

    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = raw.rstrip()
        stripped = line.strip()
        if stripped.startswith("|") and stripped.endswith("|") and len(stripped) > 1:
            if bullets:
                flush()
            rows.append(tuple(c.strip() for c in stripped[1:-1].split("|")))
            continue
        bullet = _BULLET.match(line)
        if bullet:
            if rows:
                flush()
            bullets.append(bullet.group("text"))
            continue
        flush()
        if not stripped:
            out.append(Block("space"))
            continue
        heading = _HEADING.match(stripped)
        if heading:
            title = heading.group("hash") if heading.group("hash") is not None else stripped
            out.append(Block("heading", text=title))
        else:
            out.append(Block("paragraph", text=stripped))
    flush()
    return out


def flowables(text: str, styles: StyleSheet1, width: float) -> list[Flowable]:
    """The flowables for a block of paper text (see the module docstring for the markup)."""
    story: list[Flowable] = []
    for block in blocks(text):
        if block.kind == "bullets":
            story.append(_bullets(block.items, styles["Normal"]))
        elif block.kind == "table":
            story.extend(_table([list(r) for r in block.rows], styles["Cell"], width))
        elif block.kind == "space":
            story.append(Spacer(0, 4))
        elif block.kind == "heading":
            story.append(Paragraph(inline(block.text), styles["Heading3"]))
        else:
            story.append(Paragraph(inline(block.text), styles["Body"]))
    return story


def _bullets(items: Iterable[str], style: ParagraphStyle) -> ListFlowable:
    return ListFlowable(
        [ListItem(Paragraph(inline(t), style), leftIndent=14) for t in items],
        bulletType="bullet",
        start="•",
        leftIndent=14,
        bulletFontName=style.fontName,
    )


# (font size, leading, padding) from the usual cell size down: a wide table takes the first one
# at which every column gets at least MIN_EMS ems of text; beyond the smallest it is printed
# in column groups (pages across, as a spreadsheet prints), the first column repeated in each.
_SIZES = ((9.0, 11.0, 6.0), (8.0, 9.5, 4.0), (7.0, 8.5, 3.0))
MIN_EMS = 5.5


def _per_group(size: float, pad: float, width: float) -> int:
    """How many columns of at least MIN_EMS ems (and their padding) fit `width`."""
    return max(2, int(width // (size * MIN_EMS + 2 * pad)))


def _table(rows: list[list[str]], style: ParagraphStyle, width: float) -> list[Flowable]:
    """One table, its font made smaller as it gets wider; a table too wide even then is split
    into groups of columns (1-10, then 1 and 11-19, ...), each headed by what it holds."""
    columns = max(len(r) for r in rows)
    rows = [r + [""] * (columns - len(r)) for r in rows]
    for size, leading, pad in _SIZES:
        if columns <= _per_group(size, pad, width):
            return [_one_table(rows, _cell_style(style, size, leading), pad, width)]
    size, leading, pad = _SIZES[-1]
    cell = _cell_style(style, size, leading)
    per = _per_group(size, pad, width)
    caption_style = ParagraphStyle(f"{style.name}-caption", parent=style, keepWithNext=1)
    story: list[Flowable] = []
    first = 1
    while first < columns:
        taken = list(range(first, min(columns, first + per - 1)))
        if first == 1:
            taken = [0, *taken]
            caption = f"Columns 1–{taken[-1] + 1} of {columns} (the table is printed in parts)"
        else:
            caption = f"Columns {taken[0] + 1}–{taken[-1] + 1} of {columns}, with column 1"
            taken = [0, *taken]
        story.append(Paragraph(f"<i>{para_text(caption)}</i>", caption_style))
        story.append(_one_table([[r[i] for i in taken] for r in rows], cell, pad, width))
        story.append(Spacer(0, 6))
        first = taken[-1] + 1
    return story


def _cell_style(style: ParagraphStyle, size: float, leading: float) -> ParagraphStyle:
    if size == style.fontSize:
        return style
    return ParagraphStyle(f"{style.name}-{size}", parent=style, fontSize=size, leading=leading)


def _one_table(rows: list[list[str]], style: ParagraphStyle, pad: float, width: float) -> Table:
    columns = len(rows[0])
    cells = [[Paragraph(inline(c), style) for c in r] for r in rows]
    table = Table(cells, colWidths=[width / columns] * columns, repeatRows=1, splitInRow=1)
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), style.fontName),
                ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8ecf2")),
                ("LEFTPADDING", (0, 0), (-1, -1), pad),
                ("RIGHTPADDING", (0, 0), (-1, -1), pad),
            ]
        )
    )
    return table
