"""Every document kind draws only with embedded DejaVu fonts (never the unembedded Helvetica
default), and right-to-left text (Arabic, Hebrew, mixed lines) comes out shaped and in display
order, read back with pdftotext and pypdf."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import unicodedata
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from io import BytesIO
from pathlib import Path

import pytest
from pack_data import MEETING_DAY, Board, build_board
from pypdf import PdfReader
from reportlab import rl_config
from reportlab.platypus import Table, TableStyle

from hescb_desktop.domain.enums import Marking, Part
from hescb_desktop.reports.action_log import build_action_log_pdf
from hescb_desktop.reports.board_print import write_board_pdf
from hescb_desktop.reports.calendar_print import print_week
from hescb_desktop.reports.document import MarkedDocument, heading, table_of_contents
from hescb_desktop.reports.highlight import build_highlight_pdf
from hescb_desktop.reports.minutes import build_minutes_pdf
from hescb_desktop.reports.pack import build_pack_pdf
from hescb_desktop.reports.paper import build_paper_pdf
from hescb_desktop.reports.selftest import build_selftest_pdf
from hescb_desktop.reports.styles import stylesheet
from hescb_desktop.reports.text import Paragraph, para_text, shape, visual
from hescb_desktop.services import board_report, boardpacks, crud, papers
from hescb_desktop.services import calendar as cal
from hescb_desktop.services import entities as E
from hescb_desktop.services.context import ServiceContext, open_context
from hescb_desktop.services.highlight import highlight_content

ARABIC = "مرحبا بالعالم"
HEBREW = "שלום עולם"
# what a reader sees, left to right: the words in reverse order, Arabic letters joined
ARABIC_SEEN = "ﻢﻟﺎﻌﻟﺎﺑ ﺎﺒﺣﺮﻣ"
HEBREW_SEEN = "םלוע םולש"
# the two Arabic words as joined glyphs (initial, medial, final forms), each in reading order
ARABIC_JOINED = ("ﻣﺮﺣﺒﺎ", "ﺑﺎﻟﻌﺎﻟﻢ")
ROADMAP_OBJECTIVE = {
    "title": f"Drones {ARABIC}",
    "stage": "Delivery",
    "start_date": date(2026, 1, 5),
    "target_date": date(2026, 9, 30),
}


@pytest.fixture(autouse=True)
def invariant(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rl_config, "invariant", 1)


@pytest.fixture
def ctx(tmp_path: Path) -> Iterator[ServiceContext]:
    context = open_context(tmp_path / "data")
    yield context
    context.close()


def pdftotext(data: bytes) -> str:
    binary = shutil.which("pdftotext")
    assert binary is not None, "pdftotext is missing: apt-get install poppler-utils"
    return subprocess.run(
        [binary, "-raw", "-enc", "UTF-8", "-", "-"], input=data, capture_output=True, check=True
    ).stdout.decode("utf-8")


def page_fonts(data: bytes) -> dict[str, bool]:
    """Every font in every page's resources: its base name and whether its program is embedded."""
    fonts: dict[str, bool] = {}
    for page in PdfReader(BytesIO(data)).pages:
        resources = page["/Resources"].get_object()
        for ref in resources.get("/Font", {}).values():
            font = ref.get_object()
            descendants = font.get("/DescendantFonts")
            top = descendants[0].get_object() if descendants else font
            desc = top.get("/FontDescriptor")
            fonts[str(font["/BaseFont"])] = desc is not None and "/FontFile2" in desc.get_object()
    return fonts


def assert_only_embedded_dejavu(data: bytes) -> None:
    """Only the bundled fonts, embedded: DejaVu Sans, and Noto Emoji where an emoji needs it."""
    fonts = page_fonts(data)
    assert fonts, "no fonts at all"
    assert all(fonts.values()), fonts
    # subset names look like /AAAAAA+DejaVuSans-Bold
    assert all(
        name.split("+")[-1].startswith(("DejaVuSans", "NotoEmoji-Regular")) for name in fonts
    ), fonts


# ------------------------------------------------------------------ fonts in every document
def _no_attachments(ctx: ServiceContext, board: Board) -> None:
    for pid in board.papers.values():
        for a in papers.attachments_of(ctx.uow(write=False), pid):
            papers.remove_attachment(ctx.uow(), a.id)


