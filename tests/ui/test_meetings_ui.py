"""The secretariat's cycle in the GUI: plan a meeting from the standard agenda, reorder it, record
attendance and a declaration, minute an item, raise an action in place, see it in the action log
and in the next meeting's review item; the action log's editing, filters and exports."""

from __future__ import annotations

import csv
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from board_data import ME, BoardFacts
from icalendar import Calendar
from PySide6.QtCore import QModelIndex, Qt, QTimer
from PySide6.QtWidgets import QApplication
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from hescb_desktop.domain.enums import ActionStatus, AttendanceRole, MinutesStatus
from hescb_desktop.domain.rules import STANDARD_AGENDA
from hescb_desktop.services import actions as action_service
from hescb_desktop.services import meetings, minutes
from hescb_desktop.services.action_log import action_log
from hescb_desktop.services.context import ServiceContext
from hescb_desktop.ui.actions.action_dialogs import RaiseActionDialog, ReviseDueDialog
from hescb_desktop.ui.actions.action_table_model import (
    COL_DUE,
    COL_MEETING,
    COL_REFERENCE,
    COL_STATUS,
    COL_UPDATE,
    ActionTableModel,
)
from hescb_desktop.ui.actions.actions_page import ActionsPage
from hescb_desktop.ui.main_window import ACTIONS, MEETINGS, MainWindow
from hescb_desktop.ui.meetings.meetings_page import MeetingsPage
from hescb_desktop.ui.widgets.palette import DUE_SOON_BACKGROUND, OVERDUE_BACKGROUND

TEXT = "Agree the drone <protocol> & costs 🚒 — مرحبا Łódź"


def _plan(page: MeetingsPage, title: str, day: date) -> str:
    dialog = page.meeting_dialog()
    dialog.title.setText(title)
    dialog.day.setDate(day)
    dialog.buttons.accepted.emit()
    assert dialog.workspace.runner.settle()
    assert dialog.result_meeting is not None, dialog.error.text()
    page.open_meeting(dialog.result_meeting.id)
    return dialog.result_meeting.id


def _raise_in_place(qtbot: QtBot, page: MeetingsPage, owner: str, due: date) -> None:
    """Click "Raise action…", fill the modal dialog as a user would and press OK."""
    seen: list[RaiseActionDialog] = []

    def fill() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, RaiseActionDialog)
        seen.append(dialog)
        dialog.description.setPlainText(TEXT)
        dialog.owner.setCurrentIndex(dialog.owner.findText(owner))
        dialog.due.setDate(due)
        dialog.buttons.button(dialog.buttons.StandardButton.Ok).click()

    QTimer.singleShot(0, fill)
    page.editor.minutes.raise_button.click()
    assert seen and seen[0].result_action is not None, seen[0].error.text()


