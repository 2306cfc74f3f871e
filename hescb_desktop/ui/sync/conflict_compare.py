"""The selected conflict side by side: the value kept and the other one, each with who, when,
which PC, and the button that settles it that way."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from hescb_desktop.ui.sync.conflict_table_model import ConflictView, by_text


class ConflictSide(QFrame):
    """One side: a heading, who/when/which PC, the value in full, and its button."""

    def __init__(self, button_text: str, *, primary: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("conflictSide")
        self.title = QLabel()
        self.title.setObjectName("conflictSideTitle")
        self.meta = QLabel()
        self.meta.setObjectName("formNote")
        self.meta.setWordWrap(True)
        self.value = QLabel()
        self.value.setObjectName("conflictValue")
        self.value.setWordWrap(True)
        self.value.setTextFormat(Qt.TextFormat.PlainText)
        self.value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.value.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.button = QPushButton(button_text)
        if primary:
            self.button.setObjectName("primaryButton")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 12, 14, 12)
        layout.setSpacing(6)
        layout.addWidget(self.title)
        layout.addWidget(self.meta)
        layout.addWidget(self.value)
        layout.addStretch(1)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.button)
        layout.addLayout(row)

    def show_side(self, title: str, meta: str, value: str) -> None:
        self.title.setText(title)
        self.meta.setText(meta)
        self.value.setText(value)


class ConflictCompare(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kept = ConflictSide(self.tr("&Keep"), primary=False)
        self.other = ConflictSide(self.tr("&Use the other value"), primary=True)
        self.kept.button.setToolTip(self.tr("Keep the value the record has now"))
        self.setMinimumHeight(170)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(12)
        layout.addWidget(self.kept, 1)
        layout.addWidget(self.other, 1)

    def set_conflict(self, view: ConflictView | None) -> None:
        self.setEnabled(view is not None)
        if view is None:
            for side in (self.kept, self.other):
                side.show_side("", "", "")
            return
        row = view.row
        kept_by = by_text(row.kept_user, row.kept_at, view.kept_pc)
        other_by = by_text(row.lost_user, row.lost_at, view.other_pc)
        if view.deleted:
            self.kept.show_side(
                self.tr("Deleted"),
                kept_by,
                self.tr("This record was deleted. It stays deleted unless you restore it."),
            )
            self.other.show_side(
                self.tr("Edit made without seeing the deletion"),
                other_by,
                f"{view.field}: {view.other}",
            )
            self.other.button.setText(self.tr("&Restore record"))
            self.other.button.setToolTip(self.tr("Bring the record back, with this edit"))
            return
        self.kept.show_side(self.tr("Value kept: %1").replace("%1", view.field), kept_by, view.kept)
        self.other.show_side(self.tr("Other value"), other_by, view.other)
        self.other.button.setText(self.tr("&Use the other value"))
        self.other.button.setToolTip(self.tr("Replace the value kept with this one"))
