"""Right-to-left paragraphs longer than one line, and emoji, in real PDFs read back.

Words are read with their positions (`pdftotext -bbox`, which gives each word's glyphs in the
order they were drawn, left to right); a right-to-left word is turned back into the order it
was typed, and Arabic presentation forms back into letters (NFKC), to compare with the text.
"""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import unicodedata
from collections import Counter
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from xml.etree import ElementTree

import pytest
from bidi.algorithm import MIRRORED
from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf import PdfReader
from reportlab import rl_config
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import getFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import PageBreak, Spacer
from reportlab.platypus import Paragraph as ReportLabParagraph

from hescb_desktop.domain.enums import Marking
from hescb_desktop.reports import text as report_text
from hescb_desktop.reports.document import MARGIN, MarkedDocument, heading, table_of_contents
from hescb_desktop.reports.fonts import BOLD, BOLD_ITALIC, EMOJI, REGULAR
from hescb_desktop.reports.frame import BoardDocument
from hescb_desktop.reports.markup import inline
from hescb_desktop.reports.styles import stylesheet
from hescb_desktop.reports.text import Paragraph, para_text

REPORTS = Path(report_text.__file__).parent
# 48 Arabic words: "At the start there was a long board meeting ... unanimously. Thank you"
ARABIC = (
    "في البداية كان هناك اجتماع طويل للمجلس ناقش فيه الأعضاء الميزانية والخطط المستقبلية "
    "للخدمات الطارئة في المقاطعة، ثم انتقلوا إلى مناقشة التعاون بين الشرطة والإطفاء "
    "والإسعاف، وفي النهاية وافقوا على التقرير بالإجماع وشكرا لكم"
)
HEBREW = (
    "בהתחלה הייתה ישיבה ארוכה של הוועדה שבה דנו החברים בתקציב ובתוכניות העתידיות של "
    "שירותי החירום במחוז ולבסוף אישרו את הדוח פה אחד"
)
MIXED = (
    "Opening: the meeting with أحمد محمد on 12 May agreed the joint headquarters programme, "
    "the fleet plan and the estates review, then heard from سارة about the control room "
    "and closed at noon"
)
RIGHT_EDGE = 595.2756 - MARGIN - 6  # A4 width, the page margin, the frame's padding
LEFT_EDGE = MARGIN + 6
BODY_TOP, BODY_BOTTOM = MARGIN, 841.8898 - MARGIN  # pdftotext's y grows down the page


@pytest.fixture(autouse=True)
def invariant(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rl_config, "invariant", 1)


@dataclass(frozen=True)
class Word:
    page: int
    x0: float
    x1: float
    y: float  # top, growing down the page
    text: str  # as typed (right-to-left glyphs put back in reading order, NFKC)


def _rtl(word: str) -> bool:
    return any(unicodedata.bidirectional(ch) in ("R", "AL") for ch in word)


def read_words(data: bytes) -> list[Word]:
    binary = shutil.which("pdftotext")
    assert binary is not None, "pdftotext is missing: apt-get install poppler-utils"
    html = subprocess.run(
        [binary, "-bbox", "-enc", "UTF-8", "-", "-"], input=data, capture_output=True, check=True
    ).stdout.decode("utf-8")
    root = ElementTree.fromstring(re.sub(r"<!DOCTYPE[^>]*>", "", html))
    words: list[Word] = []
    for number, page in enumerate(root.iter("{http://www.w3.org/1999/xhtml}page"), 1):
        for w in page.iter("{http://www.w3.org/1999/xhtml}word"):
            drawn = w.text or ""
            typed = unicodedata.normalize("NFKC", drawn[::-1] if _rtl(drawn) else drawn)
            words.append(
                Word(
                    number,
                    float(w.get("xMin", 0)),
                    float(w.get("xMax", 0)),
                    float(w.get("yMin", 0)),
                    typed,
                )
            )
    return words


def body_lines(words: list[Word]) -> list[list[Word]]:
    """The printed lines between the marking banners, top to bottom, words left to right (an
    emoji's box sits a little higher than a letter's on the same line)."""
    lines: list[list[Word]] = []
    for w in sorted(words, key=lambda w: (w.page, w.y)):
        if not BODY_TOP < w.y < BODY_BOTTOM:
            continue
        if lines and lines[-1][0].page == w.page and w.y - lines[-1][0].y < 3:
            lines[-1].append(w)
        else:
            lines.append([w])
    return [sorted(line, key=lambda w: w.x0) for line in lines]


