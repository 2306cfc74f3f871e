"""Numbered copies in the window (issue 16, point 3): the Packs page's "Issue numbered copies…"
opens the dialog (the meeting's members ticked, a typed name added), the copies are built off
the GUI thread and written one PDF each; a refusal is said inline with nothing lost; the
copies register marks a copy returned and destroyed, is read-only to a viewer, and prints."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from pack_data import Board, build_board
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from hescb_desktop.domain.enums import Part
from hescb_desktop.domain.permissions import Identity, Role
from hescb_desktop.services import copies
from hescb_desktop.services.context import ServiceContext
from hescb_desktop.storage.identity import write_identity
from hescb_desktop.ui.main_window import PACKS, MainWindow
from hescb_desktop.ui.packs.copies_dialog import IssueCopiesDialog
from hescb_desktop.ui.packs.copies_register import COL_STATE, CopiesRegisterDialog
from hescb_desktop.ui.packs.packs_page import PacksPage
from hescb_desktop.ui.workspace import Workspace


@pytest.fixture
def packs(window: MainWindow, ctx: ServiceContext) -> tuple[PacksPage, Board]:
    board = build_board(ctx, hostile=False)
    window.show_page(PACKS)
    page = window.current_page()
    assert isinstance(page, PacksPage)
    page.refresh()
    page.select_meeting(board.meeting_id, Part.PART_II)
    return page, board


def footer_text(path: Path, page: int) -> str:
    return subprocess.run(
        ["pdftotext", "-f", str(page), "-l", str(page), "-layout", str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def test_the_dialog_issues_copies_off_the_gui_thread(
    qtbot: QtBot, packs: tuple[PacksPage, Board], ctx: ServiceContext, tmp_path: Path
) -> None:
    page, board = packs
    out = tmp_path / "copies"
    out.mkdir()
    assert page.copies_button.isEnabled()
    seen: list[str] = []
    driven: list[IssueCopiesDialog] = []

    def drive() -> None:
        active = QApplication.activeModalWidget()
        if isinstance(active, IssueCopiesDialog) and not driven:
            driven.append(active)
            # the meeting's members (present and apologies) ticked by default
            assert sorted(active.people.item(n).text() for n in range(2)) == [
                "Alex Chair",
                "Sam Officer",
            ]
            assert len(active.recipients()) == 2
            active.other_name.setText("ACC R. Shah")  # typed, not added: still meant
            active.folder.setText(str(out))
            qtbot.mouseClick(active.issue_button, Qt.MouseButton.LeftButton)
        elif isinstance(active, QMessageBox):
            seen.append(active.text())
            active.accept()

    timer = QTimer()
    timer.timeout.connect(drive)
    timer.start(20)
    try:
        issued = page.issue_copies()
    finally:
        timer.stop()
    assert issued is not None, driven[0].error.text() if driven else "no dialog"
    assert [(c.number, c.of_total) for c in issued.copies] == [(1, 3), (2, 3), (3, 3)]
    assert seen == [f"3 copies issued and written to {out}."]
    assert sorted(p.name for p in out.iterdir()) == [
        "HESCB-2026-03-12-Part-II-copy-01-of-03-Alex-Chair.pdf",
        "HESCB-2026-03-12-Part-II-copy-02-of-03-Sam-Officer.pdf",
        "HESCB-2026-03-12-Part-II-copy-03-of-03-ACC-R-Shah.pdf",
    ]
    shah = out / "HESCB-2026-03-12-Part-II-copy-03-of-03-ACC-R-Shah.pdf"
    assert "Copy 3 of 3 – issued to ACC R. Shah" in footer_text(shah, 2)
    rows = copies.register(ctx.uow(write=False), board.meeting_id)
    assert [r.copy.issued_to for r in rows] == ["Alex Chair", "Sam Officer", "ACC R. Shah"]


def test_a_refusal_is_said_inline_and_nothing_typed_is_lost(
    qtbot: QtBot, packs: tuple[PacksPage, Board], ctx: ServiceContext, tmp_path: Path
) -> None:
    page, board = packs
    out = tmp_path / "copies"
    out.mkdir()
    copies.issue_copies(ctx.uow(), board.meeting_id, Part.PART_II, ["Alex Chair"])
    dialog = IssueCopiesDialog(page.workspace, board.meeting_id, Part.PART_II, "Part II pack", page)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.other_name.setText("Ms K. Patel")
    qtbot.mouseClick(dialog.issue_button, Qt.MouseButton.LeftButton)
    assert dialog.error.text() == "Choose the folder for the copies' PDFs."
    dialog.folder.setText(str(out))
    qtbot.mouseClick(dialog.issue_button, Qt.MouseButton.LeftButton)
    # Alex Chair (ticked: a member) still holds copy 1
    assert "Alex Chair still holds copy 1" in dialog.error.text()
    assert dialog.isVisible() and dialog.result() != QDialog.DialogCode.Accepted
    assert "Ms K. Patel" in [dialog.people.item(n).text() for n in range(dialog.people.count())]
    assert str(out) == dialog.folder.text()
    assert list(out.iterdir()) == [] and len(copies.register(ctx.uow(write=False))) == 1
    # untick Alex Chair: the rest are issued
    for n in range(dialog.people.count()):
        if dialog.people.item(n).text() == "Alex Chair":
            dialog.people.item(n).setCheckState(Qt.CheckState.Unchecked)
    qtbot.mouseClick(dialog.issue_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == QDialog.DialogCode.Accepted, dialog.error.text()
    assert dialog.result_issued is not None
    assert [c.number for c in dialog.result_issued.copies] == [2, 3]
    assert len(list(out.iterdir())) == 2


def test_a_part_one_pack_without_sensitive_papers_cannot_be_copied(
    packs: tuple[PacksPage, Board],
) -> None:
    page, board = packs
    page.select_meeting(board.meeting_id, Part.PART_I)
    assert not page.copies_button.isEnabled()
    assert "no paper marked OFFICIAL-SENSITIVE" in page.copies_button.toolTip()


def test_the_register_marks_a_copy_returned_then_destroyed_and_prints(
    qtbot: QtBot, packs: tuple[PacksPage, Board], ctx: ServiceContext
) -> None:
    page, board = packs
    copies.issue_copies(ctx.uow(), board.meeting_id, Part.PART_II, ["Alex Chair", "ACC R. Shah"])
    page.show_copies_register()
    dialog = page.copies_register
    qtbot.addWidget(dialog)
    ModelTester(None).check(dialog.model)  # type: ignore[arg-type]
    assert dialog.model.rowCount() == 2
    assert not dialog.returned_button.isEnabled()  # nothing chosen yet
    dialog.table.selectRow(1)
    assert dialog.returned_button.isEnabled() and dialog.destroyed_button.isEnabled()
    qtbot.mouseClick(dialog.returned_button, Qt.MouseButton.LeftButton)
    assert page.workspace.runner.settle()
    state = dialog.model.index(1, COL_STATE).data()
    assert state == "Returned" and dialog.error.isHidden()
    assert [r.state for r in copies.register(ctx.uow(write=False))] == ["issued", "returned"]
    assert not dialog.returned_button.isEnabled() and dialog.destroyed_button.isEnabled()
    qtbot.mouseClick(dialog.destroyed_button, Qt.MouseButton.LeftButton)
    assert page.workspace.runner.settle()
    assert dialog.model.index(1, COL_STATE).data() == "Destroyed"
    assert not dialog.destroyed_button.isEnabled()
    assert dialog.summary.text() == "2 copies issued, 1 still held"
    qtbot.mouseClick(dialog.print_button, Qt.MouseButton.LeftButton)
    preview = dialog.document_preview
    assert preview is not None
    qtbot.addWidget(preview)
    assert preview.preview.page_count == 1  # type: ignore[attr-defined]


def test_a_viewer_reads_the_register_but_changes_nothing(
    qtbot: QtBot, packs: tuple[PacksPage, Board], ctx: ServiceContext
) -> None:
    page, board = packs
    copies.issue_copies(ctx.uow(), board.meeting_id, Part.PART_II, ["Alex Chair"])
    write_identity(ctx.engine, "root-fp", Identity("p1", "Pat", Role.VIEWER, "tester"))
    workspace = Workspace(ctx)
    dialog = CopiesRegisterDialog(workspace, board.meeting_id, page)
    qtbot.addWidget(dialog)
    dialog.table.selectRow(0)
    for button in (dialog.returned_button, dialog.destroyed_button):
        assert not button.isEnabled()
        assert button.toolTip() == "A viewer reads only: ask the secretariat."
    assert dialog.print_button.isEnabled() and dialog.copy_button.isEnabled()
