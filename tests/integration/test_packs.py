"""Board packs, papers, minutes, the action log and the highlight report, read back from real
PDFs (pypdf and pdftotext) built from a real SQLite board."""

from __future__ import annotations

import re
import shutil
import subprocess
import unicodedata
from collections.abc import Iterator
from datetime import date
from io import BytesIO
from pathlib import Path

import pytest
from pack_data import (
    CORRUPT_PDF,
    HOSTILE,
    LONG_WORD,
    MEETING_DAY,
    Board,
    attached_pdf,
    build_board,
    encrypted_pdf,
    outline,
)
from pypdf import PdfReader
from pypdf.generic import Destination
from reportlab import rl_config
from sync_office import Office

from hescb_desktop.domain.enums import FoiStatus, Marking, Part, Purpose
from hescb_desktop.domain.errors import ValidationError
from hescb_desktop.reports.action_log import build_action_log_pdf
from hescb_desktop.reports.content import PaperContent
from hescb_desktop.reports.highlight import build_highlight_pdf
from hescb_desktop.reports.minutes import DRAFT_NOTICE, build_minutes_pdf
from hescb_desktop.reports.pack import build_pack_pdf
from hescb_desktop.reports.paper import build_paper_pdf
from hescb_desktop.services import boardpacks, crud, papers
from hescb_desktop.services import entities as E
from hescb_desktop.services.context import ServiceContext, open_context
from hescb_desktop.services.highlight import highlight_content


@pytest.fixture(autouse=True)
def invariant(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rl_config, "invariant", 1)


@pytest.fixture
def ctx(tmp_path: Path) -> Iterator[ServiceContext]:
    context = open_context(tmp_path / "data")
    yield context
    context.close()


@pytest.fixture
def board(ctx: ServiceContext) -> Board:
    return build_board(ctx)


# ------------------------------------------------------------------ reading PDFs back
def page_texts(data: bytes) -> list[str]:
    """The text of every page (pdftotext, reading order), split at form feeds."""
    binary = shutil.which("pdftotext")
    assert binary is not None, "pdftotext is missing: apt-get install poppler-utils"
    out = subprocess.run(
        [binary, "-layout", "-enc", "UTF-8", "-", "-"], input=data, capture_output=True, check=True
    ).stdout.decode("utf-8")
    pages = out.split("\f")
    return pages[:-1] if pages and not pages[-1].strip() else pages


def raw_texts(data: bytes) -> list[str]:
    """Page texts in content order with line breaks removed (the rotated watermark reads as
    one letter a line)."""
    binary = shutil.which("pdftotext")
    assert binary is not None
    out = subprocess.run(
        [binary, "-raw", "-enc", "UTF-8", "-", "-"], input=data, capture_output=True, check=True
    ).stdout.decode("utf-8")
    return [t.replace("\n", "") for t in out.split("\f")[:-1]]


def assert_every_page_marked(data: bytes, marking: Marking, footer: str) -> list[str]:
    reader = PdfReader(BytesIO(data))
    texts = page_texts(data)
    total = len(reader.pages)
    assert len(texts) == total
    for n, text in enumerate(texts, 1):
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        assert lines[0] == marking.value, f"page {n} top: {lines[0]!r}"
        assert lines[-1] == marking.value, f"page {n} bottom: {lines[-1]!r}"
        assert f"Page {n} of {total}" in text, f"page {n} has no 'Page {n} of {total}'"
        assert footer in text, f"page {n} footer"
    return texts


def link_targets(reader: PdfReader, page_index: int) -> list[int]:
    """The page index each internal link on a page goes to."""
    names = reader.named_destinations
    targets = []
    for annot in reader.pages[page_index].get("/Annots") or []:
        annot = annot.get_object()
        if annot.get("/Subtype") != "/Link":
            continue
        dest = annot.get("/Dest")
        if dest is None and "/A" in annot:
            dest = annot["/A"].get("/D")
        if isinstance(dest, str) or hasattr(dest, "original_bytes"):
            target: Destination = names[str(dest)]
            targets.append(reader.get_destination_page_number(target))
        else:
            targets.append(reader.get_page_number(dest[0].get_object()))
    return targets


def dedup(pages: list[int]) -> list[int]:
    return [p for n, p in enumerate(pages) if n == 0 or pages[n - 1] != p]


