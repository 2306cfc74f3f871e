"""The application's QScreen survives the garbage collector (the CI crashes of 3 Dec 2026).

`QWidget.screen()` called from Python makes the QScreen's wrapper a child of the widget's
(PySide6's return-value heuristic). When the widget's wrapper sits in a reference cycle (a
dialog referred to by a closure of its own) and is collected, the screen's wrapper is handed to
Python, and collecting it deletes the one QScreen the application has: the next widget that
asks for its screen (painting, a new window's style) crashes in QScreen::virtualSiblings. Two
CI runs and local runs died so, in a window fixture, after a dialog of an earlier test had gone.
The app asks for screens only through `widgets.screen_fit.screen_of` (static lookups); each
script below runs in its own process, since the failure is a segmentation fault.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import hescb_desktop

ROOT = Path(hescb_desktop.__file__).resolve().parent.parent

SCRIPT = """
import gc, sys
from PySide6.QtWidgets import QApplication, QMainWindow

app = QApplication([])
w = QMainWindow(); w.show(); app.processEvents()
if sys.argv[1] == "app":
    from PySide6.QtCore import QSize
    from hescb_desktop.ui.widgets.screen_fit import fitted_size, screen_of
    s = screen_of(w)
    fitted_size(QSize(400, 300), w)
else:
    s = w.screen()  # what the app no longer does
class Holder: pass
h = Holder(); h.w = w; h.s = s; w.h = h  # the window and its screen, referred to from a cycle
del w, s, h
gc.collect()
print("collected", flush=True)
w2 = QMainWindow(); w2.show(); app.processEvents()
print("painted", w2.width() > 0, flush=True)
"""


def _run(mode: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-c", SCRIPT, mode],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def test_the_screen_outlives_a_collected_dialog() -> None:
    done = _run("app")
    assert done.returncode == 0 and "painted True" in done.stdout, done.stderr[-2000:]


def test_widget_screen_is_what_broke_it() -> None:
    """The control: the same script asking the widget for its screen loses the QScreen (if a
    new PySide6 stops doing so, this fails, and screen_of may go back to widget.screen())."""
    done = _run("widget")
    assert "collected" in done.stdout and done.returncode != 0 and "painted" not in done.stdout


def test_nothing_asks_a_widget_for_its_screen() -> None:
    found = []
    for folder in (ROOT / "hescb_desktop", ROOT / "tests", ROOT / "scripts", ROOT / "benchmarks"):
        for path in sorted(folder.rglob("*.py")):
            if path.name == "test_screen_wrapper.py":
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
            for node in ast.walk(tree):
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "screen"
                    and not node.args
                ):
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert found == [], "use widgets.screen_fit.screen_of, never QWidget.screen()"
