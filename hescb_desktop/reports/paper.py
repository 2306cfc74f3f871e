"""A board paper: the header block and the standard sections, or the PDF made elsewhere that
stands as the paper, then its appendices (attached PDFs)."""

from __future__ import annotations

import re
from io import BytesIO

from pypdf import PdfReader
from reportlab.lib.styles import StyleSheet1
from reportlab.platypus import Flowable, PageBreakIfNotEmpty, Spacer

from hescb_desktop.domain import labels
from hescb_desktop.reports.content import PaperContent
from hescb_desktop.reports.frame import (
    BoardDocument,
    Cancel,
    Progress,
    anchor_heading,
    attached_pages,
    board_styles,
    key_value_table,
    read_attachment,
    render,
)
from hescb_desktop.reports.markup import flowables, inline
from hescb_desktop.reports.text import Paragraph, para_text

PURPOSE_TEXT = labels.PURPOSE_PHRASE
_OWN_SECTION = re.compile(r"^\s*(?:#+\s*|\d{1,3}\.\s+)(?P<name>[^\n]+)$", re.MULTILINE)


def paper_label(paper: PaperContent) -> str:
    ref = f"{paper.reference}: " if paper.reference else ""
    return f"{ref}{paper.title}" if paper.title.strip() else f"{ref}(untitled paper)"


def paper_story(
    paper: PaperContent,
    styles: StyleSheet1,
    width: float,
    sources: dict[str, PdfReader],
    *,
    heading: str,
    level: int = 0,
    agenda_index: int | None = None,
) -> list[Flowable]:
    """The paper's pages. `heading` is its bookmark and contents entry (at `level`); attached
    PDFs are read into `sources` (AttachmentError if one cannot be used)."""
    story: list[Flowable] = [PageBreakIfNotEmpty()]
    if paper.attached_paper is not None:
        pdf = paper.attached_paper
        reader = sources.setdefault(pdf.key, read_attachment(pdf.filename, pdf.data))
        placeholder = attached_pages(
            pdf, len(reader.pages), toc_level=level, agenda_index=agenda_index
        )
        placeholder[1].label = heading
        story += placeholder
    else:
        story.append(
            anchor_heading(heading, styles["Heading2"], level=level, agenda_index=agenda_index)
        )
        story += _authored(paper, styles, width)
    for appendix in paper.appendices:
        reader = sources.setdefault(appendix.key, read_attachment(appendix.filename, appendix.data))
        story += attached_pages(appendix, len(reader.pages), toc_level=level + 1)
    return story


def _authored(paper: PaperContent, styles: StyleSheet1, width: float) -> list[Flowable]:
    rows = [
        ("Protective marking", paper.marking.value),
        ("FOI status", labels.FOI_STATUS[paper.foi_status]),
    ]
    if paper.agenda_number:
        rows.append(("Agenda item", paper.agenda_number))
    rows += [
        ("Meeting", paper.meeting),
        ("Title", paper.title),
        ("Paper reference", paper.reference),
        ("Report of", paper.report_of),
        ("Author / contact officer", paper.author),
        ("Purpose", PURPOSE_TEXT[paper.purpose]),
        ("Part", labels.PART_LONG[paper.part]),
    ]
    if paper.supplement:
        rows.append(("Issued", f"Late paper: Supplement {paper.supplement}"))
    if paper.appendices:
        rows.append(("Appendices", "; ".join(a.label for a in paper.appendices)))
    story: list[Flowable] = [key_value_table(rows, styles, width), Spacer(0, 10)]
    own = {m.group("name").strip().lower() for m in _OWN_SECTION.finditer(paper.body_text)}
    if paper.summary.strip() and "executive summary" not in own:
        story += _section("Executive summary", paper.summary, styles, width)
    if paper.recommendations.strip() and "recommendations" not in own:
        story += _section("Recommendations", paper.recommendations, styles, width)
    story += flowables(paper.body_text, styles, width)
    if paper.appendices:
        story.append(Spacer(0, 8))
        story.append(Paragraph(inline("**Appendices** (attached)"), styles["Body"]))
        for a in paper.appendices:
            story.append(Paragraph(para_text(a.label), styles["Body"]))
    return story


def _section(title: str, text: str, styles: StyleSheet1, width: float) -> list[Flowable]:
    return [Paragraph(para_text(title), styles["Heading3"]), *flowables(text, styles, width)]


def paper_footer(paper: PaperContent) -> str:
    """The footer's first part: the meeting and the reference (the meeting's date and time
    follow, never shortened)."""
    meeting = paper.meeting
    if paper.when and meeting.endswith(paper.when):
        meeting = meeting[: -len(paper.when)].rstrip(" ,")
    return " · ".join(x for x in (meeting, paper.reference) if x)


def build_paper_pdf(
    paper: PaperContent,
    *,
    board: str,
    author: str,
    draft: bool = False,
    invariant: bool | None = None,
    progress: Progress | None = None,
    cancel: Cancel | None = None,
) -> bytes:
    """One paper on its own, as PDF bytes."""
    out = BytesIO()
    doc = BoardDocument(
        out,
        marking=paper.marking,
        title=paper_label(paper),
        subject=f"{board} board paper {paper.reference}".strip(),
        footer=paper_footer(paper),
        footer_tail=paper.when if paper.meeting.endswith(paper.when) else "",
        author=author,
        draft=draft,
        invariant=invariant,
        progress=progress,
        cancel=cancel,
    )
    styles = board_styles()
    sources: dict[str, PdfReader] = {}
    story = paper_story(paper, styles, doc.width, sources, heading=paper_label(paper))
    return render(doc, story, sources, progress=progress, cancel=cancel)
