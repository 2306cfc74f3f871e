"""Answering "Save changes to …?" in a real window: the question is a real modal QMessageBox."""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

Button = QMessageBox.StandardButton


def answer_next_question(button: Button, tries: int = 500) -> list[str]:
    """Click `button` on the next message box that shows; returns the texts it asked."""
    asked: list[str] = []

    def poll(left: int) -> None:
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox):
            asked.append(box.text())
            box.button(button).click()
        elif left:
            QTimer.singleShot(10, lambda: poll(left - 1))

    QTimer.singleShot(0, lambda: poll(tries))
    return asked