def build_pack(ctx: ServiceContext, board: Board, part: Part = Part.PART_I) -> bytes:
    content = boardpacks.pack_content(ctx.uow(write=False), board.meeting_id, part)
    return build_pack_pdf(content, author="Secretariat")


FOOTER = "HESCB · Board meeting · Thursday 12 March 2026, 10:00–12:00"


# ------------------------------------------------------------------ the pack
def test_pack_every_page_marked_numbered_and_footed(ctx: ServiceContext, board: Board) -> None:
    data = build_pack(ctx, board)
    texts = assert_every_page_marked(data, Marking.OFFICIAL, FOOTER)
    assert len(texts) >= 15
    reader = PdfReader(BytesIO(data))
    meta = reader.metadata
    assert meta is not None
    assert meta.title == "HESCB Board meeting, Thursday 12 March 2026, 10:00–12:00: Board pack"
    assert meta.author == "Secretariat"
    assert meta.subject and "board pack" in meta.subject


def test_pack_outline_has_every_agenda_item_at_its_first_page(
    ctx: ServiceContext, board: Board
) -> None:
    data = build_pack(ctx, board)
    reader = PdfReader(BytesIO(data))
    texts = page_texts(data)
    marks = outline(reader)
    items = boardpacks.pack_status(ctx.uow(write=False), board.meeting_id).items
    top = [(t, p) for t, p, level in marks if level == 0]
    for item in items:
        if item.state == boardpacks.OTHER_PART:
            assert not any(t.startswith(f"{item.number}. ") for t, _ in top)
            continue
        found = [(t, p) for t, p in top if t.startswith(f"{item.number}. ")]
        assert len(found) == 1, f"item {item.number} has no bookmark"
        title, page = found[0]
        if item.title:
            assert item.title in title
        if item.paper_ref and item.state == boardpacks.IN and item.number != "6":
            assert item.paper_ref in " ".join(texts[page].split())
    word = next(p for t, p in top if t.startswith("6. "))
    assert "WORD-PAPER page 1" in texts[word]  # the attached paper starts at its bookmark
    appendix = [(t, p, lv) for t, p, lv in marks if t == "Appendix A: Costs"]
    assert appendix and appendix[0][2] == 1
    assert "COSTS-APPENDIX page 1" in texts[appendix[0][1]]


def test_contents_links_go_to_the_pages_they_name(ctx: ServiceContext, board: Board) -> None:
    data = build_pack(ctx, board)
    reader = PdfReader(BytesIO(data))
    texts = page_texts(data)
    contents = next(
        n for n, t in enumerate(texts) if any(x.strip() == "Contents" for x in t.splitlines())
    )
    targets = link_targets(reader, contents)
    # the cover and the contents itself are bookmarks, not lines of the contents
    marks = [m for m in outline(reader) if m[0] not in ("Cover", "Contents")]
    # each contents line links its text (every wrapped line of it) and its page number
    assert dedup(targets) == dedup([p for _, p, _ in marks])
    assert len(targets) >= 2 * len(marks)
    # and the printed page numbers on the contents page say the same
    printed = [int(m) for m in re.findall(r"\.\s*(\d+)\s*$", texts[contents], re.MULTILINE)]
    assert printed == [p + 1 for _, p, _ in marks]


def test_agenda_page_ranges_match_where_items_start(ctx: ServiceContext, board: Board) -> None:
    data = build_pack(ctx, board)
    reader = PdfReader(BytesIO(data))
    texts = page_texts(data)
    total = len(texts)
    starts = {
        t.split(".")[0]: p + 1 for t, p, level in outline(reader) if level == 0 and t[0].isdigit()
    }
    order = sorted(starts.items(), key=lambda kv: kv[1])
    expected = {}
    for n, (number, first) in enumerate(order):
        last = total
        if n + 1 < len(order):  # to the page before the next item, or the page it shares
            following, page = order[n + 1]
            lines = [x.strip() for x in texts[page - 1].splitlines() if x.strip()]
            shared = any(x.startswith(f"{following}. ") for x in lines[2:])
            last = page if shared else page - 1
        last = max(first, last)
        expected[number] = f"{first}" if first == last else f"{first}–{last}"
    agenda = texts[1]
    printed = {}
    for line in agenda.splitlines():
        m = re.match(r"^\s*(\d+)\s+.*?\s(\d+(?:–\d+)?|Part II pack)\s*$", line)
        if m:
            printed[m.group(1)] = m.group(2)
    assert printed.pop("9") == "Part II pack"
    assert printed == expected
    assert expected["5"] != expected["5"].split("–")[0]  # the paper with its appendix spans pages


