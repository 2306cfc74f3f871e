"""Paragraph styles for every report, all in DejaVu Sans so any Unicode text prints."""

from __future__ import annotations

from reportlab.lib.styles import ParagraphStyle, StyleSheet1, getSampleStyleSheet

from hescb_desktop.reports.fonts import BOLD, BOLD_ITALIC, ITALIC, REGULAR, register_fonts


def stylesheet() -> StyleSheet1:
    """ReportLab's sample styles re-based on DejaVu Sans (Normal, Title, Heading1-3, ...)."""
    register_fonts()
    sheet = getSampleStyleSheet()
    for style in sheet.byName.values():
        if isinstance(style, ParagraphStyle):
            style.fontName = _dejavu(style.fontName)
            style.bulletFontName = _dejavu(style.bulletFontName)
    sheet.add(ParagraphStyle("Small", parent=sheet["Normal"], fontSize=8, leading=10))
    sheet.add(ParagraphStyle("Cell", parent=sheet["Normal"], fontSize=9, leading=11))
    return sheet


def _dejavu(font_name: str) -> str:
    bold = "Bold" in font_name
    slanted = "Oblique" in font_name or "Italic" in font_name
    return {(False, False): REGULAR, (True, False): BOLD, (False, True): ITALIC}.get(
        (bold, slanted), BOLD_ITALIC
    )
