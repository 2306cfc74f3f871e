"""Dialogs of the action log: raise an action (also from the minutes editor), revise a due date
(the agreed date is kept; a reason is required). Each tries the service on OK and shows a refusal
inline, staying open with nothing changed."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from PySide6.QtCore import QDate, QSize, Qt, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from hescb_desktop.domain.dto import ActionDTO, PersonDTO
from hescb_desktop.domain.timezones import LONDON
from hescb_desktop.services import actions as action_service
from hescb_desktop.services.operations import Uow
from hescb_desktop.services.results import Result
from hescb_desktop.ui.widgets.labels import format_date, status_label
from hescb_desktop.ui.widgets.palette import OVERDUE_TEXT
from hescb_desktop.ui.widgets.screen_fit import fitted_size
from hescb_desktop.ui.widgets.unsaved import GuardedDialog
from hescb_desktop.ui.workspace import Workspace


def error_label() -> QLabel:
    label = QLabel()
    label.setObjectName("inlineError")
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    label.setStyleSheet(f"color: {OVERDUE_TEXT};")
    label.hide()
    return label


def qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def pydate(day: QDate) -> date:
    return date(day.year(), day.month(), day.day())


def people_combo(people: Sequence[PersonDTO], current: str | None = None) -> QComboBox:
    combo = QComboBox()
    combo.addItem("", None)
    for p in sorted(people, key=lambda p: p.name.casefold()):
        combo.addItem(p.name, p.id)
    if current is not None:
        combo.setCurrentIndex(max(0, combo.findData(current)))
    return combo


class RaiseActionDialog(GuardedDialog):
    """Raise an action: description, owner, due date; linked to a meeting and minute if given."""

    def __init__(
        self,
        workspace: Workspace,
        people: Sequence[PersonDTO],
        *,
        meeting_id: str | None = None,
        minute_id: str | None = None,
        context: str = "",
        raised_on: date | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.meeting_id, self.minute_id = meeting_id, minute_id
        self.raised_on = raised_on
        self.result_action: ActionDTO | None = None
        self.setWindowTitle(self.tr("Raise an action"))
        self.description = QPlainTextEdit()
        self.description.setTabChangesFocus(True)
        self.description.setFixedHeight(90)
        self.owner = people_combo(people)
        self.due = QDateEdit()
        self.due.setCalendarPopup(True)
        self.due.setDisplayFormat("dd MMM yyyy")
        start = raised_on or workspace.today()
        self.due.setDate(qdate(start).addDays(28))
        self.error = error_label()
        form = QFormLayout()
        if context:
            where = QLabel(context)
            where.setTextFormat(Qt.TextFormat.PlainText)
            form.addRow(self.tr("Raised at"), where)
        form.addRow(self.tr("Action"), self.description)
        form.addRow(self.tr("Owner"), self.owner)
        form.addRow(self.tr("Due"), self.due)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Raise action"))
        self.buttons.accepted.connect(self._on_ok)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.resize(fitted_size(QSize(480, 280), self))  # a laptop shows its buttons
        self.watch_for_unsaved()

    def unsaved_subject(self) -> str:
        return self.tr("the new action")

    @Slot()
    def _on_ok(self) -> None:
        description = self.description.toPlainText()
        owner_id = self.owner.currentData()
        due = pydate(self.due.date())
        raised_on = self.raised_on or (None if self.meeting_id else self.workspace.today())
        meeting_id, minute_id = self.meeting_id, self.minute_id

        def raise_it(uow: Uow) -> Result[ActionDTO]:
            return action_service.new_action(
                uow,
                description=description,
                owner_id=owner_id,
                due=due,
                raised_on=raised_on,
                meeting_id=meeting_id,
                minute_id=minute_id,
            )

        def raised(action: ActionDTO) -> None:
            self.result_action = action

        self.submit(raise_it, label=self.tr("Raise action"), on_done=raised)


class ReviseDueDialog(GuardedDialog):
    """A revised due date and the reason; the date agreed stays on the action."""

    def __init__(self, workspace: Workspace, action: ActionDTO, parent: QWidget | None = None):
        super().__init__(parent)
        self.workspace = workspace
        self.action = action
        self.setWindowTitle(self.tr("Revise the due date of %1").replace("%1", action.reference))
        agreed = QLabel(format_date(action.due_date) or self.tr("none"))
        self.due = QDateEdit()
        self.due.setCalendarPopup(True)
        self.due.setDisplayFormat("dd MMM yyyy")
        current = action_service.current_due(action) or workspace.today()
        self.due.setDate(qdate(current))
        self.reason = QLineEdit()
        self.reason.setPlaceholderText(self.tr("Why the date moves (required)"))
        self.error = error_label()
        form = QFormLayout()
        form.addRow(self.tr("Agreed due date"), agreed)
        if action.revised_due_date:
            form.addRow(self.tr("Revised to"), QLabel(format_date(action.revised_due_date)))
        form.addRow(self.tr("New due date"), self.due)
        form.addRow(self.tr("Reason"), self.reason)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self._on_ok)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.watch_for_unsaved()

    def unsaved_subject(self) -> str:
        return self.tr("the due date of %1").replace("%1", self.action.reference)

    @Slot()
    def _on_ok(self) -> None:
        change = action_service.ActionChange(due=pydate(self.due.date()), reason=self.reason.text())
        action_id, today = self.action.id, self.workspace.today()
        self.submit(
            lambda uow: action_service.update_action(uow, action_id, change, today=today),
            label=self.tr("Revise the due date of %1").replace("%1", self.action.reference),
        )


class UpdatesDialog(QDialog):
    """An action's history of updates: every note and status change with who and when."""

    def __init__(self, workspace: Workspace, action: ActionDTO, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("Updates of %1").replace("%1", action.reference))
        title = QLabel(action.description)
        title.setTextFormat(Qt.TextFormat.PlainText)
        title.setWordWrap(True)
        self.entries = QListWidget()
        for update in workspace.ctx.read(action_service.history, action.id):
            when = update.created_at.astimezone(LONDON) if update.created_at else None
            stamp = f"{when:%d %b %Y %H:%M}" if when else ""
            status = f" [{status_label(update.status)}]" if update.status else ""
            self.entries.addItem(f"{stamp} · {update.created_by or ''}{status}\n{update.note}")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(self.entries, 1)
        layout.addWidget(buttons)
        self.resize(fitted_size(QSize(560, 420), self))  # a laptop shows its buttons