def test_attached_pages_are_stamped_and_numbered(ctx: ServiceContext, board: Board) -> None:
    data = build_pack(ctx, board)
    texts = page_texts(data)
    total = len(texts)
    stamped = [n for n, t in enumerate(texts, 1) if "COSTS-APPENDIX page" in t or "WORD-PAPER" in t]
    assert len(stamped) == 5  # 3 appendix pages + 2 pages of the attached paper
    for n in stamped:
        lines = [x.strip() for x in texts[n - 1].splitlines() if x.strip()]
        assert lines[0] == lines[-1] == "OFFICIAL"
        assert f"Page {n} of {total}" in texts[n - 1]
    pages = [
        int(re.search(r"COSTS-APPENDIX page (\d)", texts[n - 1]).group(1)) for n in stamped[:3]
    ]  # type: ignore[union-attr]
    assert pages == [1, 2, 3]
    assert stamped[:3] == list(range(stamped[0], stamped[0] + 3))


def test_hostile_texts_print_literally(ctx: ServiceContext, board: Board) -> None:
    data = build_pack(ctx, board)
    flat = " ".join(" ".join(page_texts(data)).split())
    for piece in ("Costs <b> & AT&T <3 &nbsp; 😀", "Zażółć gęślą jaźń", "<b> unclosed & &nbsp;"):
        assert piece in flat
    assert "£0 & <none>" in flat and "first point <i>" in flat
    assert "**" not in flat.replace("**bold**", "")  # the markup itself is not printed
    assert "is shared" in flat and "busy" in flat
    # Arabic: drawn joined (presentation forms, reports/text.py); pdftotext reads the word back
    assert "ﻣﺮﺣﺒﺎ" in flat and "مرحبا" in unicodedata.normalize("NFKC", flat)
    # every letter of the long word, wrapped (the DRAFT watermark's letters fall between lines)
    assert sum(len(run) for run in re.findall(r"W{10,}", flat.replace(" ", ""))) >= 5000
    assert LONG_WORD[:10] in flat


def test_two_builds_are_byte_identical(ctx: ServiceContext, board: Board) -> None:
    assert build_pack(ctx, board) == build_pack(ctx, board)


def test_fonts_are_embedded(ctx: ServiceContext, board: Board) -> None:
    """Every font the generated pages draw with is embedded (attached pages bring their own)."""
    for pid in (board.papers["authored"], board.papers["word"]):
        for a in papers.attachments_of(ctx.uow(write=False), pid):
            papers.remove_attachment(ctx.uow(), a.id)
    data = build_pack(ctx, board)
    reader = PdfReader(BytesIO(data))
    used: dict[str, bool] = {}
    for page in reader.pages:
        fonts = page["/Resources"].get_object()["/Font"]
        content = page.get_contents()
        assert content is not None
        for name in set(re.findall(rb"/([\w+]+) [\d.]+ Tf", content.get_data())):
            font = fonts[f"/{name.decode()}"].get_object()
            descendants = font.get("/DescendantFonts")
            desc = (descendants[0].get_object() if descendants else font).get("/FontDescriptor")
            used[str(font["/BaseFont"])] = desc is not None and any(
                k in desc.get_object() for k in ("/FontFile", "/FontFile2", "/FontFile3")
            )
    assert used and all(used.values()), used
    assert {n.split("+")[-1] for n in used} >= {"DejaVuSans", "DejaVuSans-Bold"}


def test_draft_watermark_until_published(ctx: ServiceContext, board: Board) -> None:
    draft = build_pack(ctx, board)
    assert all("DRAFT" in t for t in raw_texts(draft))
    boardpacks.publish_pack(ctx.uow(), board.meeting_id)
    final = build_pack(ctx, board)
    assert not any("DRAFT" in t for t in raw_texts(final))
    with pytest.raises(ValidationError, match="already published"):
        boardpacks.publish_pack(ctx.uow(), board.meeting_id)


