"""User text into ReportLab Paragraph markup: everything prints exactly as typed.

ReportLab draws characters left to right, one glyph each: it neither reorders right-to-left
scripts nor joins Arabic letters, and a character its font lacks prints as an empty box.

- `para_text()` escapes the text (nothing is taken for markup), joins Arabic letters
  (arabic-reshaper picks the presentation forms) and wraps each run of emoji that DejaVu Sans
  has no glyph for in `<font name="NotoEmoji">` (Noto Emoji, monochrome outlines). The text
  stays in logical order, the order it was typed.
- `Paragraph` (use it instead of ReportLab's) wraps that text at the real width in logical
  order, then draws each printed line in display order: the Unicode bidi algorithm (UAX #9;
  python-bidi's pure-Python `bidi.algorithm` resolves the levels of each typed line, rules L1
  and L2 are applied here per printed line, across bold, italic and font runs alike), brackets
  mirrored, an emoji sequence kept whole. The first line of a long Arabic or Hebrew paragraph
  is the top one, and a paragraph whose first strong letter is right-to-left is right-aligned.
  Text with no Hebrew or Arabic is laid out and drawn by ReportLab unchanged.
- `visual()` puts one line in display order for `canvas.drawString`, and `draw_line()` draws
  it with the emoji font where DejaVu Sans has no glyph (the footer, roadmap labels).

Limits:
- no glyph substitution beyond the Arabic presentation forms, so an emoji ZWJ sequence (family,
  profession), a flag, a keycap or a skin tone prints as its parts side by side (a flag as two
  boxed letters; the joiner and variation selectors draw nothing);
- DejaVu Sans Oblique has no Arabic, so Arabic in italics prints upright;
- bullets stay on the left of a right-to-left list item;
- a right-to-left paragraph set justified would keep its last line on the left (no style
  justifies);
- bracket pairing is the bidi algorithm's older rule (no N0), and the regional indicators of a
  flag are strong left-to-right letters to the bidi algorithm, as Unicode says.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from functools import lru_cache
from itertools import groupby
from typing import Any
from unicodedata import bidirectional, mirrored
from xml.sax.saxutils import escape

from arabic_reshaper import ArabicReshaper
from bidi import algorithm as uba
from reportlab.lib.enums import TA_LEFT, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import paragraph as rl_paragraph

from hescb_desktop.domain.printable import strip_controls
from hescb_desktop.reports.fonts import EMOJI, emoji_coverage, slanted_gaps

# Lone surrogates (a broken Windows file name) cannot be drawn: each becomes U+FFFD. Control
# characters (ESC, BEL, NUL...) are dropped first (domain.printable.strip_controls), as on the
# command line and in .ics files; any left here would become U+FFFD too.
_UNPRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
_NEWLINE = re.compile("\r\n|\r|\n")

# Right-to-left scripts: Hebrew, Arabic, Syriac, Thaana, NKo, Samaritan, Mandaic, Arabic
# Extended, the Hebrew and Arabic presentation forms, and the historic RTL scripts beyond U+FFFF.
_RTL_CHARS = "\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc\U00010800-\U00010fff\U0001e800-\U0001efff"
_HAS_RTL = re.compile(f"[{_RTL_CHARS}]")
# a run of right-to-left letters with their marks (and joiners): the unit reshaped
_RTL_RUN = re.compile(f"[{_RTL_CHARS}\u200c\u200d\u0300-\u036f]+")
_ARABIC = re.compile("[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff]")
_JOINER = re.compile("([\u200c\u200d])")
# What the bidi reordering keeps whole and in typed order: a flag (two regional indicators),
# or a character with variation selectors, skin tones, a keycap or ZWJ-joined characters.
_CLUSTER = re.compile(
    "[\U0001f1e6-\U0001f1ff]{2}"
    f"|[^\\s{_RTL_CHARS}](?:[\ufe0e\ufe0f\u20e3\U0001f3fb-\U0001f3ff]|\u200d[^\\s{_RTL_CHARS}])+"
)
_OBJECT = "\ufffc"  # stands for a callback, anchor or image in a line being reordered
# Long words: cut into pieces that wrap like words (see break_long_words). PIECE_END (INVISIBLE
# SEPARATOR, no width in DejaVu Sans) marks where a word was cut: the space after it is dropped.
LONG_WORD, PIECE, PIECE_END = 120, 16, "\u2063"
PRINT_LIMIT = 10_000  # characters of one field printed (see bounded)
_LONG = re.compile(f"[^\\s]{{{LONG_WORD},}}")
_JOINED = re.compile(f"{PIECE_END}[ ]?")
_STRONG = {"L": 0, "R": 1, "AL": 1}

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
    line breaks stay line breaks, control characters are dropped and a lone surrogate shows as
    U+FFFD, Arabic is shaped and emoji DejaVu Sans lacks are set in Noto Emoji. The order stays
    as typed: `Paragraph` puts right-to-left text in display order line by line as it draws. A
    very long word is cut into pieces ReportLab can wrap between (`break_long_words`); a field
    prints at most PRINT_LIMIT characters (`bounded`)."""
    cleaned = _UNPRINTABLE.sub("\ufffd", _NEWLINE.sub("\n", strip_controls(bounded(text))))
    return "<br/>".join(_markup_line(break_long_words(line)) for line in cleaned.split("\n"))


