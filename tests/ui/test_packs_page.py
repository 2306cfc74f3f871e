"""The Board packs page: build off the GUI thread with progress and cancel, preview (QtPdf),
print to a PDF file (QPrinter PdfFormat), publish, attach files, write a paper."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pack_data import CORRUPT_PDF, Board, attached_pdf, build_board
from pypdf import PdfReader
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QMessageBox
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from hescb_desktop.domain.enums import Part
from hescb_desktop.services import boardpacks, papers
from hescb_desktop.services.context import ServiceContext, open_context
from hescb_desktop.ui.packs import pack_actions, papers_panel
from hescb_desktop.ui.packs import packs_page as page_module
from hescb_desktop.ui.packs.packs_page import PacksPage
from hescb_desktop.ui.widgets.pdf_view import PdfPreviewDialog, page_image, print_document
from hescb_desktop.ui.workspace import Workspace


@pytest.fixture
def pack_ctx(data_dir: Path) -> Iterator[tuple[ServiceContext, Board]]:
    ctx = open_context(data_dir)
    built = build_board(ctx, hostile=False)
    yield ctx, built
    ctx.close()


@pytest.fixture
def warnings(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    said: list[str] = []
    monkeypatch.setattr(page_module, "warn", lambda _parent, _title, text: said.append(text))
    return said


@pytest.fixture
def page(qtbot: QtBot, pack_ctx: tuple[ServiceContext, Board]) -> PacksPage:
    ctx, board = pack_ctx
    widget = PacksPage(Workspace(ctx))
    qtbot.addWidget(widget)
    widget.resize(1400, 900)
    widget.show()
    qtbot.waitExposed(widget)
    widget.select_meeting(board.meeting_id)
    return widget


def built(qtbot: QtBot, page: PacksPage) -> bytes:
    qtbot.mouseClick(page.build_button, page_module.Qt.MouseButton.LeftButton)
    assert page.cancel_button.isEnabled() and not page.build_button.isEnabled()
    qtbot.waitUntil(lambda: page.task is None, timeout=30000)
    assert page.pack_pdf
    return page.pack_pdf


def test_status_shows_papers_in_missing_late_and_withheld(page: PacksPage) -> None:
    states = {row.number: row.state for row in page.items.rows()}
    assert states["5"] == states["6"] == boardpacks.IN
    assert states["7"] == boardpacks.WITHHELD and states["9"] == boardpacks.OTHER_PART
    assert [states[n] for n in "1234"] == [boardpacks.NO_PAPER, "minutes", "actions", "highlight"]
    assert "Draft · 2 papers in" in page.state_label.text()
    page.part_combo.setCurrentIndex(page.part_combo.findData(Part.PART_II.value))
    assert [row.number for row in page.items.rows()] == ["7", "9"]


def test_build_previews_the_pack_in_the_app(qtbot: QtBot, page: PacksPage) -> None:
    seen: list[int] = []
    data = built(qtbot, page) if not seen else b""
    pages = len(PdfReader(__import__("io").BytesIO(data)).pages)
    assert page.preview.page_count == pages >= 10
    assert page.print_button.isEnabled() and page.save_button.isEnabled()
    assert f"Built: {pages} pages" == page.progress_label.text()
    image = page_image(page.preview.pdf, 0)
    assert not image.isNull() and image.width() == 400


def test_cancel_stops_the_build(qtbot: QtBot, page: PacksPage) -> None:
    qtbot.mouseClick(page.build_button, page_module.Qt.MouseButton.LeftButton)
    qtbot.mouseClick(page.cancel_button, page_module.Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.task is None, timeout=30000)
    assert page.pack_pdf == b"" and page.preview.page_count == 0
    assert page.progress_label.text() == "Cancelled: nothing was built."
    assert page.build_button.isEnabled()


def test_print_to_pdf_file_with_a_page_range(qtbot: QtBot, page: PacksPage, tmp_path: Path) -> None:
    data = built(qtbot, page)
    total = len(PdfReader(__import__("io").BytesIO(data)).pages)
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "all.pdf"))
    assert print_document(page.preview.pdf, printer) == total
    assert len(PdfReader(tmp_path / "all.pdf").pages) == total
    ranged = QPrinter(QPrinter.PrinterMode.HighResolution)
    ranged.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    ranged.setOutputFileName(str(tmp_path / "range.pdf"))
    ranged.setPrintRange(QPrinter.PrintRange.PageRange)
    ranged.setFromTo(2, 4)
    assert print_document(page.preview.pdf, ranged) == 3
    assert len(PdfReader(tmp_path / "range.pdf").pages) == 3


def test_publish_marks_it_final(
    qtbot: QtBot, page: PacksPage, monkeypatch: pytest.MonkeyPatch, warnings: list[str]
) -> None:
    monkeypatch.setattr(QMessageBox, "question", lambda *_a, **_k: QMessageBox.StandardButton.Yes)
    qtbot.mouseClick(page.publish_button, page_module.Qt.MouseButton.LeftButton)
    assert page.workspace.runner.settle()
    assert page.state_label.text().startswith("Published")
    assert not page.publish_button.isEnabled() and warnings == []


def test_bad_file_named_and_nothing_attached(
    page: PacksPage, pack_ctx: tuple[ServiceContext, Board], tmp_path: Path, warnings: list[str]
) -> None:
    ctx, board = pack_ctx
    row = next(n for n, r in enumerate(page.model.rows()) if r.id == board.papers["word"])
    page.paper_table.selectRow(row)
    bad = tmp_path / "budget.pdf"
    bad.write_bytes(CORRUPT_PDF)
    assert not page.attach(role="appendix", path=bad)
    assert len(warnings) == 1 and "budget.pdf is corrupt" in warnings[0]
    assert [
        a.filename for a in papers.attachments_of(ctx.uow(write=False), board.papers["word"])
    ] == ["training.pdf"]
    good = tmp_path / "annex.pdf"
    good.write_bytes(attached_pdf("ANNEX", 2))
    assert page.attach(role="appendix", path=good)
    names = [a.filename for a in papers.attachments_of(ctx.uow(write=False), board.papers["word"])]
    assert sorted(names) == ["annex.pdf", "training.pdf"]


def test_minutes_preview_dialog_prints(qtbot: QtBot, tmp_path: Path) -> None:
    data = attached_pdf("MINUTES", 3)
    dialog = PdfPreviewDialog(data, "Minutes <b>", "minutes.pdf")
    qtbot.addWidget(dialog)
    assert dialog.preview.page_count == 3
    printer = QPrinter()
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "m.pdf"))
    assert print_document(dialog.preview.pdf, printer) == 3


def test_minutes_preview_from_the_page(
    qtbot: QtBot, page: PacksPage, pack_ctx: tuple[ServiceContext, Board], tmp_path: Path
) -> None:
    _ctx, board = pack_ctx
    page.select_meeting(board.previous_id)
    qtbot.mouseClick(page.minutes_button, page_module.Qt.MouseButton.LeftButton)
    dialog = page.minutes_preview
    assert dialog is not None and dialog.isVisible()
    assert dialog.preview.page_count >= 1
    assert dialog.windowTitle().startswith("Minutes: HESCB Board meeting")
    printer = QPrinter()
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "minutes.pdf"))
    assert print_document(dialog.preview.pdf, printer) == dialog.preview.page_count
    dialog.close()


def test_write_a_paper_in_the_app(
    page: PacksPage, pack_ctx: tuple[ServiceContext, Board], monkeypatch: pytest.MonkeyPatch
) -> None:
    _ctx, board = pack_ctx
    shown: list[str] = []
    title = "Hostile <b> & &nbsp; 😀 Zażółć"

    class Scripted(papers_panel.PaperDialog):
        def exec(self) -> int:
            shown.append(self.error.text())
            if len(shown) == 1:
                return 1  # OK with no title: refused, the dialog stays
            self.title.setText(title)
            self.body.setPlainText("# Background\n- a point <i>")
            return 1

    monkeypatch.setattr(papers_panel, "PaperDialog", Scripted)
    page.new_paper()
    assert shown == ["", "paper: title is required"]
    row = next(r for r in page.model.rows() if r.title == title)
    assert row.reference == "HESCB 5/26" and row.meeting_date is not None
    states = {r.paper_ref: r.state for r in page.items.rows()}
    assert "HESCB 5/26" not in states  # written for the meeting, not yet on its agenda
    assert f"HESCB 5/26: {title}" in page.problems_label.text()
    assert board.meeting_id == page.meeting_id


def test_quitting_cancels_a_running_build(qtbot: QtBot, page: PacksPage) -> None:
    qtbot.mouseClick(page.build_button, page_module.Qt.MouseButton.LeftButton)
    page.shutdown()  # what aboutToQuit calls
    assert page.pack_build.cancelled()
    qtbot.waitUntil(lambda: page.task is None, timeout=30000)
    assert page.pack_pdf == b""


def test_pack_item_model_passes_the_model_tester(
    page: PacksPage, qtmodeltester: ModelTester
) -> None:
    assert page.items.rowCount() == 10
    qtmodeltester.check(page.items)
    qtmodeltester.check(page.items, force_py=True)


def test_action_log_and_highlight_report_preview(qtbot: QtBot, page: PacksPage) -> None:
    qtbot.mouseClick(page.actions_button, page_module.Qt.MouseButton.LeftButton)
    assert page.document_preview.preview.page_count == 1
    assert page.document_preview.windowTitle().startswith("HESCB action log: open actions at ")
    page.document_preview.close()
    qtbot.mouseClick(page.highlight_button, page_module.Qt.MouseButton.LeftButton)
    assert page.document_preview.preview.page_count == 1
    assert "highlight report" in page.document_preview.windowTitle()
    page.document_preview.close()


def test_pack_settings_let_the_part_one_pack_hold_the_sensitive_paper(
    page: PacksPage, monkeypatch: pytest.MonkeyPatch
) -> None:
    class Scripted(pack_actions.PackOptionsDialog):
        def exec(self) -> int:
            self.marking.setCurrentIndex(self.marking.findData("OFFICIAL-SENSITIVE"))
            self.distribution.setPlainText("Chief Constable <b>\nChief Fire Officer")
            return 1

    monkeypatch.setattr(pack_actions, "PackOptionsDialog", Scripted)
    page.edit_options()
    assert page.workspace.runner.settle()
    states = {row.number: row.state for row in page.items.rows()}
    assert states["7"] == boardpacks.IN
    assert "may hold up to OFFICIAL-SENSITIVE" in page.state_label.text()
    assert page.status is not None and page.status.pack is not None
    assert page.status.pack.distribution == "Chief Constable <b>\nChief Fire Officer"


def test_save_writes_the_built_pack(
    qtbot: QtBot, page: PacksPage, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from hescb_desktop.ui.widgets import pdf_view

    data = built(qtbot, page)
    target = tmp_path / "HESCB pack"  # no suffix: .pdf is added
    monkeypatch.setattr(
        pdf_view.QFileDialog, "getSaveFileName", lambda *_a, **_k: (str(target), "PDF (*.pdf)")
    )
    qtbot.mouseClick(page.save_button, page_module.Qt.MouseButton.LeftButton)
    assert (tmp_path / "HESCB pack.pdf").read_bytes() == data
