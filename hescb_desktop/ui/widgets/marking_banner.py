"""The protective marking of what is on screen, shown as on paper: centred capitals at the top
of a record's dialog or a preview (issue 14). OFFICIAL-SENSITIVE stands out in dark red."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget

from hescb_desktop.domain.enums import Marking

STYLES = {
    Marking.OFFICIAL: "background: #e8ecf2; color: #1d2430;",
    Marking.OFFICIAL_SENSITIVE: "background: #8a1c1c; color: #ffffff;",
}


class MarkingBanner(QLabel):
    def __init__(self, marking: Marking | str = Marking.OFFICIAL, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("markingBanner")
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setTextFormat(Qt.TextFormat.PlainText)
        font = self.font()
        font.setBold(True)
        font.setLetterSpacing(font.SpacingType.PercentageSpacing, 110)
        self.setFont(font)
        self.set_marking(marking)

    def set_marking(self, marking: Marking | str) -> None:
        value = Marking(marking)
        self.marking = value
        self.setText(value.value.upper())
        self.setStyleSheet(STYLES[value] + " padding: 3px;")
        self.setAccessibleName(self.tr("Protective marking: %1").replace("%1", value.value))
