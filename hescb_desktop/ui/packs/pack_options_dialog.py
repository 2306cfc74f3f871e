"""A pack's settings: the highest marking it may hold and its distribution list."""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtWidgets import (
    QComboBox,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from hescb_desktop.domain.enums import Marking
from hescb_desktop.ui.widgets.screen_fit import fitted_size
from hescb_desktop.ui.widgets.unsaved import GuardedDialog


class PackOptionsDialog(GuardedDialog):
    def __init__(self, allowed: Marking, distribution: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("Pack settings"))
        self.marking = QComboBox()
        for m in Marking:
            self.marking.addItem(m.value, m.value)
        self.marking.setCurrentIndex(self.marking.findData(allowed.value))
        self.distribution = QPlainTextEdit(distribution)
        note = QLabel(
            self.tr(
                "A paper marked above the pack's marking is never put in it. Distribution: one "
                "name a line (empty: the meeting's members and attendees)."
            )
        )
        note.setWordWrap(True)
        form = QFormLayout()
        form.addRow(self.tr("May hold up to"), self.marking)
        form.addRow(self.tr("Distribution"), self.distribution)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(buttons)
        self.resize(fitted_size(QSize(480, 360), self))  # a laptop shows its buttons
        self.watch_for_unsaved()

    def unsaved_subject(self) -> str:
        return self.tr("the pack settings")

    def chosen_marking(self) -> Marking:
        return Marking(self.marking.currentData())
