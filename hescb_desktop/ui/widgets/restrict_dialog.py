"""Restrict a record to its readers, or change them (issue 16, points 1 and 2): people ticked
from the board's list and/or roles, the public title everyone else sees, handling instructions.
Run on the thread pool behind the busy dialog (keys are sealed to each reader's PC); what the
restriction means is said plainly: the share holds the text sealed, a record already sent in
clear cannot be called back, and a reader removed cannot unread what they read."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QCoreApplication, Qt, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from hescb_desktop.domain.errors import DomainError
from hescb_desktop.domain.permissions import Role
from hescb_desktop.services import crud
from hescb_desktop.services import restrict as restrict_service
from hescb_desktop.services.context import ServiceContext
from hescb_desktop.services.entities import PEOPLE
from hescb_desktop.services.operations import as_job
from hescb_desktop.services.restrict import RestrictResult
from hescb_desktop.ui.widgets.busy_dialog import BusyDialog
from hescb_desktop.ui.workspace import Workspace

ID_ROLE = Qt.ItemDataRole.UserRole


class RestrictDialog(QDialog):
    def __init__(
        self,
        workspace: Workspace,
        record: str,
        *,
        default_people: Sequence[str] = (),
        default_roles: Sequence[Role] = (Role.SECRETARIAT,),
        default_public_title: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.record = record  # a reference or an id (services.restrict.find_record)
        self.result_value: restrict_service.RestrictResult | None = None
        ctx = workspace.ctx
        self.info = restrict_service.readers(ctx, record)
        self.setWindowTitle(self.tr("Restrict %1").replace("%1", self.info.record.label))
        self.setMinimumWidth(560)
        self.people = QListWidget()
        self.people.setMinimumHeight(180)
        chosen = set(default_people)
        if self.info.restricted:
            chosen = set(self.info.people)
        for person in sorted(ctx.read(crud.list_all, PEOPLE), key=lambda p: p.name):
            if person.deleted:
                continue
            item = QListWidgetItem(person.name)
            item.setData(ID_ROLE, person.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            ticked = person.id in chosen or person.name in chosen
            item.setCheckState(Qt.CheckState.Checked if ticked else Qt.CheckState.Unchecked)
            self.people.addItem(item)
        roles = {Role(r) for r in self.info.roles} if self.info.restricted else set(default_roles)
        self.roles = {
            Role.SECRETARIAT: QCheckBox(self.tr("The secretariat")),
            Role.OFFICER: QCheckBox(self.tr("Officers")),
            Role.VIEWER: QCheckBox(self.tr("Viewers")),
        }
        for role, box in self.roles.items():
            box.setChecked(role in roles)
        self.public_title = QLineEdit(self.info.public_title or default_public_title)
        self.public_title.setMaxLength(300)
        self.public_title.setPlaceholderText(self.tr("e.g. Part II item 7: staffing matter"))
        self.handling = QLineEdit(self.info.handling)
        self.handling.setMaxLength(500)
        self.handling.setPlaceholderText(
            self.tr('e.g. "PERSONAL - for the Chief Fire Officer only", "Do not copy"')
        )
        self.error = QLabel()
        self.error.setObjectName("formError")
        self.error.setWordWrap(True)
        self.error.hide()
        note = QLabel(
            self.tr(
                "Only the readers' PCs receive the text: the share holds it encrypted, and every "
                "other PC shows “Restricted item” with the public title. Removing a reader "
                "protects what is written next; what they have already read cannot be unread."
            )
        )
        note.setWordWrap(True)
        role_row = QHBoxLayout()
        for box in self.roles.values():
            role_row.addWidget(box)
        role_row.addStretch(1)
        form = QFormLayout()
        form.addRow(self.tr("People"), self.people)
        form.addRow(self.tr("Roles"), role_row)
        form.addRow(self.tr("Public title"), self.public_title)
        form.addRow(self.tr("Handling"), self.handling)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Restrict"))
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.buttons.accepted.connect(self._on_restrict_clicked)
        self.buttons.rejected.connect(self.reject)

    def readers_text(self) -> str:
        """The readers as the service reads them: people by id, then roles."""
        ids = [
            str(self.people.item(n).data(ID_ROLE))
            for n in range(self.people.count())
            if self.people.item(n).checkState() == Qt.CheckState.Checked
        ]
        roles = [role.value for role, box in self.roles.items() if box.isChecked()]
        return ", ".join(ids + roles)

    def _say(self, text: str) -> None:
        self.error.setText(text)
        self.error.setVisible(bool(text))

    @Slot()
    def _on_restrict_clicked(self) -> None:
        readers = self.readers_text()
        if not readers:
            self._say(self.tr("Tick at least one person or role."))
            return
        record = self.record
        title, handling = self.public_title.text(), self.handling.text()

        def work(ctx: ServiceContext) -> RestrictResult:
            return restrict_service.restrict(
                ctx, record, readers, public_title=title, handling=handling
            )

        label = QCoreApplication.translate("RestrictDialog", "Sealing the key to each reader’s PC…")
        found, error = BusyDialog.run_job(
            self.workspace.runner, self.windowTitle(), label, as_job(work), self, undoable=False
        )
        if error or not isinstance(found, RestrictResult):
            self._say(error or self.windowTitle())  # what was chosen stays as it is
            return
        self.result_value = found
        self.accept()


def summary(result: restrict_service.RestrictResult) -> str:
    """What was done, in words, for the message after the dialog."""
    tr = QCoreApplication.translate
    lines = [
        tr("RestrictDialog", "%1 is restricted to %2.")
        .replace("%1", result.record.label[:1].upper() + result.record.label[1:])
        .replace("%2", result.readers)
    ]
    if result.rotated:
        lines.append(
            tr(
                "RestrictDialog",
                "A reader was removed: what is written from now on uses a new key. What they"
                " have already read cannot be unread.",
            )
        )
    if result.already_shared:
        lines.append(
            tr(
                "RestrictDialog",
                "Its text had already gone to the share unencrypted: that copy cannot be called"
                " back. Only what is written from now on is protected.",
            )
        )
    if not result.this_pc_reads:
        lines.append(
            tr("RestrictDialog", "You are not a reader: this PC now shows it as restricted.")
        )
    return "\n\n".join(lines)


def restrict_record(
    workspace: Workspace,
    record: str,
    parent: QWidget | None,
    *,
    default_people: Sequence[str] = (),
    default_roles: Sequence[Role] = (Role.SECRETARIAT,),
    default_public_title: str = "",
) -> restrict_service.RestrictResult | None:
    """Ask, restrict, and say what it means; the result, or None if cancelled or refused."""
    try:
        dialog = RestrictDialog(
            workspace,
            record,
            default_people=default_people,
            default_roles=default_roles,
            default_public_title=default_public_title,
            parent=parent,
        )
    except DomainError as exc:
        QMessageBox.warning(
            parent, QCoreApplication.translate("RestrictDialog", "Restrict"), str(exc)
        )
        return None
    if dialog.exec() != QDialog.DialogCode.Accepted or dialog.result_value is None:
        return None
    QMessageBox.information(parent, dialog.windowTitle(), summary(dialog.result_value))
    return dialog.result_value
