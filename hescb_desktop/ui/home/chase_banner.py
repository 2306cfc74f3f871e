"""The Home page's chase line (issue 18, point 6): "3 actions overdue, 2 due this week" and a
"Chase…" button that asks for a folder, writes the chase drafts, the meeting invitations and
the chase list there off the GUI thread (`services.chase`, behind the busy dialog), then offers
to open the folder. The app sends nothing: Outlook opens each draft for the user to send."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QUrl, Slot
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QWidget,
)

from hescb_desktop.services import chase as chasing
from hescb_desktop.services import reminders
from hescb_desktop.ui.widgets.busy_dialog import BusyDialog
from hescb_desktop.ui.widgets.worker import ProgressFn
from hescb_desktop.ui.workspace import Workspace


class ChaseBanner(QFrame):
    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.setObjectName("card")
        self.title_label = QLabel(self.tr("Chasing"))
        self.title_label.setObjectName("cardTitle")
        self.summary_label = QLabel()
        self.summary_label.setWordWrap(True)
        self.chase_button = QPushButton(self.tr("Chase…"))
        self.chase_button.setToolTip(
            self.tr(
                "Write a draft e-mail for each person with something due or overdue, the "
                "invitations to the next meetings and the chase list, into a folder you choose "
                "(the app sends nothing: open each draft in Outlook and send it)"
            )
        )
        self.chase_button.clicked.connect(self._on_chase_clicked)
        self.written: chasing.ChaseWritten | None = None
        layout = QHBoxLayout(self)
        layout.setContentsMargins(16, 10, 16, 10)
        layout.addWidget(self.title_label)
        layout.addWidget(self.summary_label, 1)
        layout.addWidget(self.chase_button)

    def refresh(self) -> None:
        text = self.workspace.read(reminders.board_summary, self.workspace.today())
        self.summary_label.setText(text[:1].upper() + text[1:])

    @Slot()
    def _on_chase_clicked(self) -> None:
        self.chase()

    def chase(self, folder: Path | None = None) -> chasing.ChaseWritten | None:
        """Ask for a folder (unless given), write everything there, offer to open it."""
        if folder is None:
            name = QFileDialog.getExistingDirectory(self, self.tr("Write the chase drafts to"))
            if not name:
                return None
            folder = Path(name)
        ctx, today = self.workspace.ctx, self.workspace.today()
        data_dir = self.workspace.data_dir
        if data_dir is not None and _inside(folder, data_dir):
            self._fail(self.tr("Choose a folder outside the app's data folder."))
            return None

        def work(progress: ProgressFn) -> chasing.ChaseWritten:
            progress(10, "Reading who is due")
            plan = ctx.read(chasing.chase_plan, today)
            progress(40, "Writing the drafts, invitations and chase list")
            return chasing.write_chase(plan, folder, author=ctx.user)

        result, error = BusyDialog.run(self.tr("Chase"), self.tr("Writing the drafts…"), work, self)
        if not isinstance(result, chasing.ChaseWritten):
            self._fail(error)
            return None
        self.written = result
        self.offer_folder(result)
        return result

    def _fail(self, message: str) -> None:
        QMessageBox.warning(self, self.tr("Chase"), message)

    def offer_folder(self, written: chasing.ChaseWritten) -> None:
        drafts = len(written.drafts)
        text = (
            self.tr("%1 draft e-mails, %2 meeting invitations and the chase list are in %3.")
            .replace("%1", str(drafts))
            .replace("%2", str(len(written.invitations)))
            .replace("%3", str(written.folder))
        )
        if written.without_address:
            text += " " + self.tr("No e-mail address for: %1 (their To is empty).").replace(
                "%1", ", ".join(written.without_address)
            )
        answer = QMessageBox.question(
            self, self.tr("Chase"), text + "\n\n" + self.tr("Open the folder?")
        )
        if answer == QMessageBox.StandardButton.Yes:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(written.folder)))


def _inside(folder: Path, data_dir: Path) -> bool:
    target, data = folder.resolve(), data_dir.resolve()
    return target == data or data in target.parents
