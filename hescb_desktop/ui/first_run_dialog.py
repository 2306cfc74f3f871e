"""First run: explore a demo board, start empty, or join a shared folder."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Slot
from PySide6.QtWidgets import (
    QCommandLinkButton,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from hescb_desktop import APP_NAME
from hescb_desktop.ui.settings_dialog import as_typed, share_folder_problem
from hescb_desktop.ui.widgets.icons import icon

DEMO, EMPTY, JOIN = "demo", "empty", "join"


@dataclass(frozen=True)
class FirstRunChoice:
    choice: str  # DEMO, EMPTY or JOIN
    share_folder: str = ""


class FirstRunDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Welcome to %1").replace("%1", APP_NAME))
        self.choice: FirstRunChoice | None = None
        self.pages = QStackedWidget()
        self.demo_button = QCommandLinkButton(self.tr("Explore a demo board"))
        self.empty_button = QCommandLinkButton(self.tr("Start empty"))
        self.join_button = QCommandLinkButton(self.tr("Join a shared folder"))
        self.folder_edit = QLineEdit()
        self.folder_error = QLabel()
        self.join_buttons = QDialogButtonBox()
        self._setup_ui()

    @classmethod
    def ask(cls, parent: QWidget | None = None) -> FirstRunChoice | None:
        """What the user chose, or None if they closed the dialog (nothing is set up then)."""
        dialog = cls(parent)
        return dialog.choice if dialog.exec() == QDialog.DialogCode.Accepted else None

    def _setup_ui(self) -> None:
        self.pages.addWidget(self._choices_page())
        self.pages.addWidget(self._join_page())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 18)
        layout.addWidget(self.pages)
        self.setMinimumWidth(560)

    def _choices_page(self) -> QWidget:
        logo = QLabel()
        logo.setPixmap(icon("app").pixmap(48, 48))
        title = QLabel(self.tr("Welcome to %1").replace("%1", APP_NAME))
        title.setObjectName("pageTitle")
        intro = QLabel(self.tr("This PC has no board yet. How would you like to start?"))
        intro.setWordWrap(True)
        self.demo_button.setDescription(
            self.tr(
                "A year of the collaboration programme: the four partners, meetings with "
                "agendas and minutes, actions, objectives and events. Best for a first look."
            )
        )
        self.empty_button.setDescription(
            self.tr("An empty board with the four partner organisations, for your own work.")
        )
        self.join_button.setDescription(
            self.tr("Work with colleagues through a folder on the network share.")
        )
        self.demo_button.clicked.connect(self._on_demo_button_clicked)
        self.empty_button.clicked.connect(self._on_empty_button_clicked)
        self.join_button.clicked.connect(self._on_join_button_clicked)
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        for widget in (logo, title, intro, self.demo_button, self.empty_button, self.join_button):
            layout.addWidget(widget)
        return page

    def _join_page(self) -> QWidget:
        title = QLabel(self.tr("Join a shared folder"))
        title.setObjectName("pageTitle")
        explain = QLabel(
            self.tr(
                "Choose the folder on the network share where your colleagues' HESCB Desktop "
                "keeps its sync files. This PC starts from the board kept there and then "
                "exchanges changes through it every 30 seconds; if the folder is new, this PC "
                "starts the board. Your database stays on this PC: it never lives on the share."
            )
        )
        explain.setWordWrap(True)
        self.folder_edit.setPlaceholderText(
            self.tr("The shared folder, e.g. \\\\server\\share\\HESCB or S:\\HESCB")
        )
        self.folder_edit.textChanged.connect(self._on_folder_edit_text_changed)
        browse = QPushButton(self.tr("Browse…"))
        browse.clicked.connect(self._on_browse_clicked)
        row = QHBoxLayout()
        row.addWidget(self.folder_edit, 1)
        row.addWidget(browse)
        self.folder_error.setObjectName("inlineError")
        self.folder_error.setWordWrap(True)
        self.folder_error.hide()
        self.back_button = self.join_buttons.addButton(
            self.tr("Back"), QDialogButtonBox.ButtonRole.RejectRole
        )
        self.join_ok_button = self.join_buttons.addButton(
            self.tr("Join"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.join_buttons.accepted.connect(self._on_join_buttons_accepted)
        self.join_buttons.rejected.connect(self._on_join_buttons_rejected)
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(10)
        layout.addWidget(title)
        layout.addWidget(explain)
        layout.addLayout(row)
        layout.addWidget(self.folder_error)
        layout.addStretch(1)
        layout.addWidget(self.join_buttons)
        return page

    def _finish(self, choice: FirstRunChoice) -> None:
        self.choice = choice
        self.accept()

    @Slot()
    def _on_demo_button_clicked(self) -> None:
        self._finish(FirstRunChoice(DEMO))

    @Slot()
    def _on_empty_button_clicked(self) -> None:
        self._finish(FirstRunChoice(EMPTY))

    @Slot()
    def _on_join_button_clicked(self) -> None:
        self.pages.setCurrentIndex(1)
        self.folder_edit.setFocus()

    @Slot()
    def _on_join_buttons_rejected(self) -> None:
        self.pages.setCurrentIndex(0)

    @Slot()
    def _on_join_buttons_accepted(self) -> None:
        folder = self.folder_edit.text().strip()
        problem = "missing" if not folder else share_folder_problem(folder)
        if problem:
            self.folder_error.setText(self._problem_text(problem, folder))
            self.folder_error.show()
            return
        self._finish(FirstRunChoice(JOIN, as_typed(folder)))

    def _problem_text(self, problem: str, folder: str) -> str:
        if not folder:
            return self.tr("Choose the shared folder first.")
        if problem == "missing":
            return self.tr("There is no folder %1. Check the share is connected.").replace(
                "%1", folder
            )
        return self.tr("%1 is a file, not a folder.").replace("%1", folder)

    @Slot(str)
    def _on_folder_edit_text_changed(self, _text: str) -> None:
        self.folder_error.hide()

    @Slot()
    def _on_browse_clicked(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.tr("Choose the shared folder"))
        if folder:
            self.folder_edit.setText(folder)
