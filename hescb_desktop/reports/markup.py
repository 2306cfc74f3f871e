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


def flowables(text: str, styles: StyleSheet1, width: float) -> list[Flowable]:
    """The flowables for a block of paper text (see the module docstring for the markup)."""
    story: list[Flowable] = []
    bullets: list[str] = []
    rows: list[list[str]] = []

    def flush() -> None:
        if bullets:
            story.append(_bullets(bullets, styles["Normal"]))
            bullets.clear()
        if rows:
            story.append(_table(rows, styles["Cell"], width))
            rows.clear()

    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = raw.rstrip()
        stripped = line.strip()
        if stripped.startswith("|") and stripped.endswith("|") and len(stripped) > 1:
            if bullets:
                flush()
            rows.append([c.strip() for c in stripped[1:-1].split("|")])
            continue
        bullet = _BULLET.match(line)
        if bullet:
            if rows:
                flush()
            bullets.append(bullet.group("text"))
            continue
        flush()
        if not stripped:
            story.append(Spacer(0, 4))
            continue
        heading = _HEADING.match(stripped)
        if heading:
            title = heading.group("hash") if heading.group("hash") is not None else stripped
            story.append(Paragraph(inline(title), styles["Heading3"]))
        else:
            story.append(Paragraph(inline(stripped), styles["Body"]))
    flush()
    return story


def _bullets(items: Iterable[str], style: ParagraphStyle) -> ListFlowable:
    return ListFlowable(
        [ListItem(Paragraph(inline(t), style), leftIndent=14) for t in items],
        bulletType="bullet",
        start="•",
        leftIndent=14,
        bulletFontName=style.fontName,
    )


def _table(rows: list[list[str]], style: ParagraphStyle, width: float) -> Table:
    columns = max(len(r) for r in rows)
    cells = [[Paragraph(inline(c), style) for c in r] + [""] * (columns - len(r)) for r in rows]
    table = Table(cells, colWidths=[width / columns] * columns, repeatRows=1, splitInRow=1)
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), style.fontName),
                ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8ecf2")),
            ]
        )
    )
    return table
