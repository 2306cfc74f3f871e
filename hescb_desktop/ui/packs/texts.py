"""Texts the packs page shows: a meeting as the lists name it, and a warning shown as typed."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget

from hescb_desktop.domain.dto import MeetingDTO
from hescb_desktop.domain.timezones import LONDON


def warn(parent: QWidget, title: str, text: str) -> None:
    """A warning whose text is shown as typed (never read as rich text)."""
    box = QMessageBox(QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Ok, parent)
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.exec()


def meeting_label(m: MeetingDTO) -> str:
    return f"{m.start_utc.astimezone(LONDON):%d %b %Y} · {m.body} · {m.title}"