def test_late_paper_goes_in_a_numbered_supplement(ctx: ServiceContext, board: Board) -> None:
    boardpacks.publish_pack(ctx.uow(), board.meeting_id)
    late = papers.create_paper(
        ctx.uow(),
        {"title": "Late budget paper", "meeting_id": board.meeting_id, "body_text": "LATE-TEXT"},
    ).value
    crud.create(
        ctx.uow(),
        E.AGENDA_ITEMS,
        {"meeting_id": board.meeting_id, "position": 11, "title": "Budget", "paper_id": late.id},
    )
    status = boardpacks.pack_status(ctx.uow(write=False), board.meeting_id)
    assert status.late == 1
    pack = " ".join(page_texts(build_pack(ctx, board)))
    assert "LATE-TEXT" not in pack and "to be issued in a supplement" in pack
    # the draft supplement, then published as Supplement 1
    draft = boardpacks.pack_content(ctx.uow(write=False), board.meeting_id, supplement=1)
    assert draft.draft and [i.title for i in draft.items] == ["Budget"]
    assert boardpacks.publish_supplement(ctx.uow(), board.meeting_id).value == 1
    content = boardpacks.pack_content(ctx.uow(write=False), board.meeting_id, supplement=1)
    assert not content.draft
    data = build_pack_pdf(content, author="Secretariat")
    texts = assert_every_page_marked(data, Marking.OFFICIAL, FOOTER)
    flat = " ".join(" ".join(texts).split())
    assert "Supplement 1" in flat and "LATE-TEXT" in flat and "Late paper: Supplement 1" in flat
    pack = " ".join(page_texts(build_pack(ctx, board)))
    assert "Issued in Supplement 1." in pack
    with pytest.raises(ValidationError, match="no late papers"):
        boardpacks.publish_supplement(ctx.uow(), board.meeting_id)


# ------------------------------------------------------------------ markings and Part II
def test_paper_marked_above_the_pack_is_never_in_it(ctx: ServiceContext, board: Board) -> None:
    part1 = " ".join(page_texts(build_pack(ctx, board)))
    assert "SENSITIVE-BODY-TEXT" not in part1 and "PART-TWO-BODY-TEXT" not in part1
    assert "OFFICIAL-SENSITIVE" in part1  # only in the withheld notice
    assert "issued in the restricted pack" in part1
    data = build_pack(ctx, board, Part.PART_II)
    texts = assert_every_page_marked(data, Marking.OFFICIAL_SENSITIVE, FOOTER)
    part2 = " ".join(texts)
    assert "SENSITIVE-BODY-TEXT" in part2 and "PART-TWO-BODY-TEXT" in part2
    assert "Drone unit" not in part2.split("Contents", 1)[1]
    meta = PdfReader(BytesIO(data)).metadata
    assert meta is not None and meta.title is not None and meta.title.endswith("Part II")


def test_pack_takes_the_highest_marking_it_holds(ctx: ServiceContext, board: Board) -> None:
    boardpacks.set_pack_options(
        ctx.uow(), board.meeting_id, Part.PART_I, marking=Marking.OFFICIAL_SENSITIVE
    )
    content = boardpacks.pack_content(ctx.uow(write=False), board.meeting_id)
    assert content.marking is Marking.OFFICIAL_SENSITIVE
    data = build_pack_pdf(content, author="Secretariat")
    flat = " ".join(assert_every_page_marked(data, Marking.OFFICIAL_SENSITIVE, FOOTER))
    assert "SENSITIVE-BODY-TEXT" in flat
    # an OFFICIAL-SENSITIVE objective is in the highlight report only now
    assert "Sensitive objective" in flat


# ------------------------------------------------------------------ bad attached files
@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"PK\x03\x04 a Word file", "report.docx is not a PDF"),
        (encrypted_pdf(), "report.docx is encrypted"),
        (CORRUPT_PDF, "report.docx is corrupt"),
    ],
)
def test_bad_file_is_refused_naming_it(
    ctx: ServiceContext, board: Board, data: bytes, message: str
) -> None:
    before = papers.attachments_of(ctx.uow(write=False), board.papers["authored"])
    with pytest.raises(ValidationError, match=message):
        papers.attach_file(ctx.uow(), board.papers["authored"], "C:\\Users\\x\\report.docx", data)
    assert papers.attachments_of(ctx.uow(write=False), board.papers["authored"]) == before


