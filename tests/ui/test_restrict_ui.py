"""Restricting a record in the window (issue 16, points 1 and 2): the Actions page's
"Restrict…" opens the readers dialog (people and roles, public title, handling), restricting runs
behind the busy dialog and says what it means; a record this PC's person does not read shows as
restricted. A real window on the known board, made protected with this PC its root."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from hescb_desktop.domain.permissions import Role
from hescb_desktop.domain.restriction import PLACEHOLDER
from hescb_desktop.services import restrict
from hescb_desktop.services import trust as trust_service
from hescb_desktop.services.context import ServiceContext
from hescb_desktop.services.results import Result
from hescb_desktop.ui.actions.actions_page import ActionsPage
from hescb_desktop.ui.main_window import ACTIONS, MainWindow
from hescb_desktop.ui.widgets.restrict_dialog import RestrictDialog
from hescb_desktop.ui.workspace import Workspace


def answer_modals(act: Callable[[RestrictDialog], None], told: list[str]) -> QTimer:
    """Fill the readers dialog with `act` once it shows; note and close the message after."""
    done: list[bool] = []

    def poll() -> None:
        modal = QApplication.activeModalWidget()
        if isinstance(modal, RestrictDialog) and not done:
            done.append(True)
            act(modal)
        elif isinstance(modal, QMessageBox):
            told.append(modal.text())
            modal.accept()

    timer = QTimer()
    timer.timeout.connect(poll)
    timer.start(20)
    return timer


def open_protected(qtbot: QtBot, ctx: ServiceContext, window_state: QSettings) -> MainWindow:
    trust_service.found_board(ctx, "Sam Secretary")
    win = MainWindow(Workspace(ctx), window_state)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    return win


def test_restricting_an_action_from_the_actions_page(
    qtbot: QtBot, ctx: ServiceContext, window_state: QSettings
) -> None:
    win = open_protected(qtbot, ctx, window_state)
    win.show_page(ACTIONS)
    page = win.current_page()
    assert isinstance(page, ActionsPage)
    assert not page.restrict_button.isEnabled()  # nothing chosen yet
    page.table.selectRow(0)
    assert page.restrict_button.isEnabled()
    first = page.selected()
    assert first is not None

    owner = first.owner.split(" (")[0]

    def to_the_secretariat(dialog: RestrictDialog) -> None:
        assert dialog.roles[Role.SECRETARIAT].isChecked()  # the defaults: the secretariat
        ticked = [
            dialog.people.item(n).text()
            for n in range(dialog.people.count())
            if dialog.people.item(n).checkState() == Qt.CheckState.Checked
        ]
        assert ticked == [owner]  # and the action's owner
        dialog.public_title.setText("Part II: staffing matter")
        dialog.handling.setText("Do not copy")
        dialog.buttons.accepted.emit()

    told: list[str] = []
    timer = answer_modals(to_the_secretariat, told)
    results: list[Result[object]] = []
    win.workspace.runner.succeeded.connect(results.append)
    page.restrict_button.click()
    timer.stop()
    assert told and f"is restricted to {owner} and the secretariat." in told[0]
    # one operation; its change set is what it committed: the action (its text sealed), the
    # restriction, the readership and the keys sealed to each reader's PC
    assert len(results) == 1
    assert {"actions", "restrictions", "readerships", "sealed_keys"} <= results[0].changes.tables
    # the known board was made under another PC's id: its text counts as sent already
    assert "cannot be called back" in told[0]
    info = restrict.readers(ctx, first.id)
    assert info.restricted and info.roles == ("secretariat",) and info.this_pc_reads
    assert info.people == (owner,)
    assert (info.public_title, info.handling) == ("Part II: staffing matter", "Do not copy")
    qtbot.waitUntil(lambda: page.selected() is not None or page.proxy.rowCount() > 0)
    descriptions = [r.description for r in page.visible_rows()]
    assert first.description in descriptions  # a reader still reads it

    # restricted to someone else only: this PC no longer shows the text
    page.table.selectRow(1)
    second = page.selected()
    assert second is not None

    def to_someone_else(dialog: RestrictDialog) -> None:
        dialog.roles[Role.SECRETARIAT].setChecked(False)
        for n in range(dialog.people.count()):
            item = dialog.people.item(n)
            checked = item.text() == second.owner.split(" (")[0]
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
        dialog.buttons.accepted.emit()

    told.clear()
    timer = answer_modals(to_someone_else, told)
    page.restrict_button.click()
    timer.stop()
    assert told and "You are not a reader" in told[0]
    qtbot.waitUntil(
        lambda: any(
            r.id == second.id and r.description.startswith(PLACEHOLDER) for r in page.visible_rows()
        )
    )


def test_the_dialog_asks_for_a_reader(
    qtbot: QtBot, ctx: ServiceContext, window_state: QSettings
) -> None:
    win = open_protected(qtbot, ctx, window_state)
    win.show_page(ACTIONS)
    page = win.current_page()
    assert isinstance(page, ActionsPage)
    page.table.selectRow(0)
    row = page.selected()
    assert row is not None
    dialog = RestrictDialog(win.workspace, row.id, default_roles=(), parent=win)
    dialog.buttons.accepted.emit()
    assert dialog.error.text() == "Tick at least one person or role."
    assert not restrict.readers(ctx, row.id).restricted


def test_restricting_a_paper_from_the_packs_page(
    qtbot: QtBot, ctx: ServiceContext, window_state: QSettings
) -> None:
    from hescb_desktop.ui.main_window import PACKS
    from hescb_desktop.ui.packs.packs_page import PacksPage

    win = open_protected(qtbot, ctx, window_state)
    win.show_page(PACKS)
    page = win.current_page()
    assert isinstance(page, PacksPage)
    assert not page.restrict_paper_button.isEnabled()
    page.paper_table.selectRow(0)
    assert page.restrict_paper_button.isEnabled()
    paper_id = page._selected_paper_id()
    assert paper_id is not None

    def readers_only(dialog: RestrictDialog) -> None:
        dialog.roles[Role.SECRETARIAT].setChecked(True)
        dialog.public_title.setText("Part II report: commercial")
        dialog.buttons.accepted.emit()

    told: list[str] = []
    timer = answer_modals(readers_only, told)
    page.restrict_paper_button.click()
    timer.stop()
    assert told and "is restricted to" in told[0]
    info = restrict.readers(ctx, paper_id)
    assert info.restricted and info.public_title == "Part II report: commercial"
