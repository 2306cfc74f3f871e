"""Write a board paper: the header fields and its text in the paper markup (reports.markup)."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from hescb_desktop.domain.dto import MeetingDTO, PaperDTO
from hescb_desktop.domain.enums import FoiStatus, Marking, Part, Purpose
from hescb_desktop.ui.widgets.labels import enum_label
from hescb_desktop.ui.widgets.marking_banner import MarkingBanner
from hescb_desktop.ui.widgets.screen_fit import fitted_size
from hescb_desktop.ui.widgets.unsaved import GuardedDialog

MARKUP_HELP = (
    "Paper text: one paragraph a line. '# Heading' or '2. Heading' starts a section; "
    "'- item' is a bullet; '| a | b |' lines make a table (the first row is its header); "
    "**bold** and _italic_. Anything else prints exactly as typed."
)


def _label(member: Any) -> str:
    return enum_label(member) if isinstance(member, StrEnum) else str(member.value)


class PaperDialog(GuardedDialog):
    """New or edit: `values()` gives the fields for papers.create_paper / update_paper."""

    def __init__(
        self,
        meetings: list[tuple[str, MeetingDTO]],
        paper: PaperDTO | None = None,
        parent: QWidget | None = None,
        meeting_id: str | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Edit paper") if paper else self.tr("New paper"))
        self.title = QLineEdit(paper.title if paper else "")
        self.meeting = QComboBox()
        self.meeting.addItem(self.tr("(no meeting)"), None)
        for label, m in meetings:
            self.meeting.addItem(label, m.id)
        wanted = paper.meeting_id if paper else meeting_id
        if wanted:
            self.meeting.setCurrentIndex(max(0, self.meeting.findData(wanted)))
        self.report_of = QLineEdit(paper.report_of if paper else "")
        self.author = QLineEdit(paper.author if paper else "")
        self.purpose = self._combo(Purpose, paper.purpose if paper else Purpose.NOTING)
        self.part = self._combo(Part, paper.part if paper else Part.PART_I)
        self.foi = self._combo(FoiStatus, paper.foi_status if paper else FoiStatus.OPEN)
        self.marking = self._combo(Marking, paper.marking if paper else Marking.OFFICIAL)
        self.summary = QPlainTextEdit(paper.summary if paper else "")
        self.recommendations = QPlainTextEdit(paper.recommendations if paper else "")
        self.body = QPlainTextEdit(paper.body_text if paper else "")
        for edit, rows in ((self.summary, 3), (self.recommendations, 3)):
            edit.setFixedHeight(edit.fontMetrics().lineSpacing() * rows + 14)
        self.error = QLabel()
        self.error.setTextFormat(Qt.TextFormat.PlainText)
        self.error.setStyleSheet("color: #b3261e")
        self.error.setWordWrap(True)
        self.paper = paper
        self._setup_ui()
        self.watch_for_unsaved()

    def unsaved_subject(self) -> str:
        if self.paper is None:
            return self.tr("the new paper")
        return self.tr("the paper “%1”").replace("%1", self.paper.title)

    def _combo(self, enum: Any, current: Any) -> QComboBox:
        combo = QComboBox()
        for member in enum:
            combo.addItem(_label(member), member)
        combo.setCurrentIndex(combo.findData(current))
        return combo

    def _setup_ui(self) -> None:
        form = QFormLayout()
        form.addRow(self.tr("Title"), self.title)
        form.addRow(self.tr("Meeting"), self.meeting)
        form.addRow(self.tr("Report of"), self.report_of)
        form.addRow(self.tr("Author / contact"), self.author)
        form.addRow(self.tr("Purpose"), self.purpose)
        form.addRow(self.tr("Part"), self.part)
        form.addRow(self.tr("FOI status"), self.foi)
        form.addRow(self.tr("Marking"), self.marking)
        form.addRow(self.tr("Executive summary"), self.summary)
        form.addRow(self.tr("Recommendations"), self.recommendations)
        help_label = QLabel(self.tr(MARKUP_HELP))
        help_label.setTextFormat(Qt.TextFormat.PlainText)
        help_label.setWordWrap(True)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.banner = MarkingBanner(self.marking.currentData())
        self.marking.currentIndexChanged.connect(
            lambda _i: self.banner.set_marking(self.marking.currentData())
        )
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addLayout(form)
        layout.addWidget(help_label)
        layout.addWidget(self.body, 1)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.resize(fitted_size(QSize(720, 760), self))  # a laptop shows its buttons

    def values(self) -> dict[str, Any]:
        return {
            "title": self.title.text(),
            "meeting_id": self.meeting.currentData(),
            "report_of": self.report_of.text(),
            "author": self.author.text(),
            "purpose": self.purpose.currentData(),
            "part": self.part.currentData(),
            "foi_status": self.foi.currentData(),
            "marking": self.marking.currentData(),
            "summary": self.summary.toPlainText(),
            "recommendations": self.recommendations.toPlainText(),
            "body_text": self.body.toPlainText(),
        }

    def show_error(self, message: str) -> None:
        self.error.setText(message)