def test_bad_file_that_arrived_stops_the_pack_until_removed(
    ctx: ServiceContext, board: Board
) -> None:
    # bytes that reached this PC damaged (or a file attached by an older version)
    import base64
    import hashlib

    sha = hashlib.sha256(CORRUPT_PDF).hexdigest()
    crud.create(
        ctx.uow(),
        E.ATTACHMENT_BLOBS,
        {"sha256": sha, "size": 1, "data_b64": base64.b64encode(CORRUPT_PDF).decode()},
    )
    bad = crud.create(
        ctx.uow(),
        E.ATTACHMENTS,
        {"paper_id": board.papers["authored"], "filename": "broken.pdf", "sha256": sha},
    ).value
    missing = crud.create(
        ctx.uow(),
        E.ATTACHMENTS,
        {"paper_id": board.papers["word"], "filename": "notyet.pdf", "sha256": "0" * 64},
    ).value
    status = boardpacks.pack_status(ctx.uow(write=False), board.meeting_id)
    assert len(status.problems) == 2
    with pytest.raises(boardpacks.PackProblemsError) as caught:
        boardpacks.pack_content(ctx.uow(write=False), board.meeting_id)
    assert "broken.pdf is corrupt" in str(caught.value)
    assert "notyet.pdf" in str(caught.value) and "has not reached this PC" in str(caught.value)
    with pytest.raises(boardpacks.PackProblemsError):
        boardpacks.publish_pack(ctx.uow(), board.meeting_id)
    papers.remove_attachment(ctx.uow(), bad.id)
    papers.remove_attachment(ctx.uow(), missing.id)
    assert build_pack(ctx, board)


# ------------------------------------------------------------------ the other documents
def test_single_paper_with_appendix(ctx: ServiceContext, board: Board) -> None:
    content = boardpacks.paper_content(ctx.uow(write=False), board.papers["authored"])
    data = build_paper_pdf(content, board="HESCB", author="Secretariat")
    footer = "HESCB Board meeting · HESCB 1/26 · Thursday 12 March 2026, 10:00–12:00"
    texts = assert_every_page_marked(data, Marking.OFFICIAL, footer)
    flat = " ".join(" ".join(texts).split())
    assert "Paper reference HESCB 1/26" in flat and "Agenda item 5" in flat
    assert "FOI status Open" in flat and "Purpose For decision" in flat
    assert texts[-1].count("COSTS-APPENDIX page 3") == 1
    meta = PdfReader(BytesIO(data)).metadata
    assert meta is not None and meta.title is not None and meta.title.startswith("HESCB 1/26: ")


def test_empty_title_and_hostile_header_fields_build() -> None:
    paper = PaperContent(
        reference="",
        title="",
        meeting=HOSTILE,
        agenda_number="<b>",
        report_of="&nbsp;",
        author=HOSTILE,
        purpose=Purpose.NOTING,
        part=Part.PART_I,
        foi_status=FoiStatus.OPEN,
        marking=Marking.OFFICIAL,
        body_text="**unclosed bold and _unclosed italic\n# \n|\n- \n" + LONG_WORD,
    )
    data = build_paper_pdf(paper, board="HESCB", author=HOSTILE)
    flat = " ".join(" ".join(page_texts(data)).split())
    assert "(untitled paper)" in flat and "**unclosed bold and _unclosed italic" in flat
    assert "Agenda item <b>" in flat and "Report of &nbsp;" in flat
    meta = PdfReader(BytesIO(data)).metadata
    assert meta is not None and meta.author == HOSTILE


def test_minutes_draft_and_approved(ctx: ServiceContext, board: Board) -> None:
    content = boardpacks.minutes_content(ctx.uow(write=False), board.previous_id)
    assert content.approved_on == MEETING_DAY
    data = build_minutes_pdf(content, author="Clerk")
    footer = "HESCB · Board meeting · Thursday 15 January 2026, 10:00–12:00"
    flat = " ".join(" ".join(assert_every_page_marked(data, Marking.OFFICIAL, footer)).split())
    assert "Approved as a correct record on 12 March 2026" in flat
    assert "Signed (Chair)" in flat and "DRAFT" not in flat
    assert "3/26 Drone unit" in flat and "RESOLVED – That the Board agrees" in flat
    assert "ACTION: Sam Officer (HFRS) to report drone costs" in flat
    assert "Present Alex Chair (HC)" in flat and "Apologies Sam Officer (HFRS)" in flat
    assert "There were no declarations of interest." in flat
    draft = build_minutes_pdf(
        boardpacks.MinutesContent(**{**content.__dict__, "approved_on": None}), author="Clerk"
    )
    flat = " ".join(" ".join(page_texts(draft)).split())
    assert DRAFT_NOTICE in flat and "Signed (Chair)" not in flat
    assert "DRAFT" in raw_texts(draft)[0]
    with pytest.raises(boardpacks.NotFoundError, match="no minutes"):
        boardpacks.minutes_content(ctx.uow(write=False), board.meeting_id)


