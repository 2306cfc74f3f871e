"""PyInstaller's entry point for the frozen `hescb-desktop` (see build.spec)."""

from hescb_desktop.cli import main

raise SystemExit(main())
