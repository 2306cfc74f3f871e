"""The programme highlight report: one row per objective with its RAG by dimension, the change
since the last report, the next milestone and the path to green (on its own or in a pack)."""

from __future__ import annotations

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.styles import ParagraphStyle, StyleSheet1
from reportlab.platypus import Flowable, Table

from hescb_desktop.domain.colours import RAG_COLOURS, RAG_INK
from hescb_desktop.domain.enums import Rag
from hescb_desktop.domain.rules import highest_marking
from hescb_desktop.reports.action_log import landscape_report
from hescb_desktop.reports.content import HIGHLIGHT_DIMENSIONS, HIGHLIGHT_SHORT, HighlightContent
from hescb_desktop.reports.frame import (
    grid_style,
)
from hescb_desktop.reports.text import Paragraph, para_text

# the screen's RAG colours (domain/colours.py), with the text colour that reads on each
RAG_FILL = {rag: colors.HexColor(RAG_COLOURS[rag]) for rag in Rag}
RAG_TEXT_COLOUR = {rag: colors.HexColor(RAG_INK[rag]) for rag in Rag}
RAG_TEXT = {Rag.RED: "R", Rag.AMBER: "A", Rag.GREEN: "G"}
CHUNK = 30


def highlight_title(content: HighlightContent) -> str:
    return f"{content.board} programme highlight report, {content.as_of:%d %B %Y}"


def highlight_story(content: HighlightContent, styles: StyleSheet1, width: float) -> list[Flowable]:
    since = (
        f"Change is measured since the last report ({content.since:%d %B %Y})."
        if content.since
        else "No earlier report: change is shown against no baseline."
    )
    story: list[Flowable] = [
        Paragraph(
            para_text(
                f"RAG status at {content.as_of:%d %B %Y}: R red (off track, needs the Board's "
                f"intervention), A amber (issues, being managed), G green (on track). {since}"
            ),
            styles["Small"],
        )
    ]
    story.append(
        Paragraph(
            para_text("Columns: " + ", ".join(HIGHLIGHT_DIMENSIONS) + " (Res.)."), styles["Small"]
        )
    )
    if content.left_out:
        story.append(
            Paragraph(
                para_text(
                    f"{content.left_out} objective(s) marked above this document's marking are "
                    "reported separately."
                ),
                styles["Small"],
            )
        )
    if not content.rows:
        story.append(Paragraph("There are no objectives to report.", styles["Body"]))
        return story
    cell, bold = styles["Cell"], styles["CellBold"]
    small = ParagraphStyle("RagHead", parent=bold, fontSize=7, leading=8.5)
    on_colour = {
        rag: ParagraphStyle(
            f"RagCell{rag.value}", parent=bold, textColor=RAG_TEXT_COLOUR[rag], alignment=TA_CENTER
        )
        for rag in Rag
    }
    header = [
        Paragraph("Objective", bold),
        *[Paragraph(d, small) for d in HIGHLIGHT_SHORT],
        Paragraph("Change since last report", bold),
        Paragraph("Next milestone", bold),
        Paragraph("Path to green", bold),
    ]
    dims = len(HIGHLIGHT_DIMENSIONS)
    rag_w = 0.06
    rest = 1 - rag_w * dims
    widths = [rest * 0.3, *[rag_w] * dims, rest * 0.2, rest * 0.2, rest * 0.3]
    for start in range(0, len(content.rows), CHUNK):
        data: list[list[Flowable]] = [header]
        style = grid_style()
        style.add("LEFTPADDING", (1, 0), (dims, -1), 2)
        style.add("RIGHTPADDING", (1, 0), (dims, -1), 2)
        for r, row in enumerate(content.rows[start : start + CHUNK], 1):
            rags = [
                Paragraph(RAG_TEXT[g], on_colour[g]) if g else Paragraph("–", cell) for g in row.rag
            ]
            for c, g in enumerate(row.rag, 1):
                if g is not None:
                    style.add("BACKGROUND", (c, r), (c, r), RAG_FILL[g])
            data.append(
                [
                    Paragraph(
                        para_text(row.title) + f"<br/><font size=7>{para_text(row.stage)}</font>",
                        cell,
                    ),
                    *rags,
                    Paragraph(para_text(row.change), cell),
                    Paragraph(para_text(row.next_milestone), cell),
                    Paragraph(para_text(row.path_to_green), cell),
                ]
            )
        table = Table(data, colWidths=[w * width for w in widths], repeatRows=1, splitInRow=1)
        table.setStyle(style)
        story.append(table)
    return story


def build_highlight_pdf(
    content: HighlightContent, *, author: str, invariant: bool | None = None
) -> bytes:
    return landscape_report(
        title=highlight_title(content),
        subject=f"{content.board} highlight report",
        board=content.board,
        marking=highest_marking(r.marking for r in content.rows),
        author=author,
        invariant=invariant,
        story=lambda styles, width: highlight_story(content, styles, width),
    )
