"""The app's colours, one set for the screen and for paper: partner organisations (DOMAIN.md)
and RAG ratings. The UI wraps them in QColor (ui/widgets/palette.py), the reports in
ReportLab colours."""

from __future__ import annotations

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
# text drawn on a RAG colour: dark on amber (white on it is unreadable), white on the others
RAG_INK: dict[Rag | None, str] = {
    Rag.RED: "#ffffff",
    Rag.AMBER: "#1d2430",
    Rag.GREEN: "#ffffff",
    None: "#ffffff",
}
