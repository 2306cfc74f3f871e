"""Numbered copies as PDFs (issue 16, point 3), read back with pdftotext and pypdf: the label on
every page of a Part II copy, only on the OFFICIAL-SENSITIVE paper's pages (attached pages too)
of a Part I copy, clear of the body, the footer and the page number; the copies register PDF."""

from __future__ import annotations

import re
import subprocess
from io import BytesIO
from pathlib import Path

import pytest
from pack_data import Board, attached_pdf, build_board
from pypdf import PdfReader

from hescb_desktop.domain.enums import Marking, Part
from hescb_desktop.reports.copies_register import build_copies_register_pdf
from hescb_desktop.reports.document import MARGIN
from hescb_desktop.services import boardpacks, copies, papers
from hescb_desktop.services.context import ServiceContext, open_context

pytestmark = pytest.mark.slow
LONG_TITLE = "Extraordinary joint meeting on the shared estate and the drone unit " * 2


@pytest.fixture
def ctx(tmp_path: Path) -> ServiceContext:
    context = open_context(tmp_path / "data")
    yield context  # type: ignore[misc]
    context.close()


@pytest.fixture
def board(ctx: ServiceContext) -> Board:
    built = build_board(ctx, hostile=False)
    papers.attach_file(
        ctx.uow(), built.papers["sensitive"], "annex.pdf", attached_pdf("SENS-ANNEX", 2)
    )
    return built


def page_texts(data: bytes) -> list[str]:
    count = len(PdfReader(BytesIO(data)).pages)
    return [
        subprocess.run(
            ["pdftotext", "-f", str(n), "-l", str(n), "-layout", "-enc", "UTF-8", "-", "-"],
            input=data,
            capture_output=True,
            check=True,
        ).stdout.decode("utf-8")
        for n in range(1, count + 1)
    ]


def words_with_boxes(data: bytes, page: int) -> list[tuple[str, float, float, float, float]]:
    """(word, xMin, yMin, xMax, yMax) of every word on `page` (y down from the top)."""
    html = subprocess.run(
        ["pdftotext", "-f", str(page), "-l", str(page), "-bbox", "-enc", "UTF-8", "-", "-"],
        input=data,
        capture_output=True,
        check=True,
    ).stdout.decode("utf-8")
    found = re.findall(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>',
        html,
    )
    return [(w, float(a), float(b), float(c), float(d)) for a, b, c, d, w in found]


def build_copy(ctx: ServiceContext, board: Board, part: Part, *names: str) -> list[bytes]:
    built = copies.build_copies(ctx.uow(write=False), board.meeting_id, part, names, author="t")
    copies.issue_copies(ctx.uow(), board.meeting_id, part, names, expect=[b.planned for b in built])
    return [b.data for b in built]


def test_every_page_of_a_part_two_copy_carries_its_own_label(
    ctx: ServiceContext, board: Board
) -> None:
    data = build_copy(ctx, board, Part.PART_II, "Alex Chair", "ACC R. Shah")[1]
    texts = page_texts(data)
    assert len(texts) >= 5
    # the sensitive Part I paper, issued in the restricted pack, and its attached pages
    assert any("SENS-ANNEX page 2" in t for t in texts)
    for n, text in enumerate(texts, 1):
        assert "Copy 2 of 2 – issued to ACC R. Shah" in text, n
        assert "Alex Chair" not in text.split("Copy 2 of 2")[-1], n  # not the other copy's
        assert f"Page {n} of {len(texts)}" in text
        assert text.count("OFFICIAL-SENSITIVE") >= 2  # the marking top and bottom, kept


def test_a_part_one_copy_labels_only_the_sensitive_papers_pages(
    ctx: ServiceContext, board: Board
) -> None:
    boardpacks.set_pack_options(
        ctx.uow(), board.meeting_id, Part.PART_I, marking=Marking.OFFICIAL_SENSITIVE
    )
    (data,) = build_copy(ctx, board, Part.PART_I, "Alex Chair")
    label = "Copy 1 of 1 – issued to Alex Chair"
    texts = page_texts(data)
    sensitive = [
        n for n, t in enumerate(texts, 1) if "SENSITIVE-BODY-TEXT" in t or "SENS-ANNEX page" in t
    ]
    assert len(sensitive) == 3  # the paper's own page and its two attached pages
    labelled = [n for n, t in enumerate(texts, 1) if n > 1 and label in t]
    assert labelled == sensitive
    # the cover names the copy in its table, not in its (unrestricted) footer
    assert texts[0].count(label) == 1 and "Numbered copy" in texts[0]
    # an OFFICIAL paper's attached pages (the costs appendix) carry no label
    costs = [n for n, t in enumerate(texts, 1) if "COSTS-APPENDIX" in t]
    assert costs and not set(costs) & set(labelled)


