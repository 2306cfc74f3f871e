"""Sync in the app, against a real share folder and a second, real data dir ("the other PC").

The window's PC is the known board; the other PC joins the share through the services, as the
command line would, and its changes reach the window through real rounds on the sync thread.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from board_data import ME, BoardFacts
from integration.share_faults import read_only
from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QMessageBox, QWidget
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from hescb_desktop import app
from hescb_desktop.domain.dto import ActionDTO
from hescb_desktop.domain.permissions import Identity, Role
from hescb_desktop.services import crud
from hescb_desktop.services import sync as sync_service
from hescb_desktop.services.context import ServiceContext, open_context
from hescb_desktop.services.entities import ACTIONS, PEOPLE
from hescb_desktop.services.results import Changes
from hescb_desktop.services.settings import UserSettings, load_settings, save_settings
from hescb_desktop.storage.identity import write_identity
from hescb_desktop.ui.actions.actions_page import ActionsPage
from hescb_desktop.ui.first_run_dialog import JOIN, FirstRunChoice, FirstRunDialog
from hescb_desktop.ui.home.home_page import HomePage
from hescb_desktop.ui.main_window import ACTIONS as ACTIONS_PAGE
from hescb_desktop.ui.main_window import CONFLICTS, HOME, MainWindow
from hescb_desktop.ui.settings_dialog import SettingsDialog
from hescb_desktop.ui.sync import jobs, questions
from hescb_desktop.ui.sync.conflict_table_model import (
    COL_KEPT,
    COL_OTHER,
    COL_OTHER_BY,
    COL_RECORD,
    ConflictTableModel,
    conflict_views,
)
from hescb_desktop.ui.sync.conflicts_page import ConflictsPage
from hescb_desktop.ui.sync.controller import INTERVAL_MS
from hescb_desktop.ui.sync.history_dialog import HistoryDialog
from hescb_desktop.ui.sync.history_table_model import (
    COL_FIELD,
    COL_PC,
    COL_VALUE,
    COL_WHEN,
    COL_WHO,
    HistoryTableModel,
)
from hescb_desktop.ui.workspace import Workspace

ROUND_MS = 20_000
OTHER = "Bob Okafor (HFRS)"
SYNCED = re.compile(r"^Synced \d\d:\d\d · (nothing|\d+) to send · \d+ PCs?$")


# ---------------------------------------------------------------------- fixtures
@pytest.fixture
def share(tmp_path: Path) -> Path:
    folder = tmp_path / "share"
    folder.mkdir()
    return folder


@pytest.fixture
def here(ctx: ServiceContext) -> ServiceContext:
    """The known board, as a real board (not the demo) that may be shared."""
    settings = load_settings(ctx.uow(write=False))
    save_settings(ctx.uow(), replace(settings, first_run_choice="empty"))
    return ctx


def _window(qtbot: QtBot, workspace: Workspace, state: QSettings) -> MainWindow:
    win = MainWindow(workspace, state)
    qtbot.addWidget(win)
    return win


@pytest.fixture
def sync_window(
    qtbot: QtBot, here: ServiceContext, share: Path, window_state: QSettings
) -> Iterator[MainWindow]:
    """The window on the known board with a share set in Settings, after its first round."""
    save_settings(here.uow(), replace(load_settings(here.uow()), share_folder=str(share)))
    win = _window(qtbot, Workspace(here), window_state)
    with qtbot.waitSignal(win.sync.controller.round_finished, timeout=ROUND_MS):
        win.show()
    yield win
    win.close()  # waits for a round still running, before the database is closed


@pytest.fixture
def other(tmp_path: Path, sync_window: MainWindow, share: Path) -> Iterator[ServiceContext]:
    """A second PC that joined the share after the window's first round."""
    fresh = open_context(tmp_path / "other-pc")
    save_settings(fresh.uow(), UserSettings(display_name=OTHER, first_run_choice="join"))
    joined = sync_service.join_share(fresh, share, discard_demo=False)
    sync_service.run_sync(joined, share)
    yield joined
    joined.close()


def sync_round(qtbot: QtBot, win: MainWindow) -> jobs.RoundOutcome:
    with qtbot.waitSignal(win.sync.controller.round_finished, timeout=ROUND_MS) as done:
        win.sync.sync_action.trigger()
    outcome = done.args[0]
    assert isinstance(outcome, jobs.RoundOutcome)
    return outcome


