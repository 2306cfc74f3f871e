"""The main window on a known board: pages, shortcuts, Home's numbers, menus, state, dialogs."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from board_data import ME, BoardFacts
from PySide6.QtCore import QPoint, QSettings, QSize, Qt, QTimer
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QApplication, QDialog, QDialogButtonBox
from pytestqt.qtbot import QtBot
from unsaved_helpers import Button, answer_next_question

from hescb_desktop import __version__
from hescb_desktop.domain.dto import ActionDTO
from hescb_desktop.domain.enums import Rag
from hescb_desktop.services import actions as action_service
from hescb_desktop.services import board, crud
from hescb_desktop.services.context import ServiceContext, open_context
from hescb_desktop.services.entities import ACTIONS, PEOPLE
from hescb_desktop.services.settings import UserSettings, load_settings, save_settings
from hescb_desktop.storage.identity import write_identity
from hescb_desktop.ui.about_dialog import AboutDialog
from hescb_desktop.ui.actions.actions_page import ActionsPage
from hescb_desktop.ui.board.board_page import BoardPage
from hescb_desktop.ui.calendar.calendar_page import CalendarPage
from hescb_desktop.ui.home.home_page import HomePage
from hescb_desktop.ui.main_window import HOME, MainWindow
from hescb_desktop.ui.meetings.meetings_page import MeetingsPage
from hescb_desktop.ui.packs.packs_page import PacksPage
from hescb_desktop.ui.settings_dialog import SettingsDialog
from hescb_desktop.ui.sync.conflicts_page import ConflictsPage
from hescb_desktop.ui.workspace import Workspace

PAGE_TYPES = [
    HomePage,
    CalendarPage,
    BoardPage,
    MeetingsPage,
    ActionsPage,
    PacksPage,
    ConflictsPage,
]


def test_starts_on_home_and_builds_other_pages_only_when_visited(window: MainWindow) -> None:
    assert window.current_index == HOME
    assert list(window.pages) == [HOME]
    assert isinstance(window.stack.currentWidget(), HomePage)


def test_every_page_opens_by_keyboard_shortcut(qtbot: QtBot, window: MainWindow) -> None:
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    for number in [2, 3, 4, 5, 6, 7, 1]:
        with qtbot.waitSignal(window.page_changed, timeout=2000) as changed:
            qtbot.keyClick(
                window, Qt.Key(Qt.Key.Key_0 + number), Qt.KeyboardModifier.ControlModifier
            )
        assert changed.args == [number - 1]
        assert isinstance(window.stack.currentWidget(), PAGE_TYPES[number - 1])
        assert window.page_actions[number - 1].isChecked()
        assert window.nav.currentRow() == number - 1


def test_every_page_opens_from_the_navigation(qtbot: QtBot, window: MainWindow) -> None:
    for row in [6, 5, 4, 3, 2, 1, 0]:
        rect = window.nav.visualRect(window.nav.model().index(row, 0))
        qtbot.mouseClick(window.nav.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        assert window.current_index == row
        assert isinstance(window.stack.currentWidget(), PAGE_TYPES[row])
    assert len(window.pages) == len(PAGE_TYPES)


def test_view_menu_lists_the_pages_with_ctrl_number_shortcuts(window: MainWindow) -> None:
    shortcuts = [a.shortcut().toString() for a in window.page_actions]
    assert shortcuts == [f"Ctrl+{n}" for n in range(1, 8)]
    window.page_actions[3].trigger()
    assert isinstance(window.stack.currentWidget(), MeetingsPage)


def test_home_shows_the_boards_numbers(window: MainWindow, board: BoardFacts) -> None:
    home = window.pages[HOME]
    assert isinstance(home, HomePage)
    assert home.events_model.rowCount() == board.events_today
    assert home.actions_model.rowCount() == board.my_open_actions
    assert home.objectives_model.rowCount() == board.objectives_on_home
    for rag, count in board.rag_counts:
        assert home.rag_tiles.count(rag) == count
    assert home.actions_card.note_label.text() == "3 open · 1 overdue"
    assert home.today_card.note_label.text() == "2 events"
    assert ME in home.header.title_label.text()


@pytest.mark.parametrize(
    ("protected", "says"),
    [
        (False, "once the secretariat has upgraded this board"),  # a PC that never had a name
        (True, "once the board knows your account"),  # an account the board does not know
    ],
)
def test_home_without_a_person_says_how_to_see_my_actions(
    qtbot: QtBot,
    ctx: ServiceContext,
    board: BoardFacts,
    window_state: QSettings,
    protected: bool,
    says: str,
) -> None:
    save_settings(ctx.uow(), UserSettings(first_run_choice="demo"))  # no name ever set
    if protected:
        write_identity(ctx.engine, "12345 12345 12345 12345 12345 12345", None)
    win = MainWindow(Workspace(ctx), window_state)
    qtbot.addWidget(win)
    home = win.pages[HOME]
    assert isinstance(home, HomePage)
    assert home.actions_model.rowCount() == 0
    assert home.actions_view.is_empty
    assert says in home.actions_view.message.text()


def test_pages_show_real_rows(qtbot: QtBot, window: MainWindow, board: BoardFacts) -> None:
    actions = window.page(4)
    assert isinstance(actions, ActionsPage)
    assert actions.proxy.rowCount() == board.open_actions
    with qtbot.waitSignal(actions.closed_loaded):  # the closed ones are read in the background
        actions.status_filter.setCurrentIndex(0)  # all statuses
        assert actions.loading_closed  # the choice returned before they were read
        assert actions.proxy.rowCount() == board.open_actions
    assert actions.proxy.rowCount() == board.all_actions
    meetings, packs, board_page = window.page(3), window.page(5), window.page(2)
    assert isinstance(meetings, MeetingsPage) and meetings.model.rowCount() == board.meetings
    assert isinstance(packs, PacksPage) and packs.model.rowCount() == board.papers
    assert isinstance(board_page, BoardPage)
    assert board_page.board_view.view_for("In delivery").card_model.rowCount() == 3  # + workstream


def test_status_bar_shows_user_organisation_and_sync_state(window: MainWindow) -> None:
    assert window.status.user_label.text() == ME  # a board not protected: the name kept
    assert window.status.trust_label.isVisible()
    assert window.status.org_label.text() == "Hertfordshire Constabulary (HC)"
    assert window.status.sync_label.text() == "No share configured"


def test_edit_menu_undoes_and_redoes_an_edit_made_on_any_page(
    qtbot: QtBot, window: MainWindow, ctx: ServiceContext, board: BoardFacts
) -> None:
    """One history: an action raised (from whichever page) is undone and redone from the Edit
    menu, which names it; Ctrl+Z and Ctrl+Y are its shortcuts."""
    assert window.undo_action.shortcut() == QKeySequence(QKeySequence.StandardKey.Undo)
    assert window.redo_action.shortcut() == QKeySequence(QKeySequence.StandardKey.Redo)
    assert not window.undo_action.isEnabled() and not window.redo_action.isEnabled()
    owner = next(p for p in ctx.read(crud.list_all, PEOPLE) if p.name == "Sam Patel")
    raised: list[ActionDTO] = []
    window.workspace.runner.write(
        lambda uow: action_service.new_action(
            uow, description="Cost the drone hangar", owner_id=owner.id, due=date(2027, 3, 1)
        ),
        label="Raise action",
        on_done=raised.append,
    )
    assert window.workspace.runner.settle() and raised
    ref = raised[0].reference
    assert window.undo_action.isEnabled() and window.undo_action.text() == "Undo Raise action"

    def live() -> bool:
        return any(a.reference == ref for a in ctx.read(crud.list_all, ACTIONS))

    assert live()
    window.undo_action.trigger()
    assert window.workspace.runner.settle()
    assert not live() and window.redo_action.text() == "Redo Raise action"
    window.redo_action.trigger()
    assert window.workspace.runner.settle()
    assert live() and window.undo_action.text() == "Undo Raise action"
    assert not window.redo_action.isEnabled()


def test_another_board_starts_with_nothing_to_undo(
    qtbot: QtBot, window: MainWindow, ctx: ServiceContext, tmp_path: Path
) -> None:
    window.workspace.runner.write(
        lambda uow: board.add_stage(uow, "On hold"), label="Add stage 'On hold'"
    )
    assert window.workspace.runner.settle()
    assert window.undo_action.isEnabled()
    other = open_context(tmp_path / "other-board")
    try:
        window.workspace.replace_context(other)
        assert not window.undo_action.isEnabled() and window.workspace.history.count == 0
    finally:
        window.workspace.replace_context(ctx)
        other.close()


def test_geometry_is_saved_in_the_data_dir_and_restored(
    qtbot: QtBot, window: MainWindow, workspace: Workspace, data_dir: Path
) -> None:
    window.resize(QSize(780, 560))
    window.move(QPoint(40, 30))
    window.close()
    ini = data_dir / "window.ini"
    assert ini.exists()
    again = MainWindow(workspace, QSettings(str(ini), QSettings.Format.IniFormat))
    qtbot.addWidget(again)
    assert again.size() == QSize(780, 560)


def test_settings_dialog_saves_and_updates_the_status_bar(
    qtbot: QtBot, window: MainWindow, ctx: ServiceContext, tmp_path: Path
) -> None:
    def fill_in() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, SettingsDialog)
        seen["you"] = dialog.person_label.text()
        dialog.org_combo.setCurrentIndex(dialog.org_combo.findData("HFRS"))
        dialog.share_edit.setText(str(tmp_path))
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()

    seen: dict[str, str] = {}
    QTimer.singleShot(0, fill_in)
    window.settings_action.trigger()
    saved = load_settings(ctx.uow(write=False))
    assert seen["you"] == ME  # shown, not edited: the board decides who you are
    assert (saved.display_name, saved.organisation_code) == (ME, "HFRS")  # the name is kept
    assert saved.share_folder == str(tmp_path)
    assert saved.first_run_choice == "demo"
    assert window.status.user_label.text() == ME
    assert "(HFRS)" in window.status.org_label.text()
    qtbot.waitUntil(lambda: window.status.sync_label.text().startswith("Synced"), timeout=10000)
    assert str(tmp_path) in window.status.sync_label.toolTip()


def test_settings_dialog_cancel_changes_nothing(
    qtbot: QtBot, window: MainWindow, ctx: ServiceContext
) -> None:
    before = load_settings(ctx.uow(write=False))
    asked: list[list[str]] = []

    def cancel() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, SettingsDialog)
        dialog.share_edit.setText("/somewhere/else")
        asked.append(answer_next_question(Button.Discard))  # typed, so it asks (issue 14)
        dialog.buttons.button(QDialogButtonBox.StandardButton.Cancel).click()

    QTimer.singleShot(0, cancel)
    window.settings_action.trigger()
    assert asked == [["Save changes to your settings?"]]
    assert load_settings(ctx.uow(write=False)) == before
    assert window.status.user_label.text() == ME


def test_settings_dialog_refuses_a_missing_share_folder_inline(
    qtbot: QtBot, window: MainWindow, ctx: ServiceContext, tmp_path: Path
) -> None:
    before = load_settings(ctx.uow(write=False))
    missing = tmp_path / "not-there"
    seen: dict[str, object] = {}

    def try_missing() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, SettingsDialog)
        dialog.org_combo.setCurrentIndex(dialog.org_combo.findData("HFRS"))
        dialog.share_edit.setText(str(missing))
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
        seen["open"] = dialog.isVisible()
        seen["error"] = dialog.share_error.text() if dialog.share_error.isVisible() else ""
        seen["asked"] = answer_next_question(Button.Discard)  # typed: it asks before closing
        dialog.reject()

    QTimer.singleShot(0, try_missing)
    window.settings_action.trigger()
    assert seen["open"] is True and seen["asked"] == ["Save changes to your settings?"]
    assert f"There is no folder {missing}" in str(seen["error"])
    assert load_settings(ctx.uow(write=False)) == before


def test_settings_dialog_refuses_a_file_as_share_folder(
    qtbot: QtBot, workspace: Workspace, tmp_path: Path
) -> None:
    a_file = tmp_path / "notes.txt"
    a_file.write_text("x")
    dialog = SettingsDialog(workspace.settings, workspace.organisations())
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.share_edit.setText(str(a_file))
    dialog.accept()
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert "is a file, not a folder" in dialog.share_error.text()
    dialog.share_edit.setText("")
    assert dialog.share_error.isHidden()
    dialog.accept()
    assert dialog.result() == QDialog.DialogCode.Accepted


def test_settings_dialog_lists_the_four_partners(workspace: Workspace, qtbot: QtBot) -> None:
    dialog = SettingsDialog(workspace.settings, workspace.organisations())
    qtbot.addWidget(dialog)
    codes = [dialog.org_combo.itemData(i) for i in range(dialog.org_combo.count())]
    assert codes == ["", "HC", "HCC", "HFRS", "OPCC"]
    assert dialog.org_combo.currentData() == "HC"


def test_about_shows_version_data_dir_and_device(
    qtbot: QtBot, window: MainWindow, ctx: ServiceContext, data_dir: Path
) -> None:
    dialog = AboutDialog(window.about_info(), window)
    qtbot.addWidget(dialog)
    assert dialog.fields["version"].text() == __version__
    assert dialog.fields["data_dir"].text() == str(data_dir)
    assert dialog.fields["device_id"].text() == ctx.device_id


def test_refresh_reloads_the_current_page(window: MainWindow, ctx: ServiceContext) -> None:
    from hescb_desktop.services import crud
    from hescb_desktop.services.entities import OBJECTIVES

    home = window.pages[HOME]
    assert isinstance(home, HomePage)
    crud.create(ctx.uow(), OBJECTIVES, {"title": "New joint fleet workshop", "stage": "Scoping"})
    window.refresh_action.trigger()
    assert home.rag_tiles.count(None) == 2
    assert home.rag_tiles.count(Rag.RED) == 1


@pytest.mark.parametrize("index", range(6))
def test_each_page_can_be_refreshed_twice(window: MainWindow, index: int) -> None:
    page = window.page(index)
    page.refresh()
    page.refresh()