def test_the_meeting_cycle_in_the_gui(
    qtbot: QtBot, window: MainWindow, ctx: ServiceContext, today: date
) -> None:
    window.show_page(MEETINGS)
    page = window.current_page()
    assert isinstance(page, MeetingsPage)
    day = today + timedelta(days=7)
    meeting_id = _plan(page, "HESCB <spring> & board", day)
    editor = page.editor
    settle = editor.workspace.runner.settle  # each edit is saved off the GUI thread
    titles = [editor.agenda_model.row_at(r).item.title for r in range(12)]
    assert titles == [s.title for s in STANDARD_AGENDA]

    # reorder by drag and drop: "Reports for decision" dropped at the top
    model = editor.agenda_model
    data = model.mimeData([model.index(7, 0)])
    model.dropMimeData(data, Qt.DropAction.MoveAction, 0, 0, QModelIndex())
    assert settle()
    assert model.row_at(0).item.title == "Reports for decision"
    assert model.data(model.index(1, 1)) == "10:30"  # the 30-minute item now goes first
    model.dropMimeData(
        model.mimeData([model.index(0, 0)]), Qt.DropAction.MoveAction, 8, 0, QModelIndex()
    )
    assert settle()
    assert [model.row_at(r).item.title for r in range(12)] == titles

    # attendance and a declaration on item 8
    editor.tabs.setCurrentIndex(1)
    names = [editor.attendance.item(r, 0).text() for r in range(editor.attendance.rowCount())]
    me_row = names.index(ME)
    combo = editor.attendance.cellWidget(me_row, 2)
    combo.setCurrentIndex(combo.findData(AttendanceRole.PRESENT.value))
    assert settle()
    rows = meetings.attendance(ctx.uow(write=False), meeting_id)
    assert [(r.role) for r in rows] == [AttendanceRole.PRESENT]
    editor.decl_person.setCurrentIndex(editor.decl_person.findText("Sam Patel"))
    editor.decl_item.setCurrentIndex(8)
    editor.decl_text.setText("")
    editor.decl_add.click()
    assert settle()
    assert "say what the interest is" in editor.error.text()
    editor.decl_text.setText("Governor of the training college")
    editor.decl_add.click()
    assert settle()
    assert editor.declarations.item(0).text().startswith("Sam Patel (8. Reports for decision)")

    # minutes: numbers, summary, RESOLVED for two bodies, an action raised in place
    editor.tabs.setCurrentIndex(2)
    panel = editor.minutes
    panel.start_button.click()
    assert settle()
    assert panel.minute_list.count() == 12
    panel.minute_list.setCurrentRow(6)
    qtbot.keyClicks(panel.summary, "Forward plan noted")  # typed, not saved, then another minute
    panel.minute_list.setCurrentRow(7)
    assert settle()
    assert panel.heading.text().endswith("Reports for decision")
    assert minutes.minutes_of(ctx.uow(write=False), meeting_id)[6].minute.summary == (
        "Forward plan noted"
    )
    panel.summary.setPlainText(TEXT)
    panel.save_summary.click()
    assert settle()
    panel.decision_text.setText("That the business case is approved")
    for box in panel.decided_by:
        box.setChecked(box.text() in ("HC", "HFRS"))
    panel.add_decision.click()
    assert settle()
    assert panel.decisions.count() == 2
    assert panel.decisions.item(0).text().startswith("RESOLVED – That the business case")
    _raise_in_place(qtbot, page, "Sam Patel", day + timedelta(days=14))
    assert panel.action_list.count() == 1
    ref = panel.action_list.item(0).text().split()[0]
    minute_ref = panel.current().minute.reference  # type: ignore[union-attr]

    # the action log shows it, linked to the meeting and the minute
    window.show_page(ACTIONS)
    log = window.current_page()
    assert isinstance(log, ActionsPage)
    log.search.setText(ref)
    assert log.proxy.rowCount() == 1
    row = log.proxy.index(0, COL_MEETING)
    assert row.data() == f"HESCB {day:%d %b %Y} · {minute_ref}"
    assert log.proxy.index(0, 3).data() == TEXT  # shown exactly as typed

    # the next meeting's review item lists it (carried forward with the other open actions)
    window.show_page(MEETINGS)
    page.show_list()
    next_id = _plan(page, "HESCB summer board", day + timedelta(days=60))
    page.editor.tabs.setCurrentIndex(2)
    page.editor.minutes.start_button.click()
    assert page.editor.workspace.runner.settle()
    page.editor.minutes.minute_list.setCurrentRow(5)
    review = page.editor.minutes.review_list
    assert page.editor.minutes.review_list.isVisibleTo(page.editor.minutes)
    carried = [review.item(n).text() for n in range(review.count())]
    assert any(line.startswith(ref) for line in carried)
    assert len(carried) == 5  # the board's 4 open actions and the new one

    # approve the first meeting's minutes at the next one: read-only, then re-opened
    page.open_meeting(meeting_id)
    panel.approve_button.click()
    assert settle()
    panel.minute_list.setCurrentRow(7)
    assert panel.current().minute.status is MinutesStatus.APPROVED  # type: ignore[union-attr]
    assert not panel.summary.isEnabled() and not panel.raise_button.isEnabled()
    assert not editor.attendance.isEnabled() and not editor.save_item.isEnabled()
    panel.ask_reason = lambda: "Attendance to correct"  # type: ignore[method-assign]
    panel.reopen_button.click()
    assert settle()
    assert panel.summary.isEnabled()
    assert "Attendance to correct" in panel.state.text()
    assert editor.attendance.isEnabled()
    assert next_id != meeting_id