def my_action(ctx: ServiceContext) -> ActionDTO:
    people = {p.id: p.name for p in crud.list_all(ctx.uow(write=False), PEOPLE)}
    mine = [a for a in crud.list_all(ctx.uow(write=False), ACTIONS) if people.get(a.owner_id) == ME]
    return sorted(mine, key=lambda a: a.reference)[0]


# ---------------------------------------------------------------------- the status bar
def test_status_bar_says_when_it_synced_what_is_left_to_send_and_how_many_pcs(
    qtbot: QtBot, sync_window: MainWindow, other: ServiceContext
) -> None:
    status = sync_window.status
    assert SYNCED.match(status.sync_label.text()), status.sync_label.text()
    assert status.sync_label.text().endswith("· 1 PC")  # alone on the share, singular
    sync_round(qtbot, sync_window)
    text = status.sync_label.text()
    assert SYNCED.match(text), text
    assert "nothing to send" in text
    assert text.endswith("· 2 PCs")  # this PC and the other one
    assert str(sync_window.workspace.share_folder) in status.sync_label.toolTip()
    assert status.conflicts_button.isHidden()


def test_an_unavailable_share_means_working_offline_with_changes_waiting(
    qtbot: QtBot, sync_window: MainWindow, share: Path
) -> None:
    share.rename(share.with_name("share-away"))
    action = my_action(sync_window.workspace.ctx)
    crud.update(sync_window.workspace.ctx.uow(), ACTIONS, action.id, {"latest_update": "Chased"})
    outcome = sync_round(qtbot, sync_window)
    assert outcome.problem == jobs.OFFLINE
    text = sync_window.status.sync_label.text()
    assert re.match(r"^Share unavailable, working offline · [1-9]\d* to send$", text), text
    assert "not available" in sync_window.status.sync_label.toolTip()
    timer = sync_window.sync.controller.timer
    assert timer.interval() == 2 * INTERVAL_MS  # retries back off while the share is away
    sync_round(qtbot, sync_window)
    assert timer.interval() == 4 * INTERVAL_MS
    share.with_name("share-away").rename(share)  # back: the next round sends them
    sync_round(qtbot, sync_window)
    assert "nothing to send" in sync_window.status.sync_label.text()
    assert timer.interval() == INTERVAL_MS


def test_a_share_that_cannot_be_written_still_brings_changes_in_and_says_not_sent(
    qtbot: QtBot,
    sync_window: MainWindow,
    other: ServiceContext,
    share: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Issue 13: a read-only share (a read-only bind mount, else simulated) still pulls; the
    status bar says this PC's changes were not sent, and why, until a round sends them."""
    crud.create(other.uow(), PEOPLE, {"name": "Added on the other PC"})
    sync_service.run_sync(other, share)
    ctx = sync_window.workspace.ctx
    action = my_action(ctx)
    crud.update(ctx.uow(), ACTIONS, action.id, {"latest_update": "Not sent yet"})
    with read_only(share, monkeypatch):
        outcome = sync_round(qtbot, sync_window)
    assert outcome.problem == jobs.NOT_SENT
    assert outcome.report is not None and outcome.report.merged > 0
    names = {p.name for p in crud.list_all(ctx.uow(write=False), PEOPLE)}
    assert "Added on the other PC" in names  # pulled all the same
    text = sync_window.status.sync_label.text()
    assert re.match(r"^Changes not sent: cannot write to the share · [1-9]\d* to send$", text)
    assert "could not write" in sync_window.status.sync_label.toolTip()
    sync_round(qtbot, sync_window)  # writable again
    assert SYNCED.match(sync_window.status.sync_label.text())
    assert "nothing to send" in sync_window.status.sync_label.text()


def test_no_share_configured_and_no_round(qtbot: QtBot, window: MainWindow) -> None:
    assert window.status.sync_label.text() == "No share configured"
    assert not window.sync.sync_action.isEnabled()
    with qtbot.assertNotEmitted(window.sync.controller.round_started, wait=100):
        window.sync.controller.sync_now()


# ---------------------------------------------------------------------- when rounds run
def test_sync_now_is_f9_in_the_file_menu_and_runs_a_round(
    qtbot: QtBot, sync_window: MainWindow
) -> None:
    action = sync_window.sync.sync_action
    assert action.shortcut() == QKeySequence("F9")
    assert action in sync_window.menuBar().actions()[0].menu().actions()
    taken = [
        a.text()
        for a in sync_window.findChildren(type(action))
        if a is not action and a.shortcut() == QKeySequence("F9")
    ]
    assert taken == []
    rounds = sync_window.sync.controller.rounds
    sync_window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is sync_window)
    with qtbot.waitSignal(sync_window.sync.controller.round_finished, timeout=ROUND_MS):
        qtbot.keyClick(sync_window, Qt.Key.Key_F9)
    assert sync_window.sync.controller.rounds == rounds + 1


