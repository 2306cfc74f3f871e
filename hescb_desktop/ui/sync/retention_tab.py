"""The sync page's Retention tab (issue 16, point 5): how long each kind of record is kept, the
records whose period has run out, and the certificates of what was disposed of.

Everyone reads the schedule; the secretariat changes a kind's period (`PeriodDialog`). Below,
in a splitter, the records due for disposal today, as every PC lists them, and the disposal
certificates, newest first (the models: `retention_models`). The secretariat disposes
of what is due ("Dispose of these…") or of one record now ("Dispose of one record…", a reason
required), each confirmed first (`dispose_dialogs`); the disposal runs on a pool thread
(`disposal_run`: a `Task` behind a `BusyDialog`), so the window keeps painting through the
VACUUM; then the tab reloads and selects the new certificate. Others see the buttons disabled,
with the reason.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import (
    QCoreApplication,
    QEvent,
    QItemSelection,
    QModelIndex,
    QObject,
    Qt,
    QTimer,
    Signal,
    Slot,
)
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from hescb_desktop.domain.errors import ValidationError
from hescb_desktop.domain.permissions import Kind, Operation, Role
from hescb_desktop.services import retention
from hescb_desktop.services.context import ServiceContext
from hescb_desktop.services.results import WHOLE_BOARD
from hescb_desktop.services.retention import Certificate, DueRecord, Rule
from hescb_desktop.ui.sync.disposal_run import DisposalRun
from hescb_desktop.ui.sync.dispose_dialogs import (
    SCHEDULE_REASON,
    ConfirmDisposalDialog,
    RecordDialog,
)
from hescb_desktop.ui.sync.retention_dialog import PeriodDialog
from hescb_desktop.ui.sync.retention_models import (
    C_REASON,
    C_RULE,
    D_TITLE,
    S_COVERS,
    S_RUNS_FROM,
    CertificateModel,
    DueModel,
    PaddedRows,
    ScheduleModel,
    counted_records,
    due_summary,
)
from hescb_desktop.ui.widgets.card import Card
from hescb_desktop.ui.widgets.empty_state import EmptyState
from hescb_desktop.ui.widgets.labels import counted
from hescb_desktop.ui.widgets.permission import gate, sentence
from hescb_desktop.ui.widgets.row_model import ROW_ROLE
from hescb_desktop.ui.widgets.tables import make_table
from hescb_desktop.ui.workspace import Workspace

SHARE = 10_000  # a splitter pane's weight (sizes given before it is shown are proportions)


def _tr(text: str) -> str:
    return QCoreApplication.translate("RetentionTab", text)


class RetentionTab(QWidget):
    disposed = Signal(object)  # a Certificate: its disposal done, the tab reloaded, it selected

    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.schedule = ScheduleModel(self)
        self.due = DueModel(self)
        self.certificates = CertificateModel(self)
        self.run: DisposalRun | None = None  # the disposal running off the GUI thread
        self._reason = ""  # the reason typed for a disposal that failed: offered again
        self._before: set[str] = set()  # the certificates listed when the run started
        self._again: Callable[[str], None] | None = None  # what a failed run does with why
        self._refit = QTimer(self)  # once the columns took a new width, the rows their height
        self._refit.setSingleShot(True)
        self._refit.setInterval(0)
        self._refit.timeout.connect(self._fit_schedule_height)
        self._setup_ui()

    # ------------------------------------------------------------------ building
    def _setup_ui(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 10, 0, 0)
        layout.setSpacing(14)
        self.schedule_card = Card(_tr("Retention schedule"))
        self.schedule_card.set_note(_tr("Set by the secretariat; the same on every PC"))
        self.schedule_table = self._schedule_table()
        self.change_button = QPushButton(_tr("Chan&ge period…"))
        self.change_button.setToolTip(_tr("How long the chosen kind of record is kept"))
        self.change_button.clicked.connect(self._on_change_clicked)
        self.read_only_note = _note()
        self.schedule_card.body.addWidget(self.schedule_table)
        self.schedule_card.body.addLayout(_button_row(self.change_button, self.read_only_note))
        layout.addWidget(self.schedule_card)
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(self._due_card())
        self.splitter.addWidget(self._certificates_card())
        self.splitter.setSizes([3 * SHARE, 2 * SHARE])  # the due list first
        # the schedule first (whole, if the window has the room), the lists the rest; no less
        # than their own minimum (then the schedule scrolls: a window 720 pixels tall)
        policy = self.splitter.sizePolicy()
        policy.setVerticalPolicy(QSizePolicy.Policy.Ignored)
        self.splitter.setSizePolicy(policy)
        layout.addWidget(self.splitter, 1)

    def _due_card(self) -> Card:
        self.due_card = Card(_tr("Due for disposal today"))
        self.due_table = make_table(self.due, stretch=D_TITLE)
        self.due_view = EmptyState(self.due_table)
        self.due_view.set_message(_tr("No record has come to the end of its period."))
        self.dispose_button = QPushButton(_tr("&Dispose of these…"))
        self.dispose_button.setToolTip(
            _tr("Remove the text of every record listed here, on every PC, for ever")
        )
        self.dispose_button.clicked.connect(self._on_dispose_clicked)
        self.dispose_one_button = QPushButton(_tr("Dispose of &one record…"))
        self.dispose_one_button.setToolTip(
            _tr("Remove the text of one record now, whatever the schedule says (a reason is kept)")
        )
        self.dispose_one_button.clicked.connect(self._on_dispose_one_clicked)
        self.dispose_note = _note()
        row = QHBoxLayout()
        row.addWidget(self.dispose_button)
        row.addWidget(self.dispose_one_button)
        row.addStretch(1)
        self.due_card.body.addWidget(self.due_view, 1)
        self.due_card.body.addLayout(row)
        self.due_card.body.addWidget(self.dispose_note)  # below: half a window is narrow
        return self.due_card

    def _certificates_card(self) -> Card:
        self.certificates_card = Card(_tr("Disposal certificates"))
        table = self.certificates_table = make_table(self.certificates, stretch=C_REASON)
        table.horizontalHeader().setSectionResizeMode(C_RULE, QHeaderView.ResizeMode.Stretch)
        self.certificates_view = EmptyState(table)
        self.certificates_view.set_message(_tr("Nothing has been disposed of on this board."))
        self.certificates_card.body.addWidget(self.certificates_view, 1)
        return self.certificates_card

    def _schedule_table(self) -> QTableView:
        """Four rows, whole: the long columns share the width and wrap, each row as tall as its
        text, and the table as tall as its rows (no scrolling, no empty space under them)."""
        table = make_table(self.schedule, stretch=S_COVERS)
        table.setItemDelegate(PaddedRows(table))
        table.setWordWrap(True)
        table.setTextElideMode(Qt.TextElideMode.ElideNone)
        table.horizontalHeader().setSectionResizeMode(S_RUNS_FROM, QHeaderView.ResizeMode.Stretch)
        rows = table.verticalHeader()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        rows.sectionResized.connect(self._refit.start)
        table.installEventFilter(self)
        table.setSizeAdjustPolicy(QTableView.SizeAdjustPolicy.AdjustToContents)
        table.selectionModel().selectionChanged.connect(self._on_selection_changed)
        table.doubleClicked.connect(self._on_row_double_clicked)
        return table

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.schedule_table and event.type() == QEvent.Type.Resize:
            self._refit.start()
        return False

    @Slot()
    def _fit_schedule_height(self) -> None:
        table = self.schedule_table
        table.resizeRowsToContents()
        rows = table.verticalHeader()
        above = table.horizontalHeader().height() + 2 * table.frameWidth()
        table.setMaximumHeight(above + rows.length())  # whole, no empty space under the rows
        table.setMinimumHeight(above + rows.sectionSize(0) if rows.count() else above)
        self.splitter.setMinimumHeight(self.splitter.minimumSizeHint().height())

    # ------------------------------------------------------------------ data
    def refresh(self) -> None:
        ctx = self.workspace.ctx
        chosen = self.selected_rule()
        self.schedule.set_rows(retention.schedule(ctx))
        self._fit_schedule_height()
        if chosen is not None:
            self._select(chosen.kind)
        rows = retention.due(ctx, self.workspace.today())
        self.due.set_rows(rows)
        self.due_card.set_note(self.due_text(len(rows)))
        shown = self.selected_certificate()
        self.certificates.set_rows(retention.certificates(ctx))
        self.certificates_card.set_note(
            counted(self.certificates.rowCount(), _tr("%n certificate"), _tr("%n certificates"))
        )
        self.show_certificate(shown.id if shown is not None else "")
        self._update_buttons()

    @staticmethod
    def due_text(count: int) -> str:
        if not count:
            return _tr("Nothing is due for disposal")
        return counted(
            count, _tr("%n record is due for disposal"), _tr("%n records are due for disposal")
        )

    @property
    def count(self) -> int:
        return self.due.rowCount()

    def selected_rule(self) -> Rule | None:
        rows = self.schedule_table.selectionModel().selectedRows()
        rule = rows[0].data(ROW_ROLE) if rows else None
        return rule if isinstance(rule, Rule) else None

    def selected_certificate(self) -> Certificate | None:
        rows = self.certificates_table.selectionModel().selectedRows()
        made = rows[0].data(ROW_ROLE) if rows else None
        return made if isinstance(made, Certificate) else None

    def show_certificate(self, certificate_id: str) -> None:
        row = self.certificates.row_of(certificate_id) if certificate_id else -1
        if row >= 0:
            self.certificates_table.selectRow(row)
            self.certificates_table.scrollTo(self.certificates.index(row, 0))

    def _select(self, kind: str) -> None:
        for n, rule in enumerate(self.schedule.rows()):
            if rule.kind == kind:
                self.schedule_table.selectRow(n)
                return

    def why_not(self) -> str:
        """Why the person at the keyboard may not change the schedule ("" when they may)."""
        return self.workspace.why_not(Operation.EDIT, Kind.RETENTION)

    def why_not_dispose(self) -> str:
        """Why the person at the keyboard may not dispose of records ("" when they may)."""
        why = self.workspace.why_not(Operation.CREATE, Kind.RETENTION)
        identity = self.workspace.identity
        if why and identity.person_id and identity.role is Role.OFFICER:
            return _tr("Only the secretariat may dispose of records.")  # not "create rules"
        return why

    def _update_buttons(self) -> None:
        why = self.why_not()
        gate(self.change_button, why, enabled=self.selected_rule() is not None)
        self.read_only_note.setText(why)
        self.read_only_note.setVisible(bool(why))
        why = self.why_not_dispose()
        idle = self.run is None
        gate(self.dispose_button, why, enabled=idle and self.count > 0)
        gate(self.dispose_one_button, why, enabled=idle)
        self.dispose_note.setText(why)
        self.dispose_note.setVisible(bool(why))
        self.splitter.setMinimumHeight(self.splitter.minimumSizeHint().height())

    def change_period(self, rule: Rule) -> None:
        """The secretariat sets how long `rule`'s kind is kept; every page showing it reloads."""
        if self.why_not():
            return
        PeriodDialog.ask(self.workspace.runner, rule, self.window())  # an undoable operation

    # ------------------------------------------------------------------ disposal
    def dispose_due(self) -> None:
        """The secretariat disposes of what is listed, once confirmed, off the GUI thread. The
        list is read again there: if it changed meanwhile (a sync), nothing is disposed of."""
        rows = self.due.rows()
        if self.why_not_dispose() or not rows or self.run is not None:
            return
        what = due_summary(rows, self.schedule.rows())
        asked = self._reason or SCHEDULE_REASON
        reason = ConfirmDisposalDialog.ask(what, len(rows), asked, parent=self.window())
        if reason is None:
            return
        day, listed = self.workspace.today(), _ids(rows)

        def work(ctx: ServiceContext) -> Certificate:
            try:  # the service refuses when what is due is not what was confirmed
                return retention.dispose_due(ctx, day, reason, expected=listed)
            except retention.DueChangedError as exc:
                raise ValidationError(CHANGED_MEANWHILE) from exc

        self._reason = reason
        self._again = self._say_not_disposed
        self._start(work, _tr("Disposing of %1").replace("%1", counted_records(len(rows))))

    def dispose_one(self, reference: str = "", reason: str = "", error: str = "") -> None:
        """The secretariat disposes of one record now (a reason required), off the GUI thread;
        if that fails, the dialog comes back with what was typed and why."""
        if self.why_not_dispose() or self.run is not None:
            return
        ctx = self.workspace.ctx
        chosen = RecordDialog.ask(
            ctx, self.window(), reference=reference, reason=reason, error=error
        )
        if chosen is None:
            return
        record, why = chosen.record, chosen.reason
        self._again = lambda said: self.dispose_one(chosen.reference, chosen.reason, said)
        self._start(
            lambda ctx: retention.dispose_record(ctx, record.id, why),  # the record confirmed
            _tr("Disposing of the %1").replace("%1", record.label),
        )

    def _say_not_disposed(self, why: str) -> None:
        QMessageBox.warning(self.window(), _tr("Disposing of records"), why)

    def _start(self, work: Callable[[ServiceContext], Certificate], label: str) -> None:
        self._before = {c.id for c in self.certificates.rows()}
        runner, title = self.workspace.runner, _tr("Disposing of records")
        self.run = DisposalRun(runner, work, title, label, self.window())
        self.run.finished.connect(self._on_run_finished)
        self._update_buttons()
        self.run.start()

    # ------------------------------------------------------------------ slots
    @Slot(QItemSelection, QItemSelection)
    def _on_selection_changed(self, _selected: QItemSelection, _old: QItemSelection) -> None:
        self._update_buttons()

    @Slot()
    def _on_change_clicked(self) -> None:
        rule = self.selected_rule()
        if rule is not None:
            self.change_period(rule)

    @Slot(QModelIndex)
    def _on_row_double_clicked(self, index: QModelIndex) -> None:
        rule = index.data(ROW_ROLE)
        if isinstance(rule, Rule):
            self.change_period(rule)

    @Slot()
    def _on_dispose_clicked(self) -> None:
        self.dispose_due()

    @Slot()
    def _on_dispose_one_clicked(self) -> None:
        self.dispose_one()

    @Slot(object, str)
    def _on_run_finished(self, made: Certificate | None, why: str) -> None:
        self.run = None
        if made is None:  # it may have done part of it (a certificate written): all reload
            self.workspace.announce(WHOLE_BOARD)  # (a run that succeeded announced it itself)
        if made is None or self.certificates.row_of(made.id) < 0:
            self.refresh()  # the page was not shown (it reloads when shown), or it failed
        again, self._again = self._again, None
        if made is not None:
            self._reason = ""
            self.show_certificate(made.id)
            self.disposed.emit(made)
            return
        written = [c for c in self.certificates.rows() if c.id not in self._before]
        if written:  # the certificate is kept: every PC, this one too, applies it as it syncs
            self.show_certificate(written[0].id)
            text = _tr(
                "The certificate was written, but removing the text on this PC did not finish "
                "(%1). It is finished after the next sync."
            )
            QMessageBox.warning(self.window(), _tr("Disposing of records"), text.replace("%1", why))
        elif again is not None:
            again(sentence(why.strip().rstrip(".")) + " " + _tr("Nothing was disposed of."))


CHANGED_MEANWHILE = (
    "the records due for disposal changed since you confirmed (a sync brought changes): look "
    "at the list again"
)


def _ids(rows: list[DueRecord]) -> set[tuple[str, str]]:
    return {(r.table, r.id) for r in rows}


def _note() -> QLabel:
    """Why a button is disabled, beside it (hidden when it is not)."""
    note = QLabel()
    note.setObjectName("cardNote")
    note.setWordWrap(True)
    note.setTextFormat(Qt.TextFormat.PlainText)
    return note


def _button_row(button: QPushButton, note: QLabel) -> QHBoxLayout:
    row = QHBoxLayout()
    row.addWidget(button)
    row.addWidget(note, 1)
    row.addStretch(0)  # the buttons their own width when the note is hidden
    return row