def test_action_log_inline_editing_follows_the_rules(
    qtbot: QtBot, window: MainWindow, ctx: ServiceContext, board: BoardFacts
) -> None:
    window.show_page(ACTIONS)
    page = window.current_page()
    assert isinstance(page, ActionsPage)
    page.search.setText("drone deployment")
    assert page.proxy.rowCount() == 1
    status = page.proxy.index(0, COL_STATUS)
    ref = page.proxy.index(0, COL_REFERENCE).data()
    before = action_service.find_action(ctx.uow(write=False), ref)

    # closing an action nobody proposed complete: refused inline, nothing changed
    page.proxy.setData(status, ActionStatus.CLOSED.value)  # saved off the GUI thread
    assert window.workspace.runner.settle()
    assert "only an action proposed complete" in page.error.text()
    assert action_service.find_action(ctx.uow(write=False), ref) == before

    assert page.proxy.setData(status, ActionStatus.COMPLETE.value)
    qtbot.waitUntil(
        lambda: page.proxy.index(0, COL_STATUS).data() == "Complete (proposed for closure)"
    )
    assert page.error.isHidden()
    update = page.proxy.index(0, COL_UPDATE)
    assert page.proxy.setData(update, "Protocol sent to all chiefs")
    qtbot.waitUntil(lambda: page.proxy.index(0, COL_UPDATE).data() == "Protocol sent to all chiefs")
    # a proposed completion is not painted overdue
    assert page.proxy.index(0, COL_DUE).data(Qt.ItemDataRole.BackgroundRole) is None

    # the update history, with who and when; a due-date revision needs a reason
    page.table.selectRow(0)
    dialog = page.updates_dialog()
    assert dialog is not None
    lines = [dialog.entries.item(n).text() for n in range(dialog.entries.count())]
    assert len(lines) == 2 and lines[-1].endswith("Protocol sent to all chiefs")
    assert f"· {ME} [Complete (proposed for closure)]" in lines[0]
    revise = ReviseDueDialog(window.workspace, before, page)
    revise.due.setDate(revise.due.date().addDays(14))
    revise.buttons.accepted.emit()
    assert window.workspace.runner.settle()
    assert "give a reason" in revise.error.text()
    revise.reason.setText("Chiefs asked for a fortnight more")
    revise.buttons.accepted.emit()
    assert window.workspace.runner.settle()
    revised = action_service.find_action(ctx.uow(write=False), ref)
    assert revised.due_date == before.due_date and revised.revised_due_date is not None
    assert revised.revision_reason == "Chiefs asked for a fortnight more"

    chosen = meetings.list_meetings(ctx.uow(write=False))[0]
    page.ask_meeting = lambda row: chosen.id  # type: ignore[method-assign]
    assert page.proxy.setData(page.proxy.index(0, COL_STATUS), ActionStatus.CLOSED.value)
    assert window.workspace.runner.settle()
    after = action_service.find_action(ctx.uow(write=False), ref)
    assert after.status is ActionStatus.CLOSED and after.closed_at_meeting_id == chosen.id
    notes = [h.note for h in action_service.history(ctx.uow(write=False), after.id)]
    assert notes[0].startswith("Proposed complete") and notes[2].startswith("Due date revised")
    assert notes[-1].startswith("Closure agreed at HESCB")
    qtbot.waitUntil(lambda: page.proxy.rowCount() == 0)  # closed: gone from the open list


def test_action_log_filters_colours_and_exports(
    qtbot: QtBot,
    window: MainWindow,
    ctx: ServiceContext,
    board: BoardFacts,
    today: date,
    tmp_path: Path,
) -> None:
    window.show_page(ACTIONS)
    page = window.current_page()
    assert isinstance(page, ActionsPage)
    assert page.proxy.rowCount() == board.open_actions
    page.overdue.setChecked(True)
    assert page.proxy.rowCount() == 2  # the board's two late open actions
    colours = {
        page.proxy.index(r, COL_DUE).data(Qt.ItemDataRole.BackgroundRole).name()
        for r in range(page.proxy.rowCount())
    }
    assert colours == {OVERDUE_BACKGROUND}
    page.overdue.setChecked(False)
    page.mine.setChecked(True)
    assert page.proxy.rowCount() == board.my_open_actions
    page.owner_filter.setCurrentIndex(page.owner_filter.findText("Sam Patel"))
    assert page.proxy.rowCount() == 0  # mine and Sam's: none
    page.mine.setChecked(False)
    assert page.proxy.rowCount() == 1
    page.owner_filter.setCurrentIndex(0)
    page.org_filter.setCurrentIndex(page.org_filter.findText("HFRS"))
    assert page.proxy.rowCount() == 1
    page.org_filter.setCurrentIndex(0)
    page.due_week.setChecked(True)
    week_end = today + timedelta(days=6 - today.weekday())
    expected = sum(
        1
        for e in action_log(ctx.uow(write=False))
        if e.open and e.due is not None and today <= e.due <= week_end
    )
    assert page.proxy.rowCount() == expected
    page.due_week.setChecked(False)
    soon = [
        r
        for r in range(page.proxy.rowCount())
        if page.proxy.index(r, COL_DUE).data(Qt.ItemDataRole.BackgroundRole) is not None
        and page.proxy.index(r, COL_DUE).data(Qt.ItemDataRole.BackgroundRole).name()
        == DUE_SOON_BACKGROUND
    ]
    assert len(soon) == 1  # "Report on joint training costs", due in 3 days

    with qtbot.waitSignal(page.closed_loaded):  # read in the background (issue 14)
        page.status_filter.setCurrentIndex(0)
    csv_path, ics_path = tmp_path / "log.csv", tmp_path / "due.ics"
    page.export_csv(csv_path)
    raw = csv_path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfReference,Date raised,")
    rows = list(csv.DictReader(raw.decode("utf-8-sig").splitlines()))
    assert len(rows) == board.all_actions
    assert all(date.fromisoformat(r["Date raised"]) for r in rows)
    page.export_ics(ics_path)
    cal = Calendar.from_ical(ics_path.read_bytes())
    events = [c for c in cal.walk("VEVENT")]
    assert len(events) == board.open_actions  # the closed one has no due date to keep
    assert all(isinstance(e.decoded("dtstart"), date) for e in events)
    assert not any(isinstance(e.decoded("dtstart"), datetime) for e in events)


