"""A view that gives way to a short sentence when its model has no rows."""

from __future__ import annotations

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import QAbstractItemView, QLabel, QStackedWidget, QWidget


class EmptyState(QStackedWidget):
    """Shows `view` while its model has rows, else a centred grey message."""

    def __init__(self, view: QAbstractItemView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.view = view
        self.message = QLabel()
        self.message.setObjectName("emptyMessage")
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setWordWrap(True)
        self.addWidget(view)
        self.addWidget(self.message)
        model = view.model()
        model.modelReset.connect(self._on_model_changed)
        model.rowsInserted.connect(self._on_model_changed)
        model.rowsRemoved.connect(self._on_model_changed)
        model.layoutChanged.connect(self._on_model_changed)
        self._on_model_changed()

    def set_message(self, text: str) -> None:
        self.message.setText(text)

    @property
    def is_empty(self) -> bool:
        return self.currentWidget() is self.message

    @Slot()
    def _on_model_changed(self) -> None:
        self.setCurrentWidget(self.view if self.view.model().rowCount() else self.message)