def bounded(text: str) -> str:
    """`text`, or its first PRINT_LIMIT characters and a note of how many more there are: one
    field of 100,000 characters would print as 60 pages and take ReportLab half a minute (it
    lays out a table row or paragraph again at every page it continues on). Nobody types that
    much into one field; the full text stays in the app."""
    if len(text) <= PRINT_LIMIT:
        return text
    more = len(text) - PRINT_LIMIT
    return f"{text[:PRINT_LIMIT]}… [{more:,} more characters not printed: see the app]"


def break_long_words(line: str) -> str:
    """`line` with each word of LONG_WORD characters or more cut into PIECE-character pieces,
    each but the last followed by PIECE_END and a space: ReportLab wraps only at white space,
    and it breaks a word wider than the line by measuring it one character at a time, again at
    every page a table row or paragraph continues on (a 100,000-character word made an action
    log take 29 s). `Paragraph` drops the space after each PIECE_END as it draws, so the word
    prints whole, broken only at the ends of lines."""
    if len(line) < LONG_WORD:
        return line
    return _LONG.sub(_in_pieces, line)


def _in_pieces(match: re.Match[str]) -> str:
    word = match.group()
    return f"{PIECE_END} ".join(word[i : i + PIECE] for i in range(0, len(word), PIECE))


def _markup_line(line: str) -> str:
    escaped = escape(line if line.isascii() else shape(line), {'"': "&quot;"})
    if escaped.isascii():
        return escaped
    return _emoji_runs().sub(_emoji_font, escaped)


def _emoji_font(match: re.Match[str]) -> str:
    return f'<font name="{EMOJI}">{match.group()}</font>'


@lru_cache(maxsize=1)
def _emoji_runs() -> re.Pattern[str]:
    """A run of characters to draw with the emoji font: those only it has, and any character it
    has that is followed by VS16 (emoji presentation asked for: ❤️, 1️⃣), with the joiners and
    selectors between them (drawn as nothing by either font)."""
    only, every = emoji_coverage()
    own = _char_class(only)
    shared = _char_class(c for c in every - only if c > 0x7F) + "0-9#*"
    atom = f"[{own}]|[{shared}]\ufe0f"
    return re.compile(f"(?:{atom})(?:{atom}|[\u200d\ufe0e\ufe0f])*")


def _char_class(codes: Iterable[int]) -> str:
    out: list[str] = []
    ordered = sorted(codes)
    i = 0
    while i < len(ordered):
        j = i
        while j + 1 < len(ordered) and ordered[j + 1] == ordered[j] + 1:
            j += 1
        out.append(f"\\U{ordered[i]:08x}" + (f"-\\U{ordered[j]:08x}" if j > i else ""))
        i = j + 1
    return "".join(out)


def shape(line: str) -> str:
    """`line` with its Arabic letters in their joined forms, still in logical order."""
    if not _HAS_RTL.search(line):
        return line
    return _shape(line)


@lru_cache(maxsize=4096)
def _shape(line: str) -> str:
    return _RTL_RUN.sub(_shape_run, line)


