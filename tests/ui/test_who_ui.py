"""Who is at the keyboard, in a real window (issue 15, points 1 and 7).

Three states: a protected board that knows you (the status bar names you and your role), a
protected board that does not know this PC's account (a banner over every page, read only),
and a board not yet protected (a quiet note). The demo board, and only the demo, offers
Demo › View as. Each state is grabbed at 1366x768 (HESCB_SHOTS=<folder> keeps the PNGs).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from board_data import ME, BoardFacts
from PySide6.QtCore import QSettings, QSize
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QLabel, QMenu
from pytestqt.qtbot import QtBot

from hescb_desktop.domain.permissions import Identity, Role
from hescb_desktop.paths import DB_FILENAME
from hescb_desktop.services.context import ServiceContext, open_context
from hescb_desktop.services.demo import build_demo
from hescb_desktop.services.settings import UserSettings, save_settings
from hescb_desktop.services.who import demo_people, protect_demo
from hescb_desktop.storage.identity import write_identity
from hescb_desktop.ui.home.home_page import HomePage
from hescb_desktop.ui.main_window import ACTIONS, CALENDAR, HOME, MainWindow
from hescb_desktop.ui.settings_dialog import SettingsDialog
from hescb_desktop.ui.who import describe, role_explained
from hescb_desktop.ui.workspace import Workspace

ACCOUNT = "HERTS\\jtester"
ROOT = "12345 67890 12345 67890 12345 67890"
LAPTOP = QSize(1366, 768)
ROUND_MS = 20_000
PATEL = "Jasmin Patel, Staff Officer to the Chief Fire Officer (for the Chief Fire Officer)"


@pytest.fixture(autouse=True)
def account(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("HESCB_TEST_ACCOUNT", ACCOUNT)
    return ACCOUNT


@pytest.fixture(scope="module")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("demo-template")
    context = open_context(folder)
    build_demo(context, today=date.today())
    context.close()
    return folder


@pytest.fixture
def demo(data_dir: Path, demo_template: Path) -> Iterator[ServiceContext]:
    """The small demo board, protected as `init --demo` leaves it (you are its programme
    manager, secretariat)."""
    data_dir.mkdir(parents=True)
    shutil.copy2(demo_template / DB_FILENAME, data_dir / DB_FILENAME)
    context = open_context(data_dir)
    protect_demo(context)
    yield context
    context.close()


def open_window(qtbot: QtBot, workspace: Workspace, state: QSettings) -> MainWindow:
    win = MainWindow(workspace, state)
    qtbot.addWidget(win)
    win.resize(LAPTOP)
    win.show()
    qtbot.waitExposed(win)
    return win


def shot(qtbot: QtBot, win: MainWindow, name: str, tmp_path: Path) -> Path:
    """The window as it looks, at the laptop's size, saved (and kept if HESCB_SHOTS says)."""
    qtbot.wait(50)
    assert win.size() == LAPTOP  # nothing about who you are widened it
    path = tmp_path / f"{name}.png"
    assert win.grab().save(str(path))
    keep = os.environ.get("HESCB_SHOTS")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, Path(keep) / path.name)
    return path


def view_as_actions(win: MainWindow) -> dict[str, QAction]:
    menu = win.findChild(QMenu, "viewAsMenu")
    assert isinstance(menu, QMenu)
    return {a.text(): a for a in menu.actions() if a.isCheckable()}


def choose(qtbot: QtBot, win: MainWindow, text: str) -> None:
    """Demo › View as › `text`, as a user picks it; back when the window is that person."""
    with qtbot.waitSignal(win.workspace.identity_changed):
        view_as_actions(win)[text].trigger()


def demo_menu_shown(win: MainWindow) -> bool:
    titles = [a.text() for a in win.menuBar().actions()]
    return win.findChild(QMenu, "demoMenu") is not None or "&Demo" in titles


