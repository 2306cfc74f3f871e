"""What is done with the chosen meeting's pack besides building it: publish it, issue a
supplement, set its marking and distribution, issue numbered copies and keep their register;
and the meeting's other documents previewed (minutes, action log, highlight report)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Slot
from PySide6.QtWidgets import QMessageBox

from hescb_desktop.services import boardpacks, documents
from hescb_desktop.ui.packs.copies_dialog import IssueCopiesDialog, Issued
from hescb_desktop.ui.packs.copies_register import CopiesRegisterDialog
from hescb_desktop.ui.packs.pack_options_dialog import PackOptionsDialog
from hescb_desktop.ui.packs.texts import meeting_label
from hescb_desktop.ui.widgets.minutes_print import preview_minutes
from hescb_desktop.ui.widgets.pdf_view import PdfPreviewDialog, preview_document

if TYPE_CHECKING:
    from hescb_desktop.ui.packs.packs_page import PacksPage


class PackActions(QObject):
    """The pack's actions; each write one operation through the page's runner (`page.run`)."""

    def __init__(self, page: PacksPage) -> None:
        super().__init__(page)
        self.page = page
        self.workspace = page.workspace
        self.copies_register: CopiesRegisterDialog | None = None
        self.minutes_preview: PdfPreviewDialog | None = None
        self.document_preview: PdfPreviewDialog | None = None

    @Slot()
    def publish(self) -> None:
        page = self.page
        if page.meeting_id is None:
            return
        answer = QMessageBox.question(
            page,
            self.tr("Publish the pack"),
            self.tr(
                "Publish this pack as final? It loses its DRAFT watermark, and papers added "
                "after this go in numbered supplements."
            ),
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        meeting_id, part = page.meeting_id or "", page.part
        page.run(
            self.tr("Publish the pack"), lambda uow: boardpacks.publish_pack(uow, meeting_id, part)
        )

    @Slot()
    def issue_supplement(self) -> None:
        page = self.page
        if page.meeting_id is None:
            return
        meeting_id, part = page.meeting_id, page.part
        page.run(
            self.tr("Issue a supplement"),
            lambda uow: boardpacks.publish_supplement(uow, meeting_id, part),
        )

    @Slot()
    def edit_options(self) -> None:
        page, status = self.page, self.page.status
        if status is None or page.meeting_id is None:
            return
        distribution = status.pack.distribution if status.pack else ""
        dialog = PackOptionsDialog(status.allowed, distribution, page)
        if not dialog.exec():
            return
        meeting_id, part = page.meeting_id, page.part
        marking, text = dialog.chosen_marking(), dialog.distribution.toPlainText()
        page.run(
            self.tr("Change the pack's marking and distribution"),
            lambda uow: boardpacks.set_pack_options(
                uow, meeting_id, part, marking=marking, distribution=text
            ),
        )

    @Slot()
    def issue_copies(self) -> Issued | None:
        page = self.page
        if page.status is None or page.meeting_id is None:
            return None
        what = f"{meeting_label(page.status.meeting)} · {page.part_combo.currentText()}"
        issued = IssueCopiesDialog.ask(self.workspace, page.meeting_id, page.part, what, page)
        if issued is None:
            return None
        folder = issued.files[0].parent if issued.files else ""
        QMessageBox.information(
            page,
            self.tr("Numbered copies"),
            self.tr("%1 copies issued and written to %2.")
            .replace("%1", str(len(issued.copies)))
            .replace("%2", str(folder)),
        )
        return issued

    @Slot()
    def show_copies_register(self) -> None:
        self.copies_register = CopiesRegisterDialog(self.workspace, self.page.meeting_id, self.page)
        self.copies_register.open()

    # ------------------------------------------------------------------ the other documents
    @Slot()
    def show_minutes(self) -> None:
        page = self.page
        if page.meeting_id is not None:
            self.minutes_preview = preview_minutes(self.workspace, page.meeting_id, page, page.part)

    @Slot()
    def show_action_log(self) -> None:
        ctx = self.workspace.ctx
        self.document_preview = preview_document(
            lambda: documents.action_log(ctx),
            self.tr("Action log"),
            self.page,
            busy=self.tr("Building the action log…"),
        )

    @Slot()
    def show_highlight(self) -> None:
        ctx = self.workspace.ctx
        self.document_preview = preview_document(
            lambda: documents.highlight(ctx),
            self.tr("Highlight report"),
            self.page,
            busy=self.tr("Building the highlight report…"),
        )
