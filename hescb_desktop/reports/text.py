"""User text into ReportLab Paragraph markup: everything prints exactly as typed.

ReportLab draws characters left to right, one glyph each: it neither reorders right-to-left
scripts nor joins Arabic letters. `visual()` does both for any text with Hebrew or Arabic in it
(arabic-reshaper picks the joined presentation forms, python-bidi's Unicode bidi algorithm gives
the display order, brackets mirrored), so a line drawn left to right reads correctly.

Limit: the reordering is per logical line (per line break the user typed). A Paragraph that
ReportLab then wraps over several lines is wrapped *after* reordering, so in a right-to-left
paragraph too long for one line the lines come out in reverse reading order (each line on its own
reads correctly). Short texts (titles, names, table cells that fit) are exact.
"""

from __future__ import annotations

import re
from functools import lru_cache
from xml.sax.saxutils import escape

from arabic_reshaper import ArabicReshaper
from bidi.algorithm import get_display

# C0 controls other than tab and newline, DEL, C1 controls, and lone surrogates (a broken
# Windows file name): none of them can be drawn, so each becomes U+FFFD.
_UNPRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
_NEWLINE = re.compile("\r\n|\r|\n")

# Right-to-left scripts: Hebrew, Arabic, Syriac, Thaana, NKo, Samaritan, Mandaic, Arabic
# Extended, the Hebrew and Arabic presentation forms, and the historic RTL scripts beyond U+FFFF.
_RTL_CHARS = "\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc\U00010800-\U00010fff\U0001e800-\U0001efff"
_HAS_RTL = re.compile(f"[{_RTL_CHARS}]")
# a run of right-to-left letters with their marks (and joiners): the unit reshaped
_RTL_RUN = re.compile(f"[{_RTL_CHARS}\u200c\u200d\u0300-\u036f]+")
_ARABIC = re.compile("[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff]")

# Keep the harakat (the text prints as typed) and skip the ALLAH ligature (U+FDF2), which
# DejaVu Sans has no glyph for; lam-alef and the other letter ligatures are in the font.
_reshaper = ArabicReshaper(
    configuration={
        "delete_harakat": False,
        "shift_harakat_position": False,
        "ARABIC LIGATURE ALLAH": False,
    }
)


def para_text(text: str) -> str:
    """Escape `text` for a Paragraph: `<b>`, `&`, `&nbsp;` and unclosed tags print literally,
    line breaks stay line breaks, anything unprintable shows as U+FFFD, and right-to-left text
    is shaped and put in display order (see `visual`)."""
    cleaned = _UNPRINTABLE.sub("\ufffd", _NEWLINE.sub("\n", text))
    lines = (visual(line) for line in cleaned.split("\n"))
    return "<br/>".join(escape(line, {'"': "&quot;"}) for line in lines)


def visual(line: str) -> str:
    """One line of user text in the order ReportLab must draw it (left to right).

    Text with no Hebrew or Arabic comes back unchanged. Otherwise Arabic runs are reshaped into
    their joined forms and the whole line is reordered by the Unicode bidi algorithm, so an
    English sentence with an Arabic name, or numbers inside Arabic, reads in the right order.
    For canvas.drawString and Paragraph text alike; a line break inside `line` is not expected.
    """
    if not _HAS_RTL.search(line):
        return line
    return _visual(line)


@lru_cache(maxsize=4096)
def _visual(line: str) -> str:
    shaped = _RTL_RUN.sub(_shape_run, line)
    return str(get_display(shaped))


def _shape_run(match: re.Match[str]) -> str:
    # Combining marks (harakat, niqqud) stay where the reversal puts them, before their letter:
    # DejaVu Sans draws its Arabic and Hebrew marks over the glyph that follows (looked at in
    # rendered PDFs; moving them after the letter put each one over the wrong letter).
    run = match.group()
    return str(_reshaper.reshape(run)) if _ARABIC.search(run) else run
