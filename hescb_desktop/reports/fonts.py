"""The TTF fonts every PDF uses, shipped under resources/fonts and registered once: DejaVu Sans
for text, and Noto Emoji (monochrome outlines) for the emoji DejaVu Sans has no glyph for."""

from __future__ import annotations

import threading

from reportlab import rl_config
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics, ttfonts
from reportlab.pdfbase.ttfonts import TTFError, TTFont
from reportlab.platypus.tables import CellStyle

from hescb_desktop.paths import resource_path

FAMILY = "DejaVuSans"
REGULAR = "DejaVuSans"
BOLD = "DejaVuSans-Bold"
ITALIC = "DejaVuSans-Oblique"
BOLD_ITALIC = "DejaVuSans-BoldOblique"
# One face only: bold or italic emoji (inside <b> or <i>) map to it too.
EMOJI = "NotoEmoji"

_FILES = {
    REGULAR: "DejaVuSans.ttf",
    BOLD: "DejaVuSans-Bold.ttf",
    ITALIC: "DejaVuSans-Oblique.ttf",
    BOLD_ITALIC: "DejaVuSans-BoldOblique.ttf",
    EMOJI: "NotoEmoji-Regular.ttf",
}
_lock = threading.Lock()
_registered: list[str] = []  # the family name once all four faces are registered
_coverage: list[tuple[frozenset[int], frozenset[int]]] = []  # see emoji_coverage()
_slanted_gaps: dict[str, tuple[str, frozenset[int]]] = {}  # see slanted_gaps()


class FontError(Exception):
    """A bundled font is missing or unreadable (a broken install or build)."""


def register_fonts() -> str:
    """Register DejaVu Sans (all four faces) and Noto Emoji with ReportLab once; returns the
    family name of the text font."""
    with _lock:
        if not _registered:
            ttfonts.makeToUnicodeCMap = _to_unicode_cmap
            fonts = {name: _load(name, filename) for name, filename in _FILES.items()}
            for font in fonts.values():
                pdfmetrics.registerFont(font)
            pdfmetrics.registerFontFamily(
                FAMILY, normal=REGULAR, bold=BOLD, italic=ITALIC, boldItalic=BOLD_ITALIC
            )
            pdfmetrics.registerFontFamily(
                EMOJI, normal=EMOJI, bold=EMOJI, italic=EMOJI, boldItalic=EMOJI
            )
            _default_to_dejavu()
            emoji = frozenset(fonts[EMOJI].face.charToGlyph)
            # the four DejaVu faces cover the same emoji (checked); the regular one decides
            _coverage.append((emoji - frozenset(fonts[REGULAR].face.charToGlyph), emoji))
            for slanted, upright in ((ITALIC, REGULAR), (BOLD_ITALIC, BOLD)):
                has = frozenset(fonts[slanted].face.charToGlyph)
                _slanted_gaps[slanted] = (upright, frozenset(fonts[upright].face.charToGlyph) - has)
            _registered.append(FAMILY)
    return FAMILY


def emoji_coverage() -> tuple[frozenset[int], frozenset[int]]:
    """(the code points only Noto Emoji has, every code point Noto Emoji has): the first are
    drawn with it instead of DejaVu Sans's empty box (reports.text)."""
    register_fonts()
    return _coverage[0]


def slanted_gaps() -> dict[str, tuple[str, frozenset[int]]]:
    """For each oblique DejaVu face: its upright face and the code points only that one has
    (all of Arabic: DejaVu Sans Oblique has no Arabic letters)."""
    register_fonts()
    return _slanted_gaps


def _default_to_dejavu() -> None:
    """Make DejaVu Sans ReportLab's default wherever it would otherwise pick Helvetica.

    Helvetica is one of the 14 standard fonts: it is named in the PDF but never embedded, and
    cannot show text beyond Latin-1. A new ParagraphStyle without a parent, a Table cell or
    TableStyle without FONTNAME, and a fresh canvas all start from these defaults.
    """
    ParagraphStyle.defaults["fontName"] = REGULAR
    ParagraphStyle.defaults["bulletFontName"] = REGULAR
    CellStyle.fontname = REGULAR
    rl_config.canvas_basefontname = REGULAR


def _load(name: str, filename: str) -> TTFont:
    path = resource_path("fonts", filename)
    try:
        return TTFont(name, str(path))
    except (OSError, TTFError) as exc:
        raise FontError(f"cannot load the font {path}: {exc}") from exc


def _to_unicode_cmap(fontname: str, subset: list[int]) -> str:
    """ReportLab's ToUnicode CMap, but with characters beyond U+FFFF written as UTF-16 pairs.

    ReportLab writes `<%04X>`, so an emoji such as U+1F600 comes out as five hex digits and
    copy-paste, search and pdftotext read the wrong character. The drawn glyph was always right.
    """
    entries = [
        f"<{i:02X}> <{chr(v).encode('utf-16-be').hex().upper()}>" for i, v in enumerate(subset)
    ]
    return "\n".join(
        [
            "/CIDInit /ProcSet findresource begin",
            "12 dict begin",
            "begincmap",
            "/CIDSystemInfo",
            f"<< /Registry ({fontname})",
            f"/Ordering ({fontname})",
            "/Supplement 0",
            ">> def",
            f"/CMapName /{fontname} def",
            "/CMapType 2 def",
            "1 begincodespacerange",
            f"<00> <{len(subset) - 1:02X}>",
            "endcodespacerange",
            f"{len(subset)} beginbfchar",
            *entries,
            "endbfchar",
            "endcmap",
            "CMapName currentdict /CMap defineresource pop",
            "end",
            "end",
        ]
    )
