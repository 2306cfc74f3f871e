"""PyInstaller's entry point for the frozen app (see build.spec).

Both executables run this script: `hescb-desktop` is the command line (no command starts the
GUI), `hescb-desktop-gui` (no console window on Windows) always starts the GUI.
"""

import sys
from pathlib import Path

from hescb_desktop.cli import gui_main, main

raise SystemExit(gui_main() if Path(sys.executable).stem.endswith("-gui") else main())
