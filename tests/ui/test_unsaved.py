"""Nothing typed is lost (issue 14, point 2): every editing dialog, and the meeting editor
embedded in its page, asks "Save changes to …?" when closed with unsaved changes.

Each dialog is a real window: text is typed into it, it is closed the way a user closes it (its
Close or Cancel button, Esc in the field, the window's X), and the real message box is answered.
Cancel keeps the dialog and the text; Discard closes it with nothing saved; Save saves.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from pathlib import Path

import pytest
from board_data import ME
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog, QDialogButtonBox, QLineEdit, QWidget
from pytestqt.qtbot import QtBot
from unsaved_helpers import Button, answer_next_question

from hescb_desktop.domain.calendar import EventDraft
from hescb_desktop.domain.enums import Marking
from hescb_desktop.services import board, crud, meetings, minutes, planning
from hescb_desktop.services import calendar as cal
from hescb_desktop.services.action_log import action_log
from hescb_desktop.services.entities import ACTIONS, MEETINGS, PEOPLE
from hescb_desktop.ui.actions.action_dialogs import RaiseActionDialog, ReviseDueDialog
from hescb_desktop.ui.board.objective_dialog import ObjectiveDialog
from hescb_desktop.ui.board.opportunities_view import RaiseDialog
from hescb_desktop.ui.board.stages_dialog import StagesDialog
from hescb_desktop.ui.calendar.event_dialog import DialogChoices, EventDialog
from hescb_desktop.ui.main_window import HOME, MainWindow
from hescb_desktop.ui.main_window import MEETINGS as MEETINGS_PAGE
from hescb_desktop.ui.meetings.meeting_dialog import MeetingDialog
from hescb_desktop.ui.meetings.meetings_page import MeetingsPage
from hescb_desktop.ui.packs.pack_options_dialog import PackOptionsDialog
from hescb_desktop.ui.packs.paper_dialog import PaperDialog
from hescb_desktop.ui.settings_dialog import SettingsDialog
from hescb_desktop.ui.widgets.unsaved import GuardedDialog
from hescb_desktop.ui.workspace import Workspace

TYPED = "Typed by a user <b> & kept"  # keyClicks takes ASCII only


@dataclass(frozen=True)
class Case:
    """How to open one dialog, where to type, and how to tell that the typing was saved."""

    make: Callable[[Workspace, QWidget], GuardedDialog]
    field: str  # the QLineEdit (attribute name) typed into
    saved: Callable[[Workspace, GuardedDialog], bool]
    prepare: Callable[[GuardedDialog], None] = lambda d: None


def _objective_id(ws: Workspace, title: str) -> str:
    return next(
        c.id
        for c in board.load_board(ws.ctx.uow(write=False), ws.today()).cards
        if c.title == title
    )


def _objective(ws: Workspace, parent: QWidget) -> GuardedDialog:
    return ObjectiveDialog(ws, _objective_id(ws, "Shared drone unit"), lambda _t: None, parent)


def _objective_saved(ws: Workspace, d: GuardedDialog) -> bool:
    assert isinstance(d, ObjectiveDialog)
    detail = planning.objective_detail(ws.ctx.uow(write=False), d.objective_id)
    return detail.objective.title == TYPED


def _stage_saved(ws: Workspace, _d: GuardedDialog) -> bool:
    return TYPED in [s.name for s in board.list_stages(ws.ctx.uow(write=False))]


def _people(ws: Workspace) -> list:  # type: ignore[type-arg]
    return list(crud.list_all(ws.ctx.uow(write=False), PEOPLE))


def _raise_action(ws: Workspace, parent: QWidget) -> GuardedDialog:
    return RaiseActionDialog(ws, _people(ws), parent=parent)


def _fill_owner(d: GuardedDialog) -> None:
    assert isinstance(d, RaiseActionDialog)
    d.owner.setCurrentIndex(d.owner.findText(ME))


def _raised(ws: Workspace, _d: GuardedDialog) -> bool:
    return any(a.description == TYPED for a in action_log(ws.ctx.uow(write=False)))


def _revise(ws: Workspace, parent: QWidget) -> GuardedDialog:
    action = next(
        a
        for a in crud.list_all(ws.ctx.uow(write=False), ACTIONS)
        if a.description == "Draft the estates business case"
    )
    return ReviseDueDialog(ws, action, parent)


def _revised(ws: Workspace, d: GuardedDialog) -> bool:
    assert isinstance(d, ReviseDueDialog)
    action = crud.get(ws.ctx.uow(write=False), ACTIONS, d.action.id)
    return action.revision_reason == TYPED


def _accepted_with(attr: str) -> Callable[[Workspace, GuardedDialog], bool]:
    """A dialog whose caller saves: Save accepts it with the typed value."""

    def check(_ws: Workspace, d: GuardedDialog) -> bool:
        field = getattr(d, attr)
        text = field.text() if isinstance(field, QLineEdit) else field.toPlainText()
        return d.result() == QDialog.DialogCode.Accepted and text == TYPED

    return check


def _meeting(ws: Workspace, parent: QWidget) -> GuardedDialog:
    uow = ws.ctx.uow
    return MeetingDialog(
        ws,
        _people(ws),
        [],
        meetings.bodies(uow(write=False)),
        history=meetings.list_meetings(uow(write=False)),
        parent=parent,
    )


def _meeting_saved(ws: Workspace, _d: GuardedDialog) -> bool:
    return any(m.title == TYPED for m in crud.list_all(ws.ctx.uow(write=False), MEETINGS))


def _event(ws: Workspace, parent: QWidget) -> GuardedDialog:
    start = datetime.combine(ws.today() + timedelta(days=3), time(9), cal.LONDON)
    draft = EventDraft("", start, start + timedelta(hours=1), calendar="Executive suite")
    choices = DialogChoices(cal.calendars(ws.ctx.uow(write=False)), [], [], [])
    return EventDialog(draft, choices, lambda _d: [], parent, title="New event")


def _event_saved(_ws: Workspace, d: GuardedDialog) -> bool:
    assert isinstance(d, EventDialog)
    return d.result_draft is not None and d.result_draft.summary == TYPED


CASES = {
    "objective": Case(_objective, "title", _objective_saved),
    "stages": Case(lambda ws, p: StagesDialog(ws, p), "name", _stage_saved),
    "opportunity": Case(lambda ws, p: RaiseDialog(ws, p), "title", _accepted_with("title")),
    "raise action": Case(_raise_action, "description", _raised, _fill_owner),
    "revise due": Case(_revise, "reason", _revised),
    "meeting": Case(_meeting, "title", _meeting_saved),
    "paper": Case(lambda ws, p: PaperDialog([], None, p), "title", _accepted_with("title")),
    "event": Case(_event, "summary", _event_saved),
    "pack options": Case(
        lambda ws, p: PackOptionsDialog(Marking.OFFICIAL, "", p),
        "distribution",
        _accepted_with("distribution"),
    ),
}


@pytest.fixture
def parent(qtbot: QtBot) -> QWidget:
    w = QWidget()
    qtbot.addWidget(w)
    return w


def _open(qtbot: QtBot, case: Case, ws: Workspace, parent: QWidget) -> GuardedDialog:
    dialog = case.make(ws, parent)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def _type(qtbot: QtBot, dialog: GuardedDialog, case: Case) -> QWidget:
    field: QWidget = getattr(dialog, case.field)
    field.setFocus()
    if isinstance(field, QLineEdit):
        field.selectAll()
    else:
        field.selectAll()  # type: ignore[attr-defined]
    qtbot.keyClicks(field, TYPED)
    case.prepare(dialog)
    return field


def _text(field: QWidget) -> str:
    return field.text() if isinstance(field, QLineEdit) else field.toPlainText()  # type: ignore[attr-defined]


def _close_button(dialog: QDialog) -> None:
    """The dialog's own Close or Cancel button, clicked."""
    box = dialog.findChild(QDialogButtonBox)
    for which in (QDialogButtonBox.StandardButton.Close, QDialogButtonBox.StandardButton.Cancel):
        button = box.button(which)
        if button is not None:
            button.click()
            return
    raise AssertionError("no Close or Cancel button")


