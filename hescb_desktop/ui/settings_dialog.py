"""Settings: your organisation and the share folder; who you are is shown, not edited.

Since issue 15 the person at the keyboard comes from the board (this PC's OS account, enrolled
by the secretariat), so the free-text name is gone. The old display name stays in local_state,
readable: on a board not yet protected it is still the name changes are recorded under, and it
is shown here as who you are; only the upgrade of the board replaces it.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from hescb_desktop.domain.dto import OrganisationDTO
from hescb_desktop.services.settings import UserSettings
from hescb_desktop.ui.widgets.palette import partner_colour
from hescb_desktop.ui.widgets.swatch import colour_dot
from hescb_desktop.ui.widgets.unsaved import GuardedDialog


def as_typed(text: str) -> str:
    """The folder as the user typed it (a UNC path stays a UNC path); only ~ is expanded, and
    a relative path is made absolute (from the app's working folder, which may change)."""
    text = text.strip()
    if text.startswith("~"):
        return str(Path(text).expanduser())
    if not text or text.startswith(("\\\\", "//")) or Path(text).is_absolute():
        return text
    return str(Path(text).resolve())


def share_folder_problem(text: str) -> str:
    """Why `text` cannot be the share folder ("" when it can: empty means no share)."""
    if not text.strip():
        return ""
    path = Path(text.strip()).expanduser()
    if not path.exists():
        return "missing"
    return "" if path.is_dir() else "not a folder"


class SettingsDialog(GuardedDialog):
    def __init__(
        self,
        settings: UserSettings,
        organisations: list[OrganisationDTO],
        parent: QWidget | None = None,
        *,
        person: tuple[str, str] = ("", ""),
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Settings"))
        self.original = settings
        who, about = person
        self.person_label = QLabel(who or settings.display_name or self.tr("Not known"))
        self.person_note = QLabel(about)
        self.org_combo = QComboBox()
        self.share_edit = QLineEdit(settings.share_folder)
        self.share_error = QLabel()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self._setup_ui(organisations)
        self._select_organisation(settings.organisation_code)
        self.watch_for_unsaved()

    def unsaved_subject(self) -> str:
        return self.tr("your settings")

    @classmethod
    def ask(
        cls,
        settings: UserSettings,
        organisations: list[OrganisationDTO],
        parent: QWidget | None = None,
        *,
        person: tuple[str, str] = ("", ""),
    ) -> UserSettings | None:
        """The edited settings, or None if the user cancelled. `person`: who you are and what
        your role may do, in words (shown only: the board decides)."""
        dialog = cls(settings, organisations, parent, person=person)
        return dialog.result_settings() if dialog.exec() == QDialog.DialogCode.Accepted else None

    def _setup_ui(self, organisations: list[OrganisationDTO]) -> None:
        self.person_label.setObjectName("settingsPerson")
        self.person_label.setTextFormat(Qt.TextFormat.PlainText)
        self.person_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.person_note.setObjectName("formNote")
        self.person_note.setWordWrap(True)
        self.person_note.setTextFormat(Qt.TextFormat.PlainText)
        self.person_note.setVisible(bool(self.person_note.text()))
        self.org_combo.addItem(self.tr("Not set"), "")
        for org in organisations:
            dot = colour_dot(partner_colour(org.code, org.colour))
            self.org_combo.addItem(dot, f"{org.name} ({org.code})", org.code)
        self.share_edit.setPlaceholderText(self.tr("None: this PC works on its own"))
        self.share_edit.textChanged.connect(self._on_share_edit_text_changed)
        browse = QPushButton(self.tr("Browse…"))
        browse.clicked.connect(self._on_browse_clicked)
        share_row = QHBoxLayout()
        share_row.addWidget(self.share_edit, 1)
        share_row.addWidget(browse)
        self.share_error.setObjectName("inlineError")
        self.share_error.setWordWrap(True)
        self.share_error.hide()
        share_note = QLabel(
            self.tr(
                "Each PC keeps its own database and exchanges changes through this folder "
                "every 30 seconds. On Windows a network path such as \\\\server\\share\\HESCB "
                "works as well as a mapped drive."
            )
        )
        share_note.setObjectName("formNote")
        share_note.setWordWrap(True)
        form = QFormLayout()
        form.setSpacing(10)
        form.addRow(self.tr("You:"), self.person_label)
        form.addRow("", self.person_note)
        form.addRow(self.tr("&Organisation:"), self.org_combo)
        share_label = QLabel(self.tr("&Share folder:"))
        share_label.setBuddy(self.share_edit)  # a row holding a layout gets no buddy by itself
        form.addRow(share_label, share_row)
        form.addRow("", self.share_error)
        form.addRow("", share_note)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 18, 20, 14)
        layout.addLayout(form)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(520)

    def _select_organisation(self, code: str) -> None:
        index = self.org_combo.findData(code)
        if index < 0 and code:  # a code no longer in the table: keep it, do not lose it
            self.org_combo.addItem(code, code)
            index = self.org_combo.count() - 1
        self.org_combo.setCurrentIndex(max(index, 0))

    def result_settings(self) -> UserSettings:
        return replace(
            self.original,
            organisation_code=str(self.org_combo.currentData() or ""),
            share_folder=as_typed(self.share_edit.text()),
        )

    def accept(self) -> None:
        problem = share_folder_problem(self.share_edit.text())
        if problem:
            self._show_share_error(problem)
            self.share_edit.setFocus()
            return
        super().accept()

    def _show_share_error(self, problem: str) -> None:
        folder = self.share_edit.text().strip()
        if problem == "missing":
            text = self.tr("There is no folder %1. Choose a folder that exists.")
        else:
            text = self.tr("%1 is a file, not a folder.")
        self.share_error.setText(text.replace("%1", folder))
        self.share_error.show()

    @Slot(str)
    def _on_share_edit_text_changed(self, _text: str) -> None:
        self.share_error.hide()

    @Slot()
    def _on_browse_clicked(self) -> None:
        folder = QFileDialog.getExistingDirectory(
            self, self.tr("Choose the share folder"), self.share_edit.text()
        )
        if folder:
            self.share_edit.setText(folder)
