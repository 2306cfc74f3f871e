"""The board pack of a meeting (or its Part II pack, or a supplement of late papers): cover,
agenda with page ranges, contents with links, then each agenda item in order: the previous
minutes, the action log, the highlight report, its paper with appendices, or, for an item
without a paper, its heading, purpose and presenter, sharing the page with what follows.

A numbered copy (`copy_label`, issue 16 point 3) names itself on the cover and in the footer of
every restricted page: every page of a Part II pack, and the pages of each OFFICIAL-SENSITIVE
paper (its attached pages included) of a Part I pack."""

from __future__ import annotations

from datetime import date
from io import BytesIO

from pypdf import PdfReader
from reportlab.lib.styles import StyleSheet1
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    PageBreak,
    PageBreakIfNotEmpty,
    Spacer,
)

from hescb_desktop.domain import labels
from hescb_desktop.domain.enums import Marking, Part
from hescb_desktop.reports.action_log import action_table_story
from hescb_desktop.reports.content import PackContent, PackItem, PaperContent
from hescb_desktop.reports.frame import (
    AgendaRow,
    AgendaTable,
    BoardDocument,
    Cancel,
    Progress,
    RestrictedPages,
    anchor_heading,
    board_styles,
    contents,
    key_value_table,
    meeting_name,
    render,
)
from hescb_desktop.reports.highlight import highlight_story
from hescb_desktop.reports.minutes import minutes_story
from hescb_desktop.reports.paper import PURPOSE_TEXT, paper_story
from hescb_desktop.reports.text import Paragraph, para_text

PUBLIC_NOTICE = (
    "Public edition: exempt (Part II) items are listed with the ground of their exemption;"
    " their reports are not published."
)


def pack_title(pack: PackContent) -> str:
    what = f"Supplement {pack.supplement}" if pack.supplement else "Board pack"
    part = " – Part II" if pack.part is Part.PART_II else ""
    public = " – public edition" if pack.public else ""
    return f"{pack.board} {pack.meeting_title}, {pack.when}: {what}{part}{public}"


def pack_footer(pack: PackContent) -> str:
    """The footer's first part (the meeting's date and time follow, never shortened)."""
    name = meeting_name(pack.board, pack.board_name, pack.meeting_title)
    return f"{pack.board} · {name}" if name else pack.board


def item_heading(item: PackItem) -> str:
    ref = f" ({item.paper.reference})" if item.paper is not None and item.paper.reference else ""
    title = item.title if item.title.strip() else "(untitled item)"
    return f"{item.number}. {title}{ref}" if item.number else f"{title}{ref}"


def build_pack_pdf(
    pack: PackContent,
    *,
    author: str,
    invariant: bool | None = None,
    progress: Progress | None = None,
    cancel: Cancel | None = None,
    copy_label: str = "",
) -> bytes:
    """The pack as PDF bytes; AttachmentError (naming the file) if an attached PDF is unusable,
    BuildCancelledError if `cancel()` turns true. `copy_label` ("Copy 3 of 7 – issued to ACC
    R. Shah") makes it a numbered copy."""
    out = BytesIO()
    title = pack_title(pack)

    def laying_out(done: float, text: str) -> None:
        if progress is not None:
            progress(0.1 + 0.6 * done, text)

    def stamping(done: float, text: str) -> None:
        if progress is not None:
            progress(0.7 + 0.3 * done, text)

    doc = BoardDocument(
        out,
        marking=pack.marking,
        title=title,
        subject=f"{pack.board} board pack: {pack.meeting_title}, {pack.when}",
        footer=pack_footer(pack),
        footer_tail=pack.when,
        author=author,
        draft=pack.draft,
        invariant=invariant,
        progress=laying_out,
        cancel=cancel,
        copy_label=copy_label,
        all_restricted=pack.part is Part.PART_II,
    )
    styles = board_styles()
    sources: dict[str, PdfReader] = {}
    if progress is not None:
        progress(0.02, "Checking attached files")
    story = pack_story(pack, doc, styles, sources, copy_label=copy_label)
    return render(doc, story, sources, progress=stamping, cancel=cancel)


def pack_story(
    pack: PackContent,
    doc: BaseDocTemplate,
    styles: StyleSheet1,
    sources: dict[str, PdfReader],
    *,
    copy_label: str = "",
) -> list[Flowable]:
    """The pack's flowables (attached files are read into `sources`)."""
    width = doc.width
    story: list[Flowable] = _cover(pack, styles, width, copy_label)
    story.append(PageBreak())
    story.append(anchor_heading("Agenda", styles["Heading1"]))
    rows = [
        AgendaRow(
            item.number,
            item.title,
            PURPOSE_TEXT[item.purpose],
            item.presenter,
            indexed=item.kind != "part2",
            note="Part II pack" if item.kind == "part2" else "",
            start=item.start,
        )
        for item in pack.items
    ]
    story.append(AgendaTable(rows, styles, width, doc))
    story.append(PageBreak())
    # a bookmark, but not a line of the contents itself
    story.append(anchor_heading("Contents", styles["Heading1"], listed=False))
    story.append(contents(styles))
    story.append(PageBreak())
    used = set()
    for index, item in enumerate(pack.items):
        if item.kind == "part2":
            continue
        used.add(item.kind)
        story += _item(pack, item, index, styles, width, sources)
    # what the pack carries that no agenda item took, as annexes
    if pack.previous_minutes is not None and "minutes" not in used:
        story.append(PageBreakIfNotEmpty())
        story += minutes_story(
            pack.previous_minutes, styles, width, heading="Minutes of the previous meeting"
        )
    if pack.actions and "actions" not in used:
        story += [PageBreakIfNotEmpty(), anchor_heading("Action log", styles["Heading2"])]
        story += action_table_story(pack.actions, styles, width)
    if pack.highlight is not None and "highlight" not in used:
        story += [
            PageBreakIfNotEmpty(),
            anchor_heading("Programme highlight report", styles["Heading2"]),
        ]
        story += highlight_story(pack.highlight, styles, width)
    return story


