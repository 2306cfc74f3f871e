"""The public edition of a meeting's pack, agenda or minutes (issue 16, point 4): which document
and which file; the PDF and its accessible HTML twin are made on the thread pool behind the busy
dialog. Problems are said inline; nothing chosen is lost while they are put right."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QCoreApplication, Slot
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from hescb_desktop.services import public_edition
from hescb_desktop.services.context import ServiceContext
from hescb_desktop.ui.widgets.busy_dialog import BusyDialog
from hescb_desktop.ui.widgets.worker import ProgressFn


@dataclass(frozen=True)
class PublicEditionChoice:
    document: str  # "pack" | "agenda" | "minutes"
    path: Path  # the PDF; the HTML goes beside it


@dataclass(frozen=True)
class Written:
    pdf: Path
    html: Path
    warnings: tuple[str, ...]


class PublicEditionDialog(QDialog):
    def __init__(self, suggested: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Public edition"))
        self.setMinimumWidth(520)
        self.pack = QRadioButton(self.tr("The pack (Part I, with exempt items as stubs)"))
        self.agenda = QRadioButton(self.tr("The agenda"))
        self.minutes = QRadioButton(self.tr("The minutes"))
        self.pack.setChecked(True)
        self.path = QLineEdit(suggested)
        self.path.setPlaceholderText(self.tr("The PDF to write"))
        self.browse = QPushButton(self.tr("Choose…"))
        self.error = QLabel()
        self.error.setObjectName("formError")
        self.error.setWordWrap(True)
        self.error.hide()
        note = QLabel(
            self.tr(
                "For the website: each Part II item is replaced by its public title and the "
                "ground of its exemption (set on the agenda item), with no exempt text anywhere "
                "in the file. An accessible HTML copy is written beside the PDF."
            )
        )
        note.setWordWrap(True)
        kinds = QVBoxLayout()
        for button in (self.pack, self.agenda, self.minutes):
            kinds.addWidget(button)
        file_row = QHBoxLayout()
        file_row.addWidget(self.path, 1)
        file_row.addWidget(self.browse)
        form = QFormLayout()
        form.addRow(self.tr("Document"), kinds)
        form.addRow(self.tr("PDF file"), file_row)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.browse.clicked.connect(self._on_browse_clicked)
        self.buttons.accepted.connect(self._on_save_clicked)
        self.buttons.rejected.connect(self.reject)

    def document(self) -> str:
        if self.agenda.isChecked():
            return "agenda"
        return "minutes" if self.minutes.isChecked() else "pack"

    def choice(self) -> PublicEditionChoice:
        return PublicEditionChoice(self.document(), Path(self.path.text().strip()))

    def problem(self) -> str:
        name = self.path.text().strip()
        if not name:
            return self.tr("Choose the file to write.")
        path = Path(name)
        if path.suffix.casefold() == ".html":
            return self.tr("Give the PDF's name: the HTML copy is written beside it.")
        if path.is_dir():
            return self.tr("%1 is a folder: give a file name.").replace("%1", name)
        if not path.parent.is_dir():
            return self.tr("The folder %1 does not exist.").replace("%1", str(path.parent))
        return ""

    @Slot()
    def _on_browse_clicked(self) -> None:
        name, _ = QFileDialog.getSaveFileName(
            self, self.windowTitle(), self.path.text().strip(), self.tr("PDF files (*.pdf)")
        )
        if name:
            self.path.setText(name)

    @Slot()
    def _on_save_clicked(self) -> None:
        problem = self.problem()
        self.error.setText(problem)
        self.error.setVisible(bool(problem))
        if not problem:
            self.accept()


def make_public_edition(
    ctx: ServiceContext, meeting_id: str, suggested: str, parent: QWidget | None
) -> Written | None:
    """Ask, then build and write both files off the GUI thread; what was written, or None."""
    dialog = PublicEditionDialog(suggested, parent)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return write_public_edition(ctx, meeting_id, dialog.choice(), parent)


def write_public_edition(
    ctx: ServiceContext, meeting_id: str, choice: PublicEditionChoice, parent: QWidget | None
) -> Written | None:
    title = QCoreApplication.translate("PublicEditionDialog", "Public edition")

    def work(progress: ProgressFn) -> Written:
        progress(5, "Reading the meeting…")
        edition = ctx.read(public_edition.build, meeting_id, choice.document)
        progress(40, "Laying out the PDF…")
        data = public_edition.render_pdf(edition)
        progress(85, "Writing the accessible HTML…")
        page = choice.path.with_suffix(".html")
        page.write_text(public_edition.render_html(edition), encoding="utf-8")
        choice.path.write_bytes(data)
        return Written(choice.path, page, edition.warnings)

    result, error = BusyDialog.run(title, f"{choice.path.name}…", work, parent)
    if error or not isinstance(result, Written):
        QMessageBox.warning(parent, title, error or title)
        return None
    text = QCoreApplication.translate("PublicEditionDialog", "Saved %1 and %2.")
    text = text.replace("%1", str(result.pdf)).replace("%2", result.html.name)
    if result.warnings:
        text += "\n\n" + "\n".join(f"• {w}" for w in result.warnings)
    QMessageBox.information(parent, title, text)
    return result
