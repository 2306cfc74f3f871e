"""Building the chosen meeting's pack on a pool thread (progress, Cancel, cancelled when the
application quits), previewing it on the page, then printing or saving it."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QThreadPool, Slot

from hescb_desktop.domain.enums import Part
from hescb_desktop.domain.timezones import LONDON
from hescb_desktop.services import boardpacks
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

        def work(progress: ProgressFn) -> bytes:
            from hescb_desktop.reports.pack import build_pack_pdf

            progress(1, "Reading the meeting and its papers")
            every_page = throttled(progress)  # not a signal per page: the window would stall
            content = ctx.read(boardpacks.pack_content, meeting_id, part)
            return build_pack_pdf(
                content,
                author=ctx.user,
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
    def _on_built(self, data: object) -> None:
        self.task = None
        assert isinstance(data, bytes)
        self.pack_pdf = data
        self.page.preview.load(data)
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
    def pack_name(self) -> str:
        status = self.page.status
        if status is None:
            return "pack.pdf"
        day = status.meeting.start_utc.astimezone(LONDON)
        part = "-part2" if self.page.part is Part.PART_II else ""
        return f"{status.meeting.body}-{day:%Y-%m-%d}-pack{part}.pdf"

    @Slot()
    def print_pack(self) -> None:
        if self.pack_pdf:
            print_pdf(self.page.preview.pdf, self.pack_name(), self.page, self.pack_pdf)

    @Slot()
    def save_pack(self) -> None:
        if self.pack_pdf:
            save_pdf(self.pack_pdf, self.pack_name(), self.page)
