"""Seen and found (issue 14, point 4) and speed you can feel (point 5), in real windows:
plurals and counts that agree, urgency in words, the keyboard (Ctrl+N, Ctrl+P, Ctrl+F, Tab to the
page list), empty states with their button, buttons with nothing to act on disabled, a new event
in the user's own diary, attendance of the body's members with "All present", the agenda printed
on its own, the marking shown on screen, and "All statuses" read off the GUI thread."""

from __future__ import annotations

import io
import re
from dataclasses import replace
from datetime import datetime, time, timedelta
from pathlib import Path

from board_data import ME, BoardFacts
from pypdf import PdfReader
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox
from pytestqt.qtbot import QtBot

from hescb_desktop.domain.enums import AttendanceRole, Marking
from hescb_desktop.services import crud, meetings
from hescb_desktop.services.action_log import action_log
from hescb_desktop.services.context import ServiceContext
from hescb_desktop.services.entities import PAPERS, PEOPLE
from hescb_desktop.ui.actions.action_dialogs import RaiseActionDialog
from hescb_desktop.ui.actions.action_table_model import COL_REFERENCE, COL_STATUS
from hescb_desktop.ui.actions.actions_page import ActionsPage
from hescb_desktop.ui.calendar.calendar_page import CalendarPage
from hescb_desktop.ui.main_window import ACTIONS, MEETINGS, MainWindow
from hescb_desktop.ui.meetings.meetings_page import MeetingsPage
from hescb_desktop.ui.packs.packs_page import PacksPage
from hescb_desktop.ui.widgets.pdf_view import PdfPreviewDialog
from hescb_desktop.ui.workspace import Workspace

UI = Path(__file__).resolve().parents[2] / "hescb_desktop" / "ui"


def _modal(kind: type, act: object, tries: int = 500) -> list[object]:
    """Run `act(widget)` on the next modal widget of `kind` (a real dialog the code opened)."""
    seen: list[object] = []

    def poll(left: int) -> None:
        w = QApplication.activeModalWidget()
        if isinstance(w, kind):
            seen.append(w)
            act(w)  # type: ignore[operator]
        elif left:
            QTimer.singleShot(10, lambda: poll(left - 1))

    QTimer.singleShot(0, lambda: poll(tries))
    return seen


# ------------------------------------------------------------------ words and counts
def test_no_user_string_says_s_in_brackets() -> None:
    """Plurals go through `labels.counted` ("1 event", "2 events"), never "event(s)"."""
    found = [
        f"{path.relative_to(UI)}: {m.group(0)}"
        for path in UI.rglob("*.py")
        for m in re.finditer(r"tr\(\s*\"[^\"]*\(s\)[^\"]*\"", path.read_text("utf-8"))
    ]
    assert found == []


def test_calendar_search_count_agrees_with_the_status_bar(
    qtbot: QtBot, workspace: Workspace
) -> None:
    page = CalendarPage(workspace)
    qtbot.addWidget(page)
    page.show()
    page.search_box.setText("drone")
    page._on_search_return_pressed()
    assert page.period.text() == "Search: 1 event"
    assert page.status.text() == "1 event shown"  # was the week's "3 event(s) shown"
    page.search_box.setText("e")
    page._on_search_return_pressed()
    n = int(page.period.text().split()[1])
    assert n > 1 and page.status.text() == f"{n} events shown"


def test_overdue_and_due_soon_are_said_in_words(qtbot: QtBot, workspace: Workspace) -> None:
    page = ActionsPage(workspace)
    qtbot.addWidget(page)
    dues = {
        page.proxy.index(r, COL_REFERENCE).data(): page.proxy.index(r, COL_STATUS).data()
        for r in range(page.proxy.rowCount())
    }
    assert sorted(dues.values()) == ["Open", "Open · due soon", "Open · overdue", "Open · overdue"]
    assert page.card.note_label.text().startswith("5 actions · 4 open · 2 overdue")


# ------------------------------------------------------------------ keyboard
def test_ctrl_n_opens_the_pages_new_dialog_and_ctrl_f_goes_to_its_filter(
    qtbot: QtBot, window: MainWindow
) -> None:
    window.show_page(ACTIONS)
    page = window.current_page()
    assert isinstance(page, ActionsPage)
    window.activateWindow()
    qtbot.waitActive(window)
    page.table.setFocus()
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert QApplication.focusWidget() is page.search
    opened = _modal(RaiseActionDialog, lambda d: d.reject())
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert len(opened) == 1 and opened[0].result() == QDialog.DialogCode.Rejected


