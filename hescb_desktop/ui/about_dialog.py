"""About HESCB Desktop: version, where the data lives and this PC's device id."""

from __future__ import annotations

import platform
from dataclasses import dataclass

import PySide6
from PySide6.QtCore import Qt, qVersion
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from hescb_desktop import APP_NAME, __version__
from hescb_desktop.ui.widgets.icons import icon


@dataclass(frozen=True)
class AboutInfo:
    data_dir: str
    device_id: str


class AboutDialog(QDialog):
    def __init__(self, info: AboutInfo, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("About %1").replace("%1", APP_NAME))
        self.info = info
        self.fields: dict[str, QLabel] = {}
        self._setup_ui()

    @classmethod
    def ask(cls, info: AboutInfo, parent: QWidget | None = None) -> None:
        cls(info, parent).exec()

    def _setup_ui(self) -> None:
        logo = QLabel()
        logo.setPixmap(icon("app").pixmap(56, 56))
        title = QLabel(APP_NAME)
        title.setObjectName("pageTitle")
        blurb = QLabel(
            self.tr(
                "Calendar, planning board, meetings, actions and board packs for the "
                "Hertfordshire Emergency Services Collaboration Board."
            )
        )
        blurb.setWordWrap(True)
        form = QFormLayout()
        self._add_field(form, "version", self.tr("Version:"), __version__)
        self._add_field(form, "data_dir", self.tr("Data folder:"), self.info.data_dir)
        self._add_field(form, "device_id", self.tr("Device id:"), self.info.device_id)
        qt = f"Qt {qVersion()}, PySide6 {PySide6.__version__}, Python {platform.python_version()}"
        self._add_field(form, "runtime", self.tr("Built with:"), qt)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(22, 18, 22, 14)
        layout.setSpacing(10)
        layout.addWidget(logo)
        layout.addWidget(title)
        layout.addWidget(blurb)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self.setMinimumWidth(500)

    def _add_field(self, form: QFormLayout, key: str, label: str, value: str) -> None:
        field = QLabel(value)
        field.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        field.setWordWrap(True)
        self.fields[key] = field
        form.addRow(label, field)