def visual(line: str) -> str:
    """One line of user text in the order ReportLab must draw it (left to right), for
    `canvas.drawString`: a text that has to fit on one line. (Paragraphs use `Paragraph`.)

    Text with no Hebrew or Arabic comes back unchanged. Otherwise Arabic runs are reshaped into
    their joined forms and the whole line is reordered by the Unicode bidi algorithm, so an
    English sentence with an Arabic name, or numbers inside Arabic, reads in the right order.
    """
    if not _HAS_RTL.search(line):
        return line
    return _visual(line)


@lru_cache(maxsize=4096)
def _visual(line: str) -> str:
    shaped = _shape(line)
    base = _first_strong(shaped, 0)
    levels = _levels(shaped, base)
    return "".join(piece for _, _, piece in _reorder(shaped, levels, 0, len(shaped), base))


def _shape_run(match: re.Match[str]) -> str:
    # Combining marks (harakat, niqqud) stay where the reversal puts them, before their letter:
    # DejaVu Sans draws its Arabic and Hebrew marks over the glyph that follows (looked at in
    # rendered PDFs; moving them after the letter put each one over the wrong letter).
    run = match.group()
    if not _ARABIC.search(run):
        return run
    try:
        return str(_reshaper.reshape(run))
    except IndexError:
        # arabic-reshaper 3.0 fails on a joiner just before lam-alef ("ب\u200dلا"): shape the
        # pieces between the joiners, which stay where they were typed
        pieces = _JOINER.split(run)
        return "".join(p if _JOINER.fullmatch(p) else str(_reshaper.reshape(p)) for p in pieces)


# ------------------------------------------------------------------ canvas text
def font_runs(text: str, font: str) -> list[tuple[str, str]]:
    """`text` cut into (piece, font name) runs: `font`, and Noto Emoji where DejaVu has no
    glyph (the same choice as `para_text`)."""
    if text.isascii():
        return [(text, font)]
    runs: list[tuple[str, str]] = []
    pos = 0
    for m in _emoji_runs().finditer(text):
        if m.start() > pos:
            runs.append((text[pos : m.start()], font))
        runs.append((m.group(), EMOJI))
        pos = m.end()
    if pos < len(text) or not runs:
        runs.append((text[pos:], font))
    return runs


def text_width(text: str, font: str, size: float) -> float:
    """The width of `text` drawn by `draw_line` (emoji in their own font)."""
    return float(sum(stringWidth(piece, name, size) for piece, name in font_runs(text, font)))


def fit_line(text: str, room: float, font: str, size: float) -> str:
    """`text` cut with an ellipsis to fit `room` points as `draw_line` draws it."""
    # measured only as far as could fit (a visible glyph is at least a tenth of an em wide):
    # a 100,000-character title in every footer is not measured whole on every page
    most = int(room / (size * 0.1)) + 1
    text = strip_controls(text)  # as draw_line draws it
    if len(text) <= most and text_width(text, font, size) <= room:
        return text
    text = text[:most]
    lo, hi = 0, len(text)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if text_width(text[:mid] + "…", font, size) <= room:
            lo = mid
        else:
            hi = mid - 1
    return text[:lo] + "…"


def draw_line(canvas: Canvas, x: float, y: float, text: str, font: str, size: float) -> None:
    """Draw one line of user text at (x, y), left-aligned: in display order (`visual`), in
    `font` with emoji that DejaVu Sans lacks in Noto Emoji (a box otherwise)."""
    runs = font_runs(visual(strip_controls(text)), font)
    if len(runs) == 1:
        if (canvas._fontname, canvas._fontsize) != (font, size):
            canvas.setFont(font, size)
        canvas.drawString(x, y, runs[0][0])
        return
    line = canvas.beginText(x, y)
    for piece, name in runs:
        line.setFont(name, size)
        line.textOut(piece)
    canvas.drawText(line)


# ------------------------------------------------------------------ the bidi algorithm
def _first_strong(text: str, default: int) -> int:
    """The base level (0 left to right, 1 right to left) of `text`: that of its first strong
    letter (UAX #9 rule P2), or `default` if it has none."""
    for ch in text:
        level = _STRONG.get(bidirectional(ch))
        if level is not None:
            return level
    return default


