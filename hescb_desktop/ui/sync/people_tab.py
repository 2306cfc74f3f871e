"""The sync page's People and PCs tab (issue 15 points 2, 3 and 7).

Everyone sees who they are, the board's people with their roles and the enrolled PCs. The
secretariat also sets roles, revokes PCs and approves the join requests waiting on the share;
on a board not yet protected, it can protect it. A PC not enrolled asks to be. Reading the share
(the requests) and every write run off the GUI thread.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from hescb_desktop.domain.permissions import Kind, Operation
from hescb_desktop.services import subject_access
from hescb_desktop.services import trust as trust_service
from hescb_desktop.services.operations import as_job
from hescb_desktop.services.trust import PersonRow, WhoAmI
from hescb_desktop.sync.hlc import to_datetime
from hescb_desktop.sync.trust import Request
from hescb_desktop.ui.sync import trust_dialogs
from hescb_desktop.ui.sync.security_tab import when_text
from hescb_desktop.ui.sync.trust_dialogs import (
    ApproveDialog,
    EnrolDialog,
    ProtectDialog,
    SetRoleDialog,
    role_label,
)
from hescb_desktop.ui.widgets.busy_dialog import BusyDialog
from hescb_desktop.ui.widgets.card import Card
from hescb_desktop.ui.widgets.empty_state import EmptyState
from hescb_desktop.ui.widgets.labels import counted
from hescb_desktop.ui.widgets.permission import gate
from hescb_desktop.ui.widgets.row_model import ROW_ROLE, RowTableModel
from hescb_desktop.ui.widgets.tables import make_table
from hescb_desktop.ui.widgets.worker import ProgressFn, Task
from hescb_desktop.ui.workspace import Workspace


def _tr(text: str) -> str:
    return QCoreApplication.translate("PeopleTab", text)


@dataclass(frozen=True)
class PcRow:
    fingerprint: str
    pc_name: str
    person: str
    revoked: bool
    root: bool


class PeopleModel(RowTableModel):
    def headers(self) -> list[str]:
        return [_tr("Name"), _tr("Role"), _tr("Acts for"), _tr("Accounts"), _tr("PCs")]

    def cell(self, row: PersonRow, column: int, role: int) -> Any:
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        return [
            row.name,
            role_label(row.role),
            ", ".join(row.acts_for),
            ", ".join(row.accounts),
            str(len(row.pcs)) if row.pcs else "",
        ][column]


class PcModel(RowTableModel):
    def headers(self) -> list[str]:
        return [_tr("PC"), _tr("Person"), _tr("Fingerprint"), _tr("Status")]

    def cell(self, row: PcRow, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.ToolTipRole and column == 3 and row.root:
            return _tr("The board's root: the PC that protected it, whose key every PC pinned")
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        status = _tr("Revoked") if row.revoked else _tr("Root") if row.root else _tr("Enrolled")
        return [row.pc_name, row.person, row.fingerprint, status][column]


class RequestModel(RowTableModel):
    def headers(self) -> list[str]:
        # no fingerprint column: the secretariat must hear it by phone, not read it off the share
        return [_tr("PC"), _tr("Account"), _tr("Asked")]

    def cell(self, row: Request, column: int, role: int) -> Any:
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        return [row.pc_name, row.account, when_text(to_datetime(row.at))][column]


class PeopleTab(QWidget):
    requests_loaded = Signal()  # the join requests were read from the share (or could not be)
    share_checked = Signal()  # whether the share's board is protected was read (not protected)

    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.me: WhoAmI | None = None
        self.people = PeopleModel(self)
        self.pcs = PcModel(self)
        self.requests = RequestModel(self)
        self._reading: Task | None = None
        self._checking: Task | None = None
        self.share_root = ""  # a protected board on the share whose root this PC has not pinned
        self._generation = 0
        self._setup_ui()

    # ------------------------------------------------------------------ building
    def _setup_ui(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 10, 0, 0)
        layout.setSpacing(14)
        self.you_card = Card(_tr("You"))
        self.you_label = QLabel()
        self.you_label.setObjectName("youLabel")
        self.you_label.setWordWrap(True)
        self.you_label.setTextFormat(Qt.TextFormat.PlainText)
        self.you_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.protect_button = QPushButton(_tr("&Protect this board…"))
        self.protect_button.clicked.connect(self._on_protect_clicked)
        self.enrol_button = QPushButton(_tr("Ask to be &enrolled…"))
        self.enrol_button.clicked.connect(self._on_enrol_clicked)
        row = QHBoxLayout()
        row.addWidget(self.you_label, 1)
        row.addWidget(self.protect_button, 0, Qt.AlignmentFlag.AlignTop)
        row.addWidget(self.enrol_button, 0, Qt.AlignmentFlag.AlignTop)
        self.you_card.body.addLayout(row)
        layout.addWidget(self.you_card)

        lists = QHBoxLayout()
        lists.setSpacing(14)
        self.people_card = Card(_tr("People"))
        self.people_table = make_table(self.people, stretch=2)  # names whole; "acts for" gives way
        self.people_table.selectionModel().selectionChanged.connect(self._update_buttons)
        self.people_view = EmptyState(self.people_table)
        self.people_view.set_message(_tr("No people on this board yet."))
        self.role_button = QPushButton(_tr("Set &role…"))
        self.role_button.clicked.connect(self._on_role_clicked)
        self.people_card.body.addWidget(self.people_view, 1)
        self.access_button = QPushButton(_tr("Subject &access…"))
        self.access_button.setToolTip(
            _tr("Everything the board holds about this person, as a PDF and a JSON file")
        )
        self.access_button.clicked.connect(self._on_access_clicked)
        self.people_card.body.addLayout(_buttons(self.access_button, self.role_button))
        lists.addWidget(self.people_card, 6)
        self.pcs_card = Card(_tr("Enrolled PCs"))
        self.pcs_table = make_table(self.pcs, stretch=0)  # the fingerprint always whole
        self.pcs_table.selectionModel().selectionChanged.connect(self._update_buttons)
        self.pcs_view = EmptyState(self.pcs_table)
        self.pcs_view.set_message(_tr("No PC is enrolled: this board is not protected."))
        self.revoke_button = QPushButton(_tr("Re&voke PC…"))
        self.revoke_button.clicked.connect(self._on_revoke_clicked)
        self.pcs_card.body.addWidget(self.pcs_view, 1)
        self.pcs_card.body.addLayout(_buttons(self.revoke_button))
        lists.addWidget(self.pcs_card, 6)
        layout.addLayout(lists, 3)

        self.requests_card = Card(_tr("Join requests waiting on the share"))
        self.requests_table = make_table(self.requests, stretch=0)
        self.requests_table.selectionModel().selectionChanged.connect(self._update_buttons)
        self.requests_table.doubleClicked.connect(self._on_approve_clicked)
        self.requests_view = EmptyState(self.requests_table)
        self.requests_view.set_message(_tr("No PC is waiting to be approved."))
        self.approve_button = QPushButton(_tr("&Approve…"))
        self.approve_button.clicked.connect(self._on_approve_clicked)
        self.check_button = QPushButton(_tr("&Check the share again"))
        self.check_button.clicked.connect(self.load_requests)
        self.requests_card.body.addWidget(self.requests_view, 1)
        self.requests_card.body.addLayout(_buttons(self.approve_button, self.check_button))
        layout.addWidget(self.requests_card, 2)
        self.read_only_note = QLabel(
            _tr("Only the secretariat can set roles, approve or revoke PCs.")
        )
        self.read_only_note.setObjectName("cardNote")
        layout.addWidget(self.read_only_note)

    # ------------------------------------------------------------------ data
    @property
    def share(self) -> str:
        return self.workspace.share_folder

    @property
    def is_secretariat(self) -> bool:
        identity = self.workspace.ctx.identity
        return (
            identity.protected
            and bool(identity.person_id)
            and identity.role.value == ("secretariat")
        )

    def refresh(self) -> None:
        ctx = self.workspace.ctx
        self.me = me = trust_service.whoami(ctx)
        rows = trust_service.people(ctx)
        state = trust_service.trust_state(ctx)
        names = {r.id: r.name for r in rows}
        self.people.set_rows(rows if me.protected else [])
        self.pcs.set_rows(
            PcRow(
                c.fingerprint,
                c.pc_name,
                names.get(c.person_id) or state.names.get(c.person_id, ""),
                c.revoked_at is not None,
                c.fingerprint == state.root,
            )
            for c in sorted(state.pcs.values(), key=lambda c: c.enrolled_at)
        )
        self.you_label.setText(self._you_text(me))
        self.people_card.set_note(counted(len(rows), _tr("%n person"), _tr("%n people")))
        self.pcs_card.set_note(
            counted(self.pcs.rowCount(), _tr("%n PC"), _tr("%n PCs")) if me.protected else ""
        )
        secretariat = self.is_secretariat
        self.protect_button.setVisible(not me.protected and bool(self.share))
        self.enrol_button.setVisible(me.protected and not me.person_id and bool(self.share))
        self.people_card.setVisible(me.protected)
        self.pcs_card.setVisible(me.protected)
        self.role_button.setVisible(secretariat)
        self.revoke_button.setVisible(secretariat)
        self.requests_card.setVisible(secretariat)
        self.read_only_note.setVisible(me.protected and not secretariat)
        self._update_buttons()
        if secretariat:
            self.load_requests()
        if not me.protected and self.share:
            self.check_share_root()

    def _you_text(self, me: WhoAmI) -> str:
        if not me.protected:
            lines = [
                _tr(
                    "This board is not protected: any PC that can write to the share is "
                    "trusted, and everyone may change everything."
                )
            ]
            if self.share:
                lines.append(
                    _tr(
                        "A secretariat member protects it once, on one PC: that PC becomes the "
                        "board's root and approves the others."
                    )
                )
            else:
                lines.append(_tr("This PC has no share: choose one in File › Settings… first."))
            return "\n".join(lines)
        pc = _tr("This PC's fingerprint: %1").replace("%1", me.fingerprint)
        root = _tr("The board's root fingerprint: %1").replace("%1", me.root_fingerprint)
        if not me.person_id:
            return "\n".join(
                [
                    _tr(
                        "This PC is not enrolled yet: ask the secretariat to approve it. It "
                        "keeps working on its own meanwhile, and sends its changes once approved."
                    ),
                    pc,
                    root,
                ]
            )
        who = _tr("%1 · %2").replace("%1", me.person).replace("%2", role_label(me.role))
        if me.acts_for:
            who += " · " + _tr("acts for %1").replace("%1", ", ".join(me.acts_for))
        return "\n".join([who, pc, root])

    def check_share_root(self) -> None:
        """Whether the share's board is protected already (this PC not yet trusting it): then
        it is not this PC's to protect. Read off the GUI thread."""
        share = Path(self.share)
        task = Task(lambda _p: trust_service.root_on_share(share))
        task.signals.succeeded.connect(self._on_share_root_read)  # a bound slot, as below
        self._checking = task
        task.start()

    @Slot(object)
    def _on_share_root_read(self, root: object) -> None:
        self._checking = None
        if not isinstance(root, str) or self.me is None or self.me.protected:
            return
        self.share_root = root
        self.protect_button.setVisible(not root)
        if root:
            self.you_label.setText(
                _tr(
                    "The board on the share is protected, and this PC has not checked it yet: "
                    "press Sync now (F9), then compare the board's fingerprint it shows with "
                    "the secretariat by phone. Until then this PC works on its own."
                )
            )
        self.share_checked.emit()

    @Slot()
    def load_requests(self) -> None:
        """Read the join requests waiting on the share, off the GUI thread."""
        if not self.share or not self.is_secretariat:
            return
        self._generation += 1
        generation, ctx, share = self._generation, self.workspace.ctx, Path(self.share)

        def read(_progress: object) -> tuple[int, list[Request], str]:
            try:
                return generation, trust_service.pending_requests(ctx, share), ""
            except Exception as exc:  # the share unavailable, ...: said on the card
                return generation, [], str(exc) or type(exc).__name__

        task = Task(read)
        # a bound slot: Qt drops the connection if this tab is gone before the read ends
        task.signals.succeeded.connect(self._on_requests_read)
        self._reading = task
        self.requests_card.set_note(_tr("Reading the share…"))
        self.check_button.setEnabled(False)
        task.start()

    @Slot(object)
    def _on_requests_read(self, result: tuple[int, list[Request], str]) -> None:
        generation, found, why = result
        if generation != self._generation:
            return  # an older read, overtaken
        self._reading = None
        self.check_button.setEnabled(True)
        rows = list(found)
        self.requests.set_rows(rows)
        if rows:
            self.requests_table.selectRow(0)
        if why:
            self.requests_card.set_note(_tr("The share could not be read: %1").replace("%1", why))
        else:
            self.requests_card.set_note(counted(len(rows), _tr("%n waiting"), _tr("%n waiting")))
        self._update_buttons()
        self.requests_loaded.emit()

    # ------------------------------------------------------------------ selection
    def _selected(self, table: Any) -> Any:
        rows = table.selectionModel().selectedRows()
        return rows[0].data(ROW_ROLE) if rows else None

    def selected_person(self) -> PersonRow | None:
        row = self._selected(self.people_table)
        return row if isinstance(row, PersonRow) else None

    def selected_pc(self) -> PcRow | None:
        row = self._selected(self.pcs_table)
        return row if isinstance(row, PcRow) else None

    def selected_request(self) -> Request | None:
        row = self._selected(self.requests_table)
        return row if isinstance(row, Request) else None

    @Slot()
    def _update_buttons(self) -> None:
        self.role_button.setEnabled(self.selected_person() is not None)
        why = self.workspace.why_not(Operation.ADMINISTER, Kind.DIRECTORY)
        gate(self.access_button, why, enabled=self.selected_person() is not None)
        pc = self.selected_pc()
        self.revoke_button.setEnabled(pc is not None and not pc.revoked and not pc.root)
        self.approve_button.setEnabled(self.selected_request() is not None)

    def _names(self) -> list[str]:
        return [r.name for r in self.people.rows()]

    # ------------------------------------------------------------------ slots
    @Slot()
    def _on_approve_clicked(self) -> None:
        request = self.selected_request()
        if request is None:
            return
        names = [r.name for r in trust_service.people(self.workspace.ctx)]
        dialog = ApproveDialog(self.workspace.runner, self.share, request, names, self.window())
        dialog.exec()  # done: the operation reloaded every page, the Sync page and this tab too

    @Slot()
    def _on_access_clicked(self) -> None:
        """A subject access request: the bundle written off the GUI thread into a folder."""
        person = self.selected_person()
        if person is None:
            return
        folder = QFileDialog.getExistingDirectory(
            self, _tr("Subject access: where to write the bundle"), str(Path.home())
        )
        if not folder:
            return
        ctx, wanted = self.workspace.ctx, person.id

        def work(_progress: ProgressFn) -> object:
            found = subject_access.subject_access(ctx, wanted)
            return found, subject_access.write_bundle(found, Path(folder))

        title = _tr("Subject access")
        result, error = BusyDialog.run(title, person.name, work, self.window())
        if error or not isinstance(result, tuple):
            QMessageBox.warning(self.window(), title, error or title)
            return
        found, (pdf, data) = result
        text = _tr("%1 records about %2: saved %3 and %4.")
        text = (
            text.replace("%1", str(len(found.records)))
            .replace("%2", found.name)
            .replace("%3", str(pdf))
            .replace("%4", data.name)
        )
        if found.withheld:
            withheld = counted(
                len(found.withheld),
                _tr("%n restricted record"),
                _tr("%n restricted records"),
            )
            text += "\n\n" + _tr(
                "%1 this PC does not read are listed as withheld: ask one of their readers to"
                " complete the request."
            ).replace("%1", withheld)
        QMessageBox.information(self.window(), title, text)

    @Slot()
    def _on_role_clicked(self) -> None:
        person = self.selected_person()
        if person is None:
            return
        dialog = SetRoleDialog(self.workspace.runner, self.share, person, self._names(), self)
        dialog.exec()  # done: the operation reloaded every page, the Sync page and this tab too

    @Slot()
    def _on_revoke_clicked(self) -> None:
        pc = self.selected_pc()
        if pc is None or not trust_dialogs.ask_revoke(
            self.window(), pc.pc_name, pc.person, pc.fingerprint
        ):
            return
        share, fp = Path(self.share), pc.fingerprint
        _, error = BusyDialog.run_job(
            self.workspace.runner,
            _tr("Revoking the PC"),
            _tr("Writing the revocation to the share…"),
            as_job(lambda ctx: trust_service.revoke(ctx, share, fp), whole_board=True),
            self.window(),
            undoable=False,  # signed and on the share: a PC is approved again instead
        )
        if error:
            QMessageBox.warning(self.window(), _tr("The PC was not revoked"), error)
        # revoked: the operation reloaded every page, the Sync page and this tab too

    @Slot()
    def _on_protect_clicked(self) -> None:
        me = self.workspace.settings.display_name.strip()
        dialog = ProtectDialog(self.workspace.runner, self.share, me, self.window())
        dialog.exec()  # done: the operation reloaded every page, the Sync page and this tab too

    @Slot()
    def _on_enrol_clicked(self) -> None:
        EnrolDialog.ask(self.window(), self.workspace.runner, self.share)


def _buttons(*buttons: QPushButton) -> QHBoxLayout:
    row = QHBoxLayout()
    for button in buttons:
        row.addWidget(button)
    row.addStretch(1)
    return row