def reading_order(line: list[Word]) -> list[str]:
    """A right-to-left line read as its reader does: right to left."""
    return [w.text for w in sorted(line, key=lambda w: -w.x0)]


def render(story: list, *, title: str = "bidi") -> bytes:
    out = BytesIO()
    MarkedDocument(out, marking=Marking.OFFICIAL, title=title).render(story)
    return out.getvalue()


# ------------------------------------------------------------------ right-to-left paragraphs
@pytest.mark.parametrize("typed", [ARABIC, HEBREW], ids=["arabic", "hebrew"])
def test_a_long_right_to_left_paragraph_reads_top_down_right_aligned(typed: str) -> None:
    normal = stylesheet()["Normal"]
    data = render([Paragraph(para_text(typed), normal)])
    lines = body_lines(read_words(data))
    assert len(lines) >= 2, lines  # it really wraps
    # every line, read right to left, and the lines top to bottom give the text as typed
    assert [w for line in lines for w in reading_order(line)] == typed.split()
    first, last = lines[0], lines[-1]
    assert first[0].y < last[0].y  # the first words are on the top line
    # right-aligned: every line ends at the frame's right edge; the short last line is far
    # from the left one
    assert all(abs(line[-1].x1 - RIGHT_EDGE) < 1.5 for line in lines), [ln[-1].x1 for ln in lines]
    assert last[0].x0 > LEFT_EDGE + 30


def test_mixed_english_with_arabic_names_stays_left_to_right() -> None:
    data = render([Paragraph(para_text(MIXED), stylesheet()["Normal"])])
    lines = body_lines(read_words(data))
    assert len(lines) >= 2
    assert lines[0][0].text == "Opening:" and abs(lines[0][0].x0 - LEFT_EDGE) < 1.5
    shown = [w.text for line in lines for w in line]  # left to right, top to bottom
    # English reads left to right; each Arabic name sits where it was typed, its two words
    # right to left (the first name on the right)
    at = shown.index("with")
    assert shown[at : at + 6] == ["with", "محمد", "أحمد", "on", "12", "May"], shown
    assert shown[shown.index("from") + 1] == "سارة"
    assert shown[-1] == "noon"


def test_pure_left_to_right_text_draws_exactly_as_reportlab_draws_it() -> None:
    """Without Hebrew or Arabic our Paragraph is ReportLab's: the same bytes."""
    styles = stylesheet()
    texts = [
        "Plain & <b>literal</b> text, £12k, Zażółć gęślą jaźń, 😀 " * 12,
        "one\ntwo lines",
        "**bold** and _italic_ words",
    ]

    def story(cls: type) -> list:
        return [
            cls(para_text(texts[0]), styles["Normal"]),
            cls(para_text(texts[1]), styles["Title"]),
            cls(inline(texts[2]), styles["Normal"]),
        ]

    assert render(story(Paragraph)) == render(story(ReportLabParagraph))


def test_a_right_to_left_paragraph_split_over_two_pages_keeps_its_direction() -> None:
    """The part on the next page is laid out as part of the same typed line: right to left,
    even where that part starts with an English word."""
    words = [w for n in range(1, 70) for w in (f"item{n}", "مرحبا")]
    typed = "تقرير " + " ".join(words)  # Arabic first: a right-to-left paragraph
    normal = stylesheet()["Normal"]
    height = 841.8898 - 2 * MARGIN - 12  # the frame's inner height
    lines_on_first_page = 3
    spacer = Spacer(0, height - lines_on_first_page * normal.leading - 0.5)
    data = render([spacer, Paragraph(para_text(typed), normal)])
    lines = body_lines(read_words(data))
    assert [line[0].page for line in lines].count(1) == lines_on_first_page
    # the next page's first line starts (in reading order) with an English word
    assert reading_order(lines[lines_on_first_page])[0].startswith("item")
    assert [w for line in lines for w in reading_order(line)] == typed.split()
    assert all(abs(line[-1].x1 - RIGHT_EDGE) < 1.5 for line in lines)


