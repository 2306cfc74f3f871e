"""Formal minutes: draft ("subject to approval at the next meeting") or approved (the approval
date and a space for the Chair's signature)."""

from __future__ import annotations

from io import BytesIO

from reportlab.lib.styles import StyleSheet1
from reportlab.platypus import Flowable, KeepTogether, Spacer, Table, TableStyle

from hescb_desktop.domain.enums import AttendanceRole, Part
from hescb_desktop.domain.labels import ATTENDANCE_ROLE as ROLE
from hescb_desktop.reports.content import MinutesContent
from hescb_desktop.reports.frame import (
    BoardDocument,
    anchor_heading,
    board_styles,
    key_value_table,
    meeting_name,
    render,
)
from hescb_desktop.reports.markup import flowables, inline
from hescb_desktop.reports.text import Paragraph, para_text

DRAFT_NOTICE = "Draft – subject to approval at the next meeting"


def minutes_footer(minutes: MinutesContent) -> str:
    """The footer's first part (the meeting's date and time follow, never shortened)."""
    name = meeting_name(minutes.board, minutes.board_name, minutes.meeting_title)
    return f"{minutes.board} · {name}" if name else minutes.board


def minutes_title(minutes: MinutesContent) -> str:
    part = " (Part II)" if minutes.part is Part.PART_II else ""
    public = " – public edition" if minutes.public else ""
    return f"Minutes{part}: {minutes.board} {minutes.meeting_title} – {minutes.when}{public}"


def minutes_story(
    minutes: MinutesContent,
    styles: StyleSheet1,
    width: float,
    *,
    heading: str,
    level: int = 0,
    agenda_index: int | None = None,
) -> list[Flowable]:
    story: list[Flowable] = [
        anchor_heading(heading, styles["Heading2"], level=level, agenda_index=agenda_index),
        Paragraph(para_text(minutes.board_name), styles["Body"]),
    ]
    if minutes.approved_on is None:
        story.append(Paragraph(para_text(DRAFT_NOTICE), styles["Notice"]))
    else:
        story.append(
            Paragraph(
                para_text(f"Approved as a correct record on {minutes.approved_on:%d %B %Y}"),
                styles["Notice"],
            )
        )
    story.append(Spacer(0, 6))
    story.append(
        key_value_table(
            [
                ("Meeting", minutes.meeting_title),
                ("Date and time", minutes.when),
                ("Venue", minutes.venue),
                (ROLE[AttendanceRole.PRESENT], "; ".join(minutes.present) or "—"),
                (
                    ROLE[AttendanceRole.IN_ATTENDANCE],
                    "; ".join(minutes.in_attendance) or "—",
                ),
                (
                    ROLE[AttendanceRole.APOLOGIES],
                    "; ".join(minutes.apologies) or "None",
                ),
            ],
            styles,
            width,
        )
    )
    if not minutes.declarations_minuted:  # else under the minute of that item (once)
        story.append(Paragraph("Declarations of interest", styles["Heading3"]))
        story += _declarations(minutes.declarations, styles)
    for item in minutes.items:
        story.append(Paragraph(para_text(f"{item.reference}  {item.title}"), styles["Heading3"]))
        story += flowables(item.summary, styles, width)
        if item.is_declarations and (item.declarations or not item.summary.strip()):
            story += _declarations(item.declarations, styles)
        for text in item.resolutions:
            story.append(Paragraph(inline("**RESOLVED** – ") + para_text(text), styles["Body"]))
        for text in item.actions:
            story.append(Paragraph(inline("**ACTION:** ") + para_text(text), styles["Body"]))
    story.append(Spacer(0, 18))
    story.append(KeepTogether(_signature(minutes, styles, width)))
    return story


def _declarations(lines: tuple[str, ...], styles: StyleSheet1) -> list[Flowable]:
    if not lines:
        return [Paragraph("There were no declarations of interest.", styles["Body"])]
    return [Paragraph(para_text(d), styles["Body"]) for d in lines]


def _signature(minutes: MinutesContent, styles: StyleSheet1, width: float) -> list[Flowable]:
    if minutes.approved_on is None:
        return [Paragraph(para_text(DRAFT_NOTICE), styles["Small"])]
    line = "_" * 40
    table = Table(
        [
            [Paragraph("Signed (Chair)", styles["Cell"]), Paragraph(line, styles["Cell"])],
            [Paragraph("Date", styles["Cell"]), Paragraph(line, styles["Cell"])],
        ],
        colWidths=[0.3 * width, 0.7 * width],
        rowHeights=[28, 28],
    )
    table.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), styles["Cell"].fontName)]))
    return [
        Paragraph(
            para_text(
                f"Approved as a correct record of the meeting on {minutes.approved_on:%d %B %Y}."
            ),
            styles["Body"],
        ),
        Spacer(0, 8),
        table,
    ]


def build_minutes_pdf(
    minutes: MinutesContent, *, author: str, invariant: bool | None = None
) -> bytes:
    out = BytesIO()
    title = minutes_title(minutes)
    doc = BoardDocument(
        out,
        marking=minutes.marking,
        title=title,
        subject=f"{minutes.board} minutes"
        + (" (draft)" if minutes.approved_on is None else " (approved)"),
        footer=minutes_footer(minutes),
        footer_tail=minutes.when,
        author=author,
        draft=minutes.approved_on is None,
        invariant=invariant,
    )
    story = minutes_story(minutes, board_styles(), doc.width, heading=title)
    return render(doc, story, {})