def test_a_local_change_is_sent_a_few_seconds_later_in_one_round(
    qtbot: QtBot, sync_window: MainWindow
) -> None:
    controller = sync_window.sync.controller
    assert controller.timer.interval() == 30_000 and controller.timer.isActive()
    assert controller.debounce.interval() == 3_000
    controller.debounce.setInterval(150)
    workspace = sync_window.workspace
    action = my_action(workspace.ctx)
    rounds = controller.rounds
    with qtbot.waitSignal(controller.round_finished, timeout=ROUND_MS):
        for note in ("one", "two", "three"):  # a burst of edits
            result = crud.update(workspace.ctx.uow(), ACTIONS, action.id, {"latest_update": note})
            workspace.announce(result.changes)
    assert controller.rounds == rounds + 1
    assert "nothing to send" in sync_window.status.sync_label.text()


def test_the_window_never_waits_for_a_round_and_rounds_never_overlap(
    qtbot: QtBot, sync_window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    gui = threading.get_ident()
    real = sync_service.run_sync
    running, most, threads = [0], [0], set()
    lock = threading.Lock()

    def slow(ctx: ServiceContext, share: Path) -> sync_service.SyncReport:
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        threads.add(threading.get_ident())
        time.sleep(0.8)
        try:
            return real(ctx, share)
        finally:
            with lock:
                running[0] -= 1

    monkeypatch.setattr(sync_service, "run_sync", slow)
    ticks: list[float] = []
    timer = QTimer()
    timer.setInterval(20)
    timer.timeout.connect(lambda: ticks.append(time.monotonic()))
    timer.start()
    controller = sync_window.sync.controller
    rounds = controller.rounds
    started = time.monotonic()
    controller.sync_now()
    controller.sync_now()  # while one runs: remembered, served once after
    controller.sync_now()
    qtbot.waitUntil(lambda: sync_window.status.sync_label.text() == "Syncing…", timeout=5000)
    qtbot.waitUntil(lambda: controller.rounds == rounds + 2, timeout=ROUND_MS)
    timer.stop()
    during = [t for t in ticks if t < started + 1.6]
    assert len(during) >= 20, "the GUI thread was blocked during the round"
    assert gui not in threads
    assert most[0] == 1
    qtbot.wait(300)
    assert controller.rounds == rounds + 2  # three requests, one round and one more


# ---------------------------------------------------------------------- what arrives
def test_a_change_on_the_other_pc_appears_on_actions_and_home(
    qtbot: QtBot, sync_window: MainWindow, other: ServiceContext, share: Path
) -> None:
    action = my_action(other)
    text = "Agree the joint fleet workshop (changed on the other PC)"
    crud.update(other.uow(), ACTIONS, action.id, {"description": text})
    sync_service.run_sync(other, share)
    sync_window.show_page(ACTIONS_PAGE)
    page = sync_window.current_page()
    assert isinstance(page, ActionsPage)
    home = sync_window.pages[HOME]
    assert isinstance(home, HomePage)
    outcome = sync_round(qtbot, sync_window)
    assert outcome.report is not None and "actions" in outcome.report.tables
    assert text in [row.description for row in page.model.rows()]
    sync_window.show_page(HOME)
    assert text in [row.description for row in home.actions_model.rows()]


def test_a_conflict_is_listed_and_the_other_value_brought_back(
    qtbot: QtBot, sync_window: MainWindow, other: ServiceContext, share: Path
) -> None:
    workspace = sync_window.workspace
    action = my_action(workspace.ctx)
    crud.update(other.uow(), ACTIONS, action.id, {"latest_update": "Fleet team will attend"})
    sync_service.run_sync(other, share)
    time.sleep(0.01)
    crud.update(workspace.ctx.uow(), ACTIONS, action.id, {"latest_update": "Postponed to May"})
    sync_round(qtbot, sync_window)
    button = sync_window.status.conflicts_button
    assert button.isVisible() and button.text() == "1 conflict"
    assert sync_window.nav.item(CONFLICTS).text().endswith("(1)")
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    page = sync_window.current_page()
    assert isinstance(page, ConflictsPage)
    model = page.model
    assert model.rowCount() == 1
    cell = lambda col: model.index(0, col).data()  # noqa: E731
    assert cell(COL_RECORD).startswith(f"Action: {action.reference}")
    assert (cell(COL_KEPT), cell(COL_OTHER)) == ("Postponed to May", "Fleet team will attend")
    assert OTHER in cell(COL_OTHER_BY) and other.device_id[-8:] in cell(COL_OTHER_BY)
    assert page.other_button.text() == "&Use the other value"
    page.other_button.click()
    assert page.workspace.runner.settle()
    now = crud.get(workspace.ctx.uow(write=False), ACTIONS, action.id)
    assert now.latest_update == "Fleet team will attend"
    assert model.rowCount() == 0 and page.view.is_empty
    assert button.isHidden()
    sync_round(qtbot, sync_window)
    sync_service.run_sync(other, share)
    assert crud.get(other.uow(write=False), ACTIONS, action.id).latest_update == (
        "Fleet team will attend"
    )


def test_an_edit_to_a_record_the_other_pc_deleted_can_be_restored(
    qtbot: QtBot, sync_window: MainWindow, other: ServiceContext, share: Path
) -> None:
    workspace = sync_window.workspace
    action = my_action(workspace.ctx)
    crud.delete(other.uow(), ACTIONS, action.id)
    sync_service.run_sync(other, share)
    crud.update(workspace.ctx.uow(), ACTIONS, action.id, {"latest_update": "Still needed"})
    sync_round(qtbot, sync_window)
    sync_window.show_page(CONFLICTS)
    page = sync_window.current_page()
    assert isinstance(page, ConflictsPage)
    assert page.model.rowCount() >= 1
    assert page.model.index(0, COL_KEPT).data() == "(record deleted)"
    assert page.other_button.text() == "&Restore record"
    page.other_button.click()
    assert page.workspace.runner.settle()
    restored = crud.get(workspace.ctx.uow(write=False), ACTIONS, action.id)
    assert restored.latest_update == "Still needed"
    assert not restored.deleted


def test_only_the_secretariat_settles_a_conflict(
    qtbot: QtBot, sync_window: MainWindow, other: ServiceContext, share: Path
) -> None:
    """An officer sees the conflict but its buttons are disabled, saying why; asked anyway, the
    page shows the refusal (it raised it before) and the conflict stays open."""
    workspace = sync_window.workspace
    action = my_action(workspace.ctx)
    crud.update(other.uow(), ACTIONS, action.id, {"latest_update": "Theirs"})
    sync_service.run_sync(other, share)
    crud.update(workspace.ctx.uow(), ACTIONS, action.id, {"latest_update": "Mine"})
    sync_round(qtbot, sync_window)
    me = action.owner_id or ""
    write_identity(workspace.ctx.engine, "root-fp", Identity(me, ME, Role.OFFICER, "tester"))
    workspace.forget_identity()
    sync_window.show_page(CONFLICTS)
    page = sync_window.current_page()
    assert isinstance(page, ConflictsPage)
    page.refresh()
    why = "Only the secretariat may create conflict resolutions."
    for button in (page.keep_button, page.other_button):
        assert not button.isEnabled() and button.toolTip() == why
    seen: list[str] = []

    def read(box: object) -> None:
        assert isinstance(box, QMessageBox)
        seen.append(box.text())
        box.accept()

    QTimer.singleShot(50, lambda: read(QApplication.activeModalWidget()))
    view = page.selected()
    assert view is not None
    page.resolve(view, use_other=True)
    assert page.workspace.runner.settle()
    assert seen == [why]
    assert len(sync_service.list_conflicts(workspace.ctx)) == 1
    assert crud.get(workspace.ctx.uow(write=False), ACTIONS, action.id).latest_update == "Mine"


def test_keep_closes_the_conflict_and_changes_nothing(
    qtbot: QtBot, sync_window: MainWindow, other: ServiceContext, share: Path
) -> None:
    workspace = sync_window.workspace
    action = my_action(workspace.ctx)
    crud.update(other.uow(), ACTIONS, action.id, {"latest_update": "Theirs"})
    sync_service.run_sync(other, share)
    crud.update(workspace.ctx.uow(), ACTIONS, action.id, {"latest_update": "Mine"})
    sync_round(qtbot, sync_window)
    sync_window.show_page(CONFLICTS)
    page = sync_window.current_page()
    assert isinstance(page, ConflictsPage)
    page.keep_button.click()
    assert page.workspace.runner.settle()
    assert crud.get(workspace.ctx.uow(write=False), ACTIONS, action.id).latest_update == "Mine"
    assert sync_service.list_conflicts(workspace.ctx) == []


def test_a_conflict_resolved_on_the_other_pc_closes_here_after_a_round(
    qtbot: QtBot, sync_window: MainWindow, other: ServiceContext, share: Path
) -> None:
    """The page shows the conflict ("Mine" kept); the other PC uses the other value ("Theirs");
    the next round brings that resolution and the value: the row closes, the badge goes."""
    workspace = sync_window.workspace
    action = my_action(workspace.ctx)
    crud.update(other.uow(), ACTIONS, action.id, {"latest_update": "Theirs"})
    sync_service.run_sync(other, share)
    time.sleep(0.01)
    crud.update(workspace.ctx.uow(), ACTIONS, action.id, {"latest_update": "Mine"})
    sync_round(qtbot, sync_window)
    sync_window.show_page(CONFLICTS)
    page = sync_window.current_page()
    assert isinstance(page, ConflictsPage)
    assert page.model.rowCount() == 1
    assert page.model.index(0, COL_KEPT).data() == "Mine"
    shown = page.selected()
    assert shown is not None
    sync_service.run_sync(other, share)  # the other PC meets the conflict too ...
    (theirs,) = sync_service.list_conflicts(other)
    assert theirs.id == shown.id  # ... under the same id
    sync_service.resolve_conflict(other, theirs.id, use_other=True)  # brings "Theirs" back
    sync_service.run_sync(other, share)
    status = sync_window.status
    assert status.conflicts_button.isVisible()
    outcome = sync_round(qtbot, sync_window)
    assert outcome.report is not None and "conflict_resolutions" in outcome.report.tables
    assert page.model.rowCount() == 0 and page.view.is_empty
    assert status.conflicts_button.isHidden()
    assert not sync_window.nav.item(CONFLICTS).text().endswith(")")
    assert crud.get(workspace.ctx.uow(write=False), ACTIONS, action.id).latest_update == "Theirs"


# ---------------------------------------------------------------------- history
def test_history_lists_who_changed_what_from_which_pc(
    qtbot: QtBot, sync_window: MainWindow, other: ServiceContext, share: Path
) -> None:
    action = my_action(other)
    here = sync_window.workspace.ctx
    crud.update(here.uow(), ACTIONS, action.id, {"latest_update": "Asked for a venue"})
    sync_round(qtbot, sync_window)
    sync_service.run_sync(other, share)
    crud.update(other.uow(), ACTIONS, action.id, {"latest_update": "Booked the venue"})
    sync_service.run_sync(other, share)
    sync_round(qtbot, sync_window)
    dialog = HistoryDialog(sync_window.workspace, "actions", action.id, sync_window)
    qtbot.addWidget(dialog)
    model = dialog.model
    rows = [
        [model.index(r, c).data() for c in (COL_WHO, COL_PC, COL_FIELD, COL_VALUE)]
        for r in range(model.rowCount())
    ]
    assert rows[0] == [
        OTHER,
        f"PC {other.device_id[-8:]}",
        "Latest update",
        "Booked the venue",
    ]
    assert rows[1][1:] == ["this PC", "Latest update", "Asked for a venue"]
    assert rows[-1][1].startswith("PC ")  # the board was made on a PC not seen since
    assert [f for _w, _p, f, v in rows if v == ME] == ["Owner"]  # a reference, by name
    assert not [f for _w, _p, f, _v in rows if f in ("Updated at", "Created by")]
    assert dialog.record_label.text().startswith(f"Action: {action.reference}")


def test_history_shows_both_times_of_a_change_from_a_pc_whose_clock_was_far_ahead(
    qtbot: QtBot, sync_window: MainWindow, other: ServiceContext, share: Path
) -> None:
    from hescb_desktop.sync.hlc import HybridLogicalClock, wall_ms

    ahead = 73 * 365 * 24 * 3600 * 1000
    other.clock = HybridLogicalClock(last=other.clock.last, wall=lambda: wall_ms() + ahead)
    action = my_action(other)
    crud.update(other.uow(), ACTIONS, action.id, {"latest_update": "Written in 2099"})
    report = sync_service.run_sync(other, share)
    assert report.clock[0].startswith("This PC's clock is 73 years ahead of the share's")
    outcome = sync_round(qtbot, sync_window)
    assert outcome.report is not None and outcome.report.clamped > 0
    assert any("73 years ahead" in p for p in sync_window.sync.controller.state.problems)
    dialog = HistoryDialog(sync_window.workspace, "actions", action.id, sync_window)
    qtbot.addWidget(dialog)
    model = dialog.model
    row = next(
        r
        for r in range(model.rowCount())
        if model.index(r, COL_VALUE).data() == ("Written in 2099")
    )
    when = model.index(row, COL_WHEN).data()
    assert re.fullmatch(
        r"\d\d \w{3} 20\d\d, \d\d:\d\d \(its PC said \d\d \w{3} 2099, \d\d:\d\d\)", when
    )
    assert "that clock was far ahead" in model.index(row, COL_WHEN).data(
        Qt.ItemDataRole.ToolTipRole
    )
    others = [model.index(r, COL_WHEN).data() for r in range(model.rowCount()) if r != row]
    assert others and not any("its PC said" in w for w in others)


def test_history_opens_from_the_actions_page_and_home(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[tuple[str, str]] = []

    def ask(parent: QWidget | None, workspace: Workspace, table: str, row_id: str) -> None:
        opened.append((table, row_id))

    monkeypatch.setattr(HistoryDialog, "ask", ask)
    window.show_page(ACTIONS_PAGE)
    page = window.current_page()
    assert isinstance(page, ActionsPage)
    assert not page.history_button.isEnabled()
    page.table.selectRow(0)
    assert page.history_button.isEnabled()
    page.history_button.click()
    first = page.table.model().index(0, 0).data(Qt.ItemDataRole.UserRole + 2)
    assert opened == [("actions", first.id)]
    assert page.history_action in page.table.actions()
    home = window.pages[HOME]
    assert isinstance(home, HomePage)
    table = home.actions_view.view
    window.show_page(HOME)
    rect = table.visualRect(table.model().index(0, 1))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())  # a press
    qtbot.mouseDClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())  # first
    assert len(opened) == 2
    assert opened[-1] == ("actions", home.actions_model.row_at(0).id)


