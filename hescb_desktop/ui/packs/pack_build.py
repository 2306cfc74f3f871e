"""Building the chosen meeting's pack on a pool thread (progress, Cancel, cancelled when the
application quits), previewing it on the page, then printing or saving it."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QThreadPool, Slot

from hescb_desktop.services import documents
from hescb_desktop.services.documents import Document
from hescb_desktop.ui.widgets.pdf_view import print_pdf, save_pdf
from hescb_desktop.ui.widgets.worker import ProgressFn, Task, throttled

if TYPE_CHECKING:
    from hescb_desktop.ui.packs.packs_page import PacksPage


class PackBuild(QObject):
    """The pack being built (`task`) or built (`pack_pdf`, shown in the page's preview)."""

    def __init__(self, page: PacksPage) -> None:
        super().__init__(page)
        self.page = page
        self.pack_pdf = b""
        self.pack_filename = "pack.pdf"  # the name the built pack is offered under
        self.task: Task | None = None
        self._cancel = threading.Event()

    def cancelled(self) -> bool:
        return self._cancel.is_set()

    @Slot()
    def shutdown(self) -> None:
        """Quitting: a build still running is cancelled and waited for (before the database
        closes under it)."""
        self._cancel.set()
        if self.task is not None:
            QThreadPool.globalInstance().waitForDone(15000)

    def clear_preview(self) -> None:
        self.pack_pdf = b""
        self.page.preview.clear()

    @Slot()
    def build(self) -> None:
        """Build the pack on a pool thread; the preview shows it when done."""
        page = self.page
        if page.meeting_id is None or self.task is not None:
            return
        ctx, meeting_id, part = page.workspace.ctx, page.meeting_id, page.part
        self._cancel = threading.Event()
        cancelled = self._cancel.is_set

        def work(progress: ProgressFn) -> Document:
            every_page = throttled(progress)  # not a signal per page: the window would stall
            return documents.pack(
                ctx,
                meeting_id,
                part,
                progress=lambda done, text: every_page(int(done * 100), text),
                cancel=cancelled,
            )

        self.clear_preview()
        page.progress.setValue(0)
        page.progress_label.setText(self.tr("Building…"))
        self.task = Task(work)
        self.task.signals.progressed.connect(self._on_progress)
        self.task.signals.succeeded.connect(self._on_built)
        self.task.signals.failed.connect(self._on_failed)
        page.set_building(True)
        self.task.start()

    @Slot()
    def cancel(self) -> None:
        self._cancel.set()
        self.page.progress_label.setText(self.tr("Cancelling…"))

    @Slot(int, str)
    def _on_progress(self, percent: int, message: str) -> None:
        self.page.progress.setValue(percent)
        self.page.progress_label.setText(message)

    @Slot(object)
    def _on_built(self, document: object) -> None:
        self.task = None
        assert isinstance(document, Document)
        self.pack_pdf, self.pack_filename = document.data, document.filename
        self.page.preview.load(document.data)
        self.page.progress_label.setText(
            self.tr("Built: %1 pages").replace("%1", str(self.page.preview.page_count))
        )
        self.page.set_building(False)

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        self.task = None
        self.page.set_building(False)
        if self._cancel.is_set():
            self.page.progress_label.setText(self.tr("Cancelled: nothing was built."))
            return
        self.page.progress_label.setText(self.tr("Not built."))
        self.page.warn_user(self.tr("Board pack"), message)

    # ------------------------------------------------------------------ print, save
    @Slot()
    def print_pack(self) -> None:
        if self.pack_pdf:
            print_pdf(self.page.preview.pdf, self.pack_filename, self.page, self.pack_pdf)

    @Slot()
    def save_pack(self) -> None:
        if self.pack_pdf:
            save_pdf(self.pack_pdf, self.pack_filename, self.page)
