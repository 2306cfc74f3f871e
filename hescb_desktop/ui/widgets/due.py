"""The colours of an action's urgency: overdue red, due within a week amber.

Which actions are overdue or due soon is the domain's rule (`domain.rules.action_overdue`,
`action_due_soon`: only live actions); this module only paints it.
"""

from __future__ import annotations

from PySide6.QtGui import QColor

from hescb_desktop.ui.widgets.palette import (
    DUE_SOON_BACKGROUND,
    DUE_SOON_TEXT,
    OVERDUE_BACKGROUND,
    OVERDUE_TEXT,
)

OVERDUE = "overdue"
SOON = "soon"


def urgency_text_colour(level: str) -> QColor | None:
    return {OVERDUE: QColor(OVERDUE_TEXT), SOON: QColor(DUE_SOON_TEXT)}.get(level)


def urgency_background(level: str) -> QColor | None:
    return {OVERDUE: QColor(OVERDUE_BACKGROUND), SOON: QColor(DUE_SOON_BACKGROUND)}.get(level)