def _pack(ctx: ServiceContext, board: Board) -> bytes:
    content = boardpacks.pack_content(ctx.uow(write=False), board.meeting_id, Part.PART_I)
    return build_pack_pdf(content, author="Secretariat")


def _paper(ctx: ServiceContext, board: Board) -> bytes:
    content = boardpacks.paper_content(ctx.uow(write=False), board.papers["authored"])
    return build_paper_pdf(content, board="HESCB", author="Secretariat")


def _minutes(ctx: ServiceContext, board: Board) -> bytes:
    return build_minutes_pdf(
        boardpacks.minutes_content(ctx.uow(write=False), board.previous_id), author="Clerk"
    )


def _action_log(ctx: ServiceContext, board: Board) -> bytes:
    rows = boardpacks.open_actions(ctx.uow(write=False))
    return build_action_log_pdf(rows, board="HESCB", title="HESCB action log", author="Clerk")


def _highlight(ctx: ServiceContext, board: Board) -> bytes:
    content = highlight_content(ctx.uow(write=False), as_of=MEETING_DAY, since=date(2026, 1, 15))
    return build_highlight_pdf(content, author="PMO")


def _board_pdf(ctx: ServiceContext, board: Board) -> bytes:
    # an objective with dates, so the roadmap draws its label with canvas.drawString
    crud.create(ctx.uow(), E.OBJECTIVES, ROADMAP_OBJECTIVE)
    data = board_report.print_data(ctx.uow(write=False), MEETING_DAY)
    assert data.roadmap.rows, "the roadmap should have a row"
    assert data.cards, "the board PDF should show cards"
    out = BytesIO()
    write_board_pdf(data, out)
    return out.getvalue()


def _calendar_week(ctx: ServiceContext, board: Board) -> bytes:
    monday = MEETING_DAY - timedelta(days=MEETING_DAY.weekday())
    occs = cal.occurrences(
        ctx.uow(write=False), *cal.window_of_days(monday, monday + timedelta(days=6))
    )
    out = BytesIO()
    print_week(out, monday, occs)
    return out.getvalue()


def _selftest(ctx: ServiceContext, board: Board) -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "selftest.pdf"
        build_selftest_pdf(path, {"Database": "ok"})
        return path.read_bytes()


KINDS: dict[str, Callable[[ServiceContext, Board], bytes]] = {
    "selftest": _selftest,
    "paper": _paper,
    "pack": _pack,
    "minutes": _minutes,
    "action log": _action_log,
    "highlight report": _highlight,
    "board PDF": _board_pdf,
    "calendar week": _calendar_week,
}


@pytest.mark.parametrize("kind", list(KINDS))
def test_every_font_is_embedded_dejavu(ctx: ServiceContext, kind: str) -> None:
    board = build_board(ctx)
    _no_attachments(ctx, board)  # attached PDFs bring their own fonts
    data = KINDS[kind](ctx, board)
    assert_only_embedded_dejavu(data)
    assert pdftotext(data).strip()  # the text really is there


def test_a_table_of_contents_and_a_plain_table_use_dejavu(tmp_path: Path) -> None:
    """Styles made without a DejaVu parent (a bare TableStyle, the contents' own table) still
    print in DejaVu, not the unembedded Helvetica."""
    pdf = tmp_path / "toc.pdf"
    doc = MarkedDocument(pdf, marking=Marking.OFFICIAL, title="Contents")
    styles = stylesheet()
    table = Table([["empty cell style", ""], ["x", "y"]])
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, "black")]))
    doc.render([table_of_contents(), heading("One", styles["Heading1"]), table])
    assert_only_embedded_dejavu(pdf.read_bytes())


