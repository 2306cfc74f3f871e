"""The questions sync asks a person (module functions, so tests can answer them)."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QMessageBox, QWidget


def _tr(text: str) -> str:
    return QCoreApplication.translate("SyncQuestions", text)


def ask_discard_demo(parent: QWidget | None, share: str) -> bool:
    """This PC holds the demo board and `share` holds a real board: discard the demo and join?"""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle(_tr("Discard the demo board and join?"))
    box.setText(_tr("Discard the demo board and join?"))
    box.setInformativeText(
        _tr(
            "This PC holds the demo board, and %1 already holds your colleagues' board. "
            "Joining sets the demo board aside (it stays in the data folder) and starts this PC "
            "from the shared board. The demo is never copied onto the share."
        ).replace("%1", share)
    )
    join = box.addButton(_tr("Discard the demo and join"), QMessageBox.ButtonRole.AcceptRole)
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    box.exec()
    return box.clickedButton() is join


def ask_restore(parent: QWidget | None) -> bool:
    """This PC was away longer than the share keeps changes: restart it from the snapshot?"""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle(_tr("Restart from the share?"))
    box.setText(_tr("This PC has been away longer than the share keeps changes."))
    box.setInformativeText(
        _tr(
            "To catch up it must restart from the newest snapshot on the share. Changes made "
            "on this PC that have not been sent yet are kept and sent afterwards."
        )
    )
    restart = box.addButton(_tr("Restart from the share"), QMessageBox.ButtonRole.AcceptRole)
    box.addButton(_tr("Later"), QMessageBox.ButtonRole.RejectRole)
    box.exec()
    return box.clickedButton() is restart


def show_join_failed(parent: QWidget | None, error: str) -> None:
    QMessageBox.warning(parent, _tr("Could not join the shared folder"), error)
