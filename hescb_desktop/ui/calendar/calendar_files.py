"""The calendar's files: .ics import (a Runner.job with progress) and export (behind the busy
dialog), and a week or a month printed as a paper diary (built on the thread pool, previewed,
then printed or saved as PDF); and their entries in the main window's File menu."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import IO, TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog, QMenu, QMessageBox, QWidget

from hescb_desktop.services import documents
from hescb_desktop.services.context import ServiceContext
from hescb_desktop.services.documents import Document
from hescb_desktop.services.results import Result
from hescb_desktop.ui.widgets.busy_dialog import BusyDialog
from hescb_desktop.ui.widgets.pdf_view import PdfPreviewDialog, preview_document
from hescb_desktop.ui.widgets.worker import ProgressFn

if TYPE_CHECKING:
    from hescb_desktop.services.ical import ImportReport
    from hescb_desktop.ui.calendar.calendar_page import CalendarPage


class CalendarFiles(QObject):
    """Import, export and print for the calendar page (its anchor and hidden calendars)."""

    def __init__(self, page: CalendarPage) -> None:
        super().__init__(page)
        self.page = page
        self.workspace = page.workspace
        self.print_preview: PdfPreviewDialog | None = None

    # ------------------------------------------------------------------ .ics
    @Slot()
    def import_ics(self) -> None:
        if self.page.editing.refuse(self.page.why_not_create()):
            return
        name, _ = QFileDialog.getOpenFileName(
            self.page,
            self.tr("Import calendar"),
            "",
            self.tr("iCalendar files (*.ics);;All files (*)"),
        )
        if name:
            self.import_file(Path(name))

    def import_file(self, path: Path) -> None:
        from hescb_desktop.services.ical import ImportReport, import_ics

        def work(ctx: ServiceContext, progress: ProgressFn) -> Result[ImportReport]:
            report = ctx.write(import_ics, path.read_bytes(), progress=progress)
            return Result(report, report.changes)

        result, error = BusyDialog.run_job(
            self.workspace.runner,
            self.tr("Import %1").replace("%1", path.name),
            self.tr("Reading %1…").replace("%1", path.name),
            work,
            self.page,
        )
        if error or not isinstance(result, ImportReport):
            QMessageBox.warning(self.page, self.tr("Import calendar"), f"{path.name}: {error}")
            return
        box = QMessageBox(
            QMessageBox.Icon.Information, self.tr("Import calendar"), _import_text(path, result)
        )
        box.setParent(self.page, box.windowFlags())
        box.setTextFormat(Qt.TextFormat.PlainText)  # titles and names like "Sam <sam@x>" as typed
        box.exec()
        self.page.refresh()

    @Slot()
    def export_ics(self) -> None:
        name, _ = QFileDialog.getSaveFileName(
            self.page,
            self.tr("Export calendar"),
            "hescb-calendar.ics",
            self.tr("iCalendar files (*.ics)"),
        )
        if name:
            self.export_file(Path(name))

    def export_file(self, path: Path) -> None:
        from hescb_desktop.services.ical import export_ics

        ctx = self.workspace.ctx

        def work(_progress: Callable[[int, str], None]) -> object:
            path.write_bytes(ctx.read(export_ics))
            return path

        _, error = BusyDialog.run(
            self.tr("Export calendar"),
            self.tr("Writing %1…").replace("%1", path.name),
            work,
            self.page,
        )
        if error:
            QMessageBox.warning(self.page, self.tr("Export calendar"), error)

    # ------------------------------------------------------------------ print
    def print_calendar(self, *, month: bool) -> PdfPreviewDialog | None:
        """The shown week (or month) as a paper diary, built on the thread pool and previewed
        here with Print… (the print dialog) and Save PDF…"""
        self.print_preview = preview_document(
            self._document(month=month),
            self.tr("Calendar"),
            self.page,
            busy=self.tr("Laying out the diary…"),
        )
        return self.print_preview

    def _document(self, *, month: bool) -> Callable[[], Document]:
        """What makes the diary (safe to call off the GUI thread): the page's state is read now."""
        ctx, anchor = self.workspace.ctx, self.page.anchor
        viewer, visible = self.page.viewer, self.page.visible_calendars()
        make = documents.calendar_month if month else documents.calendar_week
        return lambda: make(ctx, anchor, viewer=viewer, calendars=visible)

    def write_pdf(self, path: Path | IO[bytes], *, month: bool) -> int:
        """Write the shown week (or month) as a PDF; returns its pages."""
        document = self._document(month=month)()
        if isinstance(path, Path):
            path.write_bytes(document.data)
        else:
            path.write(document.data)
        return document.pages


def _import_text(path: Path, result: ImportReport) -> str:
    """What an import did, its notes and (the first fifteen of) its problems and unmatched."""
    text = f"{path.name}: {result.summary}."
    for note in result.notes:  # the file was not UTF-8: said here as on the command line
        text += f"\n\n{note}."
    if result.problems:
        text += "\n\n" + "\n".join(str(p) for p in result.problems[:15])
    if result.unmatched:
        text += "\n\n" + "\n".join(str(p) for p in result.unmatched[:15])
        if len(result.unmatched) > 15:
            text += "\n…"
    return text


def _files(page: Callable[[], QWidget]) -> CalendarFiles:
    files = getattr(page(), "files", None)  # the calendar page's
    assert isinstance(files, CalendarFiles)
    return files


def _show_then(show: Callable[[], None], handler: Callable[[], object]) -> None:
    show()
    handler()


def add_calendar_actions(
    menu: QMenu, page: Callable[[], QWidget], show: Callable[[], None]
) -> list[QAction]:
    """The File menu's calendar entries (issue 5): `page` makes (or finds) the calendar page,
    `show` brings it up first."""
    actions = []
    for label, handler in (
        (menu.tr("Import calendar (.ics)…"), lambda: _files(page).import_ics()),
        (menu.tr("Export calendar (.ics)…"), lambda: _files(page).export_ics()),
        (menu.tr("Print calendar week…"), lambda: _files(page).print_calendar(month=False)),
        (menu.tr("Print calendar month…"), lambda: _files(page).print_calendar(month=True)),
    ):
        action = QAction(label, menu)
        action.triggered.connect(functools.partial(_show_then, show, handler))
        actions.append(action)
    return actions