# ---------------------------------------------------------------------- models
def test_the_conflict_and_history_models_pass_the_model_tester(
    qtbot: QtBot,
    qtmodeltester: ModelTester,
    sync_window: MainWindow,
    other: ServiceContext,
    share: Path,
) -> None:
    workspace = sync_window.workspace
    action = my_action(workspace.ctx)
    crud.update(other.uow(), ACTIONS, action.id, {"latest_update": "A"})
    sync_service.run_sync(other, share)
    crud.update(workspace.ctx.uow(), ACTIONS, action.id, {"latest_update": "B"})
    sync_round(qtbot, sync_window)
    conflicts = ConflictTableModel()
    conflicts.set_rows(conflict_views(workspace.ctx))
    assert conflicts.rowCount() == 1
    qtmodeltester.check(conflicts)
    dialog = HistoryDialog(workspace, "actions", action.id)
    qtbot.addWidget(dialog)
    history = dialog.model
    assert history.rowCount() > 3
    qtmodeltester.check(history)
    for empty in (ConflictTableModel(), HistoryTableModel()):
        qtmodeltester.check(empty)
        assert empty.index(0, 0).data() is None


# ---------------------------------------------------------------------- joining
def test_joining_at_first_run_brings_the_other_pcs_board(
    qtbot: QtBot,
    tmp_path: Path,
    share: Path,
    data_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    first = open_context(tmp_path / "first-pc")
    save_settings(first.uow(), UserSettings(display_name=OTHER, first_run_choice="empty"))
    crud.create(first.uow(), PEOPLE, {"name": "Dana Whitfield"})
    sync_service.run_sync(first, share)
    typed = f"{share}/"  # kept as typed (Path() would drop the separator)
    monkeypatch.setattr(FirstRunDialog, "ask", lambda parent=None: FirstRunChoice(JOIN, typed))
    session = app.start_gui(data_dir)
    assert isinstance(session, app.GuiSession)
    qtbot.addWidget(session.window)
    try:
        names = {p.name for p in crud.list_all(session.ctx.uow(write=False), PEOPLE)}
        assert "Dana Whitfield" in names
        settings = load_settings(session.ctx.uow(write=False))
        assert (settings.first_run_choice, settings.share_folder) == (JOIN, typed)
        with qtbot.waitSignal(session.window.sync.controller.round_finished, timeout=ROUND_MS):
            session.window.show()
        assert session.window.status.sync_label.text().endswith("· 2 PCs")
    finally:
        session.window.close()
        session.close()
        first.close()


def _settings_to(share: Path) -> None:
    def fill_in() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, SettingsDialog)
        dialog.share_edit.setText(str(share))
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()

    QTimer.singleShot(0, fill_in)


