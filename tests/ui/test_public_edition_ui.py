"""The public edition in the window (issue 16, point 4): a Part II item's public title and
exemption ground are asked for on the agenda form (for Part II only) and kept; the Print menu's
"Public edition" writes the PDF and its HTML twin off the GUI thread, with no exempt text."""

from __future__ import annotations

import html
from datetime import date, timedelta
from pathlib import Path

from pypdf import PdfReader
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from hescb_desktop.domain.enums import Part
from hescb_desktop.services import meetings
from hescb_desktop.services.context import ServiceContext
from hescb_desktop.ui.main_window import MEETINGS, MainWindow
from hescb_desktop.ui.meetings.meetings_page import MeetingsPage
from hescb_desktop.ui.meetings.public_edition_dialog import (
    PublicEditionChoice,
    PublicEditionDialog,
    write_public_edition,
)

SECRET_TITLE = "Conduct review of a named chief officer"


def _answer_message_boxes(seen: list[str]) -> QTimer:
    def poll() -> None:
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox):
            seen.append(box.text())
            box.accept()

    timer = QTimer()
    timer.timeout.connect(poll)
    timer.start(20)
    return timer


def test_a_part_two_items_ground_is_set_on_the_agenda_form_and_printed(
    qtbot: QtBot, window: MainWindow, ctx: ServiceContext, tmp_path: Path
) -> None:
    window.show_page(MEETINGS)
    page = window.current_page()
    assert isinstance(page, MeetingsPage)
    dialog = page.meeting_dialog()
    dialog.title.setText("HESCB winter board")
    dialog.day.setDate(date.today() + timedelta(days=20))
    dialog.buttons.accepted.emit()
    assert dialog.workspace.runner.settle()
    assert dialog.result_meeting is not None, dialog.error.text()
    meeting_id = dialog.result_meeting.id
    page.open_meeting(meeting_id)
    editor = page.editor

    # the exemption rows are asked for a Part II item only
    editor.item_part.setCurrentIndex(editor.item_part.findData(Part.PART_I.value))
    assert not editor.item_public_title.isVisibleTo(editor)
    editor.item_part.setCurrentIndex(editor.item_part.findData(Part.PART_II.value))
    assert editor.item_public_title.isVisibleTo(editor)
    assert editor.item_exempt_paragraph.isVisibleTo(editor)
    editor.item_title.setText(SECRET_TITLE)
    editor.item_public_title.setText("Part II item 12: staffing matter")
    editor.item_exempt_paragraph.setCurrentIndex(editor.item_exempt_paragraph.findData(1))
    editor.item_exempt_reason.setText("The public interest in keeping it exempt outweighs")
    editor.add_item.click()
    assert editor.workspace.runner.settle()
    assert editor.error.isHidden(), editor.error.text()
    item = next(
        s.item
        for s in meetings.agenda(ctx.uow(write=False), meeting_id)
        if s.item.title == SECRET_TITLE
    )
    assert (item.public_title, item.exempt_paragraph) == ("Part II item 12: staffing matter", 1)
    assert item.exempt_reason == "The public interest in keeping it exempt outweighs"
    editor.select_item(item.id)
    assert editor.item_exempt_paragraph.currentData() == 1  # shown again as stored
    assert not editor.has_unsaved_changes()

    # the dialog says inline what is wrong with the file chosen
    choose = PublicEditionDialog(str(tmp_path / "edition.html"), window)
    choose.buttons.accepted.emit()
    assert "PDF's name" in choose.error.text()
    assert choose.result() != PublicEditionDialog.DialogCode.Accepted
    choose.path.setText(str(tmp_path / "edition.pdf"))
    choose.agenda.setChecked(True)
    choose.buttons.accepted.emit()
    assert choose.result() == PublicEditionDialog.DialogCode.Accepted
    choice = choose.choice()
    assert choice == PublicEditionChoice("agenda", tmp_path / "edition.pdf")

    told: list[str] = []
    timer = _answer_message_boxes(told)
    written = write_public_edition(window.workspace.ctx, meeting_id, choice, window)
    timer.stop()
    assert written is not None and written.pdf.is_file() and written.html.is_file()
    assert told and "edition.html" in told[0]
    page_text = html.unescape(written.html.read_text(encoding="utf-8"))
    assert "Part II item 12: staffing matter" in page_text
    assert "paragraph 1 of Part 1 of Schedule 12A" in page_text
    assert SECRET_TITLE not in page_text
    pdf_text = " ".join(p.extract_text() for p in PdfReader(written.pdf).pages)
    assert "staffing matter" in pdf_text and SECRET_TITLE not in pdf_text
