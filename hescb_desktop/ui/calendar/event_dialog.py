"""Create or edit an event: times, calendar, organisation, visibility, recurrence, rooms and
assets, attendees. Clashes are shown in the dialog before saving ("Save anyway" to keep them)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from PySide6.QtCore import QDate, QDateTime, QSize, Qt, QTime, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDateTimeEdit,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from hescb_desktop.domain.calendar import Clash, EventDraft
from hescb_desktop.domain.enums import Marking, Visibility
from hescb_desktop.domain.errors import DomainError
from hescb_desktop.domain.recurrence import LONDON, Recurrence
from hescb_desktop.ui.widgets.marking_banner import MarkingBanner
from hescb_desktop.ui.widgets.screen_fit import fitted_size
from hescb_desktop.ui.widgets.unsaved import GuardedDialog

DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@dataclass(frozen=True)
class Choice:
    id: str
    label: str


@dataclass(frozen=True)
class DialogChoices:
    calendars: Sequence[str]
    organisations: Sequence[Choice]
    people: Sequence[Choice]
    rooms: Sequence[Choice]  # rooms and assets, labelled


ClashCheck = Callable[[EventDraft], list[Clash]]


def to_qdatetime(value: datetime) -> QDateTime:
    local = value.astimezone(LONDON)
    return QDateTime(QDate(local.year, local.month, local.day), QTime(local.hour, local.minute))


def from_qdatetime(value: QDateTime) -> datetime:
    d, t = value.date(), value.time()
    naive = datetime(d.year(), d.month(), d.day(), t.hour(), t.minute())
    return naive.replace(tzinfo=LONDON)


class EventDialog(GuardedDialog):
    def __init__(
        self,
        draft: EventDraft,
        choices: DialogChoices,
        check: ClashCheck,
        parent: QWidget | None = None,
        *,
        title: str = "",
        occurrence_only: bool = False,
        booked_by: str = "",
    ) -> None:
        super().__init__(parent)
        self._booked_by = booked_by
        self.setWindowTitle(title or self.tr("Event"))
        self.choices = choices
        self.check = check
        self.result_draft: EventDraft | None = None
        self._acknowledged: list[str] = []
        self._occurrence_only = occurrence_only
        self._build(draft)
        self.resize(fitted_size(QSize(680, 640), self))  # a laptop shows its buttons
        self.watch_for_unsaved()

    def unsaved_subject(self) -> str:
        summary = self.snapshot_summary
        return self.tr("the event “%1”").replace("%1", summary) if summary else self.tr("the event")

    # ------------------------------------------------------------------ building
    def _build(self, draft: EventDraft) -> None:
        self.snapshot_summary = draft.summary
        self.summary = QLineEdit(draft.summary)
        self.summary.setObjectName("summary")
        self.location = QLineEdit(draft.location)
        self.all_day = QCheckBox(self.tr("All day"))
        self.all_day.setChecked(draft.all_day)
        self.start = QDateTimeEdit(to_qdatetime(draft.start))
        self.end = QDateTimeEdit(
            to_qdatetime(draft.end - timedelta(days=1) if draft.all_day else draft.end)
        )
        for edit in (self.start, self.end):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("ddd dd MMM yyyy  HH:mm")
        self.calendar = QComboBox()
        self.calendar.setEditable(True)
        self.calendar.addItems(list(self.choices.calendars))
        self.calendar.setCurrentText(draft.calendar)
        self.organisation = QComboBox()
        self.organisation.addItem(self.tr("(none)"), None)
        for org in self.choices.organisations:
            self.organisation.addItem(org.label, org.id)
        self.organisation.setCurrentIndex(max(self.organisation.findData(draft.organisation_id), 0))
        self.owner = QComboBox()
        self.owner.addItem(self.tr("(nobody)"), None)
        for person in self.choices.people:
            self.owner.addItem(person.label, person.id)
        self.owner.setCurrentIndex(max(self.owner.findData(draft.owner_id), 0))
        self.visibility = QComboBox()
        for vis, label in (
            (Visibility.NORMAL, self.tr("Normal")),
            (Visibility.BUSY_ONLY, self.tr("Busy only (others see “Busy”)")),
            (Visibility.PRIVATE, self.tr("Private")),
        ):
            self.visibility.addItem(label, vis.value)
        self.visibility.setCurrentIndex(max(self.visibility.findData(draft.visibility.value), 0))
        self.marking = QComboBox()
        for mark in Marking:
            self.marking.addItem(mark.value, mark.value)
        self.marking.setCurrentIndex(self.marking.findData(draft.marking.value))
        self.description = QPlainTextEdit(draft.description)
        self.description.setFixedHeight(70)
        form = QFormLayout()
        form.addRow(self.tr("Title"), self.summary)
        when = QHBoxLayout()
        when.addWidget(self.start)
        when.addWidget(QLabel("–"))
        when.addWidget(self.end)
        when.addWidget(self.all_day)
        form.addRow(self.tr("When"), when)
        form.addRow(self.tr("Location"), self.location)
        form.addRow(self.tr("Calendar"), self.calendar)
        form.addRow(self.tr("Organisation"), self.organisation)
        form.addRow(self.tr("Owner"), self.owner)
        if self._booked_by:  # a staff officer booked it for the owner: the record shows both
            owner = self.owner.currentText()
            booked = QLabel(
                self.tr("Booked by %1 for %2").replace("%1", self._booked_by).replace("%2", owner)
            )
            booked.setObjectName("booked_by")
            booked.setTextFormat(Qt.TextFormat.PlainText)
            form.addRow("", booked)
        row = QHBoxLayout()
        row.addWidget(self.visibility, 1)
        row.addWidget(QLabel(self.tr("Marking")))
        row.addWidget(self.marking)
        form.addRow(self.tr("Visibility"), row)
        form.addRow(self.tr("Notes"), self.description)
        self.banner = MarkingBanner(draft.marking)
        self.marking.currentIndexChanged.connect(
            lambda _i: self.banner.set_marking(self.marking.currentData())
        )
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addLayout(form)
        layout.addWidget(self._recurrence_box(draft))
        lists = QHBoxLayout()
        self.rooms = self._checklist(self.choices.rooms, draft.resource_ids)
        self.people = self._checklist(self.choices.people, draft.attendee_ids)
        for label, widget in (
            (self.tr("Rooms and assets"), self.rooms),
            (self.tr("Attendees"), self.people),
        ):
            box = QGroupBox(label)
            QVBoxLayout(box).addWidget(widget)
            lists.addWidget(box)
        layout.addLayout(lists, 1)
        self.message = QLabel()
        self.message.setObjectName("eventDialogMessage")
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #b3261e;")
        self.message.hide()
        layout.addWidget(self.message)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self._on_save)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.all_day.toggled.connect(self._on_all_day_toggled)
        self._on_all_day_toggled(draft.all_day)

    def _checklist(self, items: Sequence[Choice], checked: Sequence[str]) -> QListWidget:
        widget = QListWidget()
        for item in items:
            entry = QListWidgetItem(item.label, widget)
            entry.setData(Qt.ItemDataRole.UserRole, item.id)
            entry.setFlags(entry.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            entry.setCheckState(
                Qt.CheckState.Checked if item.id in checked else Qt.CheckState.Unchecked
            )
        return widget

    def _recurrence_box(self, draft: EventDraft) -> QGroupBox:
        box = QGroupBox(self.tr("Repeat"))
        grid = QGridLayout(box)
        self.freq = QComboBox()
        for label, value in (
            (self.tr("Does not repeat"), ""),
            (self.tr("Daily"), "DAILY"),
            (self.tr("Weekly"), "WEEKLY"),
            (self.tr("Monthly on the same date"), "MONTHLY"),
            (self.tr("Monthly on the same weekday (e.g. second Tuesday)"), "MONTHLY_WD"),
            (self.tr("Monthly on the last weekday (e.g. last Friday)"), "MONTHLY_LAST"),
            (self.tr("Yearly"), "YEARLY"),
        ):
            self.freq.addItem(label, value)
        self.interval = QSpinBox()
        self.interval.setRange(1, 99)
        self.interval.setPrefix(self.tr("every "))
        self.day_boxes = [QCheckBox(name) for name in DAY_NAMES]
        days = QHBoxLayout()
        for box_ in self.day_boxes:
            days.addWidget(box_)
        self.end_never = QRadioButton(self.tr("No end"))
        self.end_until = QRadioButton(self.tr("Until"))
        self.end_count = QRadioButton(self.tr("Times"))
        self.until = QDateEdit()
        self.until.setCalendarPopup(True)
        self.count = QSpinBox()
        self.count.setRange(1, 100000)
        self.custom = QLabel()
        self.custom.setTextFormat(Qt.TextFormat.PlainText)
        grid.addWidget(self.freq, 0, 0, 1, 2)
        grid.addWidget(self.interval, 0, 2)
        grid.addLayout(days, 1, 0, 1, 4)
        ends = QHBoxLayout()
        for w in (self.end_never, self.end_until, self.until, self.end_count, self.count):
            ends.addWidget(w)
        ends.addStretch(1)
        grid.addLayout(ends, 2, 0, 1, 4)
        grid.addWidget(self.custom, 3, 0, 1, 4)
        self._raw_rule = draft.rrule
        rec = Recurrence.from_rule(draft.rrule, draft.timezone, draft.all_day)
        start_day = draft.start.astimezone(LONDON).date()
        self.until.setDate(QDate(start_day.year + 1, start_day.month, min(start_day.day, 28)))
        self.count.setValue(10)
        self.end_never.setChecked(True)
        if rec is None and draft.rrule:
            self.freq.addItem(self.tr("Custom rule (kept as it is)"), "CUSTOM")
            self.freq.setCurrentIndex(self.freq.count() - 1)
            self.custom.setText(draft.rrule)
        elif rec is not None:
            key = rec.freq
            if rec.freq == "MONTHLY" and rec.by_weekday:
                key = "MONTHLY_LAST" if rec.last_weekday else "MONTHLY_WD"
            self.freq.setCurrentIndex(self.freq.findData(key))
            self.interval.setValue(rec.interval)
            for d in rec.weekdays:
                self.day_boxes[d].setChecked(True)
            if rec.until is not None:
                self.end_until.setChecked(True)
                self.until.setDate(QDate(rec.until.year, rec.until.month, rec.until.day))
            if rec.count is not None:
                self.end_count.setChecked(True)
                self.count.setValue(rec.count)
        if not any(b.isChecked() for b in self.day_boxes):
            self.day_boxes[start_day.weekday()].setChecked(True)
        self.freq.currentIndexChanged.connect(self._on_freq_changed)
        self._on_freq_changed()
        box.setEnabled(not self._occurrence_only)
        if self._occurrence_only:
            box.setTitle(self.tr("Repeat (this occurrence only: the series' rule is unchanged)"))
        return box

    # ------------------------------------------------------------------ reading back
    def draft(self) -> EventDraft:
        all_day = self.all_day.isChecked()
        start = from_qdatetime(self.start.dateTime())
        end = from_qdatetime(self.end.dateTime())
        if all_day:
            start = datetime.combine(start.date(), time(0), LONDON)
            end = datetime.combine(end.date() + timedelta(days=1), time(0), LONDON)
        return EventDraft(
            summary=self.summary.text(),
            start=start,
            end=end,
            all_day=all_day,
            calendar=self.calendar.currentText(),
            location=self.location.text(),
            description=self.description.toPlainText(),
            organisation_id=self.organisation.currentData(),
            owner_id=self.owner.currentData(),
            visibility=Visibility(self.visibility.currentData()),
            marking=Marking(self.marking.currentData()),
            rrule="" if self._occurrence_only else self._rule(start, all_day),
            resource_ids=self._checked(self.rooms),
            attendee_ids=self._checked(self.people),
        )

    def _rule(self, start: datetime, all_day: bool) -> str:
        key = self.freq.currentData()
        if not key:
            return ""
        if key == "CUSTOM":
            return self._raw_rule
        freq = "MONTHLY" if key.startswith("MONTHLY") else key
        until: date | None = None
        count = None
        if self.end_until.isChecked():
            q = self.until.date()
            until = date(q.year(), q.month(), q.day())
        elif self.end_count.isChecked():
            count = self.count.value()
        rec = Recurrence(
            freq,
            self.interval.value(),
            tuple(i for i, b in enumerate(self.day_boxes) if b.isChecked()),
            key in ("MONTHLY_WD", "MONTHLY_LAST"),
            key == "MONTHLY_LAST",
            until,
            count,
        )
        return rec.to_rule(start.replace(tzinfo=None), all_day)

    @staticmethod
    def _checked(widget: QListWidget) -> tuple[str, ...]:
        return tuple(
            widget.item(i).data(Qt.ItemDataRole.UserRole)
            for i in range(widget.count())
            if widget.item(i).checkState() == Qt.CheckState.Checked
        )

    # ------------------------------------------------------------------ slots
    @Slot(bool)
    def _on_all_day_toggled(self, on: bool) -> None:
        fmt = "ddd dd MMM yyyy" if on else "ddd dd MMM yyyy  HH:mm"
        for edit in (self.start, self.end):
            edit.setDisplayFormat(fmt)

    @Slot()
    def _on_freq_changed(self) -> None:
        key = self.freq.currentData()
        weekly = key == "WEEKLY"
        for b in self.day_boxes:
            b.setVisible(weekly)
        for w in (
            self.interval,
            self.end_never,
            self.end_until,
            self.until,
            self.end_count,
            self.count,
        ):
            w.setVisible(bool(key) and key != "CUSTOM")
        self.custom.setVisible(key == "CUSTOM")

    @Slot()
    def _on_save(self) -> None:
        try:
            draft = self.draft()
            found = self.check(draft)
        except DomainError as exc:
            self._show(str(exc))
            return
        messages = [c.message for c in found]
        if messages and messages != self._acknowledged:
            self._acknowledged = messages
            self._show(
                self.tr("Double booking:")
                + "\n"
                + "\n".join(messages[:8])
                + ("\n…" if len(messages) > 8 else "")
                + "\n"
                + self.tr("Press Save again to keep the event anyway.")
            )
            self.buttons.button(QDialogButtonBox.StandardButton.Save).setText(
                self.tr("Save anyway")
            )
            return
        self.result_draft = draft
        self.accept()

    def _show(self, text: str) -> None:
        self.message.setText(text)
        self.message.show()