def _levels(text: str, base: int) -> list[int]:
    """The resolved embedding level of each character of one typed line (rules X1-I2)."""
    storage: dict[str, Any] = uba.get_empty_storage()
    storage["base_level"] = base
    storage["base_dir"] = "LR"[base]
    uba.get_embedding_levels(text, storage)
    for index, ch in enumerate(storage["chars"]):
        ch["index"] = index
    uba.explicit_embed_and_overrides(storage)
    uba.resolve_weak_types(storage)
    uba.resolve_neutral_types(storage, False)
    uba.resolve_implicit_levels(storage, False)
    levels = [-1] * len(text)
    for ch in storage["chars"]:
        levels[ch["index"]] = ch["level"]
    # what rule X9 removed (joiners, embedding controls) takes the level of the character before
    previous = base
    for i, level in enumerate(levels):
        if level < 0:
            levels[i] = previous
        previous = levels[i]
    return levels


def _reorder(
    text: str, levels: Sequence[int], start: int, end: int, base: int
) -> list[tuple[int, int, str]]:
    """Rules L1 and L2 for the printed line text[start:end]: its pieces in drawing order, each
    (start, end, what to draw). A piece is one character (mirrored at an odd level) or an emoji
    sequence, which stays in its own order."""
    units: list[tuple[int, int]] = []
    pos = start
    for m in _CLUSTER.finditer(text, start, end):
        units.extend((i, i + 1) for i in range(pos, m.start()))
        units.append(m.span())
        pos = m.end()
    units.extend((i, i + 1) for i in range(pos, end))
    unit_levels = [levels[a] for a, _ in units]
    # L1: tabs, and white space before a tab or at the end of the line, take the base level
    trailing = True
    for k in range(len(units) - 1, -1, -1):
        kind = bidirectional(text[units[k][0]])
        if kind in ("S", "B"):
            unit_levels[k] = base
            trailing = True
        elif trailing and kind in ("WS", "BN", "FSI", "LRI", "RLI", "PDI"):
            unit_levels[k] = base
        else:
            trailing = False
    # L2: from the highest level down to the lowest odd one, reverse every run at that level
    # or higher
    order = list(range(len(units)))
    odd = [level for level in unit_levels if level % 2]
    if odd:
        for level in range(max(unit_levels), min(odd) - 1, -1):
            k = 0
            while k < len(order):
                if unit_levels[order[k]] < level:
                    k += 1
                    continue
                j = k
                while j < len(order) and unit_levels[order[j]] >= level:
                    j += 1
                order[k:j] = order[k:j][::-1]
                k = j
    pieces: list[tuple[int, int, str]] = []
    for k in order:
        a, b = units[k]
        piece = text[a:b]
        if unit_levels[k] % 2 and b - a == 1 and mirrored(piece):
            piece = uba.MIRRORED.get(piece, piece)
        pieces.append((a, b, piece))
    return pieces