def _escape(qtbot: QtBot, field: QWidget) -> None:
    qtbot.keyClick(field, Qt.Key.Key_Escape)


@pytest.mark.parametrize("name", list(CASES))
def test_an_unchanged_dialog_closes_without_asking(
    qtbot: QtBot, workspace: Workspace, parent: QWidget, name: str
) -> None:
    dialog = _open(qtbot, CASES[name], workspace, parent)
    assert not dialog.has_unsaved_changes()
    _close_button(dialog)
    assert not dialog.isVisible()
    assert QApplication.activeModalWidget() is None


@pytest.mark.parametrize("name", list(CASES))
def test_cancel_keeps_the_text(
    qtbot: QtBot, workspace: Workspace, parent: QWidget, name: str
) -> None:
    case = CASES[name]
    dialog = _open(qtbot, case, workspace, parent)
    field = _type(qtbot, dialog, case)
    asked = answer_next_question(Button.Cancel)
    _close_button(dialog)
    assert asked and asked[0].startswith("Save changes to ")
    assert dialog.isVisible() and _text(field) == TYPED
    asked = answer_next_question(Button.Cancel)
    _escape(qtbot, field)  # Esc asks too
    assert asked and dialog.isVisible() and _text(field) == TYPED
    asked = answer_next_question(Button.Cancel)
    dialog.close()  # and the window's X
    assert asked and dialog.isVisible() and _text(field) == TYPED
    assert not case.saved(workspace, dialog)
    asked = answer_next_question(Button.Discard)  # leave the test with no window open
    _close_button(dialog)
    assert asked


