"""What each role sees (issue 15, point 2): a real window on the known board made protected, as a
viewer, an officer (the user, who owns four of its five actions) and the secretariat. What the
person may not do is disabled, its tooltip saying why; what they may do stays enabled."""

from __future__ import annotations

import os
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from board_data import ME
from PySide6.QtCore import QPointF, QSettings, Qt
from PySide6.QtWidgets import QAbstractButton, QComboBox, QLineEdit, QMessageBox, QPushButton
from pytestqt.qtbot import QtBot
from test_calendar_page import drag, when_modal

from hescb_desktop.domain.calendar import EventDraft
from hescb_desktop.domain.permissions import Identity, Role
from hescb_desktop.services import calendar as cal
from hescb_desktop.services import crud, meetings, minutes
from hescb_desktop.services.context import ServiceContext
from hescb_desktop.services.entities import PEOPLE
from hescb_desktop.storage.identity import write_identity
from hescb_desktop.ui.actions.action_table_model import COL_STATUS
from hescb_desktop.ui.actions.actions_page import ActionsPage
from hescb_desktop.ui.board.board_page import BoardPage
from hescb_desktop.ui.board.objective_dialog import ObjectiveDialog
from hescb_desktop.ui.board.stages_dialog import StagesDialog
from hescb_desktop.ui.calendar.calendar_page import WORK_WEEK, CalendarPage
from hescb_desktop.ui.main_window import MainWindow
from hescb_desktop.ui.meetings.meetings_page import MeetingsPage
from hescb_desktop.ui.packs.packs_page import PacksPage
from hescb_desktop.ui.workspace import Workspace

LONDON = ZoneInfo("Europe/London")
VIEWER = "A viewer reads only: ask the secretariat."
# set HESCB_SHOTS to a folder to keep screenshots of the actions page in each role
SHOTS = Path(os.environ["HESCB_SHOTS"]) if os.environ.get("HESCB_SHOTS") else None


def person(ctx: ServiceContext, name: str) -> str:
    return next(p.id for p in crud.list_all(ctx.uow(write=False), PEOPLE) if p.name == name)


@pytest.fixture
def minuted(ctx: ServiceContext) -> str:
    """A meeting with its standard agenda and minutes started (before the board is protected)."""
    start = datetime.now(LONDON).replace(microsecond=0) - timedelta(days=7)
    meeting = meetings.create_meeting(
        ctx.uow(), title="Extraordinary board", start=start, end=start + timedelta(hours=1)
    ).value
    minutes.start_minutes(ctx.uow(), meeting.id)
    return meeting.id


def open_as(qtbot: QtBot, ctx: ServiceContext, window_state: QSettings, role: Role) -> MainWindow:
    me = person(ctx, ME)
    write_identity(ctx.engine, "root-fp", Identity(me, ME, role, "tester"))
    win = MainWindow(Workspace(ctx), window_state)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    return win


@pytest.fixture(params=[Role.VIEWER, Role.OFFICER, Role.SECRETARIAT], ids=str)
def role(request: pytest.FixtureRequest) -> Role:
    return Role(request.param)


@pytest.fixture
def win(
    qtbot: QtBot, ctx: ServiceContext, window_state: QSettings, minuted: str, role: Role
) -> MainWindow:
    return open_as(qtbot, ctx, window_state, role)


def refused(button: QAbstractButton, why: str) -> None:
    assert not button.isEnabled(), button.text()
    assert button.toolTip() == why, button.text()


def allowed(button: QAbstractButton) -> None:
    assert button.isEnabled(), (button.text(), button.toolTip())


def select_action(page: ActionsPage, owner: str) -> int:
    rows = page.visible_rows()
    n = next(i for i, r in enumerate(rows) if r.owner == owner)
    page.table.selectRow(n)
    return n