# ------------------------------------------------------------------ Paragraph
class Paragraph(rl_paragraph.Paragraph):  # type: ignore[misc]  # reportlab has no type hints
    """ReportLab's Paragraph, with right-to-left text wrapped in logical order and each printed
    line drawn in display order (see the module docstring).

    `direction`: None takes the base direction from the first strong letter (a right-to-left
    one right-aligns a left-aligned style); "LTR" keeps a left-to-right layout whatever the text
    (a calendar entry "10:00 <title>", a contents row), Arabic or Hebrew words still reordered.
    Without Hebrew or Arabic in the text nothing differs from ReportLab's Paragraph.
    """

    style: ParagraphStyle
    frags: list[Any]  # ReportLab's parsed runs of text, one style each
    blPara: Any  # noqa: N815  (ReportLab's name: the wrapped lines, set by wrap)

    def __init__(
        self,
        text: str | None,
        style: ParagraphStyle | None = None,
        *args: Any,
        direction: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(text, style, *args, **kwargs)
        # the paragraph's base level (0 or 1); None: no right-to-left text, nothing to do
        self._bidi_base: int | None = None
        self._bidi_fixed = direction is not None  # every typed line takes _bidi_base
        # the base level of a typed line that a split carried over from the previous part
        self._bidi_carried: int | None = None
        if text is not None and _HAS_RTL.search(text):
            self.frags = _upright_where_slanted_lacks(self.frags)
            if direction is None:
                plain = "".join(getattr(f, "text", "") for f in self.frags)
                self._bidi_base = _first_strong(plain, 0)
            else:
                self._bidi_base = 1 if direction == "RTL" else 0
            if self._bidi_base == 1 and self.style.alignment == TA_LEFT:
                self.style = ParagraphStyle(
                    f"{self.style.name}-rtl", parent=self.style, alignment=TA_RIGHT
                )

    def split(self, avail_width: float, avail_height: float) -> list[Any]:
        parts: list[Any] = super().split(avail_width, avail_height)
        if self._bidi_base is None or len(parts) != 2:
            return parts
        first, rest = parts
        for part in parts:
            part._bidi_base = self._bidi_base
            part._bidi_fixed = self._bidi_fixed
        first._bidi_carried = self._bidi_carried
        cut = len(first.blPara.lines)  # the first line of `rest`
        if not getattr(self.blPara.lines[cut - 1], "lineBreak", False):  # a typed line goes on
            groups = self._groups(self.blPara)
            seen = 0
            for (_, lines), base in zip(groups, self._bases(groups), strict=True):
                seen += len(lines)
                if seen > cut:
                    rest._bidi_carried = base
                    break
        return parts

    def drawPara(self, debug: int = 0) -> None:  # noqa: N802  (ReportLab's name)
        joined = _join_pieces(self.blPara)
        if self._bidi_base is None and joined is None:
            super().drawPara(debug)
            return
        logical = self.blPara
        shown = logical if joined is None else joined
        self.blPara = shown if self._bidi_base is None else self._display_order(shown)
        try:
            super().drawPara(debug)
        finally:
            self.blPara = logical

    def _groups(self, bl_para: Any) -> list[tuple[str, list[list[tuple[int, int, Any]]]]]:
        """The printed lines grouped by typed line: (the typed line's text, for each printed
        line its pieces (start, end, frag) of that text). A kind-0 paragraph (one style, no
        line break) is one typed line, its printed lines lists of words (frag None)."""
        groups: list[tuple[str, list[list[tuple[int, int, Any]]]]] = []
        if bl_para.kind == 0:
            text = ""
            lines = []
            for _, words in bl_para.lines:
                line = " ".join(words)
                start = len(text) + 1 if text else 0
                text = f"{text} {line}" if text else line
                lines.append([(start, start + len(line), None)])
            return [(text, lines)] if lines else groups
        parts: list[str] = []
        lines = []
        size = 0
        for line in bl_para.lines:
            if parts:
                parts.append(" ")  # where the line was wrapped
                size += 1
            pieces = []
            for frag in line.words:
                if getattr(frag, "_fkind", 0) == rl_paragraph._FK_BREAK:
                    continue
                piece = frag.text or (_OBJECT if hasattr(frag, "cbDefn") else "")
                if piece:
                    pieces.append((size, size + len(piece), frag))
                    parts.append(piece)
                    size += len(piece)
            lines.append(pieces)
            if getattr(line, "lineBreak", False):
                groups.append(("".join(parts), lines))
                parts, lines, size = [], [], 0
        if lines:
            groups.append(("".join(parts), lines))
        return groups

    def _bases(self, groups: list[tuple[str, Any]]) -> list[int]:
        """The base level of each typed line (UAX #9 rule P2, or as fixed or carried over)."""
        assert self._bidi_base is not None
        bases: list[int] = []
        carried = self._bidi_carried
        for text, _ in groups:
            if self._bidi_fixed:
                bases.append(self._bidi_base)
            elif carried is not None:
                bases.append(carried)
            else:
                bases.append(_first_strong(text, self._bidi_base))
            carried = None
        return bases

    def _display_order(self, bl_para: Any) -> Any:
        """A copy of `bl_para` (ReportLab's wrapped lines) with every line in display order."""
        new_lines: list[Any] = []
        old_lines = iter(bl_para.lines)
        groups = self._groups(bl_para)
        for (text, lines), base in zip(groups, self._bases(groups), strict=True):
            levels = _levels(text, base)
            for pieces in lines:
                line = next(old_lines)
                if bl_para.kind == 0:
                    start, end, _ = pieces[0]
                    shown = "".join(p for _, _, p in _reorder(text, levels, start, end, base))
                    new_lines.append((line[0], shown.split(" ")))
                else:
                    words = _line_frags(text, levels, pieces, line, base)
                    new_lines.append(line.clone(words=words))
        return bl_para.clone(lines=new_lines)


def _join_pieces(bl_para: Any) -> Any:
    """A copy of `bl_para` (ReportLab's wrapped lines) with the pieces of each long word that
    share a line joined again (no space between them), or None if it has no such pieces."""
    if bl_para.kind == 0:
        if not any(PIECE_END in w for _, words in bl_para.lines for w in words):
            return None
        lines = [(extra, _joined_words(words)) for extra, words in bl_para.lines]
        return bl_para.clone(lines=lines)
    if not any(PIECE_END in getattr(f, "text", "") for ln in bl_para.lines for f in ln.words):
        return None
    new_lines = []
    for line in bl_para.lines:
        words = [
            f.clone(text=_JOINED.sub("", f.text)) if PIECE_END in getattr(f, "text", "") else f
            for f in line.words
        ]
        new_lines.append(line.clone(words=words))
    return bl_para.clone(lines=new_lines)


def _joined_words(words: list[str]) -> list[str]:
    out: list[str] = []
    carried = ""
    for word in words:
        if word.endswith(PIECE_END):
            carried += word[:-1]
        else:
            out.append(carried + word)
            carried = ""
    if carried:
        out.append(carried)
    return out


def _upright_where_slanted_lacks(frags: list[Any]) -> list[Any]:
    """`frags` with the characters an oblique face has no glyph for (Arabic) moved into the
    upright face: Arabic in italics prints upright rather than as boxes."""
    gaps = slanted_gaps()
    out: list[Any] = []
    for frag in frags:
        gap = gaps.get(getattr(frag, "fontName", ""))
        text = getattr(frag, "text", "")
        if gap is None or not text or not any(ord(ch) in gap[1] for ch in text):
            out.append(frag)
            continue
        upright, missing = gap
        for is_missing, run in groupby(text, key=lambda ch: ord(ch) in missing):
            font = upright if is_missing else frag.fontName
            out.append(frag.clone(text="".join(run), fontName=font))
    return out


def _line_frags(
    text: str, levels: Sequence[int], pieces: list[tuple[int, int, Any]], line: Any, base: int
) -> list[Any]:
    """The frags of one printed line in drawing order (text re-cut where the order changes)."""
    words: list[Any] = []
    if pieces:
        starts = [a for a, _, _ in pieces]
        start, end = pieces[0][0], pieces[-1][1]
        last: Any = None
        for a, b, shown in _reorder(text, levels, start, end, base):
            for frag, piece in _cut(pieces, starts, a, b, shown):
                if not frag.text:  # a callback, anchor or image
                    words.append(frag)
                    last = None
                elif frag is last:
                    words[-1].text += piece
                else:
                    words.append(frag.clone(text=piece))
                    last = frag
    # line breaks stay at the end, where ReportLab expects them
    words.extend(f for f in line.words if getattr(f, "_fkind", 0) == rl_paragraph._FK_BREAK)
    return words


def _cut(
    pieces: list[tuple[int, int, Any]], starts: list[int], a: int, b: int, shown: str
) -> list[tuple[Any, str]]:
    """The frags that text[a:b] (drawn as `shown`) falls in, with their part of it."""
    k = bisect_right(starts, a) - 1
    p_start, p_end, frag = pieces[k]
    if b <= p_end:
        return [(frag, shown)] if a < p_end else []
    out: list[tuple[Any, str]] = []
    pos = a
    while pos < b and k < len(pieces):  # an emoji sequence across two fonts: typed order
        p_start, p_end, frag = pieces[k]
        lo, hi = max(pos, p_start), min(b, p_end)
        if lo < hi:
            out.append((frag, shown[lo - a : hi - a]))
        pos = max(pos, p_end)
        k += 1
    return out
