"""Creating, editing, moving and deleting events: each one operation through the workspace's
runner (ui/operations.py), labelled for Edit > Undo. A refused save offers the event dialog
again as typed; a refused drag puts the view back."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Slot
from PySide6.QtWidgets import QMessageBox

from hescb_desktop.domain.calendar import Clash, EventDraft, Occurrence, Scope, own_calendar
from hescb_desktop.domain.permissions import Kind, Operation
from hescb_desktop.domain.recurrence import LONDON, describe
from hescb_desktop.services import calendar as cal
from hescb_desktop.ui.calendar.choices import clash_check, dialog_choices
from hescb_desktop.ui.calendar.event_dialog import DialogChoices, EventDialog
from hescb_desktop.ui.operations import WriteFn

if TYPE_CHECKING:
    from hescb_desktop.ui.calendar.calendar_page import CalendarPage


@dataclass(frozen=True)
class Typed:
    """An event as typed in the event dialog, and how to save it (a new one, or an edit)."""

    draft: EventDraft
    title: str
    ignore: tuple[str, ...]  # the events the clash check leaves out (the one being edited)
    save: Callable[[EventDraft], WriteFn[Any]]


class EventEditing(QObject):
    """The calendar page's edits; the page's anchor, viewer and refresh are read from it."""

    def __init__(self, page: CalendarPage) -> None:
        super().__init__(page)
        self.page = page
        self.workspace = page.workspace

    # ------------------------------------------------------------------ what the dialog offers
    def choices(self) -> DialogChoices:
        return dialog_choices(self.workspace.ctx)

    def check(self, ignore: tuple[str, ...] = ()) -> Callable[[EventDraft], list[Clash]]:
        return clash_check(self.workspace.ctx, lambda: self.page.viewer, ignore)

    def own_calendar(self) -> str:
        """The user's own diary (their organisation's, from Settings), not "Board meetings"."""
        return own_calendar(self.workspace.settings.organisation_code)

    def new_event_dialog(
        self, start: datetime, end: datetime, all_day: bool = False, **fields: Any
    ) -> EventDialog:
        """The dialog for a new event in the user's own diary (`fields`: more of the draft)."""
        draft = EventDraft(
            "",
            start,
            end,
            all_day=all_day,
            calendar=self.own_calendar(),
            owner_id=self.page.viewer.person_id,
            **fields,
        )
        return EventDialog(
            draft, self.choices(), self.check(), self.page, title=self.tr("New event")
        )

    # ------------------------------------------------------------------ who may
    def why_not_create(self) -> str:
        """Why this person may not add to the diary: their own (or their principal's)."""
        person = self.workspace.identity.person_id or None
        return self.workspace.why_not(Operation.CREATE, Kind.CALENDAR_ITEM, person)

    def may_change(self, occ: Occurrence | None) -> bool:
        """Whether this person may move or resize `occ` (None: add an event) by dragging."""
        if occ is None:
            return not self.why_not_create()
        return not self.workspace.why_not(Operation.EDIT, Kind.CALENDAR_ITEM, occ.owner_id)

    def refuse(self, why: str) -> bool:
        """Says `why` (if anything) in a message box; True: refused."""
        if why:
            QMessageBox.information(self.page, self.tr("Calendar"), why)
        return bool(why)

    def _refuse_read_only(self, occ: Occurrence, operation: Operation = Operation.EDIT) -> bool:
        if occ.masked:
            QMessageBox.information(
                self.page,
                self.tr("Calendar"),
                self.tr("This time is marked busy by its owner; only they can change it."),
            )
            return True
        if occ.meeting_id is not None:
            QMessageBox.information(
                self.page,
                self.tr("Calendar"),
                self.tr("This is a board meeting: change it on the Meetings page."),
            )
            return True
        return self.refuse(self.workspace.why_not(operation, Kind.CALENDAR_ITEM, occ.owner_id))

    # ------------------------------------------------------------------ the edits
    @Slot()
    def new_at_anchor(self) -> None:
        """New event…: an hour from 09:00 on the anchor day."""
        start = datetime.combine(self.page.anchor, time(9), LONDON)
        self.create_at(start, start + timedelta(hours=1), False)

    @Slot(object, object, bool)
    def create_at(self, start: datetime, end: datetime, all_day: bool) -> None:
        if self.refuse(self.why_not_create()):
            self.page.refresh()  # a drag that made a box: gone again
            return
        self.create_in(self.new_event_dialog(start, end, all_day))

    def create_in(self, dialog: EventDialog) -> None:
        """The new event typed in `dialog`, saved (nothing if cancelled)."""
        if dialog.exec() and dialog.result_draft is not None:
            self._create(dialog.result_draft)

    @Slot(object)
    def edit(self, occ: Occurrence) -> None:
        if self._refuse_read_only(occ):
            return
        scope = self._ask_scope(occ, self.tr("Edit"))
        if scope is None:
            return
        read = self.workspace.ctx.read
        details = read(cal.event_details, occ.event_id)
        draft = replace(details.draft, start=occ.start, end=occ.end)
        if occ.recurring and scope != Scope.THIS and not draft.rrule and occ.series_id:
            draft = replace(draft, rrule=read(cal.event_details, occ.series_id).draft.rrule)
        ignore = tuple(filter(None, (occ.event_id, occ.series_id)))
        dialog = EventDialog(
            draft,
            self.choices(),
            self.check(ignore),
            self.page,
            title=self.tr("Edit event"),
            occurrence_only=occ.recurring and scope == Scope.THIS,
            booked_by=details.booked_by,
        )
        if occ.recurring:
            dialog.setWindowTitle(
                dialog.windowTitle() + f" – {describe(draft.rrule) or self.tr('one occurrence')}"
            )
        if not dialog.exec() or dialog.result_draft is None:
            return
        new = dialog.result_draft

        def save(draft: EventDraft) -> WriteFn[Any]:
            return lambda uow: cal.update_event(
                uow, occ.event_id, draft, recurrence_id=occ.recurrence_id, scope=scope
            )

        self._save_typed(
            self.tr("Edit “%1”").replace("%1", occ.summary),
            Typed(new, dialog.windowTitle(), ignore, save),
        )

    @Slot(object, object, object)
    def move_to(self, occ: Occurrence, start: datetime, end: datetime) -> None:
        if self._refuse_read_only(occ):
            self.page.refresh()
            return
        scope = self._ask_scope(occ, self.tr("Move")) if occ.recurring else Scope.ALL
        if scope is None:
            self.page.refresh()
            return
        self._run(
            self.tr("Move “%1”").replace("%1", occ.summary),
            lambda uow: cal.move_occurrence(uow, occ, start, end, scope=scope),
        )

    def delete(self, occ: Occurrence) -> None:
        if self._refuse_read_only(occ, Operation.DELETE):
            return
        if occ.recurring:
            scope = self._ask_scope(occ, self.tr("Delete"))
            if scope is None:
                return
        else:
            answer = QMessageBox.question(
                self.page,
                self.tr("Delete event"),
                self.tr("Delete “%1”?").replace("%1", occ.summary),
            )
            if answer != QMessageBox.StandardButton.Yes:
                return
            scope = Scope.ALL
        self._run(
            self.tr("Delete “%1”").replace("%1", occ.summary),
            lambda uow: cal.delete_event(
                uow, occ.event_id, recurrence_id=occ.recurrence_id, scope=scope
            ),
        )
        self.page.grid.selected = None

    def _create(self, new: EventDraft) -> None:
        def save(draft: EventDraft) -> WriteFn[Any]:
            return lambda uow: cal.create_event(uow, draft)

        self._save_typed(
            self.tr("New event “%1”").replace("%1", new.summary),
            Typed(new, self.tr("New event"), (), save),
        )

    # ------------------------------------------------------------------ through the runner
    def _run(
        self, text: str, fn: WriteFn[Any], on_refused: Callable[[], None] | None = None
    ) -> None:
        """One operation (ui.operations), labelled for the Edit menu's Undo. Refused: said,
        and the view put back (a drag that was refused goes back where it was)."""

        def refused(message: str) -> None:
            QMessageBox.warning(self.page, self.tr("Calendar"), message)
            self.page.refresh()
            if on_refused is not None:
                on_refused()

        self.workspace.runner.write(fn, label=text, parent=self.page, on_refused=refused)

    def _save_typed(self, text: str, typed: Typed) -> None:
        """An event typed in the dialog, saved; refused, the dialog comes back as it was typed
        (nothing typed is lost), to be corrected or cancelled."""

        def again() -> None:
            dialog = EventDialog(
                typed.draft, self.choices(), self.check(typed.ignore), self.page, title=typed.title
            )
            if dialog.exec() and dialog.result_draft is not None:
                self._save_typed(text, replace(typed, draft=dialog.result_draft))

        self._run(text, typed.save(typed.draft), on_refused=again)

    def _ask_scope(self, occ: Occurrence, verb: str) -> Scope | None:
        if not occ.recurring:
            return Scope.ALL
        box = QMessageBox(self.page)
        box.setWindowTitle(self.tr("Repeating event"))
        box.setText(
            self.tr("“%1” repeats. %2 which occurrences?")
            .replace("%1", occ.summary)
            .replace("%2", verb)
        )
        this = box.addButton(self.tr("This occurrence"), QMessageBox.ButtonRole.AcceptRole)
        following = box.addButton(self.tr("This and following"), QMessageBox.ButtonRole.AcceptRole)
        every = box.addButton(self.tr("All occurrences"), QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.exec()
        clicked = box.clickedButton()
        for button, scope in ((this, Scope.THIS), (following, Scope.FOLLOWING), (every, Scope.ALL)):
            if clicked is button:
                return scope
        return None