def _cover(
    pack: PackContent, styles: StyleSheet1, width: float, copy_label: str = ""
) -> list[Flowable]:
    name = meeting_name(pack.board, pack.board_name, pack.meeting_title)
    story: list[Flowable] = [
        anchor_heading(
            pack.board_name or pack.board, styles["CoverTitle"], listed=False, bookmark="Cover"
        )
    ]
    if name:
        story.append(Paragraph(para_text(name), styles["Title"]))
    story += [Paragraph(para_text(pack.when), styles["Centre"]), Spacer(0, 6)]
    what = f"Supplement {pack.supplement}: late papers" if pack.supplement else "Board pack"
    story.append(Paragraph(para_text(f"{what} · {labels.PART_LONG[pack.part]}"), styles["Centre"]))
    if pack.public:
        story.append(Paragraph(para_text(PUBLIC_NOTICE), styles["Centre"]))
    if pack.draft:
        story.append(Paragraph("DRAFT – not yet published by the secretariat", styles["Centre"]))
    elif pack.published_on is not None:
        story.append(Paragraph(para_text(f"Published {_day(pack.published_on)}"), styles["Centre"]))
    story.append(Spacer(0, 18))
    rows = [("Board", f"{pack.board_name} ({pack.board})" if pack.board_name else pack.board)]
    if name:
        rows.append(("Meeting", name))
    rows += [
        ("Date and time", pack.when),
        ("Venue", pack.venue),
        ("Protective marking", pack.marking.value),
    ]
    if pack.published_on is not None:
        rows.append(("Published", _day(pack.published_on)))
    if copy_label:
        rows.append(("Numbered copy", copy_label))
    story.append(key_value_table(rows, styles, width))
    story.append(Spacer(0, 14))
    if pack.public:  # a published document names no distribution
        return story
    story.append(Paragraph("Distribution", styles["Heading3"]))
    if pack.distribution:
        story += [Paragraph(para_text(name), styles["Body"]) for name in pack.distribution]
    else:
        story.append(Paragraph("Members of the Board.", styles["Body"]))
    if pack.withheld:
        story.append(Spacer(0, 10))
        story.append(
            Paragraph(
                para_text(
                    "Issued separately (marked above this pack): " + "; ".join(pack.withheld)
                ),
                styles["Small"],
            )
        )
    return story


def _day(day: date) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"


def _item(
    pack: PackContent,
    item: PackItem,
    index: int,
    styles: StyleSheet1,
    width: float,
    sources: dict[str, PdfReader],
) -> list[Flowable]:
    heading = item_heading(item)
    if item.kind == "paper" and item.paper is not None:
        return restricted(
            item.paper,
            paper_story(item.paper, styles, width, sources, heading=heading, agenda_index=index),
        )
    if item.kind == "minutes" and pack.previous_minutes is not None:
        return [
            PageBreakIfNotEmpty(),
            *minutes_story(
                pack.previous_minutes, styles, width, heading=heading, agenda_index=index
            ),
        ]
    if item.kind == "actions":
        return [
            PageBreakIfNotEmpty(),
            anchor_heading(heading, styles["Heading2"], agenda_index=index),
            *action_table_story(pack.actions, styles, width),
        ]
    if item.kind == "highlight" and pack.highlight is not None:
        story: list[Flowable] = [
            PageBreakIfNotEmpty(),
            anchor_heading(heading, styles["Heading2"], agenda_index=index),
            *highlight_story(pack.highlight, styles, width),
        ]
        if item.paper is not None:
            story += restricted(
                item.paper,
                paper_story(
                    item.paper,
                    styles,
                    width,
                    sources,
                    heading=item_heading(item) + " – paper",
                    level=1,
                ),
            )
        return story
    return _no_paper(item, index, styles)


def restricted(paper: PaperContent, story: list[Flowable]) -> list[Flowable]:
    """An OFFICIAL-SENSITIVE paper's pages are restricted: a numbered copy labels them. The
    start goes after the paper's opening page break: any flowable before it would begin the
    page the break is waiting on, and the break would then leave that page blank."""
    if paper.marking is not Marking.OFFICIAL_SENSITIVE:
        return story
    head = 1 if story and isinstance(story[0], PageBreakIfNotEmpty) else 0
    return [*story[:head], RestrictedPages(True), *story[head:], RestrictedPages(False)]


def _no_paper(item: PackItem, index: int, styles: StyleSheet1) -> list[Flowable]:
    """An item without a paper: its heading, purpose and presenter, and a note, on the page
    in hand (only papers and the documents the pack fills start a page)."""
    note = item.note or "There is no paper for this item."
    who = " · ".join(x for x in (PURPOSE_TEXT[item.purpose], item.presenter) if x)
    return [
        anchor_heading(item_heading(item), styles["Heading2"], agenda_index=index),
        Paragraph(para_text(who), styles["Body"]),
        Paragraph(para_text(note), styles["ItemNote"]),
    ]
