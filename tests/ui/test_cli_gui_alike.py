"""What the command line and the app must say alike (issue 14, point 11): an .ics file that
is not UTF-8, and a share folder typed as a relative path; and the documents they make (issue
17: services.documents composes each PDF once, for both)."""

from __future__ import annotations

import os
from io import BytesIO
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from hescb_desktop import cli
from hescb_desktop.services.context import ServiceContext
from hescb_desktop.ui.calendar.calendar_page import CalendarPage
from hescb_desktop.ui.packs.packs_page import PacksPage
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


def test_the_app_and_the_command_line_make_the_same_action_log(
    qtbot: QtBot,
    ctx: ServiceContext,
    data_dir: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Once titled "Action log: ..." in the app and "HESCB action log: ..." on the command line;
    now one title, the same pages and the same text from both."""
    page = PacksPage(Workspace(ctx))
    qtbot.addWidget(page)
    page.pack_actions.show_action_log()
    dialog = page.document_preview
    assert dialog is not None
    qtbot.addWidget(dialog)
    in_app = PdfReader(BytesIO(dialog.preview.data))

    out = tmp_path / "actions.pdf"
    assert cli.main(["--data-dir", str(data_dir), "actions-report", "-o", str(out)]) == 0
    printed = capsys.readouterr().out.splitlines()
    from_cli = PdfReader(out)

    assert dialog.windowTitle().startswith("HESCB action log: open actions at ")
    assert in_app.metadata is not None and from_cli.metadata is not None
    assert in_app.metadata.title == from_cli.metadata.title == dialog.windowTitle()
    assert dialog.filename == "HESCB-action-log.pdf"
    assert len(in_app.pages) == len(from_cli.pages) > 0
    assert [p.extract_text() for p in in_app.pages] == [p.extract_text() for p in from_cli.pages]
    assert dialog.banner.isVisibleTo(dialog)  # its marking, above the preview
    assert len(printed) == 1
    assert printed[0].startswith("action log (") and " open actions): " in printed[0]
    assert printed[0].endswith(f"{out} ({len(from_cli.pages)} pages)")
    dialog.close()