# ---------------------------------------------------------------------- a board that knows you
def test_the_window_names_you_and_your_role(
    qtbot: QtBot, demo: ServiceContext, window_state: QSettings, tmp_path: Path
) -> None:
    win = open_window(qtbot, Workspace(demo), window_state)
    assert win.status.user_label.text() == "Tom Haldane · secretariat"
    assert ACCOUNT in win.status.user_label.toolTip()
    assert "may change anything" in win.status.user_label.toolTip()
    assert not win.status.trust_label.isVisible()
    banner = win.findChild(QLabel, "identityBanner")
    assert isinstance(banner, QLabel) and not banner.isVisible()
    home = win.pages[HOME]
    assert isinstance(home, HomePage) and "Tom Haldane" in home.header.title_label.text()
    shot(qtbot, win, "who-secretariat", tmp_path)


def test_view_as_a_staff_officer_changes_the_person_everywhere(
    qtbot: QtBot, demo: ServiceContext, window_state: QSettings, tmp_path: Path
) -> None:
    workspace = Workspace(demo)
    win = open_window(qtbot, workspace, window_state)
    actions = view_as_actions(win)
    patel = actions[PATEL]
    assert actions["Tom Haldane, Collaboration Programme Manager"].isChecked()
    with qtbot.waitSignal(workspace.identity_changed):
        patel.trigger()
    assert demo.identity.name == "Jasmin Patel" and demo.identity.role is Role.OFFICER
    assert win.status.user_label.text() == "Jasmin Patel · officer (for the Chief Fire Officer)"
    assert "Staff Officer to the Chief Fire Officer" in win.status.user_label.toolTip()
    assert win.status.org_label.text() == "Hertfordshire Fire and Rescue Service (HFRS)"
    home = win.pages[HOME]
    assert isinstance(home, HomePage) and "Jasmin Patel" in home.header.title_label.text()
    assert view_as_actions(win)[PATEL].isChecked()  # the menu follows
    shot(qtbot, win, "who-staff-officer", tmp_path)
    viewer = next(p for p in demo_people(demo) if p.role is Role.VIEWER)
    choose(qtbot, win, f"{viewer.name}, {viewer.title}")
    assert win.status.user_label.text() == f"{viewer.name} · viewer"
    assert "changes nothing" in win.status.user_label.toolTip()
    win.show_page(ACTIONS)
    shot(qtbot, win, "who-viewer", tmp_path)


def test_settings_shows_who_you_are_and_edits_no_name(
    qtbot: QtBot, demo: ServiceContext, window_state: QSettings
) -> None:
    workspace = Workspace(demo)
    win = open_window(qtbot, workspace, window_state)
    choose(qtbot, win, PATEL)
    dialog = SettingsDialog(
        workspace.settings,
        workspace.organisations(),
        win,
        person=(describe(workspace.who), role_explained(workspace.who)),
    )
    qtbot.addWidget(dialog)
    assert dialog.person_label.text() == "Jasmin Patel · officer (for the Chief Fire Officer)"
    assert "principal" in dialog.person_note.text()
    assert not hasattr(dialog, "name_edit")


# ---------------------------------------------------------------------- a board that does not
def test_an_account_the_board_does_not_know_gets_a_banner_and_reads_only(
    qtbot: QtBot, demo: ServiceContext, window_state: QSettings, tmp_path: Path
) -> None:
    workspace = Workspace(demo)
    win = open_window(qtbot, workspace, window_state)
    choose(qtbot, win, "Someone the board does not know")
    banner = win.findChild(QLabel, "identityBanner")
    assert isinstance(banner, QLabel) and banner.isVisible()
    assert banner.text().startswith(
        f"This board does not know your account ({ACCOUNT}). Ask the secretariat to add you."
    )
    assert win.status.user_label.text() == "Not known to this board · read only"
    assert win.status.user_label.property("problem") is True
    assert workspace.me == ""
    home = win.pages[HOME]
    assert isinstance(home, HomePage)
    assert "once the board knows your account" in home.actions_view.message.text()
    shot(qtbot, win, "who-unknown-home", tmp_path)
    for page in (CALENDAR, ACTIONS):  # persistent: over every page
        win.show_page(page)
        assert banner.isVisible()
    shot(qtbot, win, "who-unknown-actions", tmp_path)