def test_bold_words_and_line_breaks_inside_right_to_left_text() -> None:
    """Several runs (bold, italic, emoji font) on one line are reordered together; every
    typed line takes its own direction."""
    typed = "**بداية** " + ARABIC + " ✅\nsecond line in English 🚒\nسطر ثالث (12)"
    data = render([Paragraph(inline(typed), stylesheet()["Normal"])])
    lines = body_lines(read_words(data))
    english = next(line for line in lines if line[0].text == "second")
    arabic = [line for line in lines if line is not english]
    read = [w for line in arabic for w in reading_order(line)]
    assert read == ["بداية", *ARABIC.split(), "✅", "سطر", "ثالث", "(12)"]
    assert [w.text for w in english] == ["second", "line", "in", "English", "🚒"]
    assert all(abs(line[-1].x1 - RIGHT_EDGE) < 1.5 for line in lines)  # the paragraph is RTL


def test_arabic_in_an_italic_heading_prints_upright_not_as_boxes() -> None:
    """DejaVu Sans Oblique has no Arabic letters: they are drawn in the upright face."""
    heading3 = stylesheet()["Heading3"]  # bold oblique
    para = Paragraph(para_text("1. الخلفية and background"), heading3)
    fonts = {f.text.strip(): f.fontName for f in para.frags if f.text.strip()}
    assert fonts == {"1.": BOLD_ITALIC, "ﺍﻟﺨﻠﻔﻴﺔ": BOLD, "and background": BOLD_ITALIC}, fonts
    words = [w.text for line in body_lines(read_words(render([para]))) for w in line]
    assert "الخلفية" in words and "background" in words


def test_contents_row_of_a_right_to_left_heading() -> None:
    """In the table of contents an Arabic title reads right to left and the row keeps its
    layout: title, dots, page number on the right."""
    styles = stylesheet()
    title = "تقرير المجلس السنوي"
    data = render(
        [table_of_contents(), PageBreak(), heading(title, styles["Heading1"])], title="toc"
    )
    words = read_words(data)
    row = [w for w in words if w.page == 1 and w.text in title.split()]
    assert [w.text for w in sorted(row, key=lambda w: -w.x0)] == title.split()
    number = next(w for w in words if w.page == 1 and w.text == "2" and abs(w.y - row[0].y) < 1)
    assert number.x0 > max(w.x1 for w in row) + 100
    assert PdfReader(BytesIO(data)).outline[0].title == title  # the bookmark as typed


PIECES = [
    *"مرحبا بالعالم שלום עולם abc DEF 123 ()[]<>&;\"',.!?-",
    *("😀", "✅", "🚒", "\u200d", "\ufe0f", "🏽", "🇬🇧", "\n", "\t", "**", "_", "   "),
    *("\u064e", "\u05b8", "1️⃣", "\ufdf2", "ب\u200dلا", "،"),
]


def _glyphs(text: str) -> Counter[str]:
    """The characters of `text` but spaces, a bracket and its mirror image counted as one."""
    return Counter(min(ch, MIRRORED.get(ch, ch)) for ch in text if ch not in " \n")


@settings(max_examples=120, deadline=None)
@given(
    st.lists(st.sampled_from(PIECES), max_size=60).map("".join),
    st.sampled_from([40.0, 90.0, 200.0, 450.0]),
    st.booleans(),
)
def test_any_text_wraps_draws_and_splits_and_reordering_loses_nothing(
    typed: str, width: float, marked_up: bool
) -> None:
    para = Paragraph(inline(typed) if marked_up else para_text(typed), stylesheet()["Normal"])
    para.wrap(width, 10_000)
    para.drawOn(Canvas(BytesIO()), 0, 0)
    for part in para.split(width, 30):
        part.wrap(width, 10_000)
        part.drawOn(Canvas(BytesIO()), 0, 0)
    if para._bidi_base is None:
        return
    logical, shown = para.blPara, para._display_order(para.blPara)
    if logical.kind == 0:
        before = [" ".join(words) for _, words in logical.lines]
        after = [" ".join(words) for _, words in shown.lines]
    else:
        before = ["".join(f.text for f in line.words) for line in logical.lines]
        after = ["".join(f.text for f in line.words) for line in shown.lines]
    assert [_glyphs(line) for line in after] == [_glyphs(line) for line in before]


def test_a_joiner_before_lam_alef_builds() -> None:
    """arabic-reshaper 3.0 raises on a ZWJ just before lam-alef; the PDF still builds."""
    data = render([Paragraph(para_text("كلمة ب\u200dلا نهاية"), stylesheet()["Normal"])])
    words = [w.text for line in body_lines(read_words(data)) for w in line]
    assert "كلمة" in words and "نهاية" in words


