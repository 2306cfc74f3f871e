"""Issue numbered copies of a pack with restricted items (issue 16, point 3): who receives one
(the meeting's members ticked, any other board person, or a name typed in) and the folder for
the copies' PDFs. Every copy's PDF is built, the copies recorded and the files written on the
thread pool behind the busy dialog; a refusal is said inline and the dialog stays open, with
nothing chosen or typed lost."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from hescb_desktop.domain.dto import PackCopyDTO
from hescb_desktop.domain.enums import Part
from hescb_desktop.services import copies, crud
from hescb_desktop.services.context import ServiceContext
from hescb_desktop.services.entities import PEOPLE
from hescb_desktop.services.meetings import attendance
from hescb_desktop.services.results import Changes, Result
from hescb_desktop.ui.operations import Runner
from hescb_desktop.ui.widgets.busy_dialog import BusyDialog
from hescb_desktop.ui.widgets.worker import ProgressFn
from hescb_desktop.ui.workspace import Workspace

PERSON_ROLE = Qt.ItemDataRole.UserRole  # a person's id; None for a name typed in


@dataclass(frozen=True)
class Issued:
    """What an issue recorded and wrote."""

    copies: tuple[PackCopyDTO, ...]
    files: tuple[Path, ...]
    changes: Changes


class IssueCopiesDialog(QDialog):
    def __init__(
        self,
        workspace: Workspace,
        meeting_id: str,
        part: Part,
        what: str,
        parent: QWidget | None = None,
        *,
        folder: str = "",
    ) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.ctx, self.meeting_id, self.part = workspace.ctx, meeting_id, part
        self.result_issued: Issued | None = None
        self.people = QListWidget()
        self.other_name = QLineEdit()
        self.add_name = QPushButton(self.tr("Add"))
        self.folder = QLineEdit(folder)
        self.browse = QPushButton(self.tr("Choose…"))
        self.error = QLabel()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.issue_button = self.buttons.addButton(
            self.tr("Issue copies"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self._setup_ui(what)
        self._fill_people()

    @classmethod
    def ask(
        cls,
        workspace: Workspace,
        meeting_id: str,
        part: Part,
        what: str,
        parent: QWidget | None = None,
    ) -> Issued | None:
        dialog = cls(workspace, meeting_id, part, what, parent)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.result_issued

    def _setup_ui(self, what: str) -> None:
        self.setWindowTitle(self.tr("Issue numbered copies"))
        self.setMinimumWidth(560)
        note = QLabel(
            self.tr(
                "%1: one numbered copy for each person ticked. Each copy's restricted pages "
                "say “Copy 3 of 7 – issued to …” in their footer, and the copies register "
                "records who holds which."
            ).replace("%1", what)
        )
        note.setTextFormat(Qt.TextFormat.PlainText)
        note.setWordWrap(True)
        self.other_name.setPlaceholderText(self.tr("Another name, as it is to be printed"))
        self.folder.setPlaceholderText(self.tr("The folder for the copies' PDFs"))
        self.error.setObjectName("formError")
        self.error.setTextFormat(Qt.TextFormat.PlainText)
        self.error.setWordWrap(True)
        self.error.hide()
        name_row = QHBoxLayout()
        name_row.addWidget(self.other_name, 1)
        name_row.addWidget(self.add_name)
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.folder, 1)
        folder_row.addWidget(self.browse)
        form = QFormLayout()
        form.addRow(self.tr("Issue to"), self.people)
        form.addRow("", name_row)
        form.addRow(self.tr("Folder"), folder_row)
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.add_name.clicked.connect(self._on_add_name_clicked)
        self.other_name.returnPressed.connect(self._on_add_name_clicked)
        self.browse.clicked.connect(self._on_browse_clicked)
        self.buttons.accepted.connect(self._on_issue_clicked)
        self.buttons.rejected.connect(self.reject)

    def _fill_people(self) -> None:
        read = self.ctx.read
        members = {a.person_id for a in read(attendance, self.meeting_id)}
        people = sorted(read(crud.list_all, PEOPLE), key=lambda p: p.name.casefold())
        # the meeting's members first, ticked; then the rest of the board
        for person in sorted(people, key=lambda p: p.id not in members):
            ticked = person.id in members
            self._add_item(person.name, person.id, ticked=ticked)

    def _add_item(self, name: str, person_id: str | None, *, ticked: bool) -> QListWidgetItem:
        item = QListWidgetItem(name)
        item.setData(PERSON_ROLE, person_id)
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
        item.setCheckState(Qt.CheckState.Checked if ticked else Qt.CheckState.Unchecked)
        self.people.addItem(item)
        return item

    def recipients(self) -> list[str]:
        """Each ticked person's id, or the name typed in."""
        out = []
        for n in range(self.people.count()):
            item = self.people.item(n)
            if item.checkState() == Qt.CheckState.Checked:
                person = item.data(PERSON_ROLE)
                out.append(str(person) if person else item.text())
        return out

    def problem(self) -> str:
        if not self.recipients():
            return self.tr("Tick at least one person to issue a copy to.")
        name = self.folder.text().strip()
        if not name:
            return self.tr("Choose the folder for the copies' PDFs.")
        if not Path(name).is_dir():
            return self.tr("The folder %1 does not exist.").replace("%1", name)
        return ""

    def _say(self, text: str) -> None:
        self.error.setText(text)
        self.error.setVisible(bool(text))

    @Slot()
    def _on_add_name_clicked(self) -> None:
        name = " ".join(self.other_name.text().split())
        if name:
            self.people.scrollToItem(self._add_item(name, None, ticked=True))
            self.other_name.clear()

    @Slot()
    def _on_browse_clicked(self) -> None:
        name = QFileDialog.getExistingDirectory(self, self.windowTitle(), self.folder.text())
        if name:
            self.folder.setText(name)

    @Slot()
    def _on_issue_clicked(self) -> None:
        self._on_add_name_clicked()  # a name typed but not added is meant too
        problem = self.problem()
        self._say(problem)
        if problem:
            return
        issued, error = issue_and_write(
            self.workspace.runner,
            self.meeting_id,
            self.part,
            self.recipients(),
            Path(self.folder.text().strip()),
            self,
        )
        if issued is None:
            self._say(error)
            return
        self.result_issued = issued
        self.accept()