def test_a_real_board_that_does_not_know_you_has_the_banner_and_no_demo_menu(
    qtbot: QtBot, ctx: ServiceContext, board: BoardFacts, window_state: QSettings
) -> None:
    write_identity(ctx.engine, ROOT, None)  # protected; this PC's account not enrolled
    win = open_window(qtbot, Workspace(ctx), window_state)
    banner = win.findChild(QLabel, "identityBanner")
    assert isinstance(banner, QLabel) and banner.isVisible()
    assert ACCOUNT in banner.text()
    assert not demo_menu_shown(win)


# ---------------------------------------------------------------------- a board not protected
def test_a_board_not_protected_says_so_quietly_and_has_no_demo_menu(
    qtbot: QtBot, ctx: ServiceContext, board: BoardFacts, window_state: QSettings, tmp_path: Path
) -> None:
    """The known board (tests/ui/board_data.py) is a real board made before issue 15, not the
    demo, even though its first-run choice says "demo"."""
    win = open_window(qtbot, Workspace(ctx), window_state)
    assert win.status.user_label.text() == ME  # the name its changes are recorded under
    assert win.status.trust_label.isVisible()
    assert win.status.trust_label.text() == (
        "Not protected: ask the secretariat to upgrade this board"
    )
    banner = win.findChild(QLabel, "identityBanner")
    assert isinstance(banner, QLabel) and not banner.isVisible()
    assert not demo_menu_shown(win)
    assert win.findChild(QMenu, "viewAsMenu") is None
    shot(qtbot, win, "who-unprotected", tmp_path)


def test_the_window_follows_an_enrolment_made_during_a_sync_round(
    qtbot: QtBot,
    ctx: ServiceContext,
    board: BoardFacts,
    window_state: QSettings,
    tmp_path: Path,
) -> None:
    """Whoever writes this PC's identity during a round (the trust layer, on merge), the window
    shows the new person when the round ends, and the pages reload as them."""
    share = tmp_path / "share"
    share.mkdir()
    save_settings(ctx.uow(), UserSettings(display_name=ME, first_run_choice="empty"))
    workspace = Workspace(ctx, share_override=share)
    win = MainWindow(workspace, window_state)
    qtbot.addWidget(win)
    with qtbot.waitSignal(win.sync.controller.round_finished, timeout=ROUND_MS):
        win.show()
    assert win.status.trust_label.isVisible()
    enrolled = Identity("p-1", "Claire Whitmore", Role.SECRETARIAT, account=ACCOUNT)
    write_identity(ctx.engine, ROOT, enrolled)
    with (
        qtbot.waitSignal(workspace.identity_changed, timeout=ROUND_MS),
        qtbot.waitSignal(win.sync.controller.round_finished, timeout=ROUND_MS),
    ):
        win.sync.controller.sync_now()
    assert win.status.user_label.text() == "Claire Whitmore · secretariat"
    assert not win.status.trust_label.isVisible()
    win.close()


def test_the_demo_menu_goes_once_the_demo_is_on_a_share(
    qtbot: QtBot, demo: ServiceContext, window_state: QSettings, tmp_path: Path
) -> None:
    share = tmp_path / "share"
    share.mkdir()
    workspace = Workspace(demo, share_override=share)
    win = MainWindow(workspace, window_state)
    qtbot.addWidget(win)
    assert demo_menu_shown(win)
    with qtbot.waitSignal(win.sync.controller.round_finished, timeout=ROUND_MS):
        win.show()  # the demo founds the empty share: it is no longer this PC's alone
    qtbot.waitUntil(lambda: not demo_menu_shown(win), timeout=5000)
    assert win.status.user_label.text() == "Tom Haldane · secretariat"
    win.close()
