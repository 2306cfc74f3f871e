"""Render every page of the app on a fresh demo board into docs/screenshots/<page>.png.

    python scripts/take_screenshots.py [--out DIR] [--width 1366 --height 768]

Runs offscreen (QT_QPA_PLATFORM defaults to offscreen here, on one screen of the size asked,
as a laptop's 1366x768), builds the small demo board in a temporary data dir through the
services, opens the main window filling that screen and grabs each page with QWidget.grab();
also the first-run, settings and history dialogs at the size they open at there. A page that
would make the window bigger than the screen stops the script: the pictures are taken at the
size asked, or not at all. The demo is protected, as the app makes it; an officer's PC joins a
share with it, is enrolled, and the officer and this PC's secretariat member both change the same
action, so the status bar and the Conflicts page show a real conflict. `make screenshots`
runs it.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path


def _screen_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--width", type=int, default=1366)
    parser.add_argument("--height", type=int, default=768)
    return parser.parse_args(argv)


def _offscreen_screen(width: int, height: int, folder: Path) -> None:
    """Offscreen, the one screen is made the size asked (Qt's own is 800x800), so the window
    and the dialogs size themselves as they would on that laptop."""
    if os.environ.get("QT_QPA_PLATFORM", "offscreen") != "offscreen":
        return
    config = folder / "screen.json"
    screen = {"name": "laptop", "x": 0, "y": 0, "width": width, "height": height}
    config.write_text(json.dumps({"screens": [{**screen, "logicalDpi": 96, "dpr": 1}]}))
    os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={config}"


ROOT = Path(__file__).resolve().parent.parent
ARGS = _screen_args(sys.argv[1:])
_SCREEN_DIR = tempfile.TemporaryDirectory(prefix="hescb-screen-")
_offscreen_screen(ARGS.width, ARGS.height, Path(_SCREEN_DIR.name))
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QSettings, QSize  # noqa: E402
from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402

from hescb_desktop.app import application  # noqa: E402
from hescb_desktop.domain.enums import MeetingStatus  # noqa: E402
from hescb_desktop.paths import SETTINGS_FILENAME  # noqa: E402
from hescb_desktop.services import crud  # noqa: E402
from hescb_desktop.services import sync as sync_service  # noqa: E402
from hescb_desktop.services import trust as trust_service  # noqa: E402
from hescb_desktop.services.context import ServiceContext, open_context  # noqa: E402
from hescb_desktop.services.demo import build_demo  # noqa: E402
from hescb_desktop.services.entities import ACTIONS, MEETINGS, PEOPLE  # noqa: E402
from hescb_desktop.services.settings import load_settings, save_settings  # noqa: E402
from hescb_desktop.ui.first_run_dialog import FirstRunDialog  # noqa: E402
from hescb_desktop.ui.main_window import MainWindow  # noqa: E402
from hescb_desktop.ui.settings_dialog import SettingsDialog  # noqa: E402
from hescb_desktop.ui.sync.history_dialog import HistoryDialog  # noqa: E402
from hescb_desktop.ui.who import describe, role_explained  # noqa: E402
from hescb_desktop.ui.workspace import Workspace  # noqa: E402

PAGES = ("home", "calendar", "board", "meetings", "actions", "packs", "conflicts")


def settle(app: QApplication) -> None:
    for _ in range(3):
        app.processEvents()


def save(widget: QWidget, path: Path, app: QApplication) -> None:
    settle(app)
    wanted = widget.property("screenshotSize")
    if isinstance(wanted, QSize) and widget.size() != wanted:
        raise SystemExit(
            f"take_screenshots: {path.name}: the window grew to {widget.width()}x"
            f"{widget.height()}, not {wanted.width()}x{wanted.height()} (a page too wide?)"
        )
    if not widget.grab().save(str(path)):
        raise SystemExit(f"take_screenshots: could not write {path}")
    print(f"  {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")


def make_conflict(ctx: ServiceContext, share: Path, other_dir: Path) -> str:
    """An officer's PC joins the share (the root checked), asks to be enrolled and is approved
    by this PC (the secretariat); the officer and the secretariat both change the latest update
    of one of the officer's actions. Its id."""
    save_settings(ctx.uow(), replace(load_settings(ctx.uow(write=False)), first_run_choice="empty"))
    sync_service.run_sync(ctx, share)
    action = sorted(
        (a for a in crud.list_all(ctx.uow(write=False), ACTIONS) if a.owner_id),
        key=lambda a: a.reference,
    )[-1]
    owner = next(p for p in crud.list_all(ctx.uow(write=False), PEOPLE) if p.id == action.owner_id)
    mine = os.environ.get("HESCB_TEST_ACCOUNT")
    os.environ["HESCB_TEST_ACCOUNT"] = "their-account"  # a colleague's PC, logged in as them
    try:
        fresh = open_context(other_dir)
        other = sync_service.join_share(
            fresh, share, discard_demo=False, trust_root=ctx.fingerprint
        )
        sync_service.run_sync(other, share, ctx.fingerprint)  # the root read out and pinned
        request = trust_service.request_enrolment(other, share)
        trust_service.approve(ctx, share, request, owner.name, "officer")
        sync_service.run_sync(ctx, share)
        sync_service.run_sync(other, share)
        theirs = "Fleet workshop booked for 14 May; HFRS to send two officers."
        crud.update(other.uow(), ACTIONS, action.id, {"latest_update": theirs})
        sync_service.run_sync(other, share)
        other.close()
    finally:
        if mine is None:
            os.environ.pop("HESCB_TEST_ACCOUNT", None)
        else:
            os.environ["HESCB_TEST_ACCOUNT"] = mine
    ours = "Workshop moved to June while the venue is confirmed."
    crud.update(ctx.uow(), ACTIONS, action.id, {"latest_update": ours})
    return action.id


def wait_for_round(window: MainWindow, app: QApplication) -> None:
    controller = window.sync.controller
    controller.start()
    deadline = time.monotonic() + 60
    while controller.rounds == 0 and time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.02)


