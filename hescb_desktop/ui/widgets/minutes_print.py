"""Minutes as a marked PDF, built off the GUI thread and previewed in the app with Print… and
Save… (for any page that has a meeting: the Board packs page and the Meetings page)."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget

from hescb_desktop.domain.enums import Part
from hescb_desktop.services import documents
from hescb_desktop.ui.widgets.pdf_view import PdfPreviewDialog, preview_document
from hescb_desktop.ui.workspace import Workspace


def preview_minutes(
    workspace: Workspace, meeting_id: str, parent: QWidget, part: Part = Part.PART_I
) -> PdfPreviewDialog | None:
    """Build the meeting's minutes (draft or approved) on the thread pool and open them in a
    preview dialog; a meeting with no minutes yet is said in a message. Returns the open
    dialog."""
    ctx = workspace.ctx
    return preview_document(
        lambda: documents.minutes(ctx, meeting_id, part),
        parent.tr("Minutes"),
        parent,
        busy=parent.tr("Building the minutes…"),
        refusal=QMessageBox.Icon.Information,
    )


def preview_agenda(
    workspace: Workspace, meeting_id: str, parent: QWidget
) -> PdfPreviewDialog | None:
    """The meeting's agenda with start times, on its own (no pack), previewed with Print… and
    Save…, its marking shown above the preview."""
    ctx = workspace.ctx
    return preview_document(
        lambda: documents.agenda(ctx, meeting_id),
        parent.tr("Agenda"),
        parent,
        busy=parent.tr("Building the agenda…"),
    )