# ------------------------------------------------------------------ right-to-left text
@pytest.mark.parametrize(
    ("typed", "seen"),
    [
        (ARABIC, ARABIC_SEEN),
        (HEBREW, HEBREW_SEEN),
        ("Meeting with أحمد on 12 May", "Meeting with ﺪﻤﺣﺃ on 12 May"),
        ("Hello שלום 2026 world", "Hello 2026 םולש world"),
        ("العدد 123 والنسبة 45%", "%45 ﺔﺒﺴﻨﻟﺍﻭ 123 ﺩﺪﻌﻟﺍ"),  # numbers stay left to right
        ("مرحبا (كبير)", "(ﺮﻴﺒﻛ) ﺎﺒﺣﺮﻣ"),  # brackets mirrored
        ("plain <b> & 😀 Zażółć", "plain <b> & 😀 Zażółć"),  # no RTL: untouched
    ],
)
def test_visual_order(typed: str, seen: str) -> None:
    assert visual(typed) == seen


def test_harakat_and_niqqud_are_kept_before_their_letter() -> None:
    """Marks are kept and come just before their letter in drawing order: DejaVu Sans draws an
    Arabic or Hebrew mark over the glyph after it (checked by eye in a rendered PDF)."""
    shown = visual("مُحَمَّد")
    assert shown.count("\u064f") == 1 and shown.count("\u0651") == 1  # damma, shadda kept
    assert shown.endswith("\u064fﻣ")  # the first letter, drawn last, after its damma
    typed = "שָׁלוֹם"
    assert visual(typed) == typed[::-1]  # niqqud kept, each just before its letter


@pytest.mark.parametrize(
    "typed", ["<b>" + ARABIC, f"{HEBREW} & <i>unclosed", f"&nbsp; {ARABIC} </para>"]
)
def test_rtl_text_with_markup_characters_still_escapes(typed: str) -> None:
    """Nothing is taken for markup: the paragraph holds exactly the typed text, Arabic in its
    joined forms (drawn in display order, where a `<` may show mirrored, as any bidi renderer
    draws it)."""
    para = Paragraph(para_text(typed), stylesheet()["Normal"])
    assert para.getPlainText() == shape(typed)
    assert sorted(visual(typed).replace(">", "<")) == sorted(shape(typed).replace(">", "<"))


def test_rtl_text_reads_back_in_display_order(tmp_path: Path) -> None:
    pdf = tmp_path / "rtl.pdf"
    doc = MarkedDocument(pdf, marking=Marking.OFFICIAL, title="RTL")
    styles = stylesheet()
    typed = [ARABIC, HEBREW, "Meeting with أحمد on 12 May", "Hello שלום 2026 world", "A\n" + HEBREW]
    story = [heading(HEBREW, styles["Heading1"])]
    story += [Paragraph(para_text(t), styles["Normal"]) for t in typed]
    doc.render(story)
    data = pdf.read_bytes()
    assert_only_embedded_dejavu(data)
    # pdftotext puts each right-to-left word back in reading order (between U+202B/U+202C) and
    # the joined forms back to letters, but leaves the words where they were drawn: left to right
    text = pdftotext(data).replace("\u202b", "").replace("\u202c", "")
    lines = unicodedata.normalize("NFKC", text).splitlines()
    for seen in (
        "بالعالم مرحبا",
        "עולם שלום",
        "Meeting with أحمد on 12 May",
        "Hello 2026 שלום world",
    ):
        assert seen in lines, (seen, lines)
    # the glyphs drawn are the joined forms (initial, medial, final), not isolated letters
    for joined, word in zip(ARABIC_JOINED, ARABIC.split(), strict=True):
        assert joined in text and joined != word and unicodedata.normalize("NFKC", joined) == word
    # the bookmark keeps the text as typed: PDF viewers put outlines in order themselves
    outline = PdfReader(pdf).outline
    assert outline[0].title == HEBREW


def test_roadmap_label_drawn_with_drawstring_is_in_display_order(ctx: ServiceContext) -> None:
    data = _board_pdf(ctx, build_board(ctx))
    last_page = pdftotext(data).split("\f")[len(PdfReader(BytesIO(data)).pages) - 1]
    lines = last_page.replace("\u202b", "").replace("\u202c", "").splitlines()
    line = next(ln for ln in lines if "Drones" in ln)
    # "Drones" then the Arabic words left to right as drawn: the last word first, joined
    assert unicodedata.normalize("NFKC", line).split()[:3] == ["Drones", "بالعالم", "مرحبا"], line
    assert all(joined in line for joined in ARABIC_JOINED), line