@pytest.mark.parametrize("name", list(CASES))
def test_discard_drops_the_text(
    qtbot: QtBot, workspace: Workspace, parent: QWidget, name: str
) -> None:
    case = CASES[name]
    dialog = _open(qtbot, case, workspace, parent)
    field = _type(qtbot, dialog, case)
    asked = answer_next_question(Button.Discard)
    _escape(qtbot, field)
    assert asked == [asked[0]] and asked[0].startswith("Save changes to ")
    assert not dialog.isVisible()
    assert dialog.result() == QDialog.DialogCode.Rejected
    assert not case.saved(workspace, dialog)


@pytest.mark.parametrize("name", list(CASES))
def test_save_saves_the_text(
    qtbot: QtBot, workspace: Workspace, parent: QWidget, name: str
) -> None:
    case = CASES[name]
    dialog = _open(qtbot, case, workspace, parent)
    _type(qtbot, dialog, case)
    asked = answer_next_question(Button.Save)
    dialog.close()  # the window's X
    assert asked and asked[0].startswith("Save changes to ")
    assert not dialog.isVisible()
    assert case.saved(workspace, dialog)


def test_settings_ask_before_a_typed_share_folder_is_lost(
    qtbot: QtBot, workspace: Workspace, parent: QWidget, tmp_path: Path
) -> None:
    """Settings no longer has a name to type (the board says who you are, issue 15): the share
    folder is its text field. It must be a folder that exists, so a real one is typed."""
    folder = tmp_path / "share"
    folder.mkdir()

    def opened() -> SettingsDialog:
        dialog = SettingsDialog(workspace.settings, workspace.organisations(), parent)
        qtbot.addWidget(dialog)
        dialog.show()
        qtbot.waitExposed(dialog)
        dialog.share_edit.setFocus()
        qtbot.keyClicks(dialog.share_edit, str(folder))
        return dialog

    dialog = opened()
    asked = answer_next_question(Button.Cancel)
    _close_button(dialog)
    assert asked == ["Save changes to your settings?"]
    assert dialog.isVisible() and dialog.share_edit.text() == str(folder)
    asked = answer_next_question(Button.Discard)
    _escape(qtbot, dialog.share_edit)
    assert asked and dialog.result() == QDialog.DialogCode.Rejected
    dialog = opened()
    asked = answer_next_question(Button.Save)
    dialog.close()
    assert asked and not dialog.isVisible()
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.result_settings().share_folder == str(folder)


