"""One meeting: its agenda builder (drag and drop, start times), attendance and declarations of
interest, and the minutes editor. Every change goes through the meeting services."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from PySide6.QtCore import QItemSelectionModel, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from hescb_desktop.domain import labels
from hescb_desktop.domain.dto import MeetingDTO, PersonDTO
from hescb_desktop.domain.enums import AttendanceRole, MeetingStatus, Part, Purpose
from hescb_desktop.domain.exemptions import (
    MAX_PUBLIC_TITLE,
    MAX_REASON,
    SCHEDULE_12A,
    paragraph_label,
)
from hescb_desktop.domain.permissions import Kind, Operation
from hescb_desktop.services import crud, meetings
from hescb_desktop.services.entities import OBJECTIVES, ORGANISATIONS, PAPERS, PEOPLE
from hescb_desktop.services.operations import Uow
from hescb_desktop.services.results import Result
from hescb_desktop.ui.actions.action_dialogs import error_label, people_combo
from hescb_desktop.ui.meetings.agenda_model import COL_TITLE, AgendaModel, AgendaRow
from hescb_desktop.ui.meetings.minutes_panel import ID_ROLE, MinutesPanel
from hescb_desktop.ui.widgets.flow_layout import flow_row, group
from hescb_desktop.ui.widgets.labels import (
    counted,
    format_meeting_date,
    meeting_status_label,
    part_label,
    purpose_label,
)
from hescb_desktop.ui.widgets.permission import gate
from hescb_desktop.ui.widgets.tables import make_table
from hescb_desktop.ui.widgets.unsaved import settle_unsaved
from hescb_desktop.ui.workspace import Workspace

ROLE_CHOICES: tuple[tuple[str, AttendanceRole | None], ...] = (
    ("—", None),
    *((labels.ATTENDANCE_ROLE[role], role) for role in AttendanceRole),
)


def _side_by_side(first: QWidget, second: QWidget) -> QWidget:
    """Two fields on one form row, the line edit taking the spare width."""
    holder = QWidget()
    row = QHBoxLayout(holder)
    row.setContentsMargins(0, 0, 0, 0)
    for widget in (first, second):
        row.addWidget(widget, 1 if isinstance(widget, QLineEdit) else 0)
    return holder


class MeetingEditor(QWidget):
    back_requested = Signal()
    details_requested = Signal(str)
    print_requested = Signal(str, object)  # meeting id, Part
    agenda_print_requested = Signal(str)  # meeting id

    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.meeting: MeetingDTO | None = None
        self.people: dict[str, PersonDTO] = {}
        self.agenda_model = AgendaModel(self)
        self.agenda_model.move = self._move_item
        self._item_shown: str | None = None  # the agenda item whose values the form holds
        self.attendance_people: list[str] = []  # who the attendance table lists
        self._setup_ui()

    # ---------------------------------------------------------------- layout
    def _setup_ui(self) -> None:
        self.back_button = QPushButton(self.tr("← All meetings"))
        self.back_button.clicked.connect(self.back_requested)
        self.title = QLabel()
        self.title.setObjectName("dialogTitle")
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        self.title.setWordWrap(True)
        self.details_button = QPushButton(self.tr("Details…"))
        self.details_button.clicked.connect(self._on_details_clicked)
        self.next_status = QPushButton()
        self.next_status.clicked.connect(self._on_next_status_clicked)
        self.print_button = QToolButton()
        self.print_button.setText(self.tr("Print minutes…"))
        self.print_button.setToolTip(self.tr("Preview, print or save these minutes"))
        self.print_button.setPopupMode(QToolButton.ToolButtonPopupMode.MenuButtonPopup)
        self.print_button.clicked.connect(lambda: self._on_print(Part.PART_I))
        menu = QMenu(self.print_button)
        self.print_part1 = menu.addAction(self.tr("Part I minutes…"))
        self.print_part1.triggered.connect(lambda: self._on_print(Part.PART_I))
        self.print_part2 = menu.addAction(self.tr("Part II (restricted) minutes…"))
        self.print_part2.triggered.connect(lambda: self._on_print(Part.PART_II))
        self.print_agenda = menu.addAction(self.tr("Agenda with start times…"))
        self.print_agenda.triggered.connect(self._on_print_agenda)
        menu.addSeparator()
        self.print_public = menu.addAction(self.tr("Public edition (PDF and HTML)…"))
        self.print_public.triggered.connect(self._on_public_edition)
        self.print_button.setMenu(menu)
        # the buttons in a row that folds; the meeting's title under them, wrapped
        top, _ = flow_row(
            self.back_button,
            None,
            group(self.next_status, self.print_button, self.details_button),
        )
        self.error = error_label()
        self.tabs = QTabWidget()
        self.tabs.addTab(self._agenda_tab(), self.tr("Agenda"))
        self.tabs.addTab(self._attendance_tab(), self.tr("Attendance and declarations"))
        self.minutes = MinutesPanel(self.workspace)
        self.tabs.addTab(self.minutes, self.tr("Minutes"))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(top)
        layout.addWidget(self.title)
        layout.addWidget(self.error)
        layout.addWidget(self.tabs, 1)

    def _agenda_tab(self) -> QWidget:
        tab = QWidget()
        self.agenda_table = make_table(self.agenda_model, stretch=COL_TITLE)
        view = self.agenda_table
        view.setDragEnabled(True)
        view.setAcceptDrops(True)
        view.setDropIndicatorShown(True)
        view.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)
        view.setDefaultDropAction(Qt.DropAction.MoveAction)
        view.selectionModel().currentRowChanged.connect(self._on_item_selected)
        self.item_title = QLineEdit()
        self.item_purpose = QComboBox()
        for p in Purpose:
            self.item_purpose.addItem(purpose_label(p), p.value)
        self.item_part = QComboBox()
        for part in Part:
            self.item_part.addItem(part_label(part), part.value)
        self.item_minutes = QSpinBox()
        self.item_minutes.setRange(0, 600)
        self.item_minutes.setSuffix(" min")
        self.item_presenter = QComboBox()
        self.item_paper = QComboBox()
        self.item_objective = QComboBox()
        # a Part II item: what the public edition prints instead of it (issue 16)
        self.item_public_title = QLineEdit()
        self.item_public_title.setMaxLength(MAX_PUBLIC_TITLE)
        self.item_public_title.setPlaceholderText(self.tr("e.g. Part II item 7: staffing matter"))
        self.item_exempt_paragraph = QComboBox()
        self.item_exempt_paragraph.addItem(self.tr("No paragraph"), None)
        for number in SCHEDULE_12A:
            self.item_exempt_paragraph.addItem(
                self.tr("Schedule 12A, para %1").replace("%1", str(number)), number
            )
            self.item_exempt_paragraph.setItemData(
                self.item_exempt_paragraph.count() - 1,
                paragraph_label(number),
                Qt.ItemDataRole.ToolTipRole,
            )
        self.item_exempt_paragraph.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.item_exempt_paragraph.setMinimumContentsLength(16)
        self.item_exempt_reason = QLineEdit()
        self.item_exempt_reason.setMaxLength(MAX_REASON)
        self.item_exempt_reason.setPlaceholderText(
            self.tr("The reason recorded (a police item's, or the public interest test)")
        )
        for combo in (
            self.item_purpose,
            self.item_part,
            self.item_presenter,
            self.item_paper,
            self.item_objective,
        ):  # long titles do not widen the page: the combo's list shows them whole
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
            combo.setMinimumContentsLength(18)
        form = QFormLayout()
        form.addRow(self.tr("Item"), self.item_title)
        row, _ = flow_row(self.item_purpose, self.item_part, self.item_minutes)
        form.addRow(self.tr("Purpose, Part, time"), row)
        form.addRow(self.tr("Presenter"), self.item_presenter)
        form.addRow(self.tr("Paper"), self.item_paper)
        form.addRow(self.tr("Objective"), self.item_objective)
        self.item_restrict = QPushButton(self.tr("Restrict to readers…"))
        self.item_restrict.setToolTip(
            self.tr(
                "Only the readers' PCs receive the item's text: by default the meeting's"
                " members and the secretariat"
            )
        )
        self.item_restrict.clicked.connect(self._on_restrict_item_clicked)
        self.exempt_rows = (
            (self.tr("Public title"), _side_by_side(self.item_public_title, self.item_restrict)),
            (
                self.tr("Exempt under"),
                _side_by_side(self.item_exempt_paragraph, self.item_exempt_reason),
            ),
        )
        for label, widget in self.exempt_rows:
            form.addRow(label, widget)
        self.item_form = form
        self.item_part.currentIndexChanged.connect(self._show_exempt_rows)
        self._show_exempt_rows()
        self.save_item = QPushButton(self.tr("Save item"))
        self.save_item.clicked.connect(self._on_save_item_clicked)
        self.add_item = QPushButton(self.tr("Add as new item"))
        self.add_item.clicked.connect(self._on_add_item_clicked)
        self.remove_item = QPushButton(self.tr("Remove item"))
        self.remove_item.clicked.connect(self._on_remove_item_clicked)
        self.up_button = QPushButton(self.tr("Move up"))
        self.up_button.clicked.connect(lambda: self._shift(-1))
        self.down_button = QPushButton(self.tr("Move down"))
        self.down_button.clicked.connect(lambda: self._shift(1))
        buttons, _ = flow_row(
            group(self.up_button, self.down_button),
            None,
            group(self.remove_item, self.add_item, self.save_item),
        )
        self.agenda_note = QLabel()
        self.agenda_note.setObjectName("cardNote")
        self.agenda_note.setWordWrap(True)
        layout = QVBoxLayout(tab)
        layout.addWidget(self.agenda_note)
        layout.addWidget(view, 3)
        layout.addLayout(form)
        layout.addWidget(buttons)
        return tab

    def _attendance_tab(self) -> QWidget:
        tab = QWidget()
        self.attendance = QTableWidget(0, 3)
        self.attendance.setHorizontalHeaderLabels(
            [self.tr("Person"), self.tr("Organisation"), self.tr("Attendance")]
        )
        self.attendance.verticalHeader().hide()
        att_header = self.attendance.horizontalHeader()
        att_header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        att_header.setSectionResizeMode(2, QHeaderView.ResizeMode.Fixed)
        att_header.resizeSection(2, 200)
        self.attendance.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.declarations = QListWidget()
        self.decl_person = QComboBox()
        self.decl_person.setMinimumWidth(180)
        self.decl_item = QComboBox()
        for combo in (self.decl_person, self.decl_item):
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
            combo.setMinimumContentsLength(16)
        self.decl_text = QLineEdit()
        self.decl_text.setPlaceholderText(self.tr("The interest declared"))
        self.decl_add = QPushButton(self.tr("Add declaration"))
        self.decl_add.clicked.connect(self._on_add_declaration_clicked)
        self.decl_remove = QPushButton(self.tr("Withdraw"))
        self.decl_remove.clicked.connect(self._on_remove_declaration_clicked)
        self.decl_text.setMinimumWidth(220)
        row, _ = flow_row(
            self.decl_person, self.decl_item, self.decl_text, group(self.decl_add, self.decl_remove)
        )
        self.all_present_button = QPushButton(self.tr("All present"))
        self.all_present_button.setToolTip(
            self.tr("Mark every member listed and not yet recorded as present")
        )
        self.all_present_button.clicked.connect(self._on_all_present_clicked)
        self.everyone_box = QCheckBox(self.tr("Show everyone, not just the members"))
        self.everyone_box.toggled.connect(
            lambda _on: self._reload_attendance() if self.meeting is not None else None
        )
        top = QHBoxLayout()
        top.addWidget(QLabel(self.tr("Present, in attendance and apologies")), 1)
        top.addWidget(self.everyone_box)
        top.addWidget(self.all_present_button)
        layout = QVBoxLayout(tab)
        layout.addLayout(top)
        layout.addWidget(self.attendance, 2)
        layout.addWidget(QLabel(self.tr("Declarations of interest")))
        layout.addWidget(self.declarations, 1)
        layout.addWidget(row)
        return tab

    # ---------------------------------------------------------------- data
    def open_meeting(self, meeting_id: str) -> None:
        self._item_shown = None
        read = self.workspace.ctx.read
        self.meeting = read(meetings.get_meeting, meeting_id)
        self.people = {p.id: p for p in read(crud.list_all, PEOPLE)}
        orgs = sorted(read(crud.list_all, ORGANISATIONS), key=lambda o: o.code)
        self._fill_choices()
        self.reload()
        self.minutes.load(self.meeting, self.people, orgs)

    def _fill_choices(self) -> None:
        read = self.workspace.ctx.read
        people = list(self.people.values())
        for combo in (self.item_presenter, self.decl_person):
            fresh = people_combo(people)
            combo.clear()
            for n in range(fresh.count()):
                combo.addItem(fresh.itemText(n), fresh.itemData(n))
        self.item_paper.clear()
        self.item_paper.addItem("", None)
        for paper in sorted(read(crud.list_all, PAPERS), key=lambda p: p.reference):
            self.item_paper.addItem(f"{paper.reference} {paper.title}", paper.id)
        self.item_objective.clear()
        self.item_objective.addItem("", None)
        for obj in sorted(read(crud.list_all, OBJECTIVES), key=lambda o: o.title):
            self.item_objective.addItem(obj.title, obj.id)

    def reload(self) -> None:
        if self.meeting is None:
            return
        read = self.workspace.ctx.read
        self.meeting = m = read(meetings.get_meeting, self.meeting.id)
        self.title.setText(
            f"{m.body}: {m.title} — {format_meeting_date(m.start_utc.astimezone(meetings.LONDON))}"
            f" · {meeting_status_label(m.status)}"
        )
        nxt = self._next_status(m.status)
        self.next_status.setVisible(nxt is not None)
        if nxt is not None:
            self.next_status.setText(self.tr("Mark: %1").replace("%1", meeting_status_label(nxt)))
        self._reload_agenda()
        self._reload_attendance()
        self._lock(m.status is MeetingStatus.MINUTES_APPROVED)

    def _lock(self, locked: bool) -> None:
        """Approved minutes: the agenda, attendance and declarations are read-only too."""
        for w in (
            self.save_item,
            self.add_item,
            self.remove_item,
            self.up_button,
            self.down_button,
            self.attendance,
            self.decl_person,
            self.decl_item,
            self.decl_text,
            self.decl_add,
            self.decl_remove,
            self.all_present_button,
        ):
            w.setEnabled(not locked)
        self._gate(locked)
        self.agenda_note.setToolTip(
            self.tr("The minutes are approved: re-open them to change the agenda") if locked else ""
        )

    def _gate(self, locked: bool) -> None:
        """What this person may not do is disabled, saying why (domain/permissions.py): the
        meeting itself, its attendance and declarations are the secretariat's; officers
        propose agenda items and keep their own."""
        ws = self.workspace
        meeting = ws.why_not(Operation.EDIT, Kind.MEETING)
        gate(self.details_button, meeting)
        gate(self.next_status, meeting)
        for w in (
            self.attendance,
            self.decl_person,
            self.decl_item,
            self.decl_text,
            self.decl_add,
            self.decl_remove,
            self.all_present_button,
        ):
            gate(w, meeting, enabled=not locked)
        propose = ws.why_not(Operation.CREATE, Kind.AGENDA_ITEM, ws.identity.person_id or None)
        gate(self.add_item, propose, enabled=not locked)
        order = ws.why_not(Operation.EDIT, Kind.AGENDA_ITEM)
        for w in (self.up_button, self.down_button):
            gate(w, order, enabled=not locked)
        self.agenda_table.setDragEnabled(not locked and not order)
        self._gate_item(self._item_row(self.selected_item_id()), locked)

    def _gate_item(self, row: AgendaRow | None, locked: bool) -> None:
        """Saving or removing the item shown: its presenter's or proposer's (or the
        secretariat's)."""
        owners = {o for o in (row.item.presenter_id, row.item.created_by) if o} if row else None
        ws = self.workspace
        gate(
            self.save_item, ws.why_not(Operation.EDIT, Kind.AGENDA_ITEM, owners), enabled=not locked
        )
        why = ws.why_not(Operation.DELETE, Kind.AGENDA_ITEM, owners)
        gate(self.remove_item, why, enabled=not locked)

    @staticmethod
    def _next_status(status: MeetingStatus) -> MeetingStatus | None:
        order = (MeetingStatus.PLANNED, MeetingStatus.AGENDA_PUBLISHED, MeetingStatus.HELD)
        return order[order.index(status) + 1] if status in order[:2] else None

    def _reload_agenda(self) -> None:
        assert self.meeting is not None
        read = self.workspace.ctx.read
        slots = read(meetings.agenda, self.meeting.id)
        papers = {p.id: p.reference for p in read(crud.list_all, PAPERS)}
        objectives = {o.id: o.title for o in read(crud.list_all, OBJECTIVES)}
        selected = self.selected_item_id()
        rows = [
            AgendaRow(
                s.number,
                s.start,
                s.item,
                self.people[s.item.presenter_id].name if s.item.presenter_id in self.people else "",
                papers.get(s.item.paper_id or "", ""),
                objectives.get(s.item.objective_id or "", ""),
                s.is_review,
            )
            for s in slots
        ]
        self.agenda_model.set_rows(rows)
        total = sum(r.item.minutes_allocated for r in rows)
        end = self.meeting.end_utc.astimezone(meetings.LONDON)
        finish = (
            rows[-1].start + timedelta(minutes=rows[-1].item.minutes_allocated) if rows else None
        )
        note = self.tr("%1 · %2 · ends %3 (booked until %4)")
        self.agenda_note.setText(
            note.replace("%1", counted(len(rows), self.tr("%n item"), self.tr("%n items")))
            .replace("%2", counted(total, self.tr("%n minute"), self.tr("%n minutes")))
            .replace("%3", f"{finish:%H:%M}" if finish else "—")
            .replace("%4", f"{end:%H:%M}")
        )
        chosen = self.decl_item.currentData()  # a refresh keeps a declaration being written
        self.decl_item.clear()
        self.decl_item.addItem(self.tr("(whole meeting)"), None)
        for r in rows:
            self.decl_item.addItem(f"{r.number}. {r.item.title}", r.item.id)
        self.decl_item.setCurrentIndex(max(0, self.decl_item.findData(chosen)))
        if selected:
            self.select_item(selected)

    def _reload_attendance(self) -> None:
        assert self.meeting is not None
        read = self.workspace.ctx.read
        roles = {a.person_id: a.role for a in read(meetings.attendance, self.meeting.id)}
        orgs = {o.id: o.code for o in read(crud.list_all, ORGANISATIONS)}
        members = read(meetings.body_members, self.meeting.id) | set(roles)
        everyone = self.everyone_box.isChecked() or not members  # a body's first meeting
        people = sorted(
            (p for p in self.people.values() if everyone or p.id in members),
            key=lambda p: p.name.casefold(),
        )
        self.attendance_people = [p.id for p in people]
        self.attendance.setRowCount(len(people))
        for n, person in enumerate(people):
            name = QTableWidgetItem(person.name)
            name.setData(ID_ROLE, person.id)
            self.attendance.setItem(n, 0, name)
            self.attendance.setItem(
                n, 1, QTableWidgetItem(orgs.get(person.organisation_id or "", ""))
            )
            combo = QComboBox()
            for label, role in ROLE_CHOICES:
                combo.addItem(self.tr(label), role.value if role else None)
            current = roles.get(person.id)
            combo.setCurrentIndex(max(0, combo.findData(current.value if current else None)))
            combo.currentIndexChanged.connect(self._attendance_setter(person.id, combo))
            self.attendance.setCellWidget(n, 2, combo)
        self.declarations.clear()
        items = {r.item.id: f"{r.number}. {r.item.title}" for r in self.agenda_model.rows()}
        for d in read(meetings.declarations, self.meeting.id):
            who = self.people[d.person_id].name if d.person_id in self.people else ""
            on = items.get(d.agenda_item_id or "", self.tr("whole meeting"))
            entry = QListWidgetItem(f"{who} ({on}): {d.interest}")
            entry.setData(ID_ROLE, d.id)
            self.declarations.addItem(entry)
        if not self.declarations.count():
            self.declarations.addItem(self.tr("There were no declarations of interest."))

    @Slot()
    def _on_all_present_clicked(self) -> None:
        """Everyone listed without a record is present; apologies and others stay as they are."""
        assert self.meeting is not None
        meeting_id, people = self.meeting.id, list(self.attendance_people)
        self._run(
            lambda uow: meetings.mark_present(uow, meeting_id, people),
            label=self.tr("Mark everyone present"),
            then=lambda _marked: self._reload_attendance(),
        )

    def _attendance_setter(self, person_id: str, combo: QComboBox) -> Callable[[int], None]:
        def set_role(_index: int) -> None:
            value = combo.currentData()
            self.set_attendance(person_id, AttendanceRole(value) if value else None)

        return set_role

    def set_attendance(self, person_id: str, role: AttendanceRole | None) -> None:
        assert self.meeting is not None
        meeting_id = self.meeting.id
        self._run(
            lambda uow: meetings.set_attendance(uow, meeting_id, person_id, role),
            label=self.tr("Record attendance"),
        )

    # ---------------------------------------------------------------- agenda editing
    def selected_item_id(self) -> str | None:
        index = self.agenda_table.selectionModel().currentIndex()
        if not index.isValid():
            return None
        return str(self.agenda_model.row_at(index.row()).item.id)

    def select_item(self, item_id: str) -> None:
        for n, r in enumerate(self.agenda_model.rows()):
            if r.item.id == item_id:
                flags = QItemSelectionModel.SelectionFlag
                self.agenda_table.selectionModel().setCurrentIndex(  # one change, one signal
                    self.agenda_model.index(n, 0), flags.ClearAndSelect | flags.Rows
                )

    # ---------------------------------------------------------------- unsaved changes
    def _item_row(self, item_id: str | None) -> AgendaRow | None:
        return next((r for r in self.agenda_model.rows() if r.item.id == item_id), None)

    def _item_changed(self) -> bool:
        """The item form differs from the item it shows."""
        row = self._item_row(self._item_shown)
        if row is None or not self.save_item.isEnabled():
            return False
        item = row.item
        stored = {
            "title": item.title,
            "purpose": item.purpose.value,
            "part": item.part.value,
            "minutes_allocated": item.minutes_allocated,
            "presenter_id": item.presenter_id,
            "paper_id": item.paper_id,
            "objective_id": item.objective_id,
            "public_title": item.public_title,
            "exempt_paragraph": item.exempt_paragraph,
            "exempt_reason": item.exempt_reason,
        }
        return stored != self._item_values()

    def _summary_changed(self) -> bool:
        summary = self.minutes.summary
        return summary.isEnabled() and summary.document().isModified()

    def _decision_typed(self) -> bool:
        """A RESOLVED line typed and not added."""
        line = self.minutes.decision_text
        return line.isEnabled() and bool(line.text().strip())

    def _declaration_typed(self) -> bool:
        """An interest typed and not added."""
        return bool(self.decl_text.text().strip())

    def has_unsaved_changes(self) -> bool:
        return self.meeting is not None and (
            self._item_changed()
            or self._summary_changed()
            or self._decision_typed()
            or self._declaration_typed()
        )

    def unsaved_subject(self) -> str:
        title = self.meeting.title if self.meeting is not None else ""
        return self.tr("the meeting “%1”").replace("%1", title)

    def save_unsaved_changes(self) -> bool:
        if self._summary_changed():
            self.minutes._on_save_summary_clicked()
            self.workspace.runner.settle()  # saved off the GUI thread: wait for it
            if self._summary_changed():
                self.tabs.setCurrentWidget(self.minutes)
                return False
        if self._decision_typed():
            self.minutes._on_add_decision_clicked()
            self.workspace.runner.settle()  # saved off the GUI thread: wait for it
            if self._decision_typed():  # refused: the reason is shown beside it
                self.tabs.setCurrentWidget(self.minutes)
                return False
        if self._declaration_typed():
            self._on_add_declaration_clicked()
            self.workspace.runner.settle()  # saved off the GUI thread: wait for it
            if self._declaration_typed():
                self.tabs.setCurrentIndex(1)  # attendance and declarations
                return False
        if self._item_changed() and self._item_shown is not None:
            item_id, values = self._item_shown, self._item_values()
            self._run(
                lambda uow: meetings.update_item(uow, item_id, values),
                label=self.tr("Edit agenda item"),
            )
            if self.workspace.runner.settle() and not self.error.text():
                return True
            self.tabs.setCurrentIndex(0)
            return False
        return True

    def discard_unsaved_changes(self) -> None:
        self.minutes.decision_text.clear()
        self.decl_text.clear()
        self.minutes.summary.document().setModified(False)
        self.minutes.reload()
        self._show_item(self._item_row(self._item_shown))

    @Slot()
    def _on_item_selected(self) -> None:
        item_id = self.selected_item_id()
        if item_id is None or item_id == self._item_shown:
            return  # none (a reload) or the same item again: keep what is typed
        if self._item_changed():  # another item chosen: settle the one left first
            left = self._item_shown
            if not settle_unsaved(self, self):
                self.select_item(left or "")
                return
            if self.selected_item_id() != item_id:  # a save reloaded the agenda
                self.select_item(item_id or "")
                return
        self._show_item(self._item_row(item_id))

    def _show_item(self, row: AgendaRow | None) -> None:
        self._item_shown = row.item.id if row is not None else None
        locked = self.meeting is not None and self.meeting.status is MeetingStatus.MINUTES_APPROVED
        self._gate_item(row, locked)
        if row is None:
            return
        item = row.item
        self.item_title.setText(item.title)
        self.item_purpose.setCurrentIndex(self.item_purpose.findData(item.purpose.value))
        self.item_part.setCurrentIndex(self.item_part.findData(item.part.value))
        self.item_minutes.setValue(item.minutes_allocated)
        for combo, value in (
            (self.item_presenter, item.presenter_id),
            (self.item_paper, item.paper_id),
            (self.item_objective, item.objective_id),
            (self.item_exempt_paragraph, item.exempt_paragraph),
        ):
            combo.setCurrentIndex(max(0, combo.findData(value)))
        self.item_public_title.setText(item.public_title)
        self.item_exempt_reason.setText(item.exempt_reason)

    def _item_values(self) -> dict[str, Any]:
        return {
            "title": self.item_title.text(),
            "purpose": self.item_purpose.currentData(),
            "part": self.item_part.currentData(),
            "minutes_allocated": self.item_minutes.value(),
            "presenter_id": self.item_presenter.currentData(),
            "paper_id": self.item_paper.currentData(),
            "objective_id": self.item_objective.currentData(),
            "public_title": self.item_public_title.text().strip(),
            "exempt_paragraph": self.item_exempt_paragraph.currentData(),
            "exempt_reason": self.item_exempt_reason.text().strip(),
        }

    @Slot()
    def _on_save_item_clicked(self) -> None:
        item_id = self.selected_item_id()
        if item_id is None:
            return
        values = self._item_values()
        self._run(
            lambda uow: meetings.update_item(uow, item_id, values),
            label=self.tr("Edit agenda item"),
        )

    @Slot()
    def _on_add_item_clicked(self) -> None:
        assert self.meeting is not None
        meeting_id, values = self.meeting.id, self._item_values()
        item_id = self.selected_item_id()
        position = None
        if item_id is not None:
            position = next(r.number + 1 for r in self.agenda_model.rows() if r.item.id == item_id)
        self._run(
            lambda uow: meetings.add_item(uow, meeting_id, values, position=position),
            label=self.tr("Add agenda item"),
            then=lambda item: self.select_item(item.id),
        )

    @Slot()
    def _on_remove_item_clicked(self) -> None:
        item_id = self.selected_item_id()
        if item_id is not None:
            self._run(
                lambda uow: meetings.remove_item(uow, item_id), label=self.tr("Remove agenda item")
            )

    def _shift(self, delta: int) -> None:
        item_id = self.selected_item_id()
        row = next((r for r in self.agenda_model.rows() if r.item.id == item_id), None)
        if row is not None and 1 <= row.number + delta <= self.agenda_model.rowCount():
            self._move_item(row.item.id, row.number + delta)

    def _move_item(self, item_id: str, position: int) -> None:
        self._run(
            lambda uow: meetings.move_item(uow, item_id, position),
            label=self.tr("Move agenda item"),
            then=lambda _moved: self.select_item(item_id),
        )

    # ---------------------------------------------------------------- declarations, status
    @Slot()
    def _on_add_declaration_clicked(self) -> None:
        assert self.meeting is not None
        meeting_id = self.meeting.id
        person, item, text = (
            self.decl_person.currentData(),
            self.decl_item.currentData(),
            self.decl_text.text(),
        )
        if person is None:
            self.show_error(self.tr("Choose who declares the interest."))
            return
        self._run(
            lambda uow: meetings.declare_interest(uow, meeting_id, person, text, item),
            label=self.tr("Record a declaration of interest"),
            then=lambda _declared: self.decl_text.clear(),
        )

    @Slot()
    def _on_remove_declaration_clicked(self) -> None:
        entry = self.declarations.currentItem()
        decl_id = entry.data(ID_ROLE) if entry else None
        if decl_id:
            self._run(
                lambda uow: meetings.withdraw_declaration(uow, decl_id),
                label=self.tr("Withdraw a declaration"),
            )

    @Slot()
    def _on_next_status_clicked(self) -> None:
        assert self.meeting is not None
        nxt = self._next_status(self.meeting.status)
        meeting_id = self.meeting.id
        if nxt is not None:
            self._run(
                lambda uow: meetings.set_status(uow, meeting_id, nxt),
                label=self.tr("Set the meeting's status"),
            )

    @Slot()
    def _on_details_clicked(self) -> None:
        if self.meeting is not None:
            self.details_requested.emit(self.meeting.id)

    def _on_print_agenda(self) -> None:
        if self.meeting is not None:
            self.agenda_print_requested.emit(self.meeting.id)

    @Slot()
    def _show_exempt_rows(self) -> None:
        """The public title and exemption ground are asked for a Part II item only."""
        exempt = self.item_part.currentData() == Part.PART_II.value
        for _label, widget in self.exempt_rows:
            self.item_form.setRowVisible(widget, exempt)

    @Slot()
    def _on_restrict_item_clicked(self) -> None:
        """A Part II item restricted to its readers: the meeting's members and the secretariat
        unless chosen otherwise (issue 16)."""
        row = self._item_row(self.selected_item_id())
        if row is None or self.meeting is None:
            self.show_error(self.tr("Choose the agenda item to restrict first."))
            return
        from hescb_desktop.domain.permissions import Role
        from hescb_desktop.ui.widgets.restrict_dialog import restrict_record

        members = self.workspace.ctx.read(meetings.body_members, self.meeting.id)
        restrict_record(
            self.workspace,
            row.item.id,
            self,
            default_people=sorted(members),
            default_roles=(Role.SECRETARIAT,),
            default_public_title=row.item.public_title,
        )
        self.reload()

    @Slot()
    def _on_public_edition(self) -> None:
        if self.meeting is None:
            return
        from hescb_desktop.ui.meetings.public_edition_dialog import make_public_edition

        m = self.meeting
        day = m.start_utc.astimezone(meetings.LONDON).date()
        suggested = str(Path.home() / f"{m.body}-{day.isoformat()}-public.pdf")
        make_public_edition(self.workspace.ctx, m.id, suggested, self)

    def _on_print(self, part: Part) -> None:
        if self.meeting is not None:
            self.print_requested.emit(self.meeting.id, part)

    def show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.setVisible(bool(text))

    def _run(
        self,
        fn: Callable[[Uow], Result[Any]],
        *,
        label: str,
        then: Callable[[Any], None] | None = None,
    ) -> None:
        """One operation (ui.operations); the editor reloads once, with its page, from the
        change set (before `then`); a refusal is shown above the editor, and whatever was typed
        stays where it was typed."""

        def done(value: Any) -> None:
            self.show_error("")
            if then is not None:
                then(value)

        self.workspace.runner.write(
            fn, label=label, parent=self, on_done=done, on_refused=self.show_error
        )
