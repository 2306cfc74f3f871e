"""The action log: every action with the DOMAIN.md columns, filters, inline status and update
editing (kept in each action's history), due-date revision with a reason, and exports (CSV for
Excel, .ics of due dates for Outlook).

The board closes an action, not its owner: choosing "Closed" asks which meeting agreed it, and an
action nobody proposed complete is refused (the message shows above the table; nothing changes).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
    Slot,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from hescb_desktop.domain.enums import ActionStatus
from hescb_desktop.domain.permissions import Kind, Operation
from hescb_desktop.services import actions as action_service
from hescb_desktop.services import crud, meetings
from hescb_desktop.services.action_log import (
    ActionLogEntry,
    LogChoices,
    LogCounts,
    action_log,
    log_view,
    to_csv,
    to_ics,
)
from hescb_desktop.services.entities import ACTIONS, PEOPLE
from hescb_desktop.services.restrict import why_not_restrict
from hescb_desktop.ui.actions.action_detail import ActionDetail
from hescb_desktop.ui.actions.action_dialogs import (
    RaiseActionDialog,
    ReviseDueDialog,
    UpdatesDialog,
    error_label,
)
from hescb_desktop.ui.actions.action_filter import OPEN_STATUSES, ActionFilter, ActionFilterProxy
from hescb_desktop.ui.actions.action_table_model import (
    COL_COMPLETED,
    COL_DESCRIPTION,
    COL_DUE,
    COL_MEETING,
    COL_ORGANISATION,
    COL_OWNER,
    COL_RAISED,
    COL_REFERENCE,
    COL_REVISED,
    COL_STATUS,
    COL_UPDATE,
    ActionTableModel,
    haystack_of,
    status_labels,
)
from hescb_desktop.ui.sync.history_dialog import install_history
from hescb_desktop.ui.widgets.card import Card
from hescb_desktop.ui.widgets.empty_state import EmptyState
from hescb_desktop.ui.widgets.flow_layout import flow_row, group
from hescb_desktop.ui.widgets.labels import counted, status_label
from hescb_desktop.ui.widgets.page import Page, shown
from hescb_desktop.ui.widgets.permission import gate, sentence
from hescb_desktop.ui.widgets.row_model import ROW_ROLE
from hescb_desktop.ui.widgets.tables import ColumnLayout, make_table, view_state
from hescb_desktop.ui.widgets.worker import Task, gc_paused
from hescb_desktop.ui.workspace import Workspace


class StatusDelegate(QStyledItemDelegate):
    """A drop-down of the statuses for the Status column."""

    def createEditor(
        self,
        parent: QWidget,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> QWidget:
        combo = QComboBox(parent)
        for status in ActionStatus:
            combo.addItem(status_label(status), status.value)
        return combo

    def setEditorData(self, editor: QWidget, index: QModelIndex | QPersistentModelIndex) -> None:
        assert isinstance(editor, QComboBox)
        editor.setCurrentIndex(max(0, editor.findData(index.data(Qt.ItemDataRole.EditRole))))

    def setModelData(
        self,
        editor: QWidget,
        model: QAbstractItemModel,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        assert isinstance(editor, QComboBox)
        model.setData(index, editor.currentData(), Qt.ItemDataRole.EditRole)


class ActionsPage(Page):
    shows = shown(Kind.ACTION, Kind.ACTION_UPDATE, Kind.DIRECTORY, Kind.MEETING, Kind.MINUTE)
    closed_loaded = Signal()  # the closed actions, read in the background, are shown

    def __init__(self, workspace: Workspace) -> None:
        super().__init__(
            workspace,
            self.tr("Actions"),
            self.tr(
                "The board's action log: who owes what, by when. Owners propose completion; "
                "the meeting agrees closure."
            ),
        )
        self.model = ActionTableModel(self)
        self.model.commit = self._commit_edit
        self.model.editable = self.may_progress
        self._totals = LogCounts(0, 0, 0)
        self._with_closed = False
        self._loading: Task | None = None  # the closed actions being read
        self._generation = 0  # a refresh makes a load still running out of date
        self.proxy = ActionFilterProxy(self)
        self.proxy.setSourceModel(self.model)
        self._setup_ui()
        self.refresh()

    # ---------------------------------------------------------------- layout
    def _setup_ui(self) -> None:
        self.search = QLineEdit()
        self.search.setPlaceholderText(self.tr("Filter by reference, text, owner or status…"))
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._on_filters_changed)
        self.status_filter = QComboBox()
        self.status_filter.addItem(self.tr("All statuses"), "")
        self.status_filter.addItem(self.tr("Open (not closed)"), OPEN_STATUSES)
        for status in ActionStatus:
            self.status_filter.addItem(status_label(status), status.value)
        self.owner_filter = QComboBox()
        self.org_filter = QComboBox()
        self.meeting_filter = QComboBox()
        self.meeting_filter.setMinimumContentsLength(16)
        self.meeting_filter.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.due_week = QCheckBox(self.tr("Due this week"))
        self.overdue = QCheckBox(self.tr("Overdue"))
        self.mine = QCheckBox(self.tr("My actions"))
        self.open_only = self.status_filter  # the old "open only" switch is a status choice now
        for combo in (self.status_filter, self.owner_filter, self.org_filter, self.meeting_filter):
            combo.currentIndexChanged.connect(self._on_filters_changed)
        for box in (self.due_week, self.overdue, self.mine):
            box.toggled.connect(self._on_filters_changed)
        self.count_label = QLabel()
        self.count_label.setObjectName("cardNote")

        self.search.setMinimumWidth(260)
        self.new_button = QPushButton(self.tr("New action…"))
        self.new_button.clicked.connect(self._on_new_clicked)
        self.updates_button = QPushButton(self.tr("Updates…"))
        self.updates_button.setToolTip(self.tr("Every update of the action, with who and when"))
        self.updates_button.clicked.connect(self._on_updates_clicked)
        self.revise_button = QPushButton(self.tr("Revise due date…"))
        self.revise_button.clicked.connect(self._on_revise_clicked)
        self.restrict_button = QPushButton(self.tr("Restrict…"))
        self.restrict_button.setToolTip(
            self.tr("Make the action readable only by the people you choose")
        )
        self.restrict_button.clicked.connect(self._on_restrict_clicked)
        self.csv_button = QPushButton(self.tr("Export CSV…"))
        self.csv_button.setToolTip(self.tr("The rows shown, for Excel"))
        self.csv_button.clicked.connect(self._on_export_csv_clicked)
        self.ics_button = QPushButton(self.tr("Export due dates (.ics)…"))
        self.ics_button.setToolTip(self.tr("Open actions' due dates for Outlook"))
        self.ics_button.clicked.connect(self._on_export_ics_clicked)
        card = Card(self.tr("Action log"))
        self.error = error_label()
        card.body.addWidget(self.error)

        self.table = make_table(self.proxy, stretch=COL_DESCRIPTION, sortable=True)
        # descriptions and updates wrap in rows of three lines (a fixed height: no row is
        # measured, so 50,000 rows cost nothing more); the pane under the table shows the
        # selected action in full, and a cut cell's tooltip its whole text
        self.table.setWordWrap(True)
        self.table.verticalHeader().setDefaultSectionSize(
            3 * self.table.fontMetrics().lineSpacing() + 10
        )
        self.table.setEditTriggers(
            QAbstractItemView.EditTrigger.SelectedClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
        )
        self.table.setItemDelegateForColumn(COL_STATUS, StatusDelegate(self.table))
        header = self.table.horizontalHeader()
        # set widths (Interactive): sizing to contents would re-measure rows on every
        # keystroke's reset. The action and its latest update share the spare width until
        # the user drags a column; what the user sets (widths, columns shown) is kept. The
        # dates and the meeting, which the pane shows, are hidden at first (the header's
        # menu shows them).
        self.columns = ColumnLayout(
            self.table,
            view_state(self.workspace.data_dir),
            "actions/columns",
            widths={
                COL_REFERENCE: 120,
                COL_RAISED: 95,
                COL_MEETING: 130,
                COL_OWNER: 120,
                COL_ORGANISATION: 95,
                COL_DUE: 110,
                COL_REVISED: 100,
                COL_STATUS: 140,
                COL_COMPLETED: 100,
            },
            flexible=(COL_DESCRIPTION, COL_UPDATE),
            hidden=(COL_RAISED, COL_MEETING, COL_REVISED, COL_COMPLETED),
        )
        header.setSortIndicator(-1, Qt.SortOrder.DescendingOrder)  # newest raised first
        self.history_action = install_history(
            self.table, self.workspace, "actions", double_click=True
        )
        self.history_button = QPushButton(self.history_action.text())
        self.history_button.setToolTip(self.history_action.toolTip())
        self.history_button.clicked.connect(self.history_action.trigger)
        self.table.selectionModel().selectionChanged.connect(self._on_selection_changed)
        self.proxy.modelReset.connect(self._on_selection_changed)
        self.proxy.layoutChanged.connect(self._on_selection_changed)
        # filters, then the checks and buttons: rows that fold on a narrow window
        filters, _ = flow_row(
            self.search, self.status_filter, self.owner_filter, self.org_filter, self.meeting_filter
        )
        buttons, _ = flow_row(
            group(self.due_week, self.overdue, self.mine),
            None,
            group(
                self.new_button,
                self.updates_button,
                self.revise_button,
                self.restrict_button,
                self.history_button,
            ),
            group(self.csv_button, self.ics_button),
        )
        card.body.insertWidget(0, filters)
        card.body.insertWidget(1, buttons)
        self.view = EmptyState(self.table)
        self.view.set_message(self.tr("No actions match."))
        self.detail = ActionDetail()
        self.split = QSplitter(Qt.Orientation.Vertical)
        self.split.setChildrenCollapsible(False)
        self.split.addWidget(self.view)
        self.split.addWidget(self.detail)
        self.split.setStretchFactor(0, 4)
        self.split.setStretchFactor(1, 1)
        card.body.addWidget(self.split, 1)
        self.card = card
        self.content.addWidget(card, 1)
        self.status_filter.setCurrentIndex(1)  # open actions first
        self._on_selection_changed()

    # ---------------------------------------------------------------- data
    def refresh(self) -> None:
        """Load the log. Closed actions (most of a long-running board's log) are read only when
        the status filter asks for them, and then off the GUI thread (`_load_closed`): the page
        shows the open ones at once and adds the closed ones when they have been read."""
        ctx = self.workspace.ctx
        today = self.workspace.today()
        self.model.today = self.proxy.today = today
        self._generation += 1
        self._with_closed = False
        self._loading = None
        view = ctx.read(log_view)  # the page's one read model: one unit of work
        rows = view.rows
        # the counts: the total from the database, the rest from the rows (an open or overdue
        # action is never a closed one, so the rows loaded always hold them all)
        self._totals = LogCounts(
            view.total,
            sum(1 for r in rows if r.open),
            sum(1 for r in rows if r.overdue(today)),
        )
        self.model.set_rows(rows)
        self._fill_filter_choices(view.choices)
        if self._needs_closed():
            self._load_closed()
        self._apply_filter()
        # the text filter's lower-cased rows, built once the page has painted (not on the
        # first keystroke); built at once if the user types sooner
        QTimer.singleShot(0, self.model.haystacks)

    def _needs_closed(self) -> bool:
        return (self.status_filter.currentData() or "") in ("", ActionStatus.CLOSED.value)

    @property
    def loading_closed(self) -> bool:
        return self._loading is not None

    def _load_closed(self) -> None:
        """Read the closed actions and their search texts on the thread pool (about 35,000 on
        a long-running board: a second of SQL and Python that froze the window)."""
        if self._loading is not None:
            return
        ctx, generation, labels = self.workspace.ctx, self._generation, status_labels()

        def work(_progress: object) -> tuple[int, list[ActionLogEntry], dict[str, str]]:
            with gc_paused():
                rows = ctx.read(action_log, closed_only=True)
                return generation, rows, {r.id: haystack_of(r, labels) for r in rows}

        self._loading = Task(work)
        self._loading.signals.succeeded.connect(self._on_closed_read)
        self._loading.signals.failed.connect(self._on_closed_failed)
        self._loading.start()

    @Slot(object)
    def _on_closed_read(self, result: tuple[int, list[ActionLogEntry], dict[str, str]]) -> None:
        generation, rows, hays = result
        if generation != self._generation:
            return  # a refresh since: it reads them again if still wanted
        self._loading = None
        self._with_closed = True
        self.model.add_rows(rows, hays)  # closed actions change neither open nor overdue counts
        self._apply_filter()
        self.closed_loaded.emit()

    @Slot(str)
    def _on_closed_failed(self, message: str) -> None:
        self._loading = None
        self.show_error(self.tr("Could not read the closed actions: %1").replace("%1", message))
        self._update_count()

    def _fill_filter_choices(self, choices: LogChoices) -> None:
        self._refill(self.owner_filter, self.tr("All owners"), [(o, o) for o in choices.owners])
        self._refill(
            self.org_filter, self.tr("All organisations"), [(o, o) for o in choices.organisations]
        )
        self._refill(
            self.meeting_filter, self.tr("All meetings"), [(v, k) for k, v in choices.meetings]
        )

    @staticmethod
    def _refill(combo: QComboBox, everything: str, items: list[tuple[str, str]]) -> None:
        current = combo.currentData()
        combo.blockSignals(True)
        combo.clear()
        combo.addItem(everything, "")
        for text, data in items:
            combo.addItem(text, data)
        combo.setCurrentIndex(max(0, combo.findData(current)))
        combo.blockSignals(False)

    def _current_filter(self) -> ActionFilter:
        return ActionFilter(
            text=self.search.text(),
            status=self.status_filter.currentData() or "",
            owner=self.owner_filter.currentData() or "",
            organisation=self.org_filter.currentData() or "",
            meeting_id=self.meeting_filter.currentData() or "",
            due_this_week=self.due_week.isChecked(),
            overdue=self.overdue.isChecked(),
            mine=(self.workspace.me or "\x00") if self.mine.isChecked() else "",
        )

    def _update_count(self) -> None:
        total, open_rows, overdue = self._totals.total, self._totals.open, self._totals.overdue
        self.card.set_note(
            self.tr("%1 · %2 open · %3 overdue · %4 shown")
            .replace("%1", counted(total, self.tr("%n action"), self.tr("%n actions")))
            .replace("%2", str(open_rows))
            .replace("%3", str(overdue))
            .replace("%4", str(self.proxy.rowCount()))
            + (self.tr(" · reading the closed actions…") if self.loading_closed else "")
        )

    def _apply_filter(self) -> None:
        """Filter, keeping the selected action selected while it is still shown."""
        chosen = self.selected()
        self.proxy.set_filter(self._current_filter())
        if chosen is not None:
            for n, row in enumerate(self.model.rows_shown()):
                if row.id == chosen.id:
                    self.table.selectRow(self.proxy.mapFromSource(self.model.index(n, 0)).row())
                    break
        self._update_count()

    def selected(self) -> ActionLogEntry | None:
        rows = self.table.selectionModel().selectedRows()
        return rows[0].data(ROW_ROLE) if rows else None

    # ---------------------------------------------------------------- editing
    def _commit_edit(self, row: ActionLogEntry, column: int, value: Any) -> bool:
        """An inline edit of Status or Latest update, through the action rules."""
        change = action_service.ActionChange()
        if column == COL_STATUS:
            status = ActionStatus(str(value))
            if status is row.status:
                return False
            meeting_id = None
            # closing (or re-opening a closed action) is agreed at a meeting: ask which one
            # when the rules would allow it; otherwise the service's refusal is shown
            closing = status is ActionStatus.CLOSED and row.status is ActionStatus.COMPLETE
            if closing or row.status is ActionStatus.CLOSED:
                meeting_id = self.ask_meeting(row)
                if meeting_id is None:
                    return False
            change = replace(change, status=status, at_meeting_id=meeting_id)
        elif column == COL_UPDATE:
            change = replace(change, note=str(value))
        action_id, today = row.id, self.workspace.today()
        typed = str(value) if column == COL_UPDATE else ""

        def refused(message: str) -> None:
            kept = self.tr(" Your update, not saved: “%1”").replace("%1", typed) if typed else ""
            self.show_error(message + kept)

        self.show_error("")
        self.workspace.runner.write(
            lambda uow: action_service.update_action(uow, action_id, change, today=today),
            label=self.tr("Update %1").replace("%1", row.reference),
            parent=self,
            on_refused=refused,
        )
        return True

    def ask_meeting(self, row: ActionLogEntry) -> str | None:
        """Which meeting agreed the closure (None: cancelled)."""
        choices = list(reversed(self.workspace.ctx.read(meetings.list_meetings)))
        if not choices:
            self.show_error(self.tr("Closure is agreed at a meeting, and there are no meetings."))
            return None
        labels = [
            f"{m.body} {m.start_utc.astimezone(meetings.LONDON):%d %b %Y} — {m.title}"
            for m in choices
        ]
        text, ok = QInputDialog.getItem(
            self,
            self.tr("Closure of %1").replace("%1", row.reference),
            self.tr("Which meeting agreed the closure?"),
            labels,
            0,
            False,
        )
        return choices[labels.index(text)].id if ok else None

    def show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.setVisible(bool(text))

    # ---------------------------------------------------------------- slots
    @Slot()
    def _on_filters_changed(self) -> None:
        if self._needs_closed() and not self._with_closed:
            self._load_closed()  # wanted now: read in the background, shown when read
        self._apply_filter()

    @Slot()
    def _on_selection_changed(self) -> None:
        has = self.table.selectionModel().hasSelection()
        self.history_button.setEnabled(has)
        self.updates_button.setEnabled(has)
        row = self.selected()
        why = self._why_not_progress(row) if row is not None else ""
        gate(self.revise_button, why, enabled=has)
        owners = {o for o in (row.owner_id,) if o} if row is not None else set()
        restrict = why_not_restrict(self.workspace.identity, "action", owners)
        gate(self.restrict_button, sentence(restrict) if restrict else "", enabled=has)
        gate(self.new_button, self.workspace.why_not(Operation.CREATE, Kind.ACTION))
        self.detail.show_action(row)

    def _why_not_progress(self, row: ActionLogEntry) -> str:
        """Why this person may not record progress on `row` ("" when they may)."""
        return self.workspace.why_not(Operation.PROGRESS, Kind.ACTION, row.owner_id)

    def may_progress(self, row: ActionLogEntry) -> bool:
        """Status and latest update are edited in the table only where the rules allow."""
        return not self._why_not_progress(row)

    @Slot()
    def _on_new_clicked(self) -> None:
        people = self.workspace.ctx.read(crud.list_all, PEOPLE)
        RaiseActionDialog(self.workspace, people, parent=self).exec()

    def updates_dialog(self) -> UpdatesDialog | None:
        row = self.selected()
        if row is None:
            return None
        action = self.workspace.ctx.read(crud.get, ACTIONS, row.id)
        return UpdatesDialog(self.workspace, action, self)

    @Slot()
    def _on_updates_clicked(self) -> None:
        dialog = self.updates_dialog()
        if dialog is not None:
            dialog.exec()

    @Slot()
    def _on_revise_clicked(self) -> None:
        row = self.selected()
        if row is None:
            return
        action = self.workspace.ctx.read(crud.get, ACTIONS, row.id)
        ReviseDueDialog(self.workspace, action, self).exec()

    @Slot()
    def _on_restrict_clicked(self) -> None:
        row = self.selected()
        if row is None:
            return
        from hescb_desktop.ui.widgets.restrict_dialog import restrict_record

        restrict_record(self.workspace, row.id, self, default_people=[row.owner_id or ""])

    def visible_rows(self) -> list[ActionLogEntry]:
        return [self.proxy.index(r, 0).data(ROW_ROLE) for r in range(self.proxy.rowCount())]

    @Slot()
    def _on_export_csv_clicked(self) -> None:
        path = self.ask_save_path(self.tr("Export the action log"), "action-log.csv", "CSV (*.csv)")
        if path is not None:
            self.export_csv(path)

    @Slot()
    def _on_export_ics_clicked(self) -> None:
        path = self.ask_save_path(
            self.tr("Export action due dates"), "action-due-dates.ics", "iCalendar (*.ics)"
        )
        if path is not None:
            self.export_ics(path)

    def ask_save_path(self, title: str, name: str, pattern: str) -> Path | None:
        chosen, _ = QFileDialog.getSaveFileName(self, title, name, pattern)
        return Path(chosen) if chosen else None

    def export_csv(self, path: Path) -> None:
        self._write(path, to_csv(self.visible_rows()))

    def export_ics(self, path: Path) -> None:
        self._write(path, to_ics(self.visible_rows()))

    def _write(self, path: Path, data: bytes) -> None:
        try:
            path.write_bytes(data)
        except OSError as exc:
            self.show_error(
                self.tr("Could not write %1: %2")
                .replace("%1", str(path))
                .replace("%2", exc.strerror or str(exc))
            )
            return
        self.show_error("")
        self.count_label.setText(self.tr("Saved %1").replace("%1", str(path)))


__all__ = ["COL_UPDATE", "ActionsPage"]
