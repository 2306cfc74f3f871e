"""Drive the real Qt print dialog as a user would: choose "Print to File (PDF)", a file name
and (optionally) a page range, then press Print."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtPrintSupport import QPrintDialog
from PySide6.QtWidgets import QApplication, QComboBox, QLineEdit, QRadioButton, QSpinBox


def print_to_file(target: Path, pages: tuple[int, int] | None = None) -> list[QPrintDialog]:
    """Answer the next print dialog (once shown) by printing to `target`; returns the dialogs
    seen (one, once the print has been asked for)."""
    seen: list[QPrintDialog] = []

    def poll() -> None:
        dialog = next(
            (w for w in QApplication.topLevelWidgets() if isinstance(w, QPrintDialog)), None
        )
        if dialog is None or not dialog.isVisible():
            QTimer.singleShot(20, poll)
            return
        seen.append(dialog)
        printers = dialog.findChild(QComboBox, "printers")
        printers.setCurrentIndex(printers.findText("Print to File (PDF)"))
        dialog.findChild(QLineEdit, "filename").setText(str(target))
        if pages is not None:
            dialog.findChild(QRadioButton, "printRange").setChecked(True)
            dialog.findChild(QSpinBox, "from").setValue(pages[0])
            dialog.findChild(QSpinBox, "to").setValue(pages[1])
        dialog.accept()

    QTimer.singleShot(20, poll)
    return seen
