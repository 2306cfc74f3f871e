"""The app's colours: partner organisations (DOMAIN.md), RAG ratings and due-date warnings."""

from __future__ import annotations

from PySide6.QtGui import QColor

from hescb_desktop.domain.colours import NEUTRAL, PARTNER_COLOURS, RAG_COLOURS
from hescb_desktop.domain.enums import Rag

__all__ = ("NEUTRAL", "PARTNER_COLOURS", "RAG_COLOURS", "partner_colour", "rag_colour")

OVERDUE_TEXT = "#b3261e"
OVERDUE_BACKGROUND = "#fdecea"
DUE_SOON_TEXT = "#8a5300"
DUE_SOON_BACKGROUND = "#fff3d6"


def partner_colour(code: str, stored: str = "") -> QColor:
    """The partner's house colour; else the colour stored with the organisation; else grey."""
    return QColor(PARTNER_COLOURS.get(code.upper()) or stored or NEUTRAL)


def rag_colour(rag: Rag | None) -> QColor:
    return QColor(RAG_COLOURS[rag])
