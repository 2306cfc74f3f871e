"""Plan a meeting (or change its details): body, title, date, start and end, venue, chair, clerk.
A new meeting starts from the standard agenda; refusals show inline and nothing changes."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from typing import Any

from PySide6.QtCore import QTime, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from hescb_desktop.domain.dto import MeetingDTO, PersonDTO, ResourceDTO
from hescb_desktop.domain.enums import ResourceKind
from hescb_desktop.services import meetings
from hescb_desktop.services.operations import Uow
from hescb_desktop.services.results import Result
from hescb_desktop.ui.actions.action_dialogs import error_label, people_combo, pydate, qdate
from hescb_desktop.ui.widgets.unsaved import GuardedDialog
from hescb_desktop.ui.workspace import Workspace


class MeetingDialog(GuardedDialog):
    def __init__(
        self,
        workspace: Workspace,
        people: Sequence[PersonDTO],
        rooms: Sequence[ResourceDTO],
        bodies: Sequence[str],
        *,
        meeting: MeetingDTO | None = None,
        history: Sequence[MeetingDTO] = (),
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.meeting = meeting
        self.result_meeting: MeetingDTO | None = None
        self.setWindowTitle(self.tr("Plan a meeting") if meeting is None else self.tr("Meeting"))
        self.body = QComboBox()
        self.body.setEditable(True)  # a new sub-board is typed in
        self.body.addItems(list(bodies))
        self.title = QLineEdit()
        self.day = QDateEdit()
        self.day.setCalendarPopup(True)
        self.day.setDisplayFormat("ddd dd MMM yyyy")
        self.start = QTimeEdit()
        self.end = QTimeEdit()
        for edit in (self.start, self.end):
            edit.setDisplayFormat("HH:mm")
        self.venue = QComboBox()
        self.venue.addItem("", None)
        for room in sorted(rooms, key=lambda r: r.name.casefold()):
            if room.kind is ResourceKind.ROOM:
                self.venue.addItem(room.name, room.id)
        self.chair = people_combo(people)
        self.clerk = people_combo(people)
        self.history = sorted(history, key=lambda m: m.start_utc)
        if meeting is None:
            self.body.currentTextChanged.connect(self._prefill)
            self._prefill(self.body.currentText())
        else:
            local_start = meeting.start_utc.astimezone(meetings.LONDON)
            local_end = meeting.end_utc.astimezone(meetings.LONDON)
            self.body.setCurrentText(meeting.body)
            self.title.setText(meeting.title)
            self.day.setDate(qdate(local_start.date()))
            self.start.setTime(QTime(local_start.hour, local_start.minute))
            self.end.setTime(QTime(local_end.hour, local_end.minute))
            for combo, value in (
                (self.venue, meeting.venue_id),
                (self.chair, meeting.chair_id),
                (self.clerk, meeting.clerk_id),
            ):
                combo.setCurrentIndex(max(0, combo.findData(value)))
        self.error = error_label()
        form = QFormLayout()
        form.addRow(self.tr("Board or sub-board"), self.body)
        form.addRow(self.tr("Title"), self.title)
        form.addRow(self.tr("Date"), self.day)
        form.addRow(self.tr("Starts"), self.start)
        form.addRow(self.tr("Ends"), self.end)
        form.addRow(self.tr("Venue"), self.venue)
        form.addRow(self.tr("Chair"), self.chair)
        form.addRow(self.tr("Clerk"), self.clerk)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self._on_ok)
        self.buttons.rejected.connect(self.reject)
        self.setMinimumWidth(480)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.watch_for_unsaved()

    def unsaved_subject(self) -> str:
        if self.meeting is None:
            return self.tr("the new meeting")
        return self.tr("the meeting “%1”").replace("%1", self.meeting.title)

    @Slot(str)
    def _prefill(self, body: str) -> None:
        """The next meeting of `body`: like its last one (title, times, venue, chair, clerk),
        one usual interval later (28 days if it has met less than twice), never in the past."""
        today = self.workspace.today()
        past = [m for m in self.history if m.body == body.strip()]
        if not past:
            self.title.setText(self.tr("Board meeting"))
            self.day.setDate(qdate(today + timedelta(days=28)))
            self.start.setTime(QTime(10, 0))
            self.end.setTime(QTime(12, 0))
            return
        last = past[-1]
        start = last.start_utc.astimezone(meetings.LONDON)
        end = last.end_utc.astimezone(meetings.LONDON)
        gap = timedelta(days=28)
        if len(past) > 1:
            gap = max(timedelta(days=7), start - past[-2].start_utc.astimezone(meetings.LONDON))
        day = start.date() + timedelta(days=gap.days)
        while day < today:
            day += timedelta(days=gap.days)
        self.title.setText(last.title)
        self.title.setCursorPosition(0)
        self.day.setDate(qdate(day))
        self.start.setTime(QTime(start.hour, start.minute))
        self.end.setTime(QTime(end.hour, end.minute))
        for combo, value in (
            (self.venue, last.venue_id),
            (self.chair, last.chair_id),
            (self.clerk, last.clerk_id),
        ):
            combo.setCurrentIndex(max(0, combo.findData(value)))

    def _at(self, day: date, t: QTime) -> datetime:
        return datetime.combine(day, time(t.hour(), t.minute()), meetings.LONDON)

    @Slot()
    def _on_ok(self) -> None:
        day = pydate(self.day.date())
        values: dict[str, Any] = {
            "title": self.title.text(),
            "body": self.body.currentText(),
            "start_utc": self._at(day, self.start.time()),
            "end_utc": self._at(day, self.end.time()),
            "venue_id": self.venue.currentData(),
            "chair_id": self.chair.currentData(),
            "clerk_id": self.clerk.currentData(),
        }
        meeting_id = self.meeting.id if self.meeting is not None else None

        def save(uow: Uow) -> Result[MeetingDTO]:
            if meeting_id is None:
                return meetings.create_meeting(
                    uow,
                    title=values["title"],
                    start=values["start_utc"],
                    end=values["end_utc"],
                    body=values["body"],
                    venue_id=values["venue_id"],
                    chair_id=values["chair_id"],
                    clerk_id=values["clerk_id"],
                )
            return meetings.update_meeting(uow, meeting_id, values)

        def saved(meeting: MeetingDTO) -> None:
            self.result_meeting = meeting

        label = self.tr("New meeting") if meeting_id is None else self.tr("Edit the meeting")
        self.submit(save, label=f"{label} '{values['title']}'", on_done=saved)