def test_action_log_on_its_own(ctx: ServiceContext, board: Board) -> None:
    rows = boardpacks.open_actions(ctx.uow(write=False))
    assert [r.reference for r in rows] == ["HESCB/2026/001"]  # the closed one is not open
    data = build_action_log_pdf(rows, board="HESCB", title="HESCB action log", author="Clerk")
    flat = " ".join(
        " ".join(
            assert_every_page_marked(data, Marking.OFFICIAL, "HESCB · HESCB action log")
        ).split()
    )
    assert "HESCB/2026/001" in flat and "Closed already" not in flat
    assert "minute" in flat and "3/26" in flat


def test_highlight_report(ctx: ServiceContext, board: Board) -> None:
    content = highlight_content(ctx.uow(write=False), as_of=MEETING_DAY, since=date(2026, 1, 15))
    assert content.rows[0].change == "Time amber → red"
    assert content.rows[0].next_milestone == "Outline business case · 30 Apr 2026"
    data = build_highlight_pdf(content, author="PMO")
    texts = assert_every_page_marked(
        data, Marking.OFFICIAL_SENSITIVE, "HESCB · HESCB programme highlight report"
    )
    flat = " ".join(" ".join(texts).split())
    assert "Time amber → red" in flat and "Recruit a project manager" in flat
    assert "Sensitive objective" in flat
    official = highlight_content(ctx.uow(write=False), allowed=Marking.OFFICIAL)
    assert official.left_out == 1 and [r.title for r in official.rows] == [content.rows[0].title]


def test_meeting_refs(ctx: ServiceContext, board: Board) -> None:
    uow = ctx.uow
    assert boardpacks.resolve_meeting(uow(write=False), "2026-03-12").id == board.meeting_id
    assert boardpacks.resolve_meeting(uow(write=False), "hescb@2026-03-12").id == board.meeting_id
    assert (
        boardpacks.resolve_meeting(uow(write=False), board.meeting_id[:30]).id == board.meeting_id
    )
    assert (
        boardpacks.resolve_meeting(uow(write=False), "next", today=date(2026, 2, 1)).id
        == board.meeting_id
    )
    with pytest.raises(boardpacks.NotFoundError):
        boardpacks.resolve_meeting(uow(write=False), "2026-03-13")
    with pytest.raises(ValidationError):
        boardpacks.resolve_meeting(uow(write=False), "2026-02-30")
    with pytest.raises(ValidationError):
        boardpacks.resolve_meeting(uow(write=False), "<b>")


def test_paper_references_are_given_in_order(ctx: ServiceContext, board: Board) -> None:
    refs = [
        crud.get(ctx.uow(write=False), E.PAPERS, pid).reference for pid in board.papers.values()
    ]
    assert refs == ["HESCB 1/26", "HESCB 2/26", "HESCB 3/26", "HESCB 4/26"]
    assert papers.find_paper(ctx.uow(write=False), "2/26").id == board.papers["word"]
    with pytest.raises(ValidationError, match="given automatically"):
        papers.create_paper(ctx.uow(), {"title": "x", "reference": "HESCB 9/26"})


def test_attached_file_is_stored_once_by_hash_and_synced(ctx: ServiceContext, board: Board) -> None:
    pdf = attached_pdf("SAME", 1)
    papers.attach_file(ctx.uow(), board.papers["word"], "a.pdf", pdf)
    papers.attach_file(ctx.uow(), board.papers["authored"], "b.pdf", pdf)
    blobs = crud.list_all(ctx.uow(write=False), E.ATTACHMENT_BLOBS)
    import hashlib

    sha = hashlib.sha256(pdf).hexdigest()
    assert [b.sha256 for b in blobs].count(sha) == 1
    assert papers.blob_bytes(ctx.uow(write=False), sha) == pdf
    from sqlalchemy import text

    with ctx.engine.connect() as conn:
        logged = conn.execute(
            text("SELECT count(*) FROM change_log WHERE table_name='attachment_blobs'")
        ).scalar()
    assert logged and logged >= 3 * len(blobs)  # the bytes travel in the change log