def test_the_objective_dialog_names_the_objective_and_keeps_a_refused_save_open(
    qtbot: QtBot, workspace: Workspace, parent: QWidget
) -> None:
    """The measured case: an edited title closed with "Close". A save the service refuses (an
    empty title) stays open on its tab with the reason, nothing lost."""
    dialog = _open(qtbot, CASES["objective"], workspace, parent)
    assert isinstance(dialog, ObjectiveDialog)
    dialog.tabs.setCurrentIndex(1)
    dialog.title.setText("")
    asked = answer_next_question(Button.Save)
    _close_button(dialog)
    assert asked == ["Save changes to the objective “Shared drone unit”?"]
    assert dialog.isVisible() and dialog.tabs.currentIndex() == 0
    assert dialog.details_message.text()  # why it was refused
    dialog.title.setText("Shared drone unit")  # back as it was: nothing to ask
    _close_button(dialog)
    assert not dialog.isVisible()


def _milestone_titles(ws: Workspace, objective_id: str) -> list[str]:
    return [
        m.title for m in planning.objective_detail(ws.ctx.uow(write=False), objective_id).milestones
    ]


@pytest.mark.parametrize("answer", [Button.Cancel, Button.Discard, Button.Save])
def test_a_milestone_typed_but_not_added_is_asked_about(
    qtbot: QtBot, workspace: Workspace, parent: QWidget, answer: Button
) -> None:
    """The objective dialog's own lists: a new milestone typed and the dialog closed before
    "Add milestone" was pressed. Save adds it; Cancel keeps it typed; Discard drops it."""
    dialog = _open(qtbot, CASES["objective"], workspace, parent)
    assert isinstance(dialog, ObjectiveDialog)
    milestones = dialog.lists[0]
    dialog.tabs.setCurrentWidget(milestones)
    before = _milestone_titles(workspace, dialog.objective_id)
    qtbot.keyClicks(milestones.title, TYPED)
    asked = answer_next_question(answer)
    _close_button(dialog)
    assert asked == ["Save changes to the objective “Shared drone unit”?"]
    after = _milestone_titles(workspace, dialog.objective_id)
    if answer == Button.Cancel:
        assert dialog.isVisible() and milestones.title.text() == TYPED and after == before
        answer_next_question(Button.Discard)
        _close_button(dialog)
    elif answer == Button.Discard:
        assert not dialog.isVisible() and after == before
    else:
        assert not dialog.isVisible() and after == [*before, TYPED]


def test_a_risk_changed_in_its_form_and_not_saved_is_saved_on_close(
    qtbot: QtBot, workspace: Workspace, parent: QWidget
) -> None:
    dialog = _open(qtbot, CASES["objective"], workspace, parent)
    assert isinstance(dialog, ObjectiveDialog)
    risks = dialog.lists[2]
    dialog.tabs.setCurrentWidget(risks)
    if risks.table.rowCount() == 0:  # the demo objective may have none: add one first
        risks.description.setText("Airspace approval delayed")
        risks._on_add_clicked()
    risks.table.selectRow(0)
    assert not dialog.has_unsaved_changes()  # choosing a risk fills the form: not a change
    risks.mitigation.setText(TYPED)
    asked = answer_next_question(Button.Save)
    dialog.close()
    assert asked and not dialog.isVisible()
    detail = planning.objective_detail(workspace.ctx.uow(write=False), dialog.objective_id)
    assert TYPED in [r.mitigation for r in detail.risks]


# ------------------------------------------------------------------ the embedded meeting editor
@pytest.fixture
def meeting_window(window: MainWindow) -> MeetingsPage:
    ws = window.workspace
    day = ws.today() + timedelta(days=10)
    start = datetime.combine(day, time(10), meetings.LONDON)
    meeting = meetings.create_meeting(
        ws.ctx.uow(), title="Typing board", start=start, end=start + timedelta(hours=2)
    ).value
    window.show_page(MEETINGS_PAGE)
    page = window.current_page()
    assert isinstance(page, MeetingsPage)
    page.open_meeting(meeting.id)
    page.editor.select_item(page.editor.agenda_model.rows()[0].item.id)
    return page


