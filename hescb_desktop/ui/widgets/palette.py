"""The app's colours: partner organisations (DOMAIN.md), RAG ratings and due-date warnings."""

from __future__ import annotations

from PySide6.QtGui import QColor

from hescb_desktop.domain.enums import Rag

PARTNER_COLOURS = {
    "HC": "#1f4e9c",  # police blue
    "HFRS": "#c8102e",  # fire red
    "HCC": "#2e7d32",  # council green
    "OPCC": "#6a3d9a",  # purple
}
NEUTRAL = "#7a8594"

RAG_COLOURS: dict[Rag | None, str] = {
    Rag.RED: "#d32f2f",
    Rag.AMBER: "#f2a900",
    Rag.GREEN: "#2e7d32",
    None: "#a3aab4",
}

OVERDUE_TEXT = "#b3261e"
OVERDUE_BACKGROUND = "#fdecea"
DUE_SOON_TEXT = "#8a5300"
DUE_SOON_BACKGROUND = "#fff3d6"


def partner_colour(code: str, stored: str = "") -> QColor:
    """The partner's house colour; else the colour stored with the organisation; else grey."""
    return QColor(PARTNER_COLOURS.get(code.upper()) or stored or NEUTRAL)


def rag_colour(rag: Rag | None) -> QColor:
    return QColor(RAG_COLOURS[rag])
