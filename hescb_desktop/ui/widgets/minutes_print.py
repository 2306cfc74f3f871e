"""Minutes as a marked PDF, built off the GUI thread and previewed in the app with Print… and
Save… (for any page that has a meeting: the Board packs page and the Meetings page)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget

from hescb_desktop.domain.enums import Part
from hescb_desktop.domain.errors import DomainError
from hescb_desktop.services import boardpacks
from hescb_desktop.ui.widgets.pdf_view import PdfPreviewDialog, build_and_preview
from hescb_desktop.ui.workspace import Workspace


def preview_minutes(
    workspace: Workspace, meeting_id: str, parent: QWidget, part: Part = Part.PART_I
) -> PdfPreviewDialog | None:
    """Build the meeting's minutes (draft or approved) on the thread pool and open them in a
    preview dialog; a meeting with no minutes yet is said in a message. Returns the open
    dialog."""
    from hescb_desktop.reports.minutes import build_minutes_pdf, minutes_title

    ctx = workspace.ctx
    try:
        content = ctx.read(boardpacks.minutes_content, meeting_id, part)
    except DomainError as exc:
        box = QMessageBox(QMessageBox.Icon.Information, parent.tr("Minutes"), str(exc))
        box.setParent(parent, box.windowFlags())
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.exec()
        return None
    name = f"{content.board}-minutes{'-part2' if part is Part.PART_II else ''}.pdf"
    return build_and_preview(
        lambda: build_minutes_pdf(content, author=ctx.user),
        minutes_title(content),
        name,
        parent,
        busy=parent.tr("Building the minutes…"),
        marking=content.marking,
    )


def preview_agenda(
    workspace: Workspace, meeting_id: str, parent: QWidget
) -> PdfPreviewDialog | None:
    """The meeting's agenda with start times, on its own (no pack), previewed with Print… and
    Save…, its marking shown above the preview."""
    from hescb_desktop.reports.agenda import agenda_title, build_agenda_pdf
    from hescb_desktop.services import meetings

    ctx = workspace.ctx
    sheet = ctx.read(meetings.agenda_sheet, meeting_id)
    return build_and_preview(
        lambda: build_agenda_pdf(sheet, author=ctx.user),
        agenda_title(sheet),
        f"{sheet.board}-agenda.pdf",
        parent,
        busy=parent.tr("Building the agenda…"),
        marking=sheet.marking,
    )
