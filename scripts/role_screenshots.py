"""Every page of the demo board as each of its kinds of user, at a laptop's 1366x768.

    python scripts/role_screenshots.py [--out DIR] [--width 1366 --height 768]

Builds the small demo board in a temporary data dir, protected as `init --demo` leaves it,
opens the main window filling one offscreen screen of the size asked, and for each person
(the programme manager: secretariat; the Chief Fire Officer: an officer; his staff officer,
acting for him; a viewer; an account the board does not know) chooses Demo › View as and
grabs every page, and Settings, into DIR/<who>-<page>.png (default build/role-screenshots/).
Issue 15: "each role has been tried in the app as a user would". `make role-screenshots`.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "role-screenshots")
    parser.add_argument("--width", type=int, default=1366)
    parser.add_argument("--height", type=int, default=768)
    return parser.parse_args(argv)


def _offscreen_screen(width: int, height: int, folder: Path) -> None:
    """One offscreen screen of the size asked (as scripts/take_screenshots.py does)."""
    if os.environ.get("QT_QPA_PLATFORM", "offscreen") != "offscreen":
        return
    config = folder / "screen.json"
    screen = {"name": "laptop", "x": 0, "y": 0, "width": width, "height": height}
    config.write_text(json.dumps({"screens": [{**screen, "logicalDpi": 96, "dpr": 1}]}))
    os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={config}"


ARGS = _args(sys.argv[1:])
_SCREEN_DIR = tempfile.TemporaryDirectory(prefix="hescb-screen-")
_offscreen_screen(ARGS.width, ARGS.height, Path(_SCREEN_DIR.name))
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QSettings, QSize  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from hescb_desktop.app import application  # noqa: E402
from hescb_desktop.paths import SETTINGS_FILENAME  # noqa: E402
from hescb_desktop.services.context import open_context  # noqa: E402
from hescb_desktop.services.demo import build_demo  # noqa: E402
from hescb_desktop.services.who import demo_people  # noqa: E402
from hescb_desktop.ui.main_window import MainWindow  # noqa: E402
from hescb_desktop.ui.settings_dialog import SettingsDialog  # noqa: E402
from hescb_desktop.ui.who import describe, role_explained  # noqa: E402
from hescb_desktop.ui.workspace import Workspace  # noqa: E402

PAGES = ("home", "calendar", "board", "meetings", "actions", "packs")
PEOPLE = (  # file prefix, the demo person's name ("" : an account the board does not know)
    ("secretariat", "Tom Haldane"),
    ("officer", "Alastair Wren"),
    ("staff-officer", "Jasmin Patel"),
    ("viewer", "Owen Pritchard"),
    ("unknown", ""),
)


def settle(app: QApplication) -> None:
    for _ in range(3):
        app.processEvents()


def settings_dialog(window: MainWindow, path: Path, app: QApplication) -> None:
    """File › Settings… as this person sees it (who they are, shown, not edited)."""
    who = window.workspace.who
    dialog = SettingsDialog(
        window.workspace.settings,
        window.workspace.organisations(),
        window,
        person=(describe(who), role_explained(who)),
    )
    dialog.show()
    settle(app)
    dialog.grab().save(str(path))
    print(f"  {path}")
    dialog.close()


def main(args: argparse.Namespace) -> int:
    args.out.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("HESCB_KEY_STORE", "file")  # the demo's PC key stays in the tmp dir
    app = application()
    with tempfile.TemporaryDirectory(prefix="hescb-roles-") as tmp:
        data_dir = Path(tmp)
        ctx = open_context(data_dir)
        print("Building the demo board ...")
        build_demo(ctx, protect=True)
        ids = {p.name: p.person_id for p in demo_people(ctx)}
        state = QSettings(str(data_dir / SETTINGS_FILENAME), QSettings.Format.IniFormat)
        window = MainWindow(Workspace(ctx), state)
        size = QSize(args.width, args.height)
        window.resize(size)
        window.show()
        for prefix, name in PEOPLE:
            window.workspace.view_as(ids[name] if name else "")
            for index, page in enumerate(PAGES):
                window.show_page(index)
                settle(app)
                if window.size() != size:
                    raise SystemExit(f"role_screenshots: {prefix}-{page}: the window grew")
                path = args.out / f"{prefix}-{page}.png"
                window.grab().save(str(path))
                print(f"  {path}")
            settings_dialog(window, args.out / f"{prefix}-settings.png", app)
        window.close()
        ctx.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(ARGS))
