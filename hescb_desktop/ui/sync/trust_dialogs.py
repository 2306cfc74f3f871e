"""The board's trust, as the secretariat and a new PC meet it (issue 15 points 3 and 7).

- `RootDialog`: a PC meets a protected board for the first time; its root fingerprint, in large
  digits, to check with the secretariat by phone before this PC trusts anything on the share.
- `EnrolDialog`: a PC not enrolled asks to be (its join request on the share) and shows its own
  fingerprint to read out.
- `ApproveDialog`: the secretariat approves a join request only once the fingerprint the
  requester reads out by phone, typed here, matches the request's.
- `SetRoleDialog`, `ProtectDialog` and `ask_revoke`.

Every write is an operation on the runner (ui.operations) behind a busy dialog; a refusal shows
inline, the dialog stays open, nothing typed lost. A trust statement (signed, on the share) is
not undone by the Edit menu: a role is set back, a PC approved again, by the same dialogs.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QCoreApplication, Qt, Slot
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from hescb_desktop.services import trust as trust_service
from hescb_desktop.services.context import ServiceContext
from hescb_desktop.services.operations import as_job
from hescb_desktop.services.trust import PersonRow
from hescb_desktop.sync.signing import same_fingerprint
from hescb_desktop.sync.trust import Request
from hescb_desktop.ui.operations import Runner
from hescb_desktop.ui.widgets.busy_dialog import BusyDialog

ROLES = ("secretariat", "officer", "viewer")


def _tr(text: str) -> str:
    return QCoreApplication.translate("TrustDialogs", text)


def role_label(role: str) -> str:
    return {
        "secretariat": _tr("Secretariat"),
        "officer": _tr("Officer"),
        "viewer": _tr("Viewer"),
        "": _tr("(no role)"),
    }.get(role, role)


def fingerprint_label(fingerprint: str) -> QLabel:
    """Six groups of five digits, large and monospaced, selectable (to copy)."""
    label = QLabel(fingerprint)
    label.setObjectName("fingerprint")
    font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
    font.setPointSize(20)
    font.setWeight(QFont.Weight.Bold)
    label.setFont(font)
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setAccessibleName(_tr("Fingerprint %1").replace("%1", fingerprint))
    return label


def _text(words: str) -> QLabel:
    label = QLabel(words)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    return label


def _error_label() -> QLabel:
    label = _text("")
    label.setObjectName("inlineError")
    label.hide()
    return label


class _WorkDialog(QDialog):
    """A dialog whose OK runs a service call off the GUI thread; a refusal shows inline."""

    def __init__(self, title: str, runner: Runner, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.runner = runner
        self.setWindowTitle(title)
        self.setMinimumWidth(560)
        self.error = _error_label()
        self.layout_ = QVBoxLayout(self)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self._on_buttons_accepted)
        self.buttons.rejected.connect(self.reject)
        self.result_value: object = None

    def finish_layout(self) -> None:
        self.layout_.addWidget(self.error)
        self.layout_.addWidget(self.buttons)

    def show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()

    def run_work(self, busy: str, work: Callable[[ServiceContext], object]) -> bool:
        """`work(ctx)` as an operation; every page reloads after it (a trust statement judges
        again what was merged). True (and the result kept) when it succeeded."""
        job, title = as_job(work, whole_board=True), self.windowTitle()
        result, error = BusyDialog.run_job(self.runner, title, busy, job, self, undoable=False)
        if error:
            self.show_error(error)
            return False
        self.result_value = result
        return True

    def check(self) -> bool:
        """The refusals the dialog can see itself (shown inline); True to go on."""
        return True

    def work(self) -> bool:
        raise NotImplementedError

    @Slot()
    def _on_buttons_accepted(self) -> None:
        self.error.hide()
        if self.check() and self.work():
            self.accept()


# ------------------------------------------------------------------ a new PC
class RootDialog(QDialog):
    """'Check this board's fingerprint with the secretariat': trust it, or not yet."""

    def __init__(self, root: str, share: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_tr("Check this board with the secretariat"))
        self.setMinimumWidth(620)
        layout = QVBoxLayout(self)
        layout.addWidget(
            _text(
                _tr(
                    "The board on %1 is protected. Before this PC trusts anything on it, check "
                    "that it is your board: phone the secretariat and ask them to read out the "
                    "board's fingerprint (their HESCB Desktop shows it under Sync › People and "
                    "PCs). It must be exactly:"
                ).replace("%1", share)
            )
        )
        self.digits = fingerprint_label(root)
        layout.addWidget(self.digits)
        layout.addWidget(
            _text(
                _tr(
                    "If a single digit differs, do not trust it: someone else's board is on "
                    "this share. Tell the secretariat."
                )
            )
        )
        self.buttons = QDialogButtonBox()
        self.trust_button = self.buttons.addButton(
            _tr("I have checked it: trust this board"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.later_button = self.buttons.addButton(
            _tr("Not now"), QDialogButtonBox.ButtonRole.RejectRole
        )
        self.later_button.setDefault(True)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)

    @classmethod
    def ask(cls, parent: QWidget | None, root: str, share: str) -> bool:
        return cls(root, share, parent).exec() == QDialog.DialogCode.Accepted


class EnrolDialog(QDialog):
    """'Ask to be enrolled': the join request goes on the share; then this PC's fingerprint."""

    def __init__(self, runner: Runner, share: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self.share = share
        self.fingerprint = ""
        self.setWindowTitle(_tr("Ask the secretariat to approve this PC"))
        self.setMinimumWidth(620)
        layout = QVBoxLayout(self)
        self.intro = _text(
            _tr(
                "This PC is not enrolled on the board yet: it keeps working on its own, and its "
                "changes wait until the secretariat approves it. Asking puts this PC's request "
                "on the share; then phone the secretariat and read out this PC's fingerprint."
            )
        )
        layout.addWidget(self.intro)
        self.digits = fingerprint_label("")
        self.digits.hide()
        layout.addWidget(self.digits)
        self.after = _text(
            _tr(
                "Read these digits to the secretariat by phone. Once they approve this PC, it "
                "syncs as you at its next round."
            )
        )
        self.after.hide()
        layout.addWidget(self.after)
        self.error = _error_label()
        layout.addWidget(self.error)
        self.buttons = QDialogButtonBox()
        self.ask_button = self.buttons.addButton(
            _tr("Ask to be enrolled"), QDialogButtonBox.ButtonRole.ActionRole
        )
        self.close_button = self.buttons.addButton(
            _tr("Later"), QDialogButtonBox.ButtonRole.RejectRole
        )
        self.ask_button.clicked.connect(self._on_ask_clicked)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)

    @Slot()
    def _on_ask_clicked(self) -> None:
        self.error.hide()
        share, busy = Path(self.share), _tr("Putting this PC's request on the share…")
        job = as_job(lambda ctx: trust_service.request_enrolment(ctx, share))  # no record
        result, error = BusyDialog.run_job(self.runner, self.windowTitle(), busy, job, self)
        if error or not isinstance(result, str):
            self.error.setText(_tr("The request could not be sent: %1").replace("%1", error))
            self.error.show()
            return
        self.fingerprint = result
        self.digits.setText(result)
        self.digits.show()
        self.after.show()
        self.intro.setText(_tr("This PC's request is on the share. Its fingerprint:"))
        self.ask_button.hide()
        self.close_button.setText(_tr("Close"))

    @classmethod
    def ask(cls, parent: QWidget | None, runner: Runner, share: str) -> str:
        """The fingerprint sent ("" : the person chose Later)."""
        dialog = cls(runner, share, parent)
        dialog.exec()
        return dialog.fingerprint


# ------------------------------------------------------------------ the secretariat
class ApproveDialog(_WorkDialog):
    """Approve a join request once the fingerprint read out by phone is typed and matches."""

    def __init__(
        self,
        runner: Runner,
        share: str,
        request: Request,
        people: list[str],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(_tr("Approve this PC"), runner, parent)
        self.share = share
        self.request = request
        self.layout_.addWidget(
            _text(
                _tr(
                    "Phone the person at this PC and ask them to read out the fingerprint their "
                    "HESCB Desktop shows. Type it here: the PC is approved only if every digit "
                    "matches. Anyone can put a request on the share; the phone call is what "
                    "proves it is your colleague's PC."
                )
            )
        )
        form = QFormLayout()
        self.pc_label = QLabel(request.pc_name or _tr("(no name)"))
        self.account_label = QLabel(request.account)
        form.addRow(_tr("PC:"), self.pc_label)
        form.addRow(_tr("Account:"), self.account_label)
        self.typed = QLineEdit()
        self.typed.setPlaceholderText("00000 00000 00000 00000 00000 00000")
        mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        mono.setPointSize(14)
        self.typed.setFont(mono)
        form.addRow(_tr("&Fingerprint read out:"), self.typed)
        self.person = QComboBox()
        self.person.setEditable(True)
        self.person.addItems(people)
        self.person.setEditText(request.person_name)
        self.person.setToolTip(_tr("Choose a person of the board, or type a new name"))
        form.addRow(_tr("&Person:"), self.person)
        self.role = QComboBox()
        for role in ROLES:
            self.role.addItem(role_label(role), role)
        self.role.setCurrentIndex(ROLES.index("officer"))
        form.addRow(_tr("&Role:"), self.role)
        self.acts_for = QComboBox()
        self.acts_for.addItem(_tr("(nobody)"), "")
        for name in people:
            self.acts_for.addItem(name, name)
        form.addRow(_tr("&Acts for:"), self.acts_for)
        self.layout_.addLayout(form)
        self.finish_layout()
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(_tr("&Approve"))

    def check(self) -> bool:
        typed = self.typed.text()
        if not typed.strip():
            self.show_error(_tr("Type the fingerprint the person reads out to you."))
            return False
        if not same_fingerprint(typed, self.request.fingerprint):
            self.show_error(
                _tr(
                    "These digits do not match this PC's request: it was not approved. Ask the "
                    "person to read them out again; if they still differ, the request is not "
                    "from their PC."
                )
            )
            self.typed.setFocus()
            return False
        if not self.person.currentText().strip():
            self.show_error(_tr("Choose or type the person who uses this PC."))
            return False
        return True

    def work(self) -> bool:
        share, typed = Path(self.share), self.typed.text()
        person, role = self.person.currentText().strip(), str(self.role.currentData())
        principal = str(self.acts_for.currentData() or "")
        acts = [principal] if principal else []
        return self.run_work(
            _tr("Writing the approval to the share…"),
            lambda ctx: trust_service.approve(ctx, share, typed, person, role, acts),
        )


class SetRoleDialog(_WorkDialog):
    def __init__(
        self,
        runner: Runner,
        share: str,
        person: PersonRow,
        people: list[str],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(_tr("Set %1's role").replace("%1", person.name), runner, parent)
        self.share = share
        self.person_row = person
        self.layout_.addWidget(
            _text(
                _tr(
                    "A secretariat member administers the board and may change anything; an "
                    "officer changes what they (or the person they act for) own; a viewer reads "
                    "only. The change syncs to every PC, signed by this one."
                )
            )
        )
        form = QFormLayout()
        self.role = QComboBox()
        for role in ROLES:
            self.role.addItem(role_label(role), role)
        if person.role in ROLES:
            self.role.setCurrentIndex(ROLES.index(person.role))
        form.addRow(_tr("&Role:"), self.role)
        self.acts_for = QComboBox()
        self.acts_for.addItem(_tr("(nobody)"), "")
        for name in people:
            if name != person.name:
                self.acts_for.addItem(name, name)
        if person.acts_for:
            found = self.acts_for.findData(person.acts_for[0])
            self.acts_for.setCurrentIndex(max(found, 0))
        form.addRow(_tr("&Acts for:"), self.acts_for)
        self.layout_.addLayout(form)
        self.finish_layout()

    def work(self) -> bool:
        who = self.person_row.id
        share = Path(self.share) if self.share else None
        role = str(self.role.currentData())
        principal = str(self.acts_for.currentData() or "")
        acts = [principal] if principal else []
        return self.run_work(
            _tr("Saving the role…"),
            lambda ctx: trust_service.set_role(ctx, who, role, share, acts),
        )


class ProtectDialog(_WorkDialog):
    """'Protect this board': this PC becomes the root; the others will need approval."""

    def __init__(self, runner: Runner, share: str, me: str, parent: QWidget | None = None) -> None:
        super().__init__(_tr("Protect this board"), runner, parent)
        self.share = share
        self.intro = _text(
            _tr(
                "Protecting the board makes this PC its root: from now on every change on "
                "the share is signed by an approved PC and checked against its writer's role "
                "on every PC. Everything already on the share is kept. Each of the other PCs "
                "then shows \u201cAsk the secretariat to approve this PC\u201d and keeps "
                "working on its own until you approve it (Sync \u203a People and PCs). Do "
                "this on one secretariat PC only."
            )
        )
        self.layout_.addWidget(self.intro)
        form = QFormLayout()
        self.name = QLineEdit(me)
        self.name.setMaxLength(200)
        form.addRow(_tr("&Who are you?"), self.name)
        self.layout_.addLayout(form)
        self.finish_layout()
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(_tr("&Protect the board"))

    def check(self) -> bool:
        if not self.name.text().strip():
            self.show_error(_tr("Type your name: you become the board's first secretariat member."))
            return False
        return True

    def work(self) -> bool:
        share, name = Path(self.share), self.name.text().strip()
        return self.run_work(
            _tr("Protecting the board on the share…"),
            lambda ctx: trust_service.upgrade_board(ctx, share, name),
        )


def ask_revoke(parent: QWidget | None, pc_name: str, person: str, fingerprint: str) -> bool:
    """Revoke a PC (a lost laptop)? Says plainly what follows."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle(_tr("Revoke this PC?"))
    box.setText(_tr("Revoke %1 (%2)?").replace("%1", pc_name).replace("%2", person))
    box.setInformativeText(
        _tr(
            "Fingerprint %1.\n\nEverything this PC sent before now stays. Any change it makes "
            "from now on is refused on every PC and listed on their Security tab. This cannot "
            "be undone: to use the PC again, it must ask to be enrolled afresh."
        ).replace("%1", fingerprint)
    )
    revoke = box.addButton(_tr("Revoke the PC"), QMessageBox.ButtonRole.DestructiveRole)
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    box.exec()
    return box.clickedButton() is revoke
