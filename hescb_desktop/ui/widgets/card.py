"""A titled white panel that groups one part of a page (styled by resources/style.qss)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QVBoxLayout, QWidget


class Card(QFrame):
    """A panel with a bold title, an optional note at the right of the title, and a body."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("card")
        self.title_label = QLabel(title)
        self.title_label.setObjectName("cardTitle")
        self.note_label = QLabel()
        self.note_label.setObjectName("cardNote")
        self.note_label.setWordWrap(True)  # a long note wraps rather than widen the page
        self.note_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.body = QVBoxLayout()
        self._setup_ui()

    def _setup_ui(self) -> None:
        header = QHBoxLayout()
        header.addWidget(self.title_label)
        header.addWidget(self.note_label, 1)  # all the spare width, its text to the right
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 16)
        layout.setSpacing(8)
        layout.addLayout(header)
        layout.addLayout(self.body, 1)

    def set_note(self, text: str) -> None:
        self.note_label.setText(text)