def minutes_and_pack(window: MainWindow, ctx: ServiceContext, out: Path, app: QApplication) -> None:
    """The latest minuted meeting open on its minutes, and the next meeting's pack built."""
    meetings = crud.list_all(ctx.uow(write=False), MEETINGS)
    drafted = max(
        (m for m in meetings if m.status is MeetingStatus.MINUTES_DRAFTED),
        key=lambda m: m.start_utc,
    )
    window.show_page(3)
    page = window.current_page()
    page.open_meeting(drafted.id)  # type: ignore[attr-defined]
    editor = page.editor  # type: ignore[attr-defined]
    editor.tabs.setCurrentIndex(editor.tabs.count() - 1)
    save(window, out / "minutes.png", app)
    page.show_list()  # type: ignore[attr-defined]
    window.show_page(5)
    packs = window.current_page()
    packs.build()  # type: ignore[attr-defined]
    deadline = time.monotonic() + 120
    while packs.task is not None and time.monotonic() < deadline:  # type: ignore[attr-defined]
        app.processEvents()
        time.sleep(0.02)
    time.sleep(0.3)  # the preview renders its first page
    save(window, out / "pack.png", app)


def main(argv: list[str]) -> int:
    args = _screen_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    app = application()
    with tempfile.TemporaryDirectory(prefix="hescb-screens-") as tmp:
        data_dir = Path(tmp)
        ctx = open_context(data_dir)
        print("Building the demo board ...")
        build_demo(ctx, protect=True)  # as the app makes it: this PC the root, secretariat
        print("A second PC joins the share and makes a conflict ...")
        share = Path(tmp) / "share"
        share.mkdir()
        action_id = make_conflict(ctx, share, Path(tmp) / "other-pc")
        state = QSettings(str(data_dir / SETTINGS_FILENAME), QSettings.Format.IniFormat)
        window = MainWindow(Workspace(ctx, share_override=share), state)
        size = QSize(args.width, args.height)
        window.setProperty("screenshotSize", size)
        window.resize(size)
        window.show()
        wait_for_round(window, app)
        print(f"Writing {len(PAGES) + 7} screenshots:")
        for index, name in enumerate(PAGES):
            window.show_page(index)
            save(window, args.out / f"{name}.png", app)
        sync_page = window.current_page()  # the last of PAGES: Sync
        sync_page.tabs.setCurrentIndex(2)  # type: ignore[attr-defined]
        save(window, args.out / "people.png", app)  # the officer's PC enrolled, the roles
        sync_page.tabs.setCurrentIndex(3)  # type: ignore[attr-defined]
        save(window, args.out / "retention.png", app)  # the schedule, what is due
        sync_page.tabs.setCurrentIndex(0)  # type: ignore[attr-defined]
        minutes_and_pack(window, ctx, args.out, app)
        dialogs: list[tuple[str, QWidget]] = [
            ("history", HistoryDialog(window.workspace, "actions", action_id, window)),
            ("first-run", FirstRunDialog(window)),
            (
                "settings",
                SettingsDialog(
                    window.workspace.settings,
                    window.workspace.organisations(),
                    person=(describe(window.workspace.who), role_explained(window.workspace.who)),
                ),
            ),
        ]
        for name, dialog in dialogs:
            dialog.show()
            save(dialog, args.out / f"{name}.png", app)
            dialog.close()
        window.close()
        ctx.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