@pytest.fixture
def real_board_on_share(tmp_path: Path, share: Path) -> Iterator[ServiceContext]:
    real = open_context(tmp_path / "real-pc")
    save_settings(real.uow(), UserSettings(display_name=OTHER, first_run_choice="empty"))
    crud.create(real.uow(), PEOPLE, {"name": "Real colleague"})
    sync_service.run_sync(real, share)
    yield real
    real.close()


def test_a_demo_pc_given_a_share_with_a_board_is_asked_then_joins_it(
    qtbot: QtBot,
    window: MainWindow,
    board: BoardFacts,
    share: Path,
    real_board_on_share: ServiceContext,
    data_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    asked: list[str] = []

    def ask(parent: QWidget | None, folder: str) -> bool:
        asked.append(folder)
        return True

    monkeypatch.setattr(questions, "ask_discard_demo", ask)
    _settings_to(share)
    window.settings_action.trigger()
    assert asked == [str(share)]
    workspace = window.workspace
    names = {p.name for p in crud.list_all(workspace.ctx.uow(write=False), PEOPLE)}
    assert "Real colleague" in names
    assert len(names) == 1, "the demo board was set aside, not merged"
    assert workspace.settings.share_folder == str(share)
    assert workspace.settings.display_name == ME
    assert any(data_dir.glob("hescb.sqlite.demo-*"))
    assert window.status.sync_label.text().endswith("· 2 PCs")
    assert not any(b"Alex Morgan" in p.read_bytes() for p in share.rglob("*.jsonl"))


def test_a_join_whose_first_round_cannot_send_puts_the_demo_board_back(
    qtbot: QtBot,
    window: MainWindow,
    board: BoardFacts,
    share: Path,
    real_board_on_share: ServiceContext,
    data_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The share can be read (the join restores its snapshot) but not written: a PC that
    cannot announce itself has not joined, as on the command line. The demo board comes back
    as it was, nothing is set aside, and the user is told why."""
    monkeypatch.setattr(questions, "ask_discard_demo", lambda parent, folder: True)
    told: list[str] = []
    monkeypatch.setattr(questions, "show_join_failed", lambda parent, error: told.append(error))
    workspace = window.workspace
    names = {p.name for p in crud.list_all(workspace.ctx.uow(write=False), PEOPLE)}
    files = sorted(p.name for p in data_dir.iterdir() if not p.name.endswith(("-wal", "-shm")))
    _settings_to(share)
    with read_only(share, monkeypatch):
        window.settings_action.trigger()
    assert len(told) == 1 and "could not write" in told[0], told
    assert told[0].endswith("nothing on this PC was changed")
    assert workspace.ctx is not real_board_on_share
    now = {p.name for p in crud.list_all(workspace.ctx.uow(write=False), PEOPLE)}
    assert now == names and "Real colleague" not in now
    assert workspace.settings.share_folder == ""
    assert (
        sorted(p.name for p in data_dir.iterdir() if not p.name.endswith(("-wal", "-shm"))) == files
    )  # no demo set aside, no copy before the join
    crud.create(workspace.ctx.uow(), PEOPLE, {"name": "Typed after the failed join"})
    assert not list(share.rglob(f"{workspace.ctx.device_id}*"))


def test_a_demo_pc_that_declines_keeps_its_board_and_no_share(
    qtbot: QtBot,
    window: MainWindow,
    share: Path,
    real_board_on_share: ServiceContext,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(questions, "ask_discard_demo", lambda parent, folder: False)
    _settings_to(share)
    with qtbot.assertNotEmitted(window.sync.controller.round_started, wait=200):
        window.settings_action.trigger()
    assert window.workspace.settings.share_folder == ""
    assert window.status.sync_label.text() == "No share configured"
    assert len(list(share.rglob("*.jsonl"))) == 1  # only the real PC's


def test_a_demo_pc_started_on_a_share_with_a_board_says_so_and_asks_once(
    qtbot: QtBot,
    ctx: ServiceContext,
    board: BoardFacts,
    share: Path,
    real_board_on_share: ServiceContext,
    window_state: QSettings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    asked: list[str] = []
    monkeypatch.setattr(questions, "ask_discard_demo", lambda p, f: asked.append(f) is not None)
    win = _window(qtbot, Workspace(ctx, share_override=share), window_state)
    with qtbot.waitSignal(win.sync.controller.round_finished, timeout=ROUND_MS) as done:
        win.show()
    assert done.args[0].problem == jobs.BLOCKED
    assert win.status.sync_label.text() == "Not syncing: this PC holds the demo board"
    assert "demo board" in win.status.sync_label.toolTip()
    sync_round(qtbot, win)
    assert asked == [str(share)]  # asked once, not every 30 seconds
    win.close()


def test_a_pc_away_too_long_is_offered_a_restart_once(
    qtbot: QtBot, sync_window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        sync_service,
        "run_sync",
        lambda ctx, share: sync_service.SyncReport(peers=1, needs_restore=True),
    )
    offered: list[bool] = []
    monkeypatch.setattr(questions, "ask_restore", lambda parent: offered.append(True) and False)
    sync_round(qtbot, sync_window)
    sync_round(qtbot, sync_window)
    assert offered == [True]
    assert "snapshot" in sync_window.status.sync_label.toolTip()
    assert sync_window.status.sync_label.text().endswith("· 1 problem")


# ---------------------------------------------------------------------- settings
def test_the_share_folder_is_kept_as_typed(
    qtbot: QtBot, window: MainWindow, share: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dialog = SettingsDialog(window.workspace.settings, window.workspace.organisations(), window)
    qtbot.addWidget(dialog)
    unc = r"\\server\share\hescb"
    dialog.share_edit.setText(unc)
    dialog.accept()
    assert "There is no folder" in dialog.share_error.text()
    assert dialog.share_edit.text() == unc
    typed = f"{share}/"  # a trailing separator Path() would drop
    dialog.share_edit.setText(typed)
    dialog.accept()
    assert dialog.result_settings().share_folder == typed


def test_closing_the_window_waits_for_the_round(
    qtbot: QtBot, sync_window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = sync_service.run_sync
    finished: list[bool] = []

    def slow(ctx: ServiceContext, share: Path) -> sync_service.SyncReport:
        time.sleep(0.5)
        report = real(ctx, share)
        finished.append(True)
        return report

    monkeypatch.setattr(sync_service, "run_sync", slow)
    with qtbot.waitSignal(sync_window.sync.controller.round_started):
        sync_window.sync.controller.sync_now()
    sync_window.close()
    assert finished == [True]
    with qtbot.assertNotEmitted(sync_window.sync.controller.round_started, wait=50):
        sync_window.workspace.announce(Changes(frozenset({"actions"})))
        sync_window.sync.controller.sync_now()
