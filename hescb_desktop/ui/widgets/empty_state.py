"""A view that gives way to a short sentence when its model has no rows, with the button that
fills it where there is one (issue 14: an empty state says what to do and offers to do it)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)


class EmptyState(QStackedWidget):
    """Shows `view` while its model has rows, else a centred grey message."""

    def __init__(self, view: QAbstractItemView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.view = view
        self.message = QLabel()
        self.message.setObjectName("emptyMessage")
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setWordWrap(True)
        self.button = QPushButton()
        self.button.setObjectName("emptyAction")
        self.button.hide()
        self.empty_page = QWidget()
        column = QVBoxLayout(self.empty_page)
        column.addStretch(1)
        column.addWidget(self.message)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.button)
        row.addStretch(1)
        column.addLayout(row)
        column.addStretch(1)
        self.addWidget(view)
        self.addWidget(self.empty_page)
        model = view.model()
        model.modelReset.connect(self._on_model_changed)
        model.rowsInserted.connect(self._on_model_changed)
        model.rowsRemoved.connect(self._on_model_changed)
        model.layoutChanged.connect(self._on_model_changed)
        self._on_model_changed()

    def set_message(self, text: str) -> None:
        self.message.setText(text)

    def set_action(self, text: str, slot: Callable[[], object]) -> None:
        """The button shown under the message (e.g. "Plan a meeting…")."""
        self.button.setText(text)
        self.button.clicked.connect(slot)
        self.button.show()

    @property
    def is_empty(self) -> bool:
        return self.currentWidget() is self.empty_page

    @Slot()
    def _on_model_changed(self) -> None:
        self.setCurrentWidget(self.view if self.view.model().rowCount() else self.empty_page)