def test_action_and_agenda_models_pass_the_model_tester(
    qtmodeltester: ModelTester, ctx: ServiceContext, window: MainWindow
) -> None:
    model = ActionTableModel()
    model.set_rows(action_log(ctx.uow(write=False)))
    assert model.rowCount() > 0
    qtmodeltester.check(model)
    qtmodeltester.check(model, force_py=True)
    model.sort(COL_DUE, Qt.SortOrder.AscendingOrder)
    dues = [model.index(r, COL_DUE).data(Qt.ItemDataRole.UserRole + 1) for r in range(5)]
    assert dues == sorted(dues)
    window.show_page(MEETINGS)
    page = window.current_page()
    assert isinstance(page, MeetingsPage)
    page.open_meeting(meetings.list_meetings(ctx.uow(write=False))[0].id)
    page.editor.agenda_model.set_rows(page.editor.agenda_model.rows())
    qtmodeltester.check(page.editor.agenda_model, force_py=True)


def test_the_next_meeting_is_planned_like_the_last_one(
    window: MainWindow, ctx: ServiceContext, today: date
) -> None:
    window.show_page(MEETINGS)
    page = window.current_page()
    assert isinstance(page, MeetingsPage)
    dialog = page.meeting_dialog()
    # the board met 30 days ago and meets in 30 days: the next is 60 days after that, same room
    assert dialog.body.currentText() == "HESCB"
    assert dialog.title.text() == "HESCB board meeting 2"
    assert dialog.day.date() == today + timedelta(days=90)
    assert dialog.venue.currentText() == "Executive suite boardroom"
    assert (dialog.start.time().hour(), dialog.end.time().hour()) == (10, 12)
    dialog.body.setCurrentText("JESG")  # a new sub-board: a blank meeting four weeks ahead
    assert dialog.day.date() == today + timedelta(days=28)
    assert dialog.title.text() == "Board meeting"


def test_bad_input_in_the_dialogs_is_refused_inline(
    window: MainWindow, ctx: ServiceContext, today: date
) -> None:
    window.show_page(MEETINGS)
    page = window.current_page()
    assert isinstance(page, MeetingsPage)
    count = len(meetings.list_meetings(ctx.uow(write=False)))
    dialog = page.meeting_dialog()
    dialog.title.setText("   ")
    dialog.buttons.accepted.emit()
    assert dialog.workspace.runner.settle()
    assert "title is required" in dialog.error.text() and dialog.result_meeting is None
    dialog.title.setText("Board")
    dialog.end.setTime(dialog.start.time().addSecs(-3600))
    dialog.buttons.accepted.emit()
    assert dialog.workspace.runner.settle()
    assert "end must be after" in dialog.error.text()
    assert len(meetings.list_meetings(ctx.uow(write=False))) == count

    log = ActionsPage(window.workspace)
    before = len(action_log(ctx.uow(write=False)))
    raise_dialog = RaiseActionDialog(window.workspace, [], parent=log)
    raise_dialog.description.setPlainText("x")
    raise_dialog.buttons.accepted.emit()
    assert window.workspace.runner.settle()
    assert "owner" in raise_dialog.error.text()
    assert len(action_log(ctx.uow(write=False))) == before
    assert minutes.RESOLVED == "RESOLVED – "


@pytest.fixture(autouse=True)
def _no_stray_dialogs() -> None:
    yield
    assert QApplication.activeModalWidget() is None
