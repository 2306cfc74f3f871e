"""How urgent a due date is: overdue, due within a week, or neither."""

from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtGui import QColor

from hescb_desktop.ui.widgets.palette import (
    DUE_SOON_BACKGROUND,
    DUE_SOON_TEXT,
    OVERDUE_BACKGROUND,
    OVERDUE_TEXT,
)

DUE_SOON_DAYS = 7
OVERDUE = "overdue"
SOON = "soon"


def urgency(due: date | None, today: date) -> str:
    """OVERDUE, SOON (today up to a week ahead) or "" (no date, or later)."""
    if due is None:
        return ""
    if due < today:
        return OVERDUE
    return SOON if due <= today + timedelta(days=DUE_SOON_DAYS) else ""


def urgency_text_colour(level: str) -> QColor | None:
    return {OVERDUE: QColor(OVERDUE_TEXT), SOON: QColor(DUE_SOON_TEXT)}.get(level)


def urgency_background(level: str) -> QColor | None:
    return {OVERDUE: QColor(OVERDUE_BACKGROUND), SOON: QColor(DUE_SOON_BACKGROUND)}.get(level)
