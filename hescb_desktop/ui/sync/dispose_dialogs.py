"""Disposing of records (issue 16, point 5): the confirmation, and the choice of one record.

`ConfirmDisposalDialog` says plainly what a disposal does before it is done: how many records
of each kind, under which rule, that their text goes from every PC and from the share and
cannot be brought back, that copies outside the app are not touched, and that a certificate is
kept for ever. Cancel is the default button (Enter does not dispose).

`RecordDialog` names one record (its reference or id) and why it goes now (required): an empty
reason or a record not found is said inline and the dialog stays open; the confirmation follows,
and Cancel there comes back to it, nothing typed lost. Neither disposes: the Retention tab runs
the disposal off the GUI thread once confirmed.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QCoreApplication, Qt, Slot
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from hescb_desktop.domain.errors import DomainError
from hescb_desktop.services.context import ServiceContext
from hescb_desktop.services.restrict import RecordRef, find_record
from hescb_desktop.ui.widgets.labels import counted
from hescb_desktop.ui.widgets.permission import sentence

SCHEDULE_REASON = "the retention schedule"  # what the service writes when no reason is given


@dataclass(frozen=True)
class Chosen:
    record: RecordRef  # as found when the person confirmed it
    reason: str
    reference: str  # as typed (offered again if the disposal fails)


class ConfirmDisposalDialog(QDialog):
    def __init__(
        self,
        what: str,
        count: int,
        reason: str,
        *,
        reason_fixed: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.what = what
        self.count = count
        self.reason = QLineEdit(reason)
        self.reason.setReadOnly(reason_fixed)
        self.buttons = QDialogButtonBox()
        self.dispose_button = QPushButton(
            counted(count, self.tr("Dispose of %n record"), self.tr("Dispose of %n records"))
        )
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self._setup_ui()

    @classmethod
    def ask(
        cls,
        what: str,
        count: int,
        reason: str = SCHEDULE_REASON,
        *,
        reason_fixed: bool = False,
        parent: QWidget | None = None,
    ) -> str | None:
        """The reason to write on the certificate once confirmed; None when cancelled."""
        dialog = cls(what, count, reason, reason_fixed=reason_fixed, parent=parent)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.reason.text().strip() or SCHEDULE_REASON

    def _setup_ui(self) -> None:
        self.setWindowTitle(self.tr("Dispose of records"))
        self.setMinimumWidth(520)
        layout = QVBoxLayout(self)
        layout.setSpacing(10)
        layout.addWidget(_text(self.what))
        for line in consequences(self.count):
            layout.addWidget(_text(line))
        form = QFormLayout()
        form.addRow(self.tr("&Reason on the certificate:"), self.reason)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self.buttons.addButton(self.dispose_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.dispose_button.setAutoDefault(False)
        self.cancel_button.setDefault(True)  # Enter, even in the reason field, disposes nothing
        self.cancel_button.setFocus()
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)


def consequences(count: int) -> list[str]:
    """What every disposal does, in plain words (the same for one record or many)."""

    def tr(text: str) -> str:
        return QCoreApplication.translate("ConfirmDisposalDialog", text)

    gone = (
        tr(
            "Its text, with its updates and attached files, will be removed from this PC now, "
            "and from every other PC and from the shared folder as each one syncs. It cannot be "
            "brought back. It leaves every list; only its reference and dates are kept."
        )
        if count == 1
        else tr(
            "Their text, with their updates and attached files, will be removed from this PC "
            "now, and from every other PC and from the shared folder as each one syncs. It "
            "cannot be brought back. They leave every list; only their references and dates "
            "are kept."
        )
    )
    return [
        gone,
        tr(
            "Copies printed or saved outside the app (printed packs, PDFs, exports) are not "
            "touched: destroying them is up to whoever holds them."
        ),
        tr(
            "A disposal certificate (who, when, under which rule, why, and how many records) "
            "is kept for ever."
        ),
    ]


class RecordDialog(QDialog):
    def __init__(
        self,
        ctx: ServiceContext,
        reference: str = "",
        reason: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.reference = QLineEdit(reference)
        self.reason = QLineEdit(reason)
        self.error = QLabel()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.record: RecordRef | None = None
        self.confirmed_reason = ""
        self._setup_ui()

    @classmethod
    def ask(
        cls,
        ctx: ServiceContext,
        parent: QWidget | None = None,
        *,
        reference: str = "",
        reason: str = "",
        error: str = "",
    ) -> Chosen | None:
        """The record and the reason, found and confirmed; None when cancelled. `error`: why an
        earlier try failed (shown inline, with what was typed)."""
        dialog = cls(ctx, reference, reason, parent)
        if error:
            dialog.show_error(error)
        if dialog.exec() != QDialog.DialogCode.Accepted or dialog.record is None:
            return None
        return Chosen(dialog.record, dialog.confirmed_reason, dialog.reference.text().strip())

    def _setup_ui(self) -> None:
        self.setWindowTitle(self.tr("Dispose of one record"))
        self.setMinimumWidth(520)
        intro = _text(
            self.tr(
                "Dispose of one record now, whatever the schedule says: for example personal "
                "data entered by mistake. The reason is kept on the certificate."
            )
        )
        self.reference.setPlaceholderText(self.tr("HESCB/2026/054, HESCB 43/26, 77/26 or an id"))
        self.reason.setPlaceholderText(self.tr("Required"))
        form = QFormLayout()
        form.addRow(self.tr("Re&cord:"), self.reference)
        form.addRow(self.tr("&Reason:"), self.reason)
        self.error.setObjectName("inlineError")
        self.error.setWordWrap(True)
        self.error.setTextFormat(Qt.TextFormat.PlainText)
        self.error.hide()
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("&Next…"))
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.buttons.accepted.connect(self._on_buttons_accepted)
        self.buttons.rejected.connect(self.reject)

    def show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()

    def named_record(self) -> RecordRef | None:
        """The record named, once a reason is given; else None, and why not shown inline."""
        self.error.hide()
        if not self.reason.text().strip():
            self.show_error(self.tr("Say why this record is disposed of now."))
            self.reason.setFocus()
            return None
        try:
            return find_record(self.ctx, self.reference.text())
        except DomainError as exc:  # not found, or naming several records
            self.show_error(sentence(str(exc).strip().rstrip(".")))
            self.reference.setFocus()
            return None

    @Slot()
    def _on_buttons_accepted(self) -> None:
        record = self.named_record()
        if record is None:
            return
        what = self.tr("Dispose of the %1 now, on the secretariat's decision?").replace(
            "%1", record.label
        )
        reason = " ".join(self.reason.text().split())
        if ConfirmDisposalDialog.ask(what, 1, reason, reason_fixed=True, parent=self) is None:
            return  # back to this dialog, nothing typed lost
        self.record, self.confirmed_reason = record, reason
        self.accept()


def _text(words: str) -> QLabel:
    label = QLabel(words)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    return label