def issue_and_write(
    runner: Runner,
    meeting_id: str,
    part: Part,
    recipients: list[str],
    folder: Path,
    parent: QWidget | None,
) -> tuple[Issued | None, str]:
    """Build every copy's PDF, record the copies, then write the files, one operation on the
    writer thread behind the busy dialog: (what was issued, "") or (None, why not). A refusal
    records nothing; a file that cannot be written once the copies are recorded is said, naming
    them."""

    def work(ctx: ServiceContext, progress: ProgressFn) -> Result[Issued]:
        built = ctx.read(
            copies.build_copies,
            meeting_id,
            part,
            recipients,
            author=ctx.user,
            progress=lambda done, text: progress(int(done * 90), text),
        )
        progress(92, "Recording the copies in the register")
        result = ctx.write(
            copies.issue_copies, meeting_id, part, recipients, expect=[b.planned for b in built]
        )
        issued = result.value
        files = []
        for b in built:
            path = folder / b.file_name
            try:
                path.write_bytes(b.data)
            except OSError as exc:
                numbers = ", ".join(str(c.number) for c in issued)
                raise OSError(
                    f"copies {numbers} are recorded in the register, but {path} could not be "
                    f"written ({exc.strerror or exc}): write them again from the register"
                ) from exc
            files.append(path)
        return Result(Issued(issued, tuple(files), result.changes), result.changes)

    title = parent.windowTitle() if parent is not None else "Issue numbered copies"
    found, error = BusyDialog.run_job(  # issued copies are a register's record: not undone
        runner, title, "Building the copies…", work, parent, undoable=False
    )
    if error or not isinstance(found, Issued):
        return None, error or title
    return found, ""
