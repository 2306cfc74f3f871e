"""What the command line and the app must say alike (issue 14, point 11): an .ics file that
is not UTF-8, and a share folder typed as a relative path."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from hescb_desktop.services.context import ServiceContext
from hescb_desktop.ui.calendar.calendar_page import CalendarPage
from hescb_desktop.ui.settings_dialog import as_typed
from hescb_desktop.ui.workspace import Workspace

LEGACY = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:u1\r\n"
    "DTSTART:20300305T100000Z\r\nSUMMARY:Café meeting\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
)


def test_the_app_says_an_ics_is_not_utf8_as_the_command_line_does(
    qtbot: QtBot, ctx: ServiceContext, tmp_path: Path
) -> None:
    page = CalendarPage(Workspace(ctx))
    qtbot.addWidget(page)
    ics = tmp_path / "legacy.ics"
    ics.write_bytes(LEGACY.encode("cp1252"))
    seen: list[str] = []

    def answer() -> None:
        modal = QApplication.activeModalWidget()
        if isinstance(modal, QMessageBox):
            seen.append(modal.text())
            modal.accept()
        else:  # the busy dialog first, then the report
            QTimer.singleShot(20, answer)

    QTimer.singleShot(20, answer)
    page.import_file(ics)
    assert seen, "no report was shown"
    assert "legacy.ics: 1 event added" in seen[0]
    assert "the file is not UTF-8 (line 7): it was read as Windows-1252" in seen[0]


def test_a_relative_share_folder_is_made_absolute(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert as_typed("shares/hescb") == str(tmp_path / "shares" / "hescb")
    assert as_typed(f" {tmp_path}/ ") == f"{tmp_path}/"  # absolute: as typed
    for unc in (r"\\server\share\hescb", "//server/share/hescb"):
        assert as_typed(unc) == unc
    assert as_typed("") == ""
    assert as_typed("~/share") == os.path.expanduser("~/share")
