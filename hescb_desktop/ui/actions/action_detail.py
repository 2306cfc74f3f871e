"""The selected action in full under the action log: its description and latest update
wrapped (however long), and the dates the table's narrow columns leave out."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QFrame, QLabel, QScrollArea, QVBoxLayout, QWidget

from hescb_desktop.services.action_log import ActionLogEntry
from hescb_desktop.ui.widgets.labels import format_date, status_label


class ActionDetail(QScrollArea):
    """Read-only, word-wrapped, selectable; scrolls when the text is longer than its room."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("actionDetail")
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.text = QLabel()
        self.text.setObjectName("actionDetailText")
        self.text.setWordWrap(True)
        self.text.setTextFormat(Qt.TextFormat.RichText)
        self.text.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        holder = QWidget()
        layout = QVBoxLayout(holder)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.addWidget(self.text)
        self.setWidget(holder)
        self.setMinimumHeight(64)
        self.show_action(None)

    def show_action(self, row: ActionLogEntry | None) -> None:
        if row is None:
            self.text.setText(
                f"<i>{escape(self.tr('Select an action to read it in full here.'))}</i>"
            )
            return
        dates = [
            self.tr("Raised %1").replace("%1", format_date(row.raised_on)),
            self.tr("due %1").replace("%1", format_date(row.due_date)),
        ]
        if row.revised_due_date:
            dates.append(self.tr("revised to %1").replace("%1", format_date(row.revised_due_date)))
        if row.completed_on:
            dates.append(self.tr("completed %1").replace("%1", format_date(row.completed_on)))
        who = " · ".join(x for x in (row.owner, row.organisation_code, row.meeting) if x)
        update = row.latest_update or self.tr("(no update yet)")
        self.text.setText(
            f"<b>{escape(row.reference)}</b> · {escape(status_label(row.status))}"
            f" · {escape(who)}<br>{escape(', '.join(dates))}"
            f"<p style='margin-top:6px'>{escape(row.description)}</p>"
            f"<p><b>{escape(self.tr('Latest update'))}:</b> {escape(update)}</p>"
        )

    def plain_text(self) -> str:
        """What the pane shows, as text (tests read it)."""
        document = QTextDocument()
        document.setHtml(self.text.text())
        return document.toPlainText()