def test_a_part_one_pack_without_sensitive_papers_has_no_copies(
    ctx: ServiceContext, board: Board
) -> None:
    with pytest.raises(copies.ValidationError, match="no paper marked OFFICIAL-SENSITIVE"):
        copies.build_copies(
            ctx.uow(write=False), board.meeting_id, Part.PART_I, ["Alex Chair"], author="t"
        )
    assert copies.register(ctx.uow(write=False)) == ()


def test_the_label_sits_between_the_body_and_the_footer_on_one_line(
    ctx: ServiceContext, board: Board
) -> None:
    """A meeting title long enough to take the footer to two lines elsewhere: on a labelled
    page the footer keeps to one line (its date and time whole) under the label, and the
    label stays below the body and inside the margins."""
    from hescb_desktop.services import crud
    from hescb_desktop.services.entities import MEETINGS

    crud.update(ctx.uow(), MEETINGS, board.meeting_id, {"title": LONG_TITLE})
    name = "Assistant Chief Fire Officer Dr Jo-Anne Fitzwilliam-Smythe (HFRS)"
    data = build_copy(ctx, board, Part.PART_II, name)[0]
    reader = PdfReader(BytesIO(data))
    height = float(reader.pages[0].mediabox.height)
    width = float(reader.pages[0].mediabox.width)
    for page in (1, len(reader.pages)):
        words = words_with_boxes(data, page)
        label = [w for w in words if w[2] > height - 70 and w[0] in ("Copy", "Fitzwilliam-Smythe")]
        assert len(label) == 2, words[-30:]
        top, bottom = min(w[2] for w in label), max(w[4] for w in label)
        footer = [w for w in words if w[0] == "Thursday" and w[2] > height - 70]
        page_no = [w for w in words if w[0] == "Page" and w[2] > height - 70]
        assert len(footer) == 1 and len(page_no) == 1  # the footer on one line
        assert bottom <= footer[0][2] + 0.5 and bottom <= page_no[0][2] + 0.5
        body = [w for w in words if w[4] < height - 70 and w[2] > 60]  # below the top banner
        assert top >= max(w[4] for w in body)
        assert max(w[3] for w in label) <= width - MARGIN * 0.99  # inside the right margin
    text = page_texts(data)[1]
    assert f"Copy 1 of 1 – issued to {name}" in text
    assert "Thursday 12 March 2026, 10:00–12:00" in text  # the time never cut


def test_the_register_pdf_lists_every_copy_with_its_state(
    ctx: ServiceContext, board: Board
) -> None:
    long_name = "Assistant Chief Fire Officer Dr Jo-Anne Fitzwilliam-Smythe (HFRS)"
    a, b, _c = copies.issue_copies(
        ctx.uow(), board.meeting_id, Part.PART_II, ["Alex Chair", "ACC R. Shah", long_name]
    ).value
    copies.mark_returned(ctx.uow(), a.id)
    copies.mark_destroyed(ctx.uow(), b.id)
    data = build_copies_register_pdf(copies.register_content(ctx.uow(write=False)), author="t")
    (text,) = page_texts(data)
    flat = text.replace("\xa0", " ")
    assert "HESCB/2026-03-12 · Board meeting · Part II pack" in flat
    assert "3 copies issued, 1 still held" in flat
    assert "Fitzwilliam-Smythe" in flat  # a name's longest word is never broken
    rows = [line.split() for line in flat.splitlines() if re.match(r"\s*\d of 3", line)]
    assert [(r[0], r[-1]) for r in rows] == [("1", "returned"), ("2", "destroyed"), ("3", "issued")]
    assert text.strip().startswith("OFFICIAL-SENSITIVE") and text.strip().endswith(
        "OFFICIAL-SENSITIVE"
    )
    fonts = {
        str(f.get_object()["/BaseFont"])
        for p in PdfReader(BytesIO(data)).pages
        for f in p["/Resources"]["/Font"].values()
    }
    assert not any("Helvetica" in f for f in fonts), fonts


@pytest.mark.parametrize("part", [Part.PART_I, Part.PART_II])
def test_a_copy_is_the_pack_page_for_page_with_no_blank_page(
    ctx: ServiceContext, board: Board, part: Part
) -> None:
    """The restricted content's markers take no room: the copy has the pack's pages, each
    holding something besides its banners and footer (a marker once left a blank page)."""
    from hescb_desktop.reports.pack import build_pack_pdf

    boardpacks.set_pack_options(
        ctx.uow(), board.meeting_id, Part.PART_I, marking=Marking.OFFICIAL_SENSITIVE
    )
    plain = build_pack_pdf(boardpacks.pack_content(ctx.uow(), board.meeting_id, part), author="t")
    (copy,) = build_copy(ctx, board, part, "Alex Chair")
    assert len(page_texts(copy)) == len(page_texts(plain))
    frame = re.compile(r"OFFICIAL-SENSITIVE|OFFICIAL|Copy 1 of 1.*|HESCB ·.*|Page \d+ of \d+|DRAFT")
    for n, text in enumerate(page_texts(copy), 1):
        body = frame.sub("", text)
        assert re.sub(r"[\sDRAFT]", "", body), f"page {n} is blank"
