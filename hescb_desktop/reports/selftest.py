"""The one-page PDF `hescb-desktop selftest` builds: proves fonts, escaping and page furniture."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable, Spacer, Table, TableStyle

from hescb_desktop.domain.enums import Marking
from hescb_desktop.reports.document import MarkedDocument, heading
from hescb_desktop.reports.styles import stylesheet
from hescb_desktop.reports.text import Paragraph, para_text

TITLE = "HESCB Desktop self-test"
# Markup characters, an entity, an emoji, right-to-left text and Polish: all must print as typed.
SAMPLE_TEXT = "Sample text: <b> & &nbsp; 😀 שלום Zażółć"


def build_selftest_pdf(path: Path, info: Mapping[str, str]) -> None:
    """Write the self-test PDF to `path`: a title, `info` as a table, and the sample text."""
    doc = MarkedDocument(path, marking=Marking.OFFICIAL, title=TITLE, subject="Self-test")
    doc.render(_story(info))


def _story(info: Mapping[str, str]) -> list[Flowable]:
    styles = stylesheet()
    return [
        heading(TITLE, styles["Title"]),
        _info_table(info, styles["Cell"]),
        Spacer(0, 12),
        Paragraph(para_text(SAMPLE_TEXT), styles["Normal"]),
    ]


def _info_table(info: Mapping[str, str], style: ParagraphStyle) -> Table:
    rows: list[list[Flowable | str]] = [
        [Paragraph(para_text(key), style), Paragraph(para_text(value), style)]
        for key, value in info.items()
    ]
    table = Table(rows or [["", ""]], colWidths=["30%", "70%"])
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BACKGROUND", (0, 0), (0, -1), colors.whitesmoke),
            ]
        )
    )
    return table
