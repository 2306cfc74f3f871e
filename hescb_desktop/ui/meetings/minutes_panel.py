"""The minutes editor: one numbered minute per agenda item (77/26) with its summary of discussion,
RESOLVED lines (one decision per deciding body) and actions raised in place (straight into the
action log, linked to the meeting and the minute). The "Review of actions" minute lists every
open action carried forward and lets the meeting agree the closure of those proposed complete.
Approved minutes are read-only until re-opened with a reason."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QFrame,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from hescb_desktop.domain.dto import MeetingDTO, OrganisationDTO, PersonDTO
from hescb_desktop.domain.enums import ActionStatus, MinutesStatus
from hescb_desktop.domain.permissions import Kind, Operation
from hescb_desktop.services import actions as action_service
from hescb_desktop.services import meetings, minutes
from hescb_desktop.services.minutes import MinuteView
from hescb_desktop.services.operations import Uow
from hescb_desktop.services.results import Result
from hescb_desktop.ui.actions.action_dialogs import RaiseActionDialog, error_label
from hescb_desktop.ui.widgets.flow_layout import group
from hescb_desktop.ui.widgets.labels import format_date, status_label
from hescb_desktop.ui.widgets.permission import gate
from hescb_desktop.ui.widgets.tables import full_text_tips
from hescb_desktop.ui.workspace import Workspace

ID_ROLE = Qt.ItemDataRole.UserRole + 10


class _Column(QVBoxLayout):
    """The minute's editor column: in its scroll area it takes the room there is (its lists
    and text box shrink first) and scrolls only below its minimum; a wrapped label would
    otherwise have it take its preferred height (about 1,000 px) and always scroll."""

    def hasHeightForWidth(self) -> bool:
        return False


class MinutesPanel(QWidget):
    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.meeting: MeetingDTO | None = None
        self.views: list[MinuteView] = []
        self._shown: str | None = None  # the minute whose text the editor holds
        self.people: dict[str, PersonDTO] = {}
        self.orgs: list[OrganisationDTO] = []
        self._setup_ui()

    # ---------------------------------------------------------------- layout
    def _setup_ui(self) -> None:
        self.state = QLabel()
        self.state.setTextFormat(Qt.TextFormat.PlainText)
        self.state.setWordWrap(True)
        self.start_button = QPushButton(self.tr("Start the minutes"))
        self.start_button.setToolTip(self.tr("Give every agenda item its minute number"))
        self.start_button.clicked.connect(self._on_start_clicked)
        self.approve_button = QPushButton(self.tr("Approve at the next meeting"))
        self.approve_button.clicked.connect(self._on_approve_clicked)
        self.reopen_button = QPushButton(self.tr("Re-open…"))
        self.reopen_button.clicked.connect(self._on_reopen_clicked)
        top = QHBoxLayout()
        top.addWidget(self.state, 1)
        top.addWidget(group(self.start_button, self.approve_button, self.reopen_button))
        self.error = error_label()

        self.minute_list = QListWidget()
        self.minute_list.setWordWrap(True)  # a minute's title is read whole
        self.minute_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.minute_list.setMinimumWidth(160)
        self.minute_list.currentRowChanged.connect(self._on_minute_clicked)
        right = QWidget()
        col = _Column(right)
        col.setContentsMargins(0, 0, 0, 0)
        self.heading = QLabel()
        self.heading.setObjectName("dialogTitle")
        self.heading.setTextFormat(Qt.TextFormat.PlainText)
        self.heading.setWordWrap(True)
        self.summary = QPlainTextEdit()
        self.summary.setPlaceholderText(self.tr("Summary of discussion"))
        self.save_summary = QPushButton(self.tr("Save summary"))
        self.save_summary.clicked.connect(self._on_save_summary_clicked)
        self.decisions = QListWidget()
        self.decision_text = QLineEdit()
        self.decision_text.setPlaceholderText(self.tr("That the Board …"))
        self.decided_by_row = QHBoxLayout()  # the deciding bodies' codes: a short row
        self.decided_by: list[QCheckBox] = []
        self.add_decision = QPushButton(self.tr("Add RESOLVED"))
        self.add_decision.clicked.connect(self._on_add_decision_clicked)
        self.action_list = QListWidget()
        self.raise_button = QPushButton(self.tr("Raise action…"))
        self.raise_button.clicked.connect(self._on_raise_clicked)
        self.review_label = QLabel(self.tr("Open actions carried forward"))
        self.review_list = QListWidget()
        self.agree_button = QPushButton(self.tr("Agree closure"))
        self.agree_button.setToolTip(
            self.tr("The meeting agrees to close an action proposed complete")
        )
        self.agree_button.clicked.connect(self._on_agree_clicked)

        col.addWidget(self.heading)
        col.addWidget(self.summary, 2)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.save_summary)
        col.addLayout(row)
        col.addWidget(QLabel(self.tr("Decisions")))
        col.addWidget(self.decisions, 1)
        col.addWidget(self.decision_text)
        drow = QHBoxLayout()
        drow.addLayout(self.decided_by_row)
        drow.addStretch(1)
        drow.addWidget(self.add_decision)
        col.addLayout(drow)
        arow = QHBoxLayout()
        arow.addWidget(QLabel(self.tr("Actions")), 1)
        arow.addWidget(self.raise_button)
        col.addLayout(arow)
        col.addWidget(self.action_list, 1)
        col.addWidget(self.review_label)
        col.addWidget(self.review_list, 2)
        rrow = QHBoxLayout()
        rrow.addStretch(1)
        rrow.addWidget(self.agree_button)
        col.addLayout(rrow)

        for lst in (self.decisions, self.action_list, self.review_list):
            lst.setWordWrap(True)  # RESOLVED lines and actions are read whole
            lst.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        for lst in (self.minute_list, self.decisions, self.action_list, self.review_list):
            lst.setMinimumHeight(60)
            full_text_tips(lst)
        # the minute's editor scrolls on a short screen rather than making the window taller
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(right)
        split = QSplitter()
        split.setChildrenCollapsible(False)
        split.addWidget(self.minute_list)
        split.addWidget(scroll)
        split.setStretchFactor(1, 3)
        split.setSizes([260, 700])
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.error)
        layout.addWidget(split, 1)

    # ---------------------------------------------------------------- data
    def load(
        self,
        meeting: MeetingDTO,
        people: dict[str, PersonDTO],
        orgs: list[OrganisationDTO],
    ) -> None:
        self.meeting, self.people, self.orgs = meeting, people, orgs
        for box in self.decided_by:
            box.deleteLater()
        self.decided_by = []
        for org in orgs:
            box = QCheckBox(org.code)
            box.setProperty("org_id", org.id)
            self.decided_by_row.addWidget(box)
            self.decided_by.append(box)
        self.reload()

    def reload(self) -> None:
        if self.meeting is None:
            return
        ctx = self.workspace.ctx
        self.meeting = ctx.read(meetings.get_meeting, self.meeting.id)
        current = self.minute_list.currentRow()
        self.views = ctx.read(minutes.minutes_of, self.meeting.id)
        self.minute_list.blockSignals(True)
        self.minute_list.clear()
        for v in self.views:
            title = v.item.title if v.item else self.tr("(item removed)")
            item = QListWidgetItem(f"{v.minute.reference}  {title}")
            item.setData(ID_ROLE, v.minute.id)
            self.minute_list.addItem(item)
        self.minute_list.blockSignals(False)
        approved = bool(self.views) and all(
            v.minute.status is MinutesStatus.APPROVED for v in self.views
        )
        self.start_button.setVisible(not approved)
        self.start_button.setText(
            self.tr("Number new items") if self.views else self.tr("Start the minutes")
        )
        self.approve_button.setVisible(bool(self.views) and not approved)
        self.reopen_button.setVisible(approved)
        ws = self.workspace
        gate(self.start_button, ws.why_not(Operation.CREATE, Kind.MINUTE))
        for w in (self.approve_button, self.reopen_button):
            gate(w, ws.why_not(Operation.APPROVE, Kind.MINUTE))
        if not self.views:
            self.state.setText(self.tr("No minutes yet: start them to number every item."))
        elif approved:
            on = format_date(self.views[0].minute.approved_on)
            self.state.setText(
                self.tr("Approved on %1: read-only unless re-opened with a reason.").replace(
                    "%1", on
                )
            )
        else:
            reason = self.views[0].minute.reopen_reason
            text = self.tr("Draft – subject to approval at the next meeting.")
            if reason:
                text += " " + self.tr("Re-opened: %1").replace("%1", reason)
            self.state.setText(text)
        self.minute_list.setCurrentRow(min(max(current, 0), len(self.views) - 1))
        self._on_minute_changed(self.minute_list.currentRow())

    def current(self) -> MinuteView | None:
        row = self.minute_list.currentRow()
        return self.views[row] if 0 <= row < len(self.views) else None

    def select_minute(self, minute_id: str) -> None:
        for n, v in enumerate(self.views):
            if v.minute.id == minute_id:
                self.minute_list.setCurrentRow(n)

    @Slot(int)
    def _on_minute_clicked(self, row: int) -> None:
        """Another minute chosen: the summary typed in the one left is saved first."""
        shown = self._shown
        if shown is not None and self.summary.document().isModified():
            text = self.summary.toPlainText()
            self.summary.document().setModified(False)

            def refused(message: str) -> None:  # back to that minute, with what was typed
                self.show_error(message)
                self.select_minute(shown)
                self.summary.setPlainText(text)
                self.summary.document().setModified(True)

            self.workspace.runner.write(
                lambda uow: minutes.set_summary(uow, shown, text),
                label=self.tr("Edit the minute"),
                parent=self,
                on_refused=refused,
            )
        self._on_minute_changed(row)

    def _on_minute_changed(self, row: int) -> None:
        view = self.current()
        self._shown = view.minute.id if view is not None else None
        editable = view is not None and view.minute.status is not MinutesStatus.APPROVED
        for w in (
            self.summary,
            self.save_summary,
            self.decision_text,
            self.add_decision,
            self.raise_button,
            *self.decided_by,
        ):
            w.setEnabled(editable)
        ws = self.workspace
        why = ws.why_not(Operation.EDIT, Kind.MINUTE)
        for w in (self.save_summary, self.add_decision, self.decision_text, *self.decided_by):
            gate(w, why, enabled=editable)
        gate(self.raise_button, ws.why_not(Operation.CREATE, Kind.ACTION), enabled=editable)
        gate(self.agree_button, ws.why_not(Operation.EDIT, Kind.ACTION))
        self.summary.setReadOnly(not editable or bool(why))
        self.summary.setToolTip(why)
        self.decisions.clear()
        self.action_list.clear()
        self.review_list.clear()
        if view is None:
            self.heading.setText("")
            self.summary.setPlainText("")
            self._show_review(False)
            return
        title = view.item.title if view.item else ""
        self.heading.setText(f"{view.minute.reference}  {title}")
        self.summary.setPlainText(view.minute.summary)
        self.summary.document().setModified(False)
        codes = {o.id: o.code for o in self.orgs}
        for d in view.decisions:
            by = codes.get(d.decided_by_id or "", self.tr("Board"))
            self.decisions.addItem(f"{minutes.resolved_line(d.text)}  [{by}]")
        for a in view.actions:
            owner = self.people.get(a.owner_id or "")
            due = format_date(action_service.current_due(a))
            self.action_list.addItem(
                f"{a.reference}  ACTION: {owner.name if owner else ''} – {a.description} (by {due})"
            )
        review = view.item is not None and meetings.is_review_item(view.item.title)
        self._show_review(review)
        if review:
            self._fill_review()

    def _show_review(self, show: bool) -> None:
        for w in (self.review_label, self.review_list, self.agree_button):
            w.setVisible(show)

    def _fill_review(self) -> None:
        assert self.meeting is not None
        carried = self.workspace.ctx.read(action_service.open_actions_for_review, self.meeting.id)
        self.review_list.clear()
        for a in carried:
            owner = self.people.get(a.owner_id or "")
            item = QListWidgetItem(
                f"{a.reference}  {status_label(a.status)}  {owner.name if owner else ''}: "
                f"{a.description}  (due {format_date(action_service.current_due(a))})"
            )
            item.setData(ID_ROLE, a.id)
            self.review_list.addItem(item)

    def show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.setVisible(bool(text))

    def _run(
        self,
        fn: Callable[[Uow], Result[Any]],
        *,
        label: str,
        then: Callable[[], None] | None = None,
        refused_then: Callable[[], None] | None = None,
    ) -> None:
        """One operation (ui.operations): the minutes reload once, with their page, from the
        change set; a refusal shows above the minutes, and what was typed stays in its box."""

        def done(_value: object) -> None:
            self.show_error("")
            if then is not None:
                then()

        def refused(message: str) -> None:
            self.show_error(message)
            if refused_then is not None:
                refused_then()

        self.workspace.runner.write(fn, label=label, parent=self, on_done=done, on_refused=refused)

    # ---------------------------------------------------------------- slots
    @Slot()
    def _on_start_clicked(self) -> None:
        assert self.meeting is not None
        meeting_id = self.meeting.id
        self._run(
            lambda uow: minutes.start_minutes(uow, meeting_id), label=self.tr("Start the minutes")
        )

    @Slot()
    def _on_save_summary_clicked(self) -> None:
        view = self.current()
        if view is None:
            return
        text = self.summary.toPlainText()
        minute_id = view.minute.id
        document = self.summary.document()
        document.setModified(False)  # being saved: the reload that follows may show it
        self._run(
            lambda uow: minutes.set_summary(uow, minute_id, text),
            label=self.tr("Edit minute %1").replace("%1", view.minute.reference),
            refused_then=lambda: document.setModified(True),
        )

    @Slot()
    def _on_add_decision_clicked(self) -> None:
        view = self.current()
        if view is None:
            return
        bodies: list[str | None] = [b.property("org_id") for b in self.decided_by if b.isChecked()]
        text = self.decision_text.text()
        minute_id = view.minute.id
        self._run(
            lambda uow: minutes.add_decision(uow, minute_id, text, bodies or [None]),
            label=self.tr("Record a decision"),
            then=self.decision_text.clear,
        )

    @Slot()
    def _on_raise_clicked(self) -> None:
        view = self.current()
        if view is None or self.meeting is None:
            return
        self.raise_dialog(view).exec()  # raised: the page reloads the minutes, once

    def raise_dialog(self, view: MinuteView) -> RaiseActionDialog:
        assert self.meeting is not None
        title = view.item.title if view.item else ""
        return RaiseActionDialog(
            self.workspace,
            list(self.people.values()),
            meeting_id=self.meeting.id,
            minute_id=view.minute.id,
            context=f"{meetings.meeting_ref(self.meeting)}, minute {view.minute.reference} {title}",
            parent=self,
        )

    @Slot()
    def _on_approve_clicked(self) -> None:
        assert self.meeting is not None
        meeting_id = self.meeting.id
        nxt = self.workspace.ctx.read(meetings.next_meeting_after, meeting_id)
        if nxt is None:
            self.show_error(self.tr("Minutes are approved at the next meeting: plan it first."))
            return
        at = nxt.id
        self._run(
            lambda uow: minutes.approve_minutes(uow, meeting_id, at_meeting_id=at),
            label=self.tr("Approve the minutes"),
        )

    @Slot()
    def _on_reopen_clicked(self) -> None:
        assert self.meeting is not None
        reason = self.ask_reason()
        if reason is None:
            return
        meeting_id = self.meeting.id
        self._run(
            lambda uow: minutes.reopen_minutes(uow, meeting_id, reason),
            label=self.tr("Re-open the minutes"),
        )

    def ask_reason(self) -> str | None:
        text, ok = QInputDialog.getText(
            self, self.tr("Re-open approved minutes"), self.tr("Why are they re-opened?")
        )
        return text if ok else None

    @Slot()
    def _on_agree_clicked(self) -> None:
        item = self.review_list.currentItem()
        if item is None or self.meeting is None:
            return
        action_id = item.data(ID_ROLE)
        change = action_service.ActionChange(
            status=ActionStatus.CLOSED, at_meeting_id=self.meeting.id
        )
        today = self.workspace.today()
        self._run(
            lambda uow: action_service.update_action(uow, action_id, change, today=today),
            label=self.tr("Agree the closure of an action"),
        )