def _first_item_title(page: MeetingsPage) -> str:
    assert page.editor.meeting is not None
    slots = meetings.agenda(page.workspace.ctx.uow(write=False), page.editor.meeting.id)
    return slots[0].item.title


def test_leaving_the_meeting_editor_asks(
    qtbot: QtBot, window: MainWindow, meeting_window: MeetingsPage
) -> None:
    page = meeting_window
    editor = page.editor
    before = _first_item_title(page)
    editor.item_title.setFocus()
    editor.item_title.selectAll()
    qtbot.keyClicks(editor.item_title, TYPED)

    asked = answer_next_question(Button.Cancel)
    window.show_page(HOME)  # switching pages
    assert asked == ["Save changes to the meeting “Typing board”?"]
    assert window.current_page() is page and window.nav.currentRow() == MEETINGS_PAGE
    assert editor.item_title.text() == TYPED

    asked = answer_next_question(Button.Cancel)
    window.close()  # closing the window
    assert asked and window.isVisible() and editor.item_title.text() == TYPED

    asked = answer_next_question(Button.Cancel)
    editor.back_button.click()  # back to the list
    assert asked and page.stack.currentWidget() is editor

    asked = answer_next_question(Button.Cancel)
    editor.select_item(editor.agenda_model.rows()[1].item.id)  # another agenda item
    assert asked and editor.item_title.text() == TYPED
    assert editor.selected_item_id() == editor.agenda_model.rows()[0].item.id
    assert _first_item_title(page) == before

    asked = answer_next_question(Button.Save)
    window.show_page(HOME)
    assert asked and window.current_page() is not page
    assert _first_item_title(page) == TYPED


def test_a_resolved_line_and_an_interest_typed_but_not_added_are_asked_about(
    qtbot: QtBot, window: MainWindow, meeting_window: MeetingsPage
) -> None:
    """Lines of the meeting editor that are added with their own button: typed and the page
    left before the button was pressed. Cancel keeps them; Save adds them both."""
    page = meeting_window
    editor = page.editor
    editor.tabs.setCurrentIndex(2)
    panel = editor.minutes
    panel.start_button.click()
    assert window.workspace.runner.settle()
    panel.minute_list.setCurrentRow(0)
    minute_id = panel.current().minute.id  # type: ignore[union-attr]
    assert not editor.has_unsaved_changes()
    qtbot.keyClicks(panel.decision_text, "That the joint plan is agreed")
    editor.decl_person.setCurrentIndex(max(1, editor.decl_person.currentIndex()))
    qtbot.keyClicks(editor.decl_text, "Governor of the training college")

    asked = answer_next_question(Button.Cancel)
    window.show_page(HOME)
    assert asked == ["Save changes to the meeting “Typing board”?"]
    assert window.current_page() is page
    assert panel.decision_text.text() == "That the joint plan is agreed"
    assert editor.decl_text.text() == "Governor of the training college"

    asked = answer_next_question(Button.Save)
    window.show_page(HOME)
    assert asked and window.current_page() is not page
    assert editor.meeting is not None
    views = minutes.minutes_of(window.workspace.ctx.uow(write=False), editor.meeting.id)
    decisions = [d.text for v in views if v.minute.id == minute_id for d in v.decisions]
    assert decisions == ["That the joint plan is agreed"]
    declared = meetings.declarations(window.workspace.ctx.uow(write=False), editor.meeting.id)
    assert [d.interest for d in declared] == ["Governor of the training college"]


def test_discarding_in_the_meeting_editor_puts_back_the_saved_text(
    qtbot: QtBot, window: MainWindow, meeting_window: MeetingsPage
) -> None:
    editor = meeting_window.editor
    before = _first_item_title(meeting_window)
    editor.item_title.setText(TYPED)
    asked = answer_next_question(Button.Discard)
    editor.back_button.click()
    assert asked and meeting_window.stack.currentIndex() == 0
    assert editor.item_title.text() == before == _first_item_title(meeting_window)
    assert not editor.has_unsaved_changes()  # so closing the window asks nothing more