def test_ctrl_p_prints_the_chosen_meetings_minutes(qtbot: QtBot, window: MainWindow) -> None:
    window.show_page(MEETINGS)
    page = window.current_page()
    assert isinstance(page, MeetingsPage)
    page.table.selectRow(0)
    told = _modal(QMessageBox, lambda box: box.accept())  # no minutes yet: it says so
    qtbot.keyClick(window, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    assert told and "minutes" in told[0].text().casefold()  # type: ignore[attr-defined]


def test_the_page_list_is_reached_with_tab(qtbot: QtBot, window: MainWindow) -> None:
    window.show_page(ACTIONS)
    window.activateWindow()
    qtbot.waitActive(window)
    page = window.current_page()
    assert isinstance(page, ActionsPage)
    page.search.setFocus()
    for _ in range(80):
        if QApplication.focusWidget() is window.nav:
            break
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is window.nav
    qtbot.keyClick(window.nav, Qt.Key.Key_Down)  # and the arrows change page
    assert window.current_index == ACTIONS + 1


# ------------------------------------------------------------------ empty states, disabled buttons
def test_an_empty_board_offers_the_buttons_that_fill_it(
    qtbot: QtBot, empty_ctx: ServiceContext
) -> None:
    ws = Workspace(empty_ctx)
    meetings_page = MeetingsPage(ws)
    packs = PacksPage(ws)
    for p in (meetings_page, packs):
        qtbot.addWidget(p)
        p.show()
    assert meetings_page.view.is_empty
    assert meetings_page.view.button.isVisibleTo(meetings_page)
    assert meetings_page.view.button.text() == "Plan a meeting…"
    assert not meetings_page.open_button.isEnabled() and not meetings_page.print_button.isEnabled()
    assert packs.view.is_empty and packs.view.button.text() == "New paper…"
    nothing_to_act_on = (
        packs.build_button,
        packs.print_button,
        packs.save_button,
        packs.publish_button,
        packs.options_button,
        packs.minutes_button,
        packs.actions_button,
        packs.highlight_button,
        packs.edit_paper_button,
        packs.attach_button,
        packs.attach_paper_button,
        packs.preview_paper_button,
    )
    assert [b.text() for b in nothing_to_act_on if b.isEnabled()] == []
    assert packs.new_paper_button.isEnabled()


# ------------------------------------------------------------------ calendars and attendance
def test_a_new_event_goes_to_the_users_own_diary(qtbot: QtBot, workspace: Workspace) -> None:
    page = CalendarPage(workspace)
    qtbot.addWidget(page)
    start = datetime.combine(workspace.today(), time(9), meetings.LONDON)
    dialog = page.new_event_dialog(start, start + timedelta(hours=1), False)
    qtbot.addWidget(dialog)
    assert dialog.calendar.currentText() == "HC chief officers"  # the user is HC (Settings)
    workspace.update_settings(replace(workspace.settings, organisation_code=""))
    dialog = page.new_event_dialog(start, start + timedelta(hours=1), False)
    qtbot.addWidget(dialog)
    assert dialog.calendar.currentText() == "Executive suite"  # never "Board meetings"


def test_attendance_lists_the_bodys_members_and_marks_all_present(
    qtbot: QtBot, workspace: Workspace, ctx: ServiceContext
) -> None:
    uow = ctx.uow
    people = {p.name: p.id for p in crud.list_all(uow(write=False), PEOPLE)}
    for n in range(3):
        crud.create(uow(), PEOPLE, {"name": f"Not a member {n}"})
    start = datetime.combine(workspace.today(), time(10), meetings.LONDON)
    first = meetings.create_meeting(
        uow(), title="JTSG 1", start=start, end=start + timedelta(hours=1), body="JTSG"
    ).value
    second = meetings.create_meeting(
        uow(),
        title="JTSG 2",
        start=start + timedelta(days=28),
        end=start + timedelta(days=28, hours=1),
        body="JTSG",
    ).value
    page = MeetingsPage(workspace)
    qtbot.addWidget(page)
    page.open_meeting(first.id)  # the body's first meeting: no members known, everyone listed
    assert len(page.editor.attendance_people) == len(people) + 3
    for name in (ME, "Sam Patel"):
        meetings.set_attendance(uow(), first.id, people[name], AttendanceRole.APOLOGIES)
    page.open_meeting(second.id)
    editor = page.editor
    assert sorted(editor.attendance_people) == sorted(people.values())  # the members only
    editor.all_present_button.click()
    assert workspace.runner.settle()
    roles = {a.person_id: a.role for a in meetings.attendance(uow(write=False), second.id)}
    present = AttendanceRole.PRESENT
    assert roles == {people[ME]: present, people["Sam Patel"]: present}
    editor.everyone_box.setChecked(True)
    assert len(editor.attendance_people) == len(people) + 3


# ------------------------------------------------------------------ paper and markings on screen
def test_the_agenda_prints_on_its_own_with_start_times(
    qtbot: QtBot, workspace: Workspace, ctx: ServiceContext
) -> None:
    start = datetime.combine(workspace.today() + timedelta(days=5), time(10), meetings.LONDON)
    meeting = meetings.create_meeting(
        ctx.uow(), title="Agenda board", start=start, end=start + timedelta(hours=3)
    ).value
    slots = meetings.agenda(ctx.uow(write=False), meeting.id)
    paper = crud.list_all(ctx.uow(write=False), PAPERS)[0]
    crud.update(ctx.uow(), PAPERS, paper.id, {"marking": Marking.OFFICIAL_SENSITIVE})
    meetings.update_item(ctx.uow(), slots[-3].item.id, {"paper_id": paper.id})
    page = MeetingsPage(workspace)
    qtbot.addWidget(page)
    page.open_meeting(meeting.id)
    page.editor.print_agenda.trigger()  # Print minutes… ▸ Agenda with start times…
    dialog = page.agenda_preview
    assert isinstance(dialog, PdfPreviewDialog) and dialog.isVisible()
    assert dialog.banner.isVisible() and dialog.banner.text() == "OFFICIAL-SENSITIVE"
    reader = PdfReader(io.BytesIO(dialog.preview.data))
    text = "\n".join(p.extract_text() for p in reader.pages)
    assert len(reader.pages) <= 2  # the agenda alone, no cover, contents or papers
    for slot in slots:
        assert f"{slot.start:%H:%M}" in text
    assert slots[1].item.title in text and paper.reference in text
    assert "Item" in text and "Discussion" in text  # no word broken in a narrow column
    assert text.count("OFFICIAL-SENSITIVE") >= 2  # top and bottom of the page, as on screen
    dialog.close()


def test_a_records_dialog_shows_its_marking(qtbot: QtBot, workspace: Workspace) -> None:
    page = CalendarPage(workspace)
    qtbot.addWidget(page)
    start = datetime.combine(workspace.today(), time(9), meetings.LONDON)
    dialog = page.new_event_dialog(start, start + timedelta(hours=1), False)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.banner.text() == "OFFICIAL" and dialog.banner.isVisible()
    dialog.marking.setCurrentIndex(dialog.marking.findData(Marking.OFFICIAL_SENSITIVE.value))
    assert dialog.banner.text() == "OFFICIAL-SENSITIVE"
    dialog.marking.setCurrentIndex(dialog.marking.findData(Marking.OFFICIAL.value))  # unchanged


# ------------------------------------------------------------------ speed
def test_all_statuses_reads_the_closed_actions_in_the_background(
    qtbot: QtBot, workspace: Workspace, board: BoardFacts
) -> None:
    page = ActionsPage(workspace)
    qtbot.addWidget(page)
    page.show()
    with qtbot.waitSignal(page.closed_loaded, timeout=10_000):
        page.status_filter.setCurrentIndex(0)
        assert page.loading_closed  # the window answered before they were read
        assert "reading the closed actions" in page.card.note_label.text()
    shown = [page.proxy.index(r, 0).data() for r in range(page.proxy.rowCount())]
    everything = [r.reference for r in action_log(workspace.ctx.uow(write=False))]
    assert shown == everything  # merged in the log's order
    page.search.setText("old missing-person SOP")  # a closed action's text is searchable
    assert page.proxy.rowCount() == 1
