"""The TTF fonts every PDF uses: DejaVu Sans, shipped under resources/fonts, registered once."""

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

_FILES = {
    REGULAR: "DejaVuSans.ttf",
    BOLD: "DejaVuSans-Bold.ttf",
    ITALIC: "DejaVuSans-Oblique.ttf",
    BOLD_ITALIC: "DejaVuSans-BoldOblique.ttf",
}
_lock = threading.Lock()
_registered: list[str] = []  # the family name once all four faces are registered


class FontError(Exception):
    """A bundled font is missing or unreadable (a broken install or build)."""


def register_fonts() -> str:
    """Register DejaVu Sans (all four faces) with ReportLab once; returns the family name."""
    with _lock:
        if not _registered:
            ttfonts.makeToUnicodeCMap = _to_unicode_cmap
            for name, filename in _FILES.items():
                pdfmetrics.registerFont(_load(name, filename))
            pdfmetrics.registerFontFamily(
                FAMILY, normal=REGULAR, bold=BOLD, italic=ITALIC, boldItalic=BOLD_ITALIC
            )
            _default_to_dejavu()
            _registered.append(FAMILY)
    return FAMILY


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