def test_the_actions_page(win: MainWindow, role: Role, qtbot: QtBot) -> None:
    page = win.page(4)
    assert isinstance(page, ActionsPage)
    win.show_page(4)
    mine = select_action(page, ME)
    editable = bool(page.proxy.index(mine, COL_STATUS).flags() & Qt.ItemFlag.ItemIsEditable)
    revise_mine = page.revise_button.isEnabled()
    theirs = select_action(page, "Sam Patel")
    their_editable = page.proxy.index(theirs, COL_STATUS).flags() & Qt.ItemFlag.ItemIsEditable
    if role is Role.VIEWER:
        refused(page.new_button, VIEWER)
        refused(page.revise_button, VIEWER)
        assert not editable and not their_editable and not revise_mine
    elif role is Role.OFFICER:
        refused(page.new_button, "Only the secretariat may create actions.")
        assert editable and revise_mine  # their own: progress
        refused(
            page.revise_button,
            "An officer records progress only on actions that they or their principal own:"
            " ask the secretariat.",
        )
        assert not their_editable
    else:
        allowed(page.new_button)
        allowed(page.revise_button)
        assert editable and their_editable
    allowed(page.history_button)  # reading is everyone's
    allowed(page.csv_button)
    if SHOTS is not None:
        select_action(page, ME)
        page.window().resize(1280, 760)
        qtbot.wait(50)
        page.window().grab().save(str(SHOTS / f"actions-{role.value}.png"))


def test_the_planning_board(win: MainWindow, role: Role) -> None:
    """The board is the secretariat's (objectives, RAG, risks, the opportunities register, the
    stages): an officer and a viewer read it, open each objective read-only, drag nothing."""
    page = win.page(2)
    assert isinstance(page, BoardPage)
    win.show_page(2)
    why = {
        Role.VIEWER: VIEWER,
        Role.OFFICER: "Only the secretariat may edit planning records.",
        Role.SECRETARIAT: "",
    }[role]
    create_why = why.replace("edit", "create")
    stages_why = why.replace("edit", "administer")
    cards = [c for cell in page.board_view.cells.values() for c in cell.card_model.cards()]
    assert cards
    dialog = ObjectiveDialog(page.workspace, cards[0].id, lambda _text: None, page)
    stages = StagesDialog(page.workspace, page)
    try:
        saves = [b for b in dialog.findChildren(QPushButton) if b.text().startswith("Save")]
        assert len(saves) >= 2  # details and RAG, and the risks
        typed = dialog.findChildren(QLineEdit)
        combos = dialog.findChildren(QComboBox)
        stage_buttons = [b for b in stages.findChildren(QPushButton) if b.text() != "Close"]
        if role is Role.SECRETARIAT:
            allowed(page.new_objective_button)
            allowed(page.stages_button)
            for button in [*saves, *stage_buttons, *page.opportunities.edit_buttons]:
                allowed(button)
            assert not any(t.isReadOnly() for t in typed)
            assert all(c.isEnabled() for c in combos)
        else:
            refused(page.new_objective_button, create_why)
            refused(page.stages_button, stages_why)
            for button in saves:
                refused(button, why)
            for button in stage_buttons:
                refused(button, stages_why)
            for button in page.opportunities.edit_buttons:
                refused(button, why)
            assert typed and all(t.isReadOnly() for t in typed)
            assert combos and not any(c.isEnabled() for c in combos)
            assert dialog.tabs.isEnabled()  # every tab can still be read
            assert dialog.read_only_note.text() == f"Read only. {why}"
        for view in page.board_view.cells.values():
            assert view.dragEnabled() is (role is Role.SECRETARIAT)
            assert view.acceptDrops() is (role is Role.SECRETARIAT)
        assert page.board_view.moves_refused == why
        if SHOTS is not None:
            dialog.show()
            dialog.grab().save(str(SHOTS / f"objective-{role.value}.png"))
    finally:
        dialog.close()
        stages.close()