# ------------------------------------------------------------------ emoji
def fonts_of(data: bytes) -> dict[str, str]:
    """pdffonts: font name -> its 'emb' column."""
    binary = shutil.which("pdffonts")
    assert binary is not None, "pdffonts is missing: apt-get install poppler-utils"
    out = subprocess.run([binary, "-"], input=data, capture_output=True, check=True).stdout
    rows = out.decode().splitlines()[2:]
    return {row.split()[0].split("+")[-1]: row.split()[-5] for row in rows}


def test_emoji_print_in_the_bundled_emoji_font() -> None:
    data = render([Paragraph(para_text("Meeting 😀 ✅ 🚒"), stylesheet()["Normal"])])
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-", "-"], input=data, capture_output=True, check=True
    ).stdout.decode()
    assert "Meeting 😀 ✅ 🚒" in text
    fonts = fonts_of(data)
    # the marking banners are in bold
    assert fonts == {"DejaVuSans-Bold": "yes", "DejaVuSans": "yes", "NotoEmoji-Regular": "yes"}


SEQUENCES = "👍🏽 🇬🇧 ❤️ 👨‍👩‍👧 1️⃣ ☎️ 🔥"


def test_every_character_of_emoji_sequences_has_a_glyph_in_its_run() -> None:
    """No box: each character of the paragraph is drawn with a font that has it (ZWJ and the
    variation selectors too: zero-width, blank)."""
    para = Paragraph(para_text(f"Team {SEQUENCES} end"), stylesheet()["Normal"])
    for frag in para.frags:
        face = getFont(frag.fontName).face
        assert all(ord(ch) in face.charToGlyph for ch in frag.text), (frag.fontName, frag.text)
    assert {f.fontName for f in para.frags} == {REGULAR, EMOJI}
    emoji = getFont(EMOJI)
    assert emoji.stringWidth("\u200d\ufe0f", 10) == 0


def test_emoji_sequences_build_and_read_back() -> None:
    typed = f"{SEQUENCES}\nاجتماع {SEQUENCES} نهاية"  # and inside right-to-left text
    data = render([Paragraph(para_text(typed), stylesheet()["Normal"])])
    text = subprocess.run(
        ["pdftotext", "-raw", "-enc", "UTF-8", "-", "-"],
        input=data,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for emoji in ("👍", "🏽", "🇬", "🇧", "❤", "👨", "👩", "👧", "⃣", "☎", "🔥"):
        assert text.count(emoji) == 2, (emoji, text)
    lines = body_lines(read_words(data))
    assert [w.text for w in lines[0]] == SEQUENCES.split()
    rtl = reading_order(lines[1])
    # read right to left; each sequence stays whole and in its own order (the flag's regional
    # indicators are strong left-to-right letters to the bidi algorithm, so the flag, the two
    # sequences after it and the keycap's digit make one left-to-right run)
    assert rtl[0] == "اجتماع" and rtl[-1] == "نهاية"
    assert sorted(rtl[1:-1]) == sorted(SEQUENCES.split())


def test_footer_drawn_on_the_canvas_has_emoji_and_arabic() -> None:
    out = BytesIO()
    doc = BoardDocument(
        out,
        marking=Marking.OFFICIAL,
        title="t",
        subject="s",
        footer="HESCB ✅ مجلس الطوارئ",
        author="a",
    )
    doc.render([Paragraph(para_text("Body"), stylesheet()["Normal"])])
    data = out.getvalue()
    assert fonts_of(data).get("NotoEmoji-Regular") == "yes"
    footer = [w for w in read_words(data) if 785 < w.y < 800 and w.x0 < 300]
    assert [w.text for w in footer] == ["HESCB", "✅", "الطوارئ", "مجلس"], footer
    assert abs(footer[0].x0 - 20 * mm) < 1


def test_two_builds_with_arabic_and_emoji_are_byte_identical() -> None:
    def build() -> bytes:
        styles = stylesheet()
        return render(
            [
                table_of_contents(),
                heading("عنوان ✅", styles["Heading1"]),
                Paragraph(para_text(ARABIC + " 🚒 " + HEBREW), styles["Normal"]),
            ]
        )

    assert build() == build()


def test_no_report_uses_reportlabs_own_paragraph() -> None:
    """Every report module takes Paragraph from reports.text, so no text misses reordering."""
    offenders = []
    for path in REPORTS.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.ImportFrom)
                and (node.module or "").startswith("reportlab")
                and any(alias.name == "Paragraph" for alias in node.names)
            ):
                offenders.append(path.name)
    assert offenders == []
