"""Minutes printed from the Meetings page: built off the GUI thread, previewed in the app (QtPdf),
printed through the real Qt print dialog to a PDF file (QPrinter, PdfFormat) and read back."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from pack_data import HOSTILE, Board, build_board
from print_dialog import print_to_file
from pypdf import PdfReader
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from hescb_desktop.services.context import ServiceContext, open_context
from hescb_desktop.ui.meetings.meetings_page import MeetingsPage
from hescb_desktop.ui.widgets import busy_dialog
from hescb_desktop.ui.widgets.pdf_view import PdfPreviewDialog
from hescb_desktop.ui.widgets.screen_fit import screen_of
from hescb_desktop.ui.workspace import Workspace


@pytest.fixture
def board(data_dir: Path) -> Iterator[tuple[ServiceContext, Board]]:
    ctx = open_context(data_dir)
    built = build_board(ctx, hostile=True)
    yield ctx, built
    ctx.close()


@pytest.fixture
def page(qtbot: QtBot, board: tuple[ServiceContext, Board]) -> MeetingsPage:
    widget = MeetingsPage(Workspace(board[0]))
    qtbot.addWidget(widget)
    widget.resize(1200, 800)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def select(page: MeetingsPage, meeting_id: str) -> None:
    row = next(n for n, r in enumerate(page.model.rows()) if r.id == meeting_id)
    page.table.selectRow(row)


def shows_ink(dialog: PdfPreviewDialog) -> bool:
    """The preview shows a rendered page: dark pixels (text) in its viewport."""
    image = dialog.preview.viewport().grab().toImage()
    dark = 0
    for y in range(0, image.height(), 4):
        for x in range(0, image.width(), 4):
            dark += image.pixelColor(x, y).lightness() < 100
    return dark > 50


def preview_of(page: MeetingsPage) -> PdfPreviewDialog:
    dialog = page.minutes_preview
    assert isinstance(dialog, PdfPreviewDialog) and dialog.isVisible()
    return dialog


def test_print_minutes_from_the_meetings_list(
    qtbot: QtBot,
    page: MeetingsPage,
    board: tuple[ServiceContext, Board],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    threads: list[bool] = []
    real_run = busy_dialog.BusyDialog.run.__func__  # type: ignore[attr-defined]

    def watched(cls: type, title: str, label: str, work: object, parent: object = None) -> object:
        def on_worker(progress: object) -> object:
            threads.append(QApplication.instance().thread().isCurrentThread())  # type: ignore[union-attr]
            return work(progress)  # type: ignore[operator]

        return real_run(cls, title, label, on_worker, parent)

    monkeypatch.setattr(busy_dialog.BusyDialog, "run", classmethod(watched))
    _ctx, built = board
    assert not page.print_button.isEnabled()  # nothing chosen yet
    select(page, built.previous_id)
    assert page.print_button.isEnabled()
    qtbot.mouseClick(page.print_button, Qt.MouseButton.LeftButton)
    assert threads == [False]  # the PDF was built on a pool thread, not the GUI thread
    dialog = preview_of(page)
    assert dialog.windowTitle().startswith("Minutes: HESCB Board meeting")
    assert dialog.preview.page_count >= 1
    qtbot.waitUntil(lambda: shows_ink(dialog), timeout=5000)  # pages render asynchronously
    dialog.grab().save(str(tmp_path / "minutes-preview.png"))

    out = tmp_path / "printed minutes.pdf"
    seen = print_to_file(out)
    qtbot.mouseClick(dialog.print_button, Qt.MouseButton.LeftButton)
    assert len(seen) == 1 and out.exists()
    reader = PdfReader(out)
    assert len(reader.pages) == dialog.preview.page_count
    first = reader.pages[0].extract_text()
    assert first.count("OFFICIAL") >= 2  # the marking, top and bottom
    assert f"Page 1 of {len(reader.pages)}" in first
    assert "Minutes: HESCB Board meeting" in first
    assert "Approved as a correct record on 12 March 2026" in first
    assert "The Board discussed the drone unit" in first
    assert "RESOLVED – That the Board agrees" in first
    pdftotext = subprocess.run(
        ["pdftotext", "-layout", str(out), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Costs <b> & AT&T <3 &nbsp;" in pdftotext  # the hostile text printed as typed
    assert "Zażółć gęślą jaźń" in pdftotext
    assert HOSTILE.split(" 😀")[0] in first
    assert (reader.metadata or {}).get("/Title", "").startswith("Minutes")
    dialog.close()


def test_print_minutes_from_the_open_meeting_with_a_page_range(
    qtbot: QtBot, page: MeetingsPage, board: tuple[ServiceContext, Board], tmp_path: Path
) -> None:
    _ctx, built = board
    page.open_meeting(built.previous_id)
    qtbot.mouseClick(page.editor.print_button, Qt.MouseButton.LeftButton)
    dialog = preview_of(page)
    pages = dialog.preview.page_count
    out = tmp_path / "page-one.pdf"
    seen = print_to_file(out, pages=(1, 1))
    qtbot.mouseClick(dialog.print_button, Qt.MouseButton.LeftButton)
    assert seen and len(PdfReader(out).pages) == 1
    assert f"Page 1 of {pages}" in PdfReader(out).pages[0].extract_text()
    dialog.close()


def test_a_meeting_without_minutes_says_so_and_opens_nothing(
    qtbot: QtBot, page: MeetingsPage, board: tuple[ServiceContext, Board]
) -> None:
    _ctx, built = board
    said: list[str] = []

    def answer() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(20, answer)
            return
        said.append(box.text())
        box.accept()

    QTimer.singleShot(20, answer)
    page.open_meeting(built.meeting_id)
    page.editor.print_part2.trigger()  # the Part II minutes, from the button's menu
    assert page.minutes_preview is None
    assert len(said) == 1 and "has no Part II minutes yet" in said[0]


def test_the_preview_dialog_fits_the_screen(qtbot: QtBot, tmp_path: Path) -> None:
    """Never taller than the screen it opens on (a 768-pixel laptop must show its buttons)."""
    from hescb_desktop.reports.selftest import build_selftest_pdf

    pdf = tmp_path / "one.pdf"
    build_selftest_pdf(pdf, {"version": "test"})
    dialog = PdfPreviewDialog(pdf.read_bytes(), "One page", "one.pdf")
    qtbot.addWidget(dialog)
    screen = screen_of(dialog).availableGeometry().size()
    assert screen.height() < 900  # the offscreen screen: smaller than the dialog would like
    assert dialog.width() <= screen.width() and dialog.height() <= screen.height()


def test_previews_reloaded_and_closed_while_drawing_do_not_crash(
    qtbot: QtBot, tmp_path: Path
) -> None:
    """Pages are drawn on the GUI thread: a preview reloaded, closed and deleted while its pages
    are being drawn cannot race a render thread (a CI worker once died in the month preview)."""
    import gc

    from PySide6.QtPdf import QPdfPageRenderer

    from hescb_desktop.reports.selftest import build_selftest_pdf

    pdf = tmp_path / "one.pdf"
    build_selftest_pdf(pdf, {"version": "test"})
    data = pdf.read_bytes()
    for _round in range(8):
        dialog = PdfPreviewDialog(data, "One page", "one.pdf")
        renderers = dialog.preview.findChildren(QPdfPageRenderer)
        assert renderers, "QPdfView draws through a QPdfPageRenderer"
        assert all(r.renderMode() == QPdfPageRenderer.RenderMode.SingleThreaded for r in renderers)
        dialog.show()
        for _reload in range(5):
            assert dialog.preview.load(data)
            dialog.preview.viewport().repaint()
            QApplication.processEvents()
        assert dialog.preview.page_count == 1
        dialog.close()
        dialog.deleteLater()
        del dialog, renderers
        QApplication.processEvents()
        gc.collect()