def test_a_paper_goes_in_one_pack_only(ctx: ServiceContext, board: Board) -> None:
    """Once the Part I pack may hold OFFICIAL-SENSITIVE, the sensitive Part I paper moves back
    into it and out of the Part II pack."""

    def refs(part: Part) -> set[str]:
        content = boardpacks.pack_content(ctx.uow(write=False), board.meeting_id, part)
        return {i.paper.reference for i in content.items if i.paper is not None}

    assert refs(Part.PART_I) == {"HESCB 1/26", "HESCB 2/26"}
    assert refs(Part.PART_II) == {"HESCB 3/26", "HESCB 4/26"}
    boardpacks.set_pack_options(
        ctx.uow(), board.meeting_id, Part.PART_I, marking=Marking.OFFICIAL_SENSITIVE
    )
    assert refs(Part.PART_I) == {"HESCB 1/26", "HESCB 2/26", "HESCB 3/26"}
    assert refs(Part.PART_II) == {"HESCB 4/26"}


def test_attached_file_reaches_another_pc_through_the_share(office: Office) -> None:
    """The bytes travel as an ordinary synced row: PC b builds the paper with PC a's appendix."""
    a, b = office.pc("a"), office.pc("b")
    board = build_board(a, hostile=False)
    extra = attached_pdf("FROM-PC-A", 2)
    papers.attach_file(a.uow(), board.papers["word"], "from-a.pdf", extra)
    office.sync("a")
    office.sync("b")
    content = boardpacks.paper_content(b.uow(write=False), board.papers["word"])
    assert [x.filename for x in content.appendices] == ["from-a.pdf"]
    assert content.appendices[0].data == extra
    data = build_paper_pdf(content, board="HESCB", author="PC b")
    flat = " ".join(page_texts(data))
    assert "FROM-PC-A page 2" in flat and "WORD-PAPER page 1" in flat


def test_a_5000_character_word_in_every_title_still_builds(
    ctx: ServiceContext, board: Board
) -> None:
    from dataclasses import replace

    content = boardpacks.pack_content(ctx.uow(write=False), board.meeting_id)
    items = tuple(
        replace(i, title=LONG_WORD, paper=replace(i.paper, title=LONG_WORD) if i.paper else None)
        for i in content.items
    )
    hostile = replace(content, items=items, meeting_title=LONG_WORD, venue=LONG_WORD)
    data = build_pack_pdf(hostile, author=LONG_WORD)
    texts = page_texts(data)
    reader = PdfReader(BytesIO(data))
    assert len(texts) == len(reader.pages) > len(page_texts(build_pack_pdf(content, author="x")))
    for n, text in enumerate(texts, 1):
        assert f"Page {n} of {len(texts)}" in text
    assert sum(t.count("W") for t in texts) >= 5000 * 10


def test_long_words_in_the_other_documents_build(ctx: ServiceContext, board: Board) -> None:
    from dataclasses import replace

    rows = boardpacks.open_actions(ctx.uow(write=False))
    long_rows = tuple(
        replace(r, description=LONG_WORD, owner=LONG_WORD, latest_update=LONG_WORD) for r in rows
    )
    data = build_action_log_pdf(long_rows, board="HESCB", title=LONG_WORD, author="x")
    assert sum(t.count("W") for t in page_texts(data)) >= 3 * 5000
    content = highlight_content(ctx.uow(write=False), as_of=MEETING_DAY)
    hl = replace(
        content,
        rows=tuple(replace(r, title=LONG_WORD, path_to_green=LONG_WORD) for r in content.rows),
    )
    assert sum(t.count("W") for t in page_texts(build_highlight_pdf(hl, author="x"))) >= 5000
    minutes = boardpacks.minutes_content(ctx.uow(write=False), board.previous_id)
    items = tuple(replace(i, title=LONG_WORD, resolutions=(LONG_WORD,)) for i in minutes.items)
    long_minutes = replace(minutes, items=items, venue=LONG_WORD, present=(LONG_WORD,))
    assert (
        sum(t.count("W") for t in page_texts(build_minutes_pdf(long_minutes, author="x")))
        >= 4 * 5000
    )