def test_the_meetings_and_minutes(win: MainWindow, role: Role, minuted: str) -> None:
    page = win.page(3)
    assert isinstance(page, MeetingsPage)
    win.show_page(3)
    page.open_meeting(minuted)
    editor, panel = page.editor, page.editor.minutes
    panel.minute_list.setCurrentRow(2)
    if role is Role.VIEWER:
        for button in (page.new_button, editor.details_button, editor.add_item, editor.decl_add):
            refused(button, VIEWER)
        refused(panel.approve_button, VIEWER)
        refused(panel.save_summary, VIEWER)
        assert panel.summary.isReadOnly()
    elif role is Role.OFFICER:
        refused(page.new_button, "Only the secretariat may create meetings.")
        refused(editor.details_button, "Only the secretariat may edit meetings.")
        allowed(editor.add_item)  # officers propose agenda items
        refused(editor.up_button, "An officer proposes agenda items and changes only their own"
                " or their principal's: ask the secretariat.")  # fmt: skip
        refused(panel.approve_button, "Only the secretariat may approve minutes.")
        refused(panel.save_summary, "Only the secretariat may edit minutes.")
        refused(panel.raise_button, "Only the secretariat may create actions.")
    else:
        for button in (page.new_button, editor.details_button, editor.add_item, editor.up_button):
            allowed(button)
        allowed(panel.approve_button)
        allowed(panel.save_summary)
        assert not panel.summary.isReadOnly()


def test_the_calendar(win: MainWindow, role: Role) -> None:
    page = win.page(1)
    assert isinstance(page, CalendarPage)
    win.show_page(1)
    if role is Role.VIEWER:
        refused(page.new_button, VIEWER)
        assert not page.import_action.isEnabled() and page.import_action.toolTip() == VIEWER
    else:  # an officer's own diary, the secretariat's anyone's
        allowed(page.new_button)
        assert page.import_action.isEnabled()


def test_the_papers_and_packs(win: MainWindow, role: Role, ctx: ServiceContext) -> None:
    page = win.page(5)
    assert isinstance(page, PacksPage)
    win.show_page(5)
    page.paper_table.selectRow(0)  # the secretariat's paper
    if role is Role.VIEWER:
        refused(page.new_paper_button, VIEWER)
        refused(page.edit_paper_button, VIEWER)
        assert page.publish_button.toolTip() == VIEWER
    elif role is Role.OFFICER:
        allowed(page.new_paper_button)  # officers propose papers
        refused(
            page.edit_paper_button,
            "An officer proposes papers and changes only their own or their principal's:"
            " ask the secretariat.",
        )
        assert not page.publish_button.isEnabled()
        assert page.publish_button.toolTip() == "Only the secretariat may publish board packs."
    else:
        allowed(page.new_paper_button)
        allowed(page.edit_paper_button)
        assert page.publish_button.toolTip() != VIEWER
    allowed(page.preview_paper_button)


def test_an_officer_drags_their_own_diary_not_anothers(
    qtbot: QtBot, ctx: ServiceContext, window_state: QSettings
) -> None:
    """The week grid starts no drag on someone else's event (the rules say why elsewhere); the
    officer's own moves, and an edit of another's by double-click is refused in words."""
    monday = date(2030, 3, 4)
    me, sam = person(ctx, ME), person(ctx, "Sam Patel")
    for owner, hour in ((me, 9), (sam, 13)):
        start = datetime.combine(monday, time(hour), LONDON)
        cal.create_event(
            ctx.uow(), EventDraft(owner, start, start + timedelta(hours=1), owner_id=owner)
        )
    write_identity(ctx.engine, "root-fp", Identity(me, ME, Role.OFFICER, "tester"))
    page = CalendarPage(Workspace(ctx))
    qtbot.addWidget(page)
    page.resize(1300, 900)
    page.show()
    qtbot.waitExposed(page)
    page.go_to(monday, WORK_WEEK)
    by_owner = {o.owner_id: o for o in page.grid.occurrences}
    for owner in (me, sam):
        start = page.grid.point_of(by_owner[owner])
        drag(qtbot, page.grid, start, QPointF(start.x(), start.y() + page.grid.hour_height))
    moved = {o.owner_id: o.start.hour for o in week_of(ctx, monday)}
    assert moved == {me: 10, sam: 13}
    seen: list[str] = []

    def read(box: object) -> None:
        assert isinstance(box, QMessageBox)
        seen.append(box.text())
        box.accept()

    when_modal(qtbot, read)
    page.edit(by_owner[sam])
    assert seen == [
        "An officer changes only calendar items that they or their principal own:"
        " ask the secretariat."
    ]


def week_of(ctx: ServiceContext, monday: date) -> list[cal.Occurrence]:
    window = cal.window_of_days(monday, monday + timedelta(days=6))
    return cal.occurrences(ctx.uow(write=False), *window)
